/**
 * Issue 20, deliverable 5: a stolen session must not become 90 days of access. Creating an API
 * token asks for the password again (throttled like sign-in); a password change or disabling the
 * user revokes the user's tokens, and the token's next call says why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { handleCliApiRequest } from '../cli-api/handle-request';
import { executeAction } from './action';
import { checkApiToken, createApiToken, TOKEN_REFUSALS } from './api-tokens';
import { signIn } from './login';
import type { Role } from './roles';
import { findSessionUser, type SessionUser } from './sessions';
import { disableUser } from './user-admin';
import { changeOwnPassword } from './user-admin-password';
import { createUser } from './users';

describe('API tokens need the password', () => {
  const test = useTestDatabase();

  /** A user signed in with a real session (a password change ends the user's other sessions by id). */
  async function signedIn(username: string, roles: Role[]): Promise<SessionUser> {
    await createUser(test.database.db, { username, password: `${username}-password`, roles });
    const result = await signIn(test.database, { username, password: `${username}-password`, ip: `ip-${username}` });
    if (result.status !== 'ok') throw new Error(result.message);
    const user = await findSessionUser(test.database.db, { token: result.token });
    if (!user) throw new Error('no session');
    return user;
  }

  const create = (user: SessionUser, rawInput: Record<string, unknown>) =>
    executeAction(createApiToken, {
      database: test.database,
      user,
      rawInput: { name: 'laptop', expiresInDays: 30, ...rawInput },
    });

  async function token(user: SessionUser, name: string): Promise<string> {
    const result = await create(user, { name, password: `${user.username}-password` });
    if (result.status !== 'ok') throw new Error(JSON.stringify(result));
    return result.data.token;
  }

  const tokenCount = async (userId: number) =>
    (
      await test.database.sql<
        { n: number }[]
      >`select count(*)::int as n from cutover.api_tokens where user_id = ${userId}`
    )[0]?.n;

  /** What the CLI hears on its next call with `bearer`. */
  async function cliAnswer(bearer: string): Promise<{ status: number; error?: string }> {
    const response = await handleCliApiRequest(
      new Request('http://127.0.0.1/api/cli/whoami', { headers: { authorization: `Bearer ${bearer}` } }),
      { database: test.database, renderReportHtml: () => '' },
    );
    return { status: response.status, ...((await response.json()) as { error?: string }) };
  }

  let admin: SessionUser;
  beforeAll(async () => {
    admin = await signedIn('tok-admin', ['admin']);
  });

  it('creating a token without the password, or with a wrong one, creates nothing', async () => {
    const owner = await signedIn('tok-owner', ['operator']);
    const without = await create(owner, {});
    expect(without).toMatchObject({
      status: 'invalid',
      fieldErrors: { password: [expect.stringContaining('password')] },
    });
    const wrong = await create(owner, { password: 'not-my-password' });
    expect(wrong).toEqual({ status: 'refused', reason: 'The password is wrong: no token was created.' });
    expect(await tokenCount(owner.id)).toBe(0);
    const right = await create(owner, { password: 'tok-owner-password' });
    expect(right.status).toBe('ok');
    expect(await tokenCount(owner.id)).toBe(1);
    // The refusal is audited, the password nowhere.
    const audit = await test.database.sql<{ outcome: string }[]>`
      select outcome from cutover.audit_events where action = 'tokens.create' and username = 'tok-owner' order by id`;
    expect(audit.map((row) => row.outcome)).toEqual(['invalid', 'refused', 'ok']);
    const everything = JSON.stringify(await test.database.sql`select inputs, detail from cutover.audit_events`);
    expect(everything).not.toContain('not-my-password');
    expect(everything).not.toContain('tok-owner-password');
  });

  it('wrong passwords are throttled like sign-in, per user, without slowing down the owner’s sign-in', async () => {
    const owner = await signedIn('tok-guessed', ['viewer']);
    for (let guess = 0; guess < 3; guess++) {
      expect(await create(owner, { password: `guess-${guess}` })).toMatchObject({
        status: 'refused',
        reason: expect.stringContaining('wrong'),
      });
    }
    // The fourth wrong one blocks the next attempts for a while (2 s, doubling) — even with the right password.
    expect((await create(owner, { password: 'guess-3' })).status).toBe('refused');
    const [row] = await test.database.sql<{ blocked: boolean }[]>`
      select blocked_until > now() as blocked from cutover.sign_in_throttle
       where bucket = 're-auth' and username = ${String(owner.id)}`;
    expect(row?.blocked).toBe(true);
    // Longer than 2 s, so that a slow machine does not see the wait end before the next steps.
    await test.database.sql`
      update cutover.sign_in_throttle set blocked_until = now() + interval '10 minutes'
       where bucket = 're-auth' and username = ${String(owner.id)}`;
    const blocked = await create(owner, { password: 'tok-guessed-password' });
    expect(blocked).toMatchObject({ status: 'refused', reason: expect.stringMatching(/^Too many wrong passwords/) });
    expect(await tokenCount(owner.id)).toBe(0);
    // Changing the password through the same stolen session is throttled by the same count.
    const change = await executeAction(changeOwnPassword, {
      database: test.database,
      user: owner,
      rawInput: {
        currentPassword: 'tok-guessed-password',
        newPassword: 'a-new-long-password',
        confirmPassword: 'a-new-long-password',
      },
    });
    expect(change).toMatchObject({ status: 'refused', reason: expect.stringMatching(/^Too many wrong passwords/) });
    // The owner still signs in, from anywhere.
    const owners = await signIn(test.database, { username: 'tok-guessed', password: 'tok-guessed-password', ip: 'z' });
    expect(owners.status).toBe('ok');
  });

  it('a password change revokes every token of the user, says how many, and the token’s next call says why', async () => {
    const owner = await signedIn('tok-changer', ['operator']);
    const first = await token(owner, 'laptop');
    const second = await token(owner, 'ci');
    expect(await cliAnswer(first)).toMatchObject({ status: 200 });
    const changed = await executeAction(changeOwnPassword, {
      database: test.database,
      user: owner,
      rawInput: {
        currentPassword: 'tok-changer-password',
        newPassword: 'tok-changer-new-password',
        confirmPassword: 'tok-changer-new-password',
      },
    });
    expect(changed).toMatchObject({ status: 'ok', data: { revokedApiTokens: 2 } });
    for (const revoked of [first, second]) {
      expect(await checkApiToken(test.database.db, { token: revoked })).toEqual({
        status: 'refused',
        reason: 'revoked-password-changed',
      });
    }
    const answer = await cliAnswer(first);
    expect(answer.status).toBe(401);
    expect(answer.error).toBe(TOKEN_REFUSALS['revoked-password-changed']);
    expect(answer.error).toMatch(/revoked by a change of its user’s password/);
    const [row] = await test.database.sql<{ reason: string }[]>`
      select distinct revoked_reason as reason from cutover.api_tokens where user_id = ${owner.id}`;
    expect(row?.reason).toBe('password-changed');
    // A token created after the change works: the new password is the one asked for.
    expect((await create(owner, { name: 'after', password: 'tok-changer-password' })).status).toBe('refused');
    const after = await create(owner, { name: 'after', password: 'tok-changer-new-password' });
    expect(after.status).toBe('ok');
  });

  it('disabling the user revokes their tokens, and the token’s next call says the user is disabled', async () => {
    const owner = await signedIn('tok-leaver', ['viewer']);
    const held = await token(owner, 'laptop');
    const disabled = await executeAction(disableUser, {
      database: test.database,
      user: admin,
      rawInput: { username: 'tok-leaver' },
    });
    expect(disabled).toMatchObject({ status: 'ok', data: { revokedApiTokens: 1 } });
    expect(await checkApiToken(test.database.db, { token: held })).toEqual({ status: 'refused', reason: 'disabled' });
    expect(await cliAnswer(held)).toMatchObject({ status: 401, error: TOKEN_REFUSALS.disabled });
    const [row] = await test.database.sql<{ reason: string }[]>`
      select revoked_reason as reason from cutover.api_tokens where user_id = ${owner.id}`;
    expect(row?.reason).toBe('user-disabled');
  });
});
