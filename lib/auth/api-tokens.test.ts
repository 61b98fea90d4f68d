import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { DAY_MS, MINUTE_MS } from '../time-units';
import { executeAction } from './action';
import {
  API_TOKEN_PREFIX,
  apiTokenState,
  checkApiToken,
  createApiToken,
  findTokenUser,
  listApiTokens,
  revokeApiToken,
  tokenLifetimeChoices,
} from './api-tokens';
import type { Role } from './roles';
import type { SessionUser } from './sessions';
import { createUser, disableUser } from './users';

describe('personal API tokens', () => {
  const test = useTestDatabase();
  const users: Record<string, SessionUser> = {};

  async function user(username: string, roles: Role[]): Promise<SessionUser> {
    const created = await createUser(test.database.db, { username, password: `${username}-password`, roles });
    users[username] = { id: created.id, username, roles, sessionId: `test-${username}` };
    return users[username];
  }

  async function create(owner: SessionUser, input: Record<string, unknown> = {}) {
    const result = await executeAction(createApiToken, {
      database: test.database,
      user: owner,
      // The owner's password, entered again (lib/auth/reauthenticate.ts).
      rawInput: { name: 'laptop', expiresInDays: 30, password: `${owner.username}-password`, ...input },
    });
    if (result.status !== 'ok') throw new Error(JSON.stringify(result));
    return result.data;
  }

  /** Everything the database holds, as text: the token must be nowhere in it. */
  async function everything(): Promise<string> {
    const tokens = await test.database.sql`select * from cutover.api_tokens`;
    const audit = await test.database.sql`select * from cutover.audit_events`;
    return JSON.stringify({ tokens, audit });
  }

  beforeAll(async () => {
    await user('tina', ['operator']);
    await user('vince', ['viewer']);
    await user('adele', ['admin']);
  });

  it('creates a recognisable token that the database never holds, only its sha-256 and prefix', async () => {
    const created = await create(users.tina as SessionUser);
    expect(created.token.startsWith(API_TOKEN_PREFIX)).toBe(true);
    expect(created.token.length).toBeGreaterThanOrEqual(API_TOKEN_PREFIX.length + 43);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    const [row] = await test.database.sql<{ token_hash: string; prefix: string; name: string; expires_at: Date }[]>`
      select token_hash, prefix, name, expires_at from cutover.api_tokens where id = ${created.id}`;
    expect(row?.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(row?.prefix).toBe(created.prefix);
    expect(row?.name).toBe('laptop');
    const lifetime = (row?.expires_at.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(30 * DAY_MS - 5 * MINUTE_MS);
    expect(lifetime).toBeLessThanOrEqual(30 * DAY_MS);
    const secretPart = created.token.slice(created.prefix.length);
    expect(await everything()).not.toContain(secretPart);
    // Two tokens never share a value.
    const other = await create(users.tina as SessionUser, { name: 'ci' });
    expect(other.token).not.toBe(created.token);
  });

  it('audits creation with the name and lifetime, never the token', async () => {
    const created = await create(users.vince as SessionUser, { name: 'viewer laptop', expiresInDays: 7 });
    const [audit] = await test.database.sql<{ outcome: string; inputs: unknown; detail: { result: unknown } }[]>`
      select outcome, inputs, detail from cutover.audit_events
       where action = 'tokens.create' and username = 'vince' order by id desc limit 1`;
    expect(audit?.outcome).toBe('ok');
    // The password entered again is never kept.
    expect(audit?.inputs).toEqual({ name: 'viewer laptop', expiresInDays: 7, password: '[redacted]' });
    expect(JSON.stringify(audit)).not.toContain('vince-password');
    expect(audit?.detail.result).toMatchObject({ id: created.id, name: 'viewer laptop', prefix: created.prefix });
    expect(JSON.stringify(audit)).not.toContain(created.token.slice(created.prefix.length));
  });

  it('refuses a missing or too long name and a lifetime over CUTOVER_API_TOKEN_MAX_DAYS', async () => {
    const attempt = (rawInput: Record<string, unknown>) =>
      executeAction(createApiToken, {
        database: test.database,
        user: users.tina as SessionUser,
        rawInput: { password: 'tina-password', ...rawInput },
      });
    expect(await attempt({ name: '  ', expiresInDays: 30 })).toMatchObject({ status: 'invalid' });
    expect(await attempt({ name: 'x'.repeat(65), expiresInDays: 30 })).toMatchObject({ status: 'invalid' });
    expect(await attempt({ name: 'x'.repeat(64), expiresInDays: 1 })).toMatchObject({ status: 'ok' });
    const tooLong = await attempt({ name: 'forever', expiresInDays: 91 });
    expect(tooLong).toMatchObject({ status: 'invalid' });
    expect(JSON.stringify(tooLong)).toContain('at most 90 days');
    expect(await attempt({ name: 'never', expiresInDays: 0 })).toMatchObject({ status: 'invalid' });
    expect(await attempt({ name: 'half', expiresInDays: 1.5 })).toMatchObject({ status: 'invalid' });
    expect(tokenLifetimeChoices(90)).toEqual([1, 7, 30, 90]);
    expect(tokenLifetimeChoices(14)).toEqual([1, 7, 14]);
  });

  it('finds the user with the roles they hold now, and writes the last use at most once a minute', async () => {
    const owner = await user('rita', ['operator']);
    const created = await create(owner);
    const now = new Date();
    const found = await findTokenUser(test.database.db, { token: created.token, now });
    expect(found).toMatchObject({ id: owner.id, username: 'rita', roles: ['operator'] });
    expect(found?.token).toMatchObject({ id: created.id, name: 'laptop', prefix: created.prefix });
    const lastUsed = async () =>
      (await listApiTokens(test.database.db, { userId: owner.id })).find((t) => t.id === created.id)?.lastUsedAt;
    expect((await lastUsed())?.getTime()).toBe(now.getTime());
    await findTokenUser(test.database.db, { token: created.token, now: new Date(now.getTime() + 30_000) });
    expect((await lastUsed())?.getTime()).toBe(now.getTime());
    const later = new Date(now.getTime() + 2 * MINUTE_MS);
    await findTokenUser(test.database.db, { token: created.token, now: later });
    expect((await lastUsed())?.getTime()).toBe(later.getTime());
    // Roles are read at each request: the token follows a change of the user's roles.
    await test.database.sql`update cutover.users set roles = ${['operator', 'approver']} where id = ${owner.id}`;
    expect((await findTokenUser(test.database.db, { token: created.token }))?.roles).toEqual(['operator', 'approver']);
  });

  it('refuses an unknown, malformed, expired or revoked token and one whose user is disabled', async () => {
    const owner = await user('otto', ['operator']);
    const created = await create(owner, { expiresInDays: 1 });
    const check = (token: string, now?: Date) => checkApiToken(test.database.db, { token, now });
    expect(await check(`${created.token}x`)).toEqual({ status: 'refused', reason: 'unknown' });
    expect(await check('not-a-token')).toEqual({ status: 'refused', reason: 'unknown' });
    expect(await check(created.token, new Date(Date.now() + DAY_MS + MINUTE_MS))).toEqual({
      status: 'refused',
      reason: 'expired',
    });
    expect((await check(created.token)).status).toBe('ok');

    await disableUser(test.database.db, { username: 'otto', at: new Date() });
    expect(await check(created.token)).toEqual({ status: 'refused', reason: 'disabled' });
    expect(await findTokenUser(test.database.db, { token: created.token })).toBeNull();

    const mona = await user('mona', ['approver']);
    const monas = await create(mona);
    await test.database.sql`update cutover.users set must_change_password = true where id = ${mona.id}`;
    expect(await check(monas.token)).toEqual({ status: 'refused', reason: 'password-change' });

    const revoked = await create(users.tina as SessionUser, { name: 'to revoke' });
    const result = await executeAction(revokeApiToken, {
      database: test.database,
      user: users.tina as SessionUser,
      rawInput: { id: revoked.id },
    });
    expect(result).toMatchObject({ status: 'ok', data: { id: revoked.id, revoked: true, changed: true } });
    expect(await check(revoked.token)).toEqual({ status: 'refused', reason: 'revoked' });
    const [row] = await test.database.sql<{ revoked_at: Date | null }[]>`
      select revoked_at from cutover.api_tokens where id = ${revoked.id}`;
    expect(row?.revoked_at).toBeInstanceOf(Date);
    expect(apiTokenState({ expiresAt: new Date(Date.now() + DAY_MS), revokedAt: row?.revoked_at ?? null })).toBe(
      'revoked',
    );
    // Revoking again changes nothing and is not an error.
    const again = await executeAction(revokeApiToken, {
      database: test.database,
      user: users.tina as SessionUser,
      rawInput: { id: revoked.id },
    });
    expect(again).toMatchObject({ status: 'ok', data: { changed: false } });
  });

  it("lets people revoke only their own tokens, and an admin anyone's; both audited without the token", async () => {
    const created = await create(users.tina as SessionUser, { name: 'shared screen' });
    const revoke = (by: SessionUser) =>
      executeAction(revokeApiToken, { database: test.database, user: by, rawInput: { id: created.id } });
    expect(await revoke(users.vince as SessionUser)).toEqual({
      status: 'refused',
      reason: `No token #${created.id} of yours.`,
    });
    expect((await findTokenUser(test.database.db, { token: created.token }))?.username).toBe('tina');
    expect(await revoke(users.adele as SessionUser)).toMatchObject({
      status: 'ok',
      data: { owner: 'tina', name: 'shared screen', changed: true },
    });
    expect(await findTokenUser(test.database.db, { token: created.token })).toBeNull();
    const audit = await test.database.sql<{ username: string; outcome: string }[]>`
      select username, outcome from cutover.audit_events
       where action = 'tokens.revoke' and inputs->>'id' = ${String(created.id)} order by id`;
    expect(audit).toEqual([
      { username: 'vince', outcome: 'refused' },
      { username: 'adele', outcome: 'ok' },
    ]);
    expect(await everything()).not.toContain(created.token.slice(created.prefix.length));
  });

  it('lists a user’s tokens newest first, and everybody’s without a user', async () => {
    const tina = await listApiTokens(test.database.db, { userId: (users.tina as SessionUser).id });
    expect(tina.length).toBeGreaterThanOrEqual(3);
    expect(tina.every((t) => t.username === 'tina')).toBe(true);
    expect(tina.map((t) => t.id)).toEqual([...tina.map((t) => t.id)].sort((a, b) => b - a));
    expect(JSON.stringify(tina)).not.toMatch(/token_?hash/i);
    const all = await listApiTokens(test.database.db);
    expect(new Set(all.map((t) => t.username))).toEqual(new Set(['tina', 'vince', 'rita', 'otto', 'mona']));
  });

  it('marks an action taken with a token in its audit row', async () => {
    const result = await executeAction(revokeApiToken, {
      database: test.database,
      user: users.tina as SessionUser,
      rawInput: { id: 999_999 },
      via: 'token "ci" (dxyc_abcdefg…)',
    });
    expect(result.status).toBe('refused');
    const [audit] = await test.database.sql<{ detail: { via: string; reason: string } }[]>`
      select detail from cutover.audit_events where action = 'tokens.revoke' order by id desc limit 1`;
    // A refusal is audited as metadata (lib/auth/refusal-audit.ts): the address and sizes besides.
    expect(audit?.detail).toMatchObject({ via: 'token "ci" (dxyc_abcdefg…)', reason: 'No token #999999 of yours.' });
  });
});
