/** The Tokens page's lists (lib/auth/api-tokens.ts listApiTokens): bounded, and the admin's list of others' active tokens filtered in SQL. */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { listApiTokens, TOKEN_LIST_LIMIT } from './api-tokens';
import { createUser } from './users';

describe('listing API tokens', () => {
  const test = useTestDatabase();

  it('lists at most TOKEN_LIST_LIMIT, newest first, and only others’ active tokens when asked', async () => {
    const { sql } = test.database;
    const me = await createUser(test.database.db, { username: 'lister', password: 'lister-pw-1', roles: ['admin'] });
    const other = await createUser(test.database.db, { username: 'other', password: 'other-pw-1', roles: ['viewer'] });
    // Many revoked tokens of mine (the table only grows), and three of the other user's: active, revoked, expired.
    await sql`
      insert into cutover.api_tokens (user_id, name, token_hash, prefix, expires_at, revoked_at)
      select ${me.id}, 'old ' || n, 'hash-' || n, 'dxyc_' || n, now() + interval '1 day', now()
        from generate_series(1, ${TOKEN_LIST_LIMIT + 50}) n`;
    await sql`
      insert into cutover.api_tokens (user_id, name, token_hash, prefix, expires_at, revoked_at) values
        (${other.id}, 'active', 'h-a', 'dxyc_a', now() + interval '1 day', null),
        (${other.id}, 'revoked', 'h-r', 'dxyc_r', now() + interval '1 day', now()),
        (${other.id}, 'expired', 'h-e', 'dxyc_e', now() - interval '1 day', null)`;
    const mine = await listApiTokens(test.database.db, { userId: me.id });
    expect(mine).toHaveLength(TOKEN_LIST_LIMIT);
    expect(mine[0]?.name).toBe(`old ${TOKEN_LIST_LIMIT + 50}`);
    const others = await listApiTokens(test.database.db, { exceptUserId: me.id, activeAt: new Date() });
    expect(others.map((t) => t.name)).toEqual(['active']);
  });
});
