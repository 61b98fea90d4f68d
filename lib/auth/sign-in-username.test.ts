/**
 * Issue 20, deliverable 8: a NUL (or another control character) in a username made sign-in a 500
 * (PostgreSQL refuses NUL in text); it is a clear refusal instead, and it costs no query.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { executeAction } from './action';
import { SIGN_IN_BAD_USERNAME, signIn } from './login';
import { disableUser, inviteUser } from './user-admin';
import { createUser } from './users';

describe('a username with a control character', () => {
  const test = useTestDatabase();

  it('is refused with a clear message, not an error, and the real user still signs in', async () => {
    await createUser(test.database.db, { username: 'nul-admin', password: 'nul-admin-password', roles: ['admin'] });
    for (const username of ['nul-admin\u0000', 'nul\u0000admin', '\u0000', 'nul-admin\u0007', 'nul\u007fadmin']) {
      const result = await signIn(test.database, { username, password: 'nul-admin-password', ip: '192.0.2.1' });
      expect(result, JSON.stringify(username)).toEqual({ status: 'failed', message: SIGN_IN_BAD_USERNAME });
    }
    // Nothing was counted against the address or the name.
    const [throttle] = await test.database.sql<
      { n: number }[]
    >`select count(*)::int as n from cutover.sign_in_throttle`;
    expect(throttle?.n).toBe(0);
    // Surrounding whitespace (a pasted line end) is still trimmed, as it always was.
    const pasted = await signIn(test.database, {
      username: ' nul-admin\n',
      password: 'nul-admin-password',
      ip: '192.0.2.1',
    });
    expect(pasted.status).toBe('ok');
  });

  it('is invalid input wherever else a username is taken (the admin’s actions), never an error', async () => {
    const admin = await createUser(test.database.db, {
      username: 'nul-boss',
      password: 'nul-boss-password',
      roles: ['admin'],
    });
    const user = { id: admin.id, username: 'nul-boss', roles: admin.roles, sessionId: 'nul-test' };
    const disabled = await executeAction(disableUser, {
      database: test.database,
      user,
      rawInput: { username: 'nul-admin\u0000' },
    });
    expect(disabled).toMatchObject({ status: 'invalid', fieldErrors: { username: [expect.any(String)] } });
    const invited = await executeAction(inviteUser, {
      database: test.database,
      user,
      rawInput: { username: 'new\u0000user', roles: ['viewer'] },
    });
    expect(invited).toMatchObject({ status: 'invalid' });
  });
});
