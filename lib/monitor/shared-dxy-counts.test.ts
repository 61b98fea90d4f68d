import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { countDxyRows } from '../market/dxy-counts';
import { COST_SHARE, MIN_AGE_MS, sharedDxyCounts } from './shared-dxy-counts';

describe('DXY counts shared between polling requests', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  const softDeleteOne = () =>
    test.database.sql`update public.derived_data_bars set deleted_at = now()
                       where id = (select min(id) from public.derived_data_bars
                                    where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null)`;

  it('runs one count for concurrent and recent requests, and a new one once it is older than MIN_AGE_MS', async () => {
    const t0 = 1_000_000;
    const [a, b] = await Promise.all([sharedDxyCounts(test.database.sql, t0), sharedDxyCounts(test.database.sql, t0)]);
    expect(b).toBe(a);
    await softDeleteOne();
    const recent = await sharedDxyCounts(test.database.sql, t0 + MIN_AGE_MS - 1);
    expect(recent).toBe(a);
    const fresh = await sharedDxyCounts(test.database.sql, t0 + MIN_AGE_MS);
    expect(fresh.derivedSoftDeleted1m).toBe(a.derivedSoftDeleted1m + 1);
    expect(fresh.derivedActive1m).toBe(a.derivedActive1m - 1);
  });

  it('shares a slow count COST_SHARE times as long as it took, and never starts a second one while it runs', async () => {
    // A count that takes 400 ms, as a long history's does on a busy primary: the real count after a real wait.
    const slowCount = async (sql: Sql) => {
      await sql`select pg_sleep(0.4)`;
      return countDxyRows(sql);
    };
    let counted = 0;
    const counting = (sql: Sql) => {
      counted += 1;
      return slowCount(sql);
    };
    const t0 = 50_000_000;
    const first = sharedDxyCounts(test.database.sql, t0, counting);
    // Still running after MIN_AGE_MS of (the callers') time: the same count, not a second one.
    const meanwhile = sharedDxyCounts(test.database.sql, t0 + MIN_AGE_MS + 1, counting);
    expect(meanwhile).toBe(first);
    const a = await first;
    expect(counted).toBe(1);
    await softDeleteOne();
    // It took at least 400 ms, so it is shared for at least 8 s, past MIN_AGE_MS.
    const sharedFor = COST_SHARE * 400;
    expect(sharedFor).toBeGreaterThan(MIN_AGE_MS);
    expect(await sharedDxyCounts(test.database.sql, t0 + sharedFor - 1, counting)).toBe(a);
    expect(counted).toBe(1);
    // Bounded by what it cost, not forever: a while later a new count sees the change.
    const fresh = await sharedDxyCounts(test.database.sql, t0 + COST_SHARE * 60_000, counting);
    expect(counted).toBe(2);
    expect(fresh.derivedSoftDeleted1m).toBe(a.derivedSoftDeleted1m + 1);
  });
});
