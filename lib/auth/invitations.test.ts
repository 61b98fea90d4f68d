/**
 * Issue 20, deliverable 4 ("cheap refusals first") for invitation acceptance: the token is checked
 * before any password hashing, the hash waits in a bounded queue and is refused as busy, acceptances
 * are throttled per address (a caller without one shares the "unknown" bucket), refusals are
 * audited as metadata in aggregate, and sign-in keeps working under a flood of acceptances.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { readSetting } from '../settings';
import { HashingBusyError, processHashLimiter } from './hash-concurrency';
import { acceptInvitation, createInvitation, INVITATION_BUSY, INVITATION_TTL_MS, readInvitation } from './invitations';
import { signIn } from './login';
import { createUser } from './users';

/** A hash-limiter task that runs until released, so the test decides when a slot frees up. */
function heldTask() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { run: () => released, release: () => release() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Starts `work` and races it against the process's hash queue growing: the answer, or 'queued for
 * a hash' when `work` joined the queue first (the hash came before the cheap checks). The queue is
 * measured before `work` starts: joining it can happen in the very first synchronous steps.
 */
async function unlessQueued<T>(start: () => Promise<T>): Promise<T | 'queued for a hash'> {
  const limiter = processHashLimiter();
  const before = limiter.stats().waiting;
  const work = start();
  let settled = false;
  const queued = (async () => {
    while (!settled && limiter.stats().waiting <= before) await turn();
    return 'queued for a hash' as const;
  })();
  try {
    return await Promise.race([work, queued]);
  } finally {
    settled = true;
  }
}

describe('accepting an invitation: cheap refusals first', () => {
  const test = useTestDatabase();
  let adminId: number;

  async function invite(username: string): Promise<string> {
    const invitation = await createInvitation(test.database.sql, {
      username,
      roles: ['viewer'],
      createdBy: adminId,
      now: new Date(),
      ttlMs: INVITATION_TTL_MS,
    });
    return invitation.token;
  }

  const accept = (
    token: string,
    address?: string | null,
    options: { extra?: Record<string, unknown>; now?: Date } = {},
  ) =>
    acceptInvitation(test.database, {
      rawInput: {
        token,
        password: 'a-long-enough-password',
        confirmPassword: 'a-long-enough-password',
        ...options.extra,
      },
      address,
      now: options.now,
    });

  const auditRows = (address: string) =>
    test.database.sql<{ outcome: string; username: string | null; inputs: unknown; detail: Record<string, unknown> }[]>`
      select outcome, username, inputs, detail from cutover.audit_events
       where action = 'users.accept_invitation' and detail->>'address' = ${address} order by id`;

  beforeAll(async () => {
    adminId = (
      await createUser(test.database.db, { username: 'inv-admin', password: 'inv-admin-pw-1', roles: ['admin'] })
    ).id;
    await createUser(test.database.db, { username: 'inv-operator', password: 'inv-operator-pw', roles: ['operator'] });
  });

  it('refuses a made-up token without hashing the password, even when every hash slot is taken', async () => {
    const limiter = processHashLimiter();
    const holders = Array.from({ length: readSetting('CUTOVER_SIGN_IN_HASH_CONCURRENCY') }, heldTask);
    const held = holders.map((holder) => limiter.run(holder.run));
    try {
      const answer = await unlessQueued(() => accept('made-up-token', '192.0.2.10'));
      expect(answer).toEqual({ status: 'refused', reason: expect.stringContaining('not valid') });
      expect(limiter.stats().waiting).toBe(0);
    } finally {
      for (const holder of holders) holder.release();
      await Promise.all(held);
    }
  });

  it('a full hash queue refuses a valid acceptance as busy at once; the invitation stays valid', async () => {
    const token = await invite('inv-busy');
    const limiter = processHashLimiter();
    const holders = Array.from({ length: readSetting('CUTOVER_SIGN_IN_HASH_CONCURRENCY') }, heldTask);
    const held = holders.map((holder) => limiter.run(holder.run));
    // Sign-ins waiting for a slot until the queue's bounded part is full.
    const waiters: ReturnType<typeof heldTask>[] = [];
    const waiting: Promise<unknown>[] = [];
    for (let n = 0; n < 1_000; n++) {
      const waiter = heldTask();
      const run = limiter.run(waiter.run, { maxWaitMs: 600_000 });
      if (
        await Promise.race([
          run.then(
            () => false,
            (error: unknown) => error instanceof HashingBusyError,
          ),
          turn(),
        ])
      )
        break;
      waiters.push(waiter);
      waiting.push(run);
    }
    try {
      const answer = await unlessQueued(() => accept(token, '192.0.2.11'));
      expect(answer).toEqual({ status: 'refused', reason: INVITATION_BUSY });
    } finally {
      for (const holder of [...holders, ...waiters]) holder.release();
      await Promise.all([...held, ...waiting]);
    }
    expect(await readInvitation(test.database.sql, { token, now: new Date() })).toMatchObject({ status: 'pending' });
    const [busy] = await auditRows('192.0.2.11');
    expect(busy).toMatchObject({ outcome: 'refused', username: 'inv-busy' });
    expect(busy?.detail.reason).toMatch(/busy/);
    // Once the queue drains, the same link works.
    expect(await accept(token, '192.0.2.11')).toEqual({ status: 'ok', username: 'inv-busy' });
  });

  it('is throttled per address; a caller without an address shares the one "unknown" bucket', async () => {
    // One instant for the whole test: a slow machine must not see the first wait (2 s) end mid-test.
    const now = new Date();
    for (let n = 0; n < 5; n++) {
      expect(await accept(`made-up-${n}`, '198.51.100.7', { now })).toMatchObject({
        reason: expect.stringContaining('not valid'),
      });
    }
    // The sixth failure is let through and starts a wait; the next attempt is refused without a lookup.
    expect((await accept('made-up-5', '198.51.100.7', { now })).status).toBe('refused');
    const valid = await invite('inv-patient');
    expect(await accept(valid, '198.51.100.7', { now })).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/^Too many invitation attempts from this address/),
    });
    expect(await readInvitation(test.database.sql, { token: valid, now: new Date() })).toMatchObject({
      status: 'pending',
    });
    // Someone else, elsewhere, is not slowed down.
    expect(await accept(valid, '198.51.100.8', { now })).toEqual({ status: 'ok', username: 'inv-patient' });

    // No address (no socket address, no front server): not a way around the throttle.
    for (let n = 0; n < 6; n++) await accept(`anonymous-${n}`, n % 2 === 0 ? null : undefined, { now });
    const hidden = await invite('inv-hidden');
    expect(await accept(hidden, null, { now })).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/^Too many invitation attempts/),
    });
    const unknown = await auditRows('unknown');
    expect(unknown.length).toBeGreaterThan(0);
    // A known address is not held back by the unknown callers.
    expect(await accept(hidden, '198.51.100.9', { now })).toEqual({ status: 'ok', username: 'inv-hidden' });
  });

  it('audits refusals as metadata, never the input, and a flood from one address in aggregate', async () => {
    const marker = 'PAYLOAD-MARKER-'.repeat(1_000);
    for (let n = 0; n < 40; n++)
      await accept(`flood-${n}`, '203.0.113.5', { extra: { note: marker, nested: { marker } } });
    const everything = JSON.stringify(
      await test.database.sql`select * from cutover.audit_events where action = 'users.accept_invitation'`,
    );
    expect(everything).not.toContain('PAYLOAD-MARKER');
    expect(everything).not.toContain('flood-');
    const rows = await auditRows('203.0.113.5');
    // A handful of rows, not one per attempt.
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(15);
    expect(JSON.stringify(rows)).not.toContain('PAYLOAD-MARKER');
    expect(JSON.stringify(rows)).not.toContain('flood-');
    expect(JSON.stringify(rows)).not.toContain('a-long-enough-password');
    // What was sent is measured, not kept.
    const sizes = rows[0]?.detail.sizes as { bytes?: number } | undefined;
    expect(sizes?.bytes).toBeGreaterThan(marker.length);
  });

  it('sign-in still works during a flood of acceptances from many addresses: none of them hashes', async () => {
    const limiter = processHashLimiter();
    const startedBefore = limiter.stats().started;
    const flood = Array.from({ length: 100 }, (_, n) => accept(`flood-token-${n}`, `10.20.${n >> 8}.${n & 255}`));
    const signedIn = await signIn(test.database, {
      username: 'inv-operator',
      password: 'inv-operator-pw',
      ip: '192.0.2.99',
    });
    expect(signedIn.status).toBe('ok');
    const answers = await Promise.all(flood);
    expect(answers.every((answer) => answer.status === 'refused')).toBe(true);
    // The one hash of the whole flood is the sign-in's.
    expect(limiter.stats().started - startedBefore).toBe(1);
  });
});
