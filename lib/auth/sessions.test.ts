import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { SIGN_IN_FAILED, signIn } from './login';
import { createSession, findSessionUser, hashToken, revokeSession, sessionLifetimes } from './sessions';
import { createUser, disableUser } from './users';

describe('sessions and sign-in', () => {
  const test = useTestDatabase();
  let userId: number;
  beforeAll(async () => {
    userId = (
      await createUser(test.database.db, { username: 'olga', password: 'olga-password-1', roles: ['operator'] })
    ).id;
    await createUser(test.database.db, { username: 'victor', password: 'victor-password-1', roles: ['viewer'] });
  });

  it('stores only the hash of the session token', async () => {
    const { token } = await createSession(test.database.db, { userId });
    const rows = await test.database.sql`select id from cutover.sessions`;
    expect(rows.map((r) => r.id)).toContain(hashToken(token));
    expect(rows.map((r) => r.id)).not.toContain(token);
  });

  const minutes = (start: Date, n: number) => new Date(start.getTime() + n * 60_000);
  const lastSeenOf = async (token: string): Promise<Date> => {
    const [row] = await test.database.sql`select last_seen_at from cutover.sessions where id = ${hashToken(token)}`;
    return row?.last_seen_at as Date;
  };

  it('ends a session at its absolute end, set at sign-in from CUTOVER_SESSION_MAX_HOURS', async () => {
    const start = new Date('2026-11-25T10:00:00Z');
    const { token, expiresAt } = await createSession(test.database.db, { userId, now: start, maxMs: 60_000 });
    expect(expiresAt).toEqual(new Date(start.getTime() + 60_000));
    expect(await findSessionUser(test.database.db, { token, now: new Date(start.getTime() + 59_000) })).toMatchObject({
      username: 'olga',
      roles: ['operator'],
      mustChangePassword: false,
    });
    expect(await findSessionUser(test.database.db, { token, now: new Date(start.getTime() + 60_000) })).toBeNull();
    expect(sessionLifetimes({})).toEqual({ maxMs: 36 * 3_600_000, idleMs: 120 * 60_000 });
    expect(sessionLifetimes({ CUTOVER_SESSION_MAX_HOURS: '48', CUTOVER_SESSION_IDLE_MINUTES: '30' })).toEqual({
      maxMs: 48 * 3_600_000,
      idleMs: 30 * 60_000,
    });
  });

  it('ends a session left idle for CUTOVER_SESSION_IDLE_MINUTES', async () => {
    const start = new Date('2026-11-25T10:00:00Z');
    const { token } = await createSession(test.database.db, { userId, now: start });
    const idleMs = 30 * 60_000;
    expect(await findSessionUser(test.database.db, { token, now: minutes(start, 29), idleMs })).not.toBeNull();
    // The request at minute 29 renewed it: idle is counted from there.
    expect(await findSessionUser(test.database.db, { token, now: minutes(start, 58), idleMs })).not.toBeNull();
    expect(await findSessionUser(test.database.db, { token, now: minutes(start, 88), idleMs })).toBeNull();
    // Refused for good: a later request does not bring it back to life.
    expect(await findSessionUser(test.database.db, { token, now: minutes(start, 89), idleMs })).toBeNull();
    expect(await lastSeenOf(token)).toEqual(minutes(start, 58));
  });

  it('keeps a session in use alive past the idle timeout, writing last_seen_at at most once a minute', async () => {
    const start = new Date('2026-11-25T10:00:00Z');
    const { token } = await createSession(test.database.db, { userId, now: start });
    const idleMs = 10 * 60_000;
    // A live page polling every 5 s for an hour: far past the 10-minute idle timeout.
    const writes = new Set<number>();
    for (let second = 5; second <= 3600; second += 5) {
      const now = new Date(start.getTime() + second * 1000);
      expect(await findSessionUser(test.database.db, { token, now, idleMs })).not.toBeNull();
      writes.add((await lastSeenOf(token)).getTime());
    }
    // The sign-in time, then one renewal per minute of use (at 60 s, 120 s, …), not one per poll (720 polls).
    expect([...writes].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 61 }, (_, minute) => minutes(start, minute).getTime()),
    );
    expect(await lastSeenOf(token)).toEqual(minutes(start, 60));
  });

  it('ends a session at its absolute end even when it is in constant use', async () => {
    const start = new Date('2026-11-25T10:00:00Z');
    const { token } = await createSession(test.database.db, { userId, now: start, maxMs: 36 * 3_600_000 });
    const idleMs = 120 * 60_000;
    // One request every 10 minutes for 36 hours: always renewed, never idle.
    for (let minute = 10; minute < 36 * 60; minute += 10) {
      expect(await findSessionUser(test.database.db, { token, now: minutes(start, minute), idleMs })).not.toBeNull();
    }
    expect(await findSessionUser(test.database.db, { token, now: minutes(start, 36 * 60 - 1), idleMs })).not.toBeNull();
    expect(await findSessionUser(test.database.db, { token, now: minutes(start, 36 * 60), idleMs })).toBeNull();
    const [row] = await test.database.sql`select expires_at from cutover.sessions where id = ${hashToken(token)}`;
    expect(row?.expires_at).toEqual(new Date(start.getTime() + 36 * 3_600_000));
  });

  it('refuses an unknown token without writing anything', async () => {
    const before = await test.database.sql`select id, last_seen_at from cutover.sessions order by id`;
    expect(await findSessionUser(test.database.db, { token: 'no-such-token' })).toBeNull();
    expect(await test.database.sql`select id, last_seen_at from cutover.sessions order by id`).toEqual(before);
  });

  it('revokes a session at once', async () => {
    const { token } = await createSession(test.database.db, { userId });
    expect(await findSessionUser(test.database.db, { token })).not.toBeNull();
    await revokeSession(test.database.db, { token });
    expect(await findSessionUser(test.database.db, { token })).toBeNull();
    // Renewal cannot revive it either: the revoked row is not renewed.
    expect(await findSessionUser(test.database.db, { token, now: new Date(Date.now() + 5 * 60_000) })).toBeNull();
  });

  it('signs in with a new session id each time and audits it', async () => {
    const first = await signIn(test.database, { username: 'victor', password: 'victor-password-1', ip: '10.9.0.1' });
    const second = await signIn(test.database, { username: 'victor', password: 'victor-password-1', ip: '10.9.0.1' });
    expect(first.status).toBe('ok');
    expect(second.status).toBe('ok');
    if (first.status === 'ok' && second.status === 'ok') expect(first.token).not.toBe(second.token);
    const audits = await test.database
      .sql`select outcome from cutover.audit_events where action = 'auth.sign_in' and username = 'victor'`;
    expect(audits.map((a) => a.outcome)).toEqual(['ok', 'ok']);
  });

  it('gives the same generic error for a wrong password and an unknown user', async () => {
    const wrongPassword = await signIn(test.database, {
      username: 'victor',
      password: 'nope-nope-nope',
      ip: '10.9.0.2',
    });
    const unknownUser = await signIn(test.database, {
      username: 'nobody',
      password: 'victor-password-1',
      ip: '10.9.0.2',
    });
    expect(wrongPassword).toEqual({ status: 'failed', message: SIGN_IN_FAILED });
    expect(unknownUser).toEqual({ status: 'failed', message: SIGN_IN_FAILED });
  });

  // The sign-in throttle has tests of its own: lib/auth/sign-in-throttle.test.ts.

  it('refuses a disabled user and ends their sessions', async () => {
    const { token } = await createSession(test.database.db, { userId });
    await disableUser(test.database.db, { username: 'olga', at: new Date() });
    expect(await findSessionUser(test.database.db, { token })).toBeNull();
    const attempt = await signIn(test.database, {
      username: 'olga',
      password: 'olga-password-1',
      ip: '10.9.2.1',
      now: new Date(Date.now() + 30 * 60_000),
    });
    expect(attempt).toEqual({ status: 'failed', message: SIGN_IN_FAILED });
  });
});
