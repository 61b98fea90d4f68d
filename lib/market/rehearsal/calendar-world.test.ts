import { describe, expect, it } from 'vitest';
import { useTestWorld } from '../../../test-support/world-database';
import { isFxOpen } from '../market-hours';

interface BarRow {
  canonical_symbol: string;
  ts_utc: Date;
}

const FX = ['EURUSD', 'USDJPY', 'GBPUSD', 'USDCAD', 'USDSEK', 'USDCHF'];

describe('a rehearsal world generated over Christmas 2026 (REHEARSAL_START 2026-12-28T12:00Z, 5 days)', () => {
  const test = useTestWorld({ now: new Date('2026-12-28T12:00:00Z'), days: 5 });

  async function fxBars(from: string, to: string): Promise<BarRow[]> {
    return test.database.sql<BarRow[]>`
      select canonical_symbol, ts_utc from public.data_bars
       where timeframe = '1m' and canonical_symbol = any(${FX}::text[])
         and ts_utc >= ${from}::timestamptz and ts_utc < ${to}::timestamptz
       order by ts_utc`;
  }

  it('has no FX bars on Dec 25 and none after the early close (13:00 New York = 18:00 UTC) on Dec 24', async () => {
    expect(await fxBars('2026-12-25T00:00:00Z', '2026-12-26T00:00:00Z')).toEqual([]);
    expect(await fxBars('2026-12-24T18:00:00Z', '2026-12-27T22:00:00Z')).toEqual([]);
    const lastBeforeClose = await fxBars('2026-12-24T17:00:00Z', '2026-12-24T18:00:00Z');
    expect(lastBeforeClose.length).toBeGreaterThan(300);
    expect(lastBeforeClose.some((b) => b.ts_utc.toISOString() === '2026-12-24T17:59:00.000Z')).toBe(true);
    expect((await fxBars('2026-12-27T22:00:00Z', '2026-12-27T23:00:00Z')).length).toBeGreaterThan(300);
  });

  it('has no legacy DXY minute while the calendar is closed, and bitcoin trades through Christmas', async () => {
    const legacy = await test.database.sql<{ ts_utc: Date }[]>`
      select ts_utc from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(legacy.length).toBeGreaterThan(1000);
    expect(legacy.filter((r) => !isFxOpen(r.ts_utc))).toEqual([]);
    const [btc] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars
       where canonical_symbol = 'BTCUSD' and ts_utc >= '2026-12-25T00:00:00Z' and ts_utc < '2026-12-26T00:00:00Z'`;
    expect(btc?.n).toBeGreaterThan(1300);
  });
});

describe('a rehearsal world generated over the autumn daylight-saving change (2026-11-01)', () => {
  const test = useTestWorld({ now: new Date('2026-11-02T12:00:00Z'), days: 4 });

  it('closes on Friday at 21:00 UTC (EDT) and opens on Sunday at 22:00 UTC (EST)', async () => {
    const rows = await test.database.sql<{ first: Date; last: Date; in_between: number }[]>`
      select (select max(ts_utc) from public.data_bars
               where canonical_symbol = 'EURUSD' and ts_utc < '2026-10-31T00:00:00Z') as last,
             (select min(ts_utc) from public.data_bars
               where canonical_symbol = 'EURUSD' and ts_utc >= '2026-10-31T00:00:00Z') as first,
             (select count(*)::int from public.data_bars
               where canonical_symbol = any(${FX}::text[])
                 and ts_utc >= '2026-10-30T21:00:00Z' and ts_utc < '2026-11-01T22:00:00Z') as in_between`;
    expect(rows[0]?.in_between).toBe(0);
    // Provider gaps are rare (a few per thousand), so the edge minutes are there or within a few minutes.
    expect(rows[0]?.last.getTime()).toBeGreaterThan(Date.parse('2026-10-30T20:50:00Z'));
    expect(rows[0]?.first.getTime()).toBeLessThan(Date.parse('2026-11-01T22:10:00Z'));
  });
});
