/**
 * Issue 20, deliverable 4: when password hashing is saturated a sign-in is refused as busy at
 * once, the attempt is not counted against the person, and the refusal is audited — in aggregate,
 * as metadata (lib/auth/refusal-audit.ts), never the password.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { readSetting } from '../settings';
import { HashingBusyError, processHashLimiter } from './hash-concurrency';
import { SIGN_IN_BUSY, signIn } from './login';
import { createUser } from './users';

function heldTask() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { run: () => released, release: () => release() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('sign-in while password hashing is saturated', () => {
  const test = useTestDatabase();

  it('is refused as busy, counted against nobody, and audited in aggregate without the password', async () => {
    await createUser(test.database.db, { username: 'busy-user', password: 'busy-user-password', roles: ['viewer'] });
    const limiter = processHashLimiter();
    // Every slot taken, and the sign-ins' part of the queue full.
    const held: ReturnType<typeof heldTask>[] = [];
    const runs: Promise<unknown>[] = [];
    for (let n = 0; n < readSetting('CUTOVER_SIGN_IN_HASH_CONCURRENCY'); n++) {
      const task = heldTask();
      held.push(task);
      runs.push(limiter.run(task.run));
    }
    for (let n = 0; n < 1_000; n++) {
      const task = heldTask();
      const run = limiter.run(task.run, { maxWaitMs: 600_000 });
      const refused = await Promise.race([
        run.then(
          () => false,
          (error: unknown) => error instanceof HashingBusyError,
        ),
        turn(),
      ]);
      if (refused) break;
      held.push(task);
      runs.push(run);
    }
    try {
      for (let n = 0; n < 25; n++) {
        const result = await signIn(test.database, {
          username: 'busy-user',
          password: 'busy-user-password',
          ip: '192.0.2.50',
        });
        expect(result).toMatchObject({ status: 'throttled', message: SIGN_IN_BUSY });
      }
    } finally {
      for (const task of held) task.release();
      await Promise.all(runs.map((run) => run.catch(() => undefined)));
    }
    const rows = await test.database.sql<{ detail: { reason: string; address: string } }[]>`
      select detail from cutover.audit_events where action = 'auth.sign_in' and detail->>'reason' like 'busy%'`;
    // Audited: a few rows for 25 refusals (the rest counted), each naming the address, never the password.
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(25);
    expect(rows[0]?.detail.address).toBe('192.0.2.50');
    const everything = JSON.stringify(await test.database.sql`select * from cutover.audit_events`);
    expect(everything).not.toContain('busy-user-password');
    // Nothing counted against the person: once hashing has room, the password works at once.
    const later = await signIn(test.database, {
      username: 'busy-user',
      password: 'busy-user-password',
      ip: '192.0.2.50',
    });
    expect(later.status).toBe('ok');
  });
});
