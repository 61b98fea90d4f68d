import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { findLegacyHoles } from './legacy-holes';

describe('legacy holes', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });
  const range = { from: new Date(MIDWEEK_NOW.getTime() - 6 * 3_600_000), to: MIDWEEK_NOW };

  /** Two legacy minutes of the range that have all six components, removed from legacy. */
  async function removeTwoLegacyMinutes(): Promise<[Date, Date]> {
    const rows = await test.database.sql<{ ts_utc: Date }[]>`
      delete from public.derived_data_bars
       where id in (select id from public.derived_data_bars
                     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
                       and ts_utc >= ${range.from} and ts_utc < ${range.to}
                     order by ts_utc limit 2 offset 30)
      returning ts_utc`;
    const [first, second] = rows.map((row) => row.ts_utc).sort((a, b) => a.getTime() - b.getTime());
    if (!first || !second) throw new Error('the test world has no legacy minutes in range');
    return [first, second];
  }

  it('lists a minute with six usable component closes and no legacy row, but not one whose close is NaN or Infinity', async () => {
    const before = await findLegacyHoles(test.database.sql, range);
    const [derivable, poisoned] = await removeTwoLegacyMinutes();
    // NaN and Infinity pass "close > 0" in Postgres; neither minute can be derived by the new function.
    await test.database.sql`
      update public.data_bars set close = 'NaN'
       where timeframe = '1m' and canonical_symbol = 'EURUSD' and ts_utc = ${poisoned}`;
    const after = await findLegacyHoles(test.database.sql, range);
    expect(after.completeWithoutLegacy).toBe(before.completeWithoutLegacy + 1);
    expect(after.samples.completeWithoutLegacy).toContain(derivable.toISOString());
    expect(after.samples.completeWithoutLegacy).not.toContain(poisoned.toISOString());

    await test.database.sql`
      update public.data_bars set close = 'Infinity'
       where timeframe = '1m' and canonical_symbol = 'USDJPY' and ts_utc = ${derivable}`;
    expect((await findLegacyHoles(test.database.sql, range)).completeWithoutLegacy).toBe(before.completeWithoutLegacy);
  });
});
