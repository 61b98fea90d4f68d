/**
 * A token created while the user's password is being changed (lib/auth/api-tokens.ts tokens.create
 * locks the user's row, as the change does): it is checked against the new password once the change
 * commits, never inserted with the old one after the change revoked the user's tokens.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { executeAction } from './action';
import { createApiToken, revokeUserApiTokens } from './api-tokens';
import { hashPassword } from './password';
import { createUser } from './users';

describe('creating a token during a password change', () => {
  const test = useTestDatabase();

  it('waits for the change and is then checked against the new password', async () => {
    const { sql } = test.database;
    const created = await createUser(test.database.db, {
      username: 'racer',
      password: 'old-password-1',
      roles: ['viewer'],
    });
    const user = { id: created.id, username: 'racer', roles: ['viewer' as const], sessionId: 'racer-session' };
    const newHash = await hashPassword('new-password-1');
    let commit: () => void = () => {};
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let changed: () => void = () => {};
    const changedButOpen = new Promise<void>((resolve) => (changed = resolve));
    // The password change, as lib/auth/user-admin-password.ts does it, held open before its commit.
    const change = sql.begin(async (tx) => {
      await tx`select 1 from cutover.users where id = ${user.id} for update`;
      await tx`update cutover.users set password_hash = ${newHash} where id = ${user.id}`;
      await revokeUserApiTokens(tx, { userId: user.id, now: new Date(), reason: 'password-changed' });
      changed();
      await committing;
    });
    await changedButOpen;
    let settled = false;
    const creation = executeAction(createApiToken, {
      database: test.database,
      user,
      rawInput: { name: 'during the change', expiresInDays: 1, password: 'old-password-1' },
    }).finally(() => {
      settled = true;
    });
    // Until the creation is done or waits for a lock the change holds (the user's row; without the fix, the
    // insert's foreign-key check on it, after the old password was already accepted).
    for (;;) {
      const [waiting] = await sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
         where wait_event_type = 'Lock' and datname = current_database()`;
      if (settled || (waiting?.n ?? 0) > 0) break;
    }
    commit();
    await change;
    const result = await creation;
    const [active] = await sql<{ n: number }[]>`
      select count(*)::int as n from cutover.api_tokens where user_id = ${user.id} and revoked_at is null`;
    expect(active?.n).toBe(0);
    expect(result).toEqual({ status: 'refused', reason: 'The password is wrong: no token was created.' });
  });
});
