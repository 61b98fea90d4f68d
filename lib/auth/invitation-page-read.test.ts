/**
 * The anonymous invitation page's read (lib/auth/invitation-page-read.ts): one keyed lookup behind a
 * limiter of its own — a flood of invitation links is refused as busy there and never takes a slot of
 * the signed-in viewers' limiter.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { ReadLimiter } from '../db/read-limit';
import { invitationReadLimiter, readInvitationForVisitor } from './invitation-page-read';
import { createInvitation } from './invitations';
import { createUser } from './users';

describe('the invitation page’s read', () => {
  const test = useTestDatabase();

  it('finds the invitation a link names, and nothing for a made-up one', async () => {
    const admin = await createUser(test.database.db, {
      username: 'inviter',
      password: 'inviter-pw-1',
      roles: ['admin'],
    });
    const now = new Date();
    const { token } = await createInvitation(test.database.sql, {
      username: 'newcomer',
      roles: ['viewer'],
      createdBy: admin.id,
      now,
      ttlMs: 60_000,
    });
    const limiter = new ReadLimiter({ inFlight: 1, queue: 1, maxWaitMs: 1_000 });
    const found = await readInvitationForVisitor(token, { database: test.database, limiter, now });
    expect(found).toMatchObject({ ok: true, value: { status: 'pending', username: 'newcomer' } });
    const made = await readInvitationForVisitor('x'.repeat(43), { database: test.database, limiter, now });
    expect(made).toEqual({ ok: true, value: { status: 'unknown' } });
  });

  it('refuses as busy beyond its own queue, without queueing the database or the viewers’ reads', async () => {
    const limiter = new ReadLimiter({ inFlight: 1, queue: 1, maxWaitMs: 60_000 });
    let release: () => void = () => {};
    const held = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = readInvitationForVisitor('a'.repeat(43), { database: test.database, limiter });
    const refused = await readInvitationForVisitor('b'.repeat(43), { database: test.database, limiter });
    expect(refused.ok).toBe(false);
    release();
    await held;
    expect((await queued).ok).toBe(true);
    // The page's own limiter: one lookup at once, never the viewers' limiter.
    expect(invitationReadLimiter().limits.inFlight).toBe(1);
    expect(invitationReadLimiter()).toBe(invitationReadLimiter());
  });
});
