import { beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { DAY_MS } from '../time-units';
import { toCompareChartPoints } from './compare-chart-series';
import { compareDxyByBucket } from './compare-dxy';

describe("the compare chart's series", () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 3 }, { through: ['1', '2-fix', '3', '4'] });
  const to = new Date(Math.ceil(MIDWEEK_NOW.getTime() / DAY_MS) * DAY_MS + DAY_MS);
  const from = new Date(to.getTime() - 5 * DAY_MS);

  beforeAll(async () => {
    // Differences of every kind on different days: a close, a minute missing on each side, a soft-deleted minute.
    await test.database.sql`update public.data_bars set close = close + 0.5 where id = (
      select id from public.data_bars where canonical_symbol = 'DXY' order by ts_utc limit 1 offset 300)`;
    await test.database.sql`delete from public.data_bars where id = (
      select id from public.data_bars where canonical_symbol = 'DXY' order by ts_utc limit 1 offset 1800)`;
    await test.database.sql`delete from public.derived_data_bars where id = (
      select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' order by ts_utc desc limit 1 offset 10)`;
    await test.database.sql`update public.derived_data_bars set deleted_at = now() where id = (
      select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null order by ts_utc limit 1 offset 2000)`;
  });

  it("equal the table's numbers, day by day", async () => {
    // The rows the page's table lists (newest first), and the chart drawn from them.
    const rows = await compareDxyByBucket(test.database.sql, { from, to, bucket: 'day' });
    const points = toCompareChartPoints(rows);
    expect(points.map((p) => p.day)).toEqual(rows.map((r) => r.bucket.toISOString().slice(0, 10)).reverse());
    for (const row of rows) {
      const point = points.find((p) => p.day === row.bucket.toISOString().slice(0, 10));
      expect(point).toEqual({
        day: row.bucket.toISOString().slice(0, 10),
        dataBars: row.dataBars,
        legacy: row.legacyActive + row.legacySoftDeleted,
        differences: row.missingInDataBars + row.missingInLegacy + row.closeDiffers,
      });
    }
    // The injected differences show in the second series, and its total is the table's.
    expect(points.reduce((n, p) => n + p.differences, 0)).toBe(3);
    expect(points.filter((p) => p.differences > 0).length).toBeGreaterThanOrEqual(2);
    expect(points.reduce((n, p) => n + p.dataBars, 0)).toBe(rows.reduce((n, r) => n + r.dataBars, 0));
  });

  it('is empty for a range without DXY rows', () => {
    expect(toCompareChartPoints([])).toEqual([]);
  });
});
