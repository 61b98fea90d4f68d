import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { MAX_AGE_MS, sharedDxyCounts } from './shared-dxy-counts';

describe('DXY counts shared between polling requests', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  it('runs one count for concurrent and recent requests, and a new one once it is older than MAX_AGE_MS', async () => {
    const t0 = 1_000_000;
    const [a, b] = await Promise.all([sharedDxyCounts(test.database.sql, t0), sharedDxyCounts(test.database.sql, t0)]);
    expect(b).toBe(a);
    await test.database.sql`update public.derived_data_bars set deleted_at = now()
                             where id = (select min(id) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m')`;
    const recent = await sharedDxyCounts(test.database.sql, t0 + MAX_AGE_MS - 1);
    expect(recent).toBe(a);
    const fresh = await sharedDxyCounts(test.database.sql, t0 + MAX_AGE_MS);
    expect(fresh.derivedSoftDeleted1m).toBe(a.derivedSoftDeleted1m + 1);
    expect(fresh.derivedActive1m).toBe(a.derivedActive1m - 1);
  });
});
