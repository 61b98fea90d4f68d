import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { MAX_FAILURES_PER_USERNAME, SIGN_IN_FAILED, SIGN_IN_THROTTLED, signIn } from './login';
import { createSession, findSessionUser, hashToken, revokeSession } from './sessions';
import { createUser, disableUser } from './users';

describe('sessions and sign-in', () => {
  let test: TestDatabase;
  let userId: number;
  beforeAll(async () => {
    test = await createTestDatabase();
    userId = (
      await createUser(test.database.db, { username: 'olga', password: 'olga-password-1', roles: ['operator'] })
    ).id;
    await createUser(test.database.db, { username: 'victor', password: 'victor-password-1', roles: ['viewer'] });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('stores only the hash of the session token', async () => {
    const { token } = await createSession(test.database.db, { userId });
    const rows = await test.database.sql`select id from cutover.sessions`;
    expect(rows.map((r) => r.id)).toContain(hashToken(token));
    expect(rows.map((r) => r.id)).not.toContain(token);
  });

  it('expires sessions at their expiry time', async () => {
    const start = new Date('2026-11-25T10:00:00Z');
    const { token } = await createSession(test.database.db, { userId, now: start, ttlMs: 60_000 });
    expect(await findSessionUser(test.database.db, { token, now: new Date(start.getTime() + 59_000) })).toMatchObject({
      username: 'olga',
      roles: ['operator'],
    });
    expect(await findSessionUser(test.database.db, { token, now: new Date(start.getTime() + 60_000) })).toBeNull();
  });

  it('revokes a session at once', async () => {
    const { token } = await createSession(test.database.db, { userId });
    expect(await findSessionUser(test.database.db, { token })).not.toBeNull();
    await revokeSession(test.database.db, { token });
    expect(await findSessionUser(test.database.db, { token })).toBeNull();
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

  it('throttles a username after repeated failures, even with the right password', async () => {
    for (let i = 0; i < MAX_FAILURES_PER_USERNAME; i++) {
      await signIn(test.database, { username: 'olga', password: `wrong-${i}-password`, ip: `10.9.1.${i}` });
    }
    const blocked = await signIn(test.database, { username: 'olga', password: 'olga-password-1', ip: '10.9.1.99' });
    expect(blocked).toEqual({ status: 'failed', message: SIGN_IN_THROTTLED });
    const later = new Date(Date.now() + 11 * 60_000);
    const afterWindow = await signIn(test.database, {
      username: 'olga',
      password: 'olga-password-1',
      ip: '10.9.1.99',
      now: later,
    });
    expect(afterWindow.status).toBe('ok');
  });

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
