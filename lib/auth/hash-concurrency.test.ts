import { describe, expect, it } from 'vitest';
import { createHashLimiter, HashingBusyError, processHashLimiter } from './hash-concurrency';
import { hashPassword, verifyPassword } from './password';

/** A task that runs until released, so the test decides when a slot frees up. */
function heldTask() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = false;
  return {
    run: async () => {
      started = true;
      await released;
    },
    release: () => release(),
    started: () => started,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('hash concurrency limit', () => {
  it('runs at most N tasks at once and the rest in arrival order', async () => {
    const limiter = createHashLimiter({ concurrency: 2, maxQueue: 10 });
    const tasks = Array.from({ length: 6 }, heldTask);
    const done = tasks.map((task) => limiter.run(task.run));
    await settle();
    expect(tasks.map((task) => task.started())).toEqual([true, true, false, false, false, false]);
    expect(limiter.stats()).toMatchObject({ running: 2, waiting: 4 });
    tasks[1]?.release();
    await settle();
    expect(tasks.map((task) => task.started())).toEqual([true, true, true, false, false, false]);
    for (const task of tasks) task.release();
    await Promise.all(done);
    expect(limiter.stats()).toEqual({ running: 0, waiting: 0, peakRunning: 2, refused: 0, started: 6 });
  });

  it('refuses a bounded caller at once when the queue is full; an unbounded one waits in a part of its own', async () => {
    const limiter = createHashLimiter({ concurrency: 1, maxQueue: 2 });
    const holder = heldTask();
    const held = limiter.run(holder.run);
    const queued = [heldTask(), heldTask()];
    const queuedDone = queued.map((task) => limiter.run(task.run, { maxWaitMs: 60_000 }));
    await expect(limiter.run(async () => 'never', { maxWaitMs: 60_000 })).rejects.toBeInstanceOf(HashingBusyError);
    // Creating a user or changing a password waits its turn however full the sign-ins' part is…
    const unbounded = limiter.run(async () => 'hashed');
    expect(limiter.stats()).toMatchObject({ running: 1, waiting: 3, refused: 1 });
    holder.release();
    for (const task of queued) task.release();
    await Promise.all([held, ...queuedDone]);
    expect(await unbounded).toBe('hashed');
  });

  it('bounds the queue of callers without a wait bound too: the queue never grows without limit', async () => {
    const limiter = createHashLimiter({ concurrency: 1, maxQueue: 1, maxUnboundedQueue: 2 });
    const holder = heldTask();
    const held = limiter.run(holder.run);
    const waiting = [heldTask(), heldTask()];
    const waitingDone = waiting.map((task) => limiter.run(task.run));
    // …but not beyond its own bound: the third unbounded caller is refused at once, as busy (not queued).
    const third = limiter.run(async () => 'ran');
    const outcome = await Promise.race([third.then(String, (error: unknown) => error), settle().then(() => 'queued')]);
    expect(outcome).toBeInstanceOf(HashingBusyError);
    // The bounded callers' part is still open.
    const bounded = heldTask();
    const boundedDone = limiter.run(bounded.run, { maxWaitMs: 60_000 });
    expect(limiter.stats()).toMatchObject({ running: 1, waiting: 3, refused: 1 });
    for (const task of [holder, ...waiting, bounded]) task.release();
    await Promise.all([held, ...waitingDone, boundedDone, third.catch(() => undefined)]);
    expect(limiter.stats()).toMatchObject({ running: 0, waiting: 0, refused: 1 });
  });

  it('refuses a bounded caller whose turn does not come within its wait', async () => {
    const limiter = createHashLimiter({ concurrency: 1, maxQueue: 5 });
    const holder = heldTask();
    const held = limiter.run(holder.run);
    await expect(limiter.run(async () => 'late', { maxWaitMs: 20 })).rejects.toBeInstanceOf(HashingBusyError);
    expect(limiter.stats()).toMatchObject({ running: 1, waiting: 0, refused: 1 });
    holder.release();
    await held;
    // The slot it gave up is not lost.
    expect(await limiter.run(async () => 'next', { maxWaitMs: 20 })).toBe('next');
  });

  it('limits real scrypt verifications and still verifies each correctly', async () => {
    const limiter = createHashLimiter({ concurrency: 2, maxQueue: 10 });
    const stored = await hashPassword('a long enough password', { limiter });
    const guesses = ['a long enough password', 'wrong', 'a long enough password', 'also wrong', 'nope', 'no'];
    const results = await Promise.all(guesses.map((guess) => verifyPassword(guess, stored, { limiter })));
    expect(results).toEqual([true, false, true, false, false, false]);
    expect(limiter.stats()).toEqual({ running: 0, waiting: 0, peakRunning: 2, refused: 0, started: 7 });
  });

  it('the process limiter takes its size from CUTOVER_SIGN_IN_HASH_CONCURRENCY (default 2) and is one per process', async () => {
    const limiter = processHashLimiter();
    expect(processHashLimiter()).toBe(limiter);
    const before = limiter.stats().peakRunning;
    const tasks = Array.from({ length: 4 }, heldTask);
    const done = tasks.map((task) => limiter.run(task.run));
    await settle();
    expect(limiter.stats().running).toBe(2);
    for (const task of tasks) task.release();
    await Promise.all(done);
    expect(Math.max(before, 2)).toBe(limiter.stats().peakRunning);
  });
});
