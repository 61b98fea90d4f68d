/**
 * What a failed sign-in leaves in the audit log (lib/auth/login.ts): the username typed only when it
 * names an account (otherwise its length), and — being anonymous — no more rows than the ceiling
 * across all addresses allows (lib/auth/refusal-audit.ts), however many addresses the flood uses; an
 * existing account's failures count against a ceiling of their own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { signIn } from './login';
import { ALL_ADDRESSES, REFUSAL_AUDIT_ALL_BUCKET } from './refusal-audit';
import { createUser } from './users';

interface Row {
  username: string | null;
  outcome: string;
  inputs: Record<string, unknown>;
  detail: Record<string, unknown>;
}

describe('failed sign-ins in the audit log', () => {
  const test = useTestDatabase();
  const signInRows = (since: number) =>
    test.database.sql<Row[]>`
      select username, outcome, inputs, detail from cutover.audit_events
       where action = 'auth.sign_in' and id > ${since} order by id`;
  const lastId = async () =>
    (await test.database.sql<{ id: number }[]>`select coalesce(max(id), 0)::int as id from cutover.audit_events`)[0]
      ?.id ?? 0;

  beforeAll(async () => {
    await createUser(test.database.db, { username: 'owner', password: 'owner-password-1', roles: ['operator'] });
  });

  it('keeps only the length of a username that is no account’s (it may be a password typed in the wrong field)', async () => {
    const since = await lastId();
    const typed = 'Hunter2-Secret-Typed';
    const result = await signIn(test.database, { username: typed, password: 'whatever-1', ip: '192.0.2.30' });
    expect(result.status).toBe('failed');
    const rows = await signInRows(since);
    expect(rows).toEqual([
      {
        username: null,
        outcome: 'refused',
        inputs: { usernameLength: typed.length },
        detail: expect.objectContaining({ address: '192.0.2.30', reason: 'bad credentials or disabled user' }),
      },
    ]);
    expect(JSON.stringify(rows).toLowerCase()).not.toContain('hunter2');
  });

  it('names the account when the username is one', async () => {
    const since = await lastId();
    const result = await signIn(test.database, { username: 'Owner', password: 'wrong-password-1', ip: '192.0.2.31' });
    expect(result.status).toBe('failed');
    expect(await signInRows(since)).toEqual([
      expect.objectContaining({ username: 'owner', outcome: 'refused', inputs: { username: 'owner' } }),
    ]);
  });

  it('counts failed sign-ins from many addresses against the ceiling: past it, counted, not written', async () => {
    const { sql } = test.database;
    const now = new Date();
    // As if refusals and failed sign-ins had had the day's allowance of rows already.
    await sql`
      insert into cutover.sign_in_throttle (bucket, username, address, failures, last_failure_at)
      values (${REFUSAL_AUDIT_ALL_BUCKET.name}, 'refusals', ${ALL_ADDRESSES}, ${REFUSAL_AUDIT_ALL_BUCKET.freePerKey}, ${now})
      on conflict (bucket, username, address) do update set
        failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = null, throttled_attempts = 0`;
    const since = await lastId();
    // 20 addresses (an IPv6 /48 has 65,536 /64s), each within its own sign-in allowance.
    for (let i = 0; i < 20; i++) {
      const result = await signIn(test.database, {
        username: `guess-${i}`,
        password: 'wrong-password-1',
        ip: `2001:db8:77:${i.toString(16)}::1`,
        now,
      });
      expect(result.status).toBe('failed');
    }
    // The one that reaches the ceiling is written and starts its block; the rest are counted on its row.
    expect(await signInRows(since)).toHaveLength(1);
    const [ceiling] = await sql<{ n: number }[]>`
      select throttled_attempts as n from cutover.sign_in_throttle
       where bucket = ${REFUSAL_AUDIT_ALL_BUCKET.name} and address = ${ALL_ADDRESSES} and username = 'refusals'`;
    expect(ceiling?.n).toBe(19);
    // The owner signs in meanwhile, and that is on record.
    const owner = await signIn(test.database, {
      username: 'owner',
      password: 'owner-password-1',
      ip: '192.0.2.32',
      now,
    });
    expect(owner.status).toBe('ok');
    expect((await signInRows(since)).at(-1)).toMatchObject({ username: 'owner', outcome: 'ok' });
    // A guess at the owner's password while the shared ceiling is used up is still on record by name:
    // an anonymous flood cannot hide a guessing run against an account (its failures have their own ceiling).
    const guessed = await lastId();
    const guess = await signIn(test.database, {
      username: 'owner',
      password: 'wrong-password-2',
      ip: '2001:db8:99::1',
      now,
    });
    expect(guess.status).toBe('failed');
    expect(await signInRows(guessed)).toEqual([
      expect.objectContaining({ username: 'owner', outcome: 'refused', inputs: { username: 'owner' } }),
    ]);
    await sql`delete from cutover.sign_in_throttle where bucket = ${REFUSAL_AUDIT_ALL_BUCKET.name}`;
  });
});
