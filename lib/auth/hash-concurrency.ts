/**
 * At most N password hashes at once in this process (CUTOVER_SIGN_IN_HASH_CONCURRENCY): each
 * scrypt takes 32 MiB and a core for tens of milliseconds, so a flood of sign-in attempts must
 * queue behind a small limit instead of taking every core and the memory with it. A sign-in
 * that would wait too long — the queue is full, or its turn does not come within the wait
 * bound — is refused at once (the caller answers "busy, try again") rather than piling up.
 * Every caller before authentication (sign-in, accepting an invitation, re-entering a password)
 * has such a wait bound. Hashing for someone already trusted (an admin adding a user, a changed
 * password after the old one was checked) waits without a time bound, but in a queue of its own
 * that is bounded too: nothing can make the queue grow without limit (docs/architecture.md "Security").
 */
import { readSetting } from '../settings';

export class HashingBusyError extends Error {
  constructor() {
    super('Password hashing is saturated; the attempt was not checked.');
  }
}

export interface HashLimiterOptions {
  concurrency: number;
  /** Bounded callers are refused when this many are already waiting. */
  maxQueue: number;
  /** Callers without a wait bound are refused when this many of them are already waiting (default maxQueue). */
  maxUnboundedQueue?: number;
}

interface Waiter {
  start: () => void;
  bounded: boolean;
}

export interface HashLimiter {
  /**
   * Runs `task` when a slot is free; throws HashingBusyError when its part of the queue is full, and
   * with `maxWaitMs` also when its turn does not come in time.
   */
  run<T>(task: () => Promise<T>, options?: { maxWaitMs?: number }): Promise<T>;
  /** Now running, now waiting, the most ever running at once, callers refused and tasks started so far. */
  stats(): { running: number; waiting: number; peakRunning: number; refused: number; started: number };
}

export function createHashLimiter(options: HashLimiterOptions): HashLimiter {
  let running = 0;
  let peakRunning = 0;
  let refused = 0;
  let started = 0;
  const queue: Waiter[] = [];

  const release = () => {
    running -= 1;
    const next = queue.shift();
    if (next) next.start();
  };

  const acquire = (maxWaitMs: number | undefined): Promise<void> => {
    if (running < options.concurrency) {
      running += 1;
      started += 1;
      peakRunning = Math.max(peakRunning, running);
      return Promise.resolve();
    }
    const bounded = maxWaitMs !== undefined;
    const limit = bounded ? options.maxQueue : (options.maxUnboundedQueue ?? options.maxQueue);
    if (queue.filter((waiter) => waiter.bounded === bounded).length >= limit) {
      refused += 1;
      return Promise.reject(new HashingBusyError());
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        bounded,
        start: () => {
          clearTimeout(timer);
          running += 1;
          started += 1;
          peakRunning = Math.max(peakRunning, running);
          resolve();
        },
      };
      if (bounded) {
        timer = setTimeout(() => {
          const index = queue.indexOf(waiter);
          if (index < 0) return;
          queue.splice(index, 1);
          refused += 1;
          reject(new HashingBusyError());
        }, maxWaitMs);
      }
      queue.push(waiter);
    });
  };

  return {
    async run(task, runOptions = {}) {
      await acquire(runOptions.maxWaitMs);
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ running, waiting: queue.length, peakRunning, refused, started }),
  };
}

/** Sign-in attempts waiting for a hash slot, at most this many per slot; beyond that the server is flooded. */
const QUEUE_PER_SLOT = 16;
/** How long a sign-in may wait for its turn before it is refused as busy. */
export const SIGN_IN_MAX_HASH_WAIT_MS = 5_000;

const PROCESS_LIMITER = Symbol.for('dxy-cutover.hash-limiter');
type WithLimiter = typeof globalThis & { [PROCESS_LIMITER]?: HashLimiter };

/** The one limiter of this process (on globalThis: Next may load this module more than once). */
export function processHashLimiter(): HashLimiter {
  const holder = globalThis as WithLimiter;
  if (!holder[PROCESS_LIMITER]) {
    const concurrency = readSetting('CUTOVER_SIGN_IN_HASH_CONCURRENCY');
    holder[PROCESS_LIMITER] = createHashLimiter({ concurrency, maxQueue: concurrency * QUEUE_PER_SLOT });
  }
  return holder[PROCESS_LIMITER];
}
