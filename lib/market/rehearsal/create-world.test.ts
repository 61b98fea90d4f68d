import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import { AFTER_WEEKEND_NOW, createTestWorld } from '../../../test-support/test-world';
import { computeDxy, DXY_COMPONENTS, type DxyComponent } from '../dxy';
import { isFxOpen } from '../market-hours';

describe('the rehearsal world (3 days spanning a weekend, production schema)', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    await createTestWorld(test.database, { now: AFTER_WEEKEND_NOW, days: 3 });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('generates valid OHLC bars for every symbol with provider source and ticker', async () => {
    const [bad] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars
       where high < greatest(open, close) or low > least(open, close) or low <= 0
          or source <> 'massive' or provider_ticker is null or timeframe <> '1m'`;
    expect(bad?.n).toBe(0);
    const symbols = await test.database.sql<{ canonical_symbol: string }[]>`
      select distinct canonical_symbol from public.data_bars order by 1`;
    expect(symbols.map((s) => s.canonical_symbol)).toEqual([
      'BTCUSD',
      'EURUSD',
      'GBPUSD',
      'USDCAD',
      'USDCHF',
      'USDJPY',
      'USDSEK',
      'XAUUSD',
    ]);
  });

  it('has no FX bars during the weekend closure, while bitcoin trades through it', async () => {
    const rows = await test.database.sql<{ canonical_symbol: string; ts_utc: Date }[]>`
      select canonical_symbol, ts_utc from public.data_bars
       where ts_utc >= '2026-11-27T21:00:00Z' and ts_utc < '2026-11-29T23:00:00Z'`;
    const fxWeekend = rows.filter((r) => r.canonical_symbol !== 'BTCUSD' && !isFxOpen(r.ts_utc));
    expect(fxWeekend).toEqual([]);
    expect(rows.filter((r) => r.canonical_symbol === 'BTCUSD' && !isFxOpen(r.ts_utc)).length).toBeGreaterThan(2000);
  });

  it('has occasional missing minutes per pair', async () => {
    const gaps = await test.database.sql<{ canonical_symbol: string; missing: number }[]>`
      with open_minutes as (
        select m.ts from generate_series('2026-11-27T00:00:00Z'::timestamptz, '2026-11-30T06:00:00Z'::timestamptz - interval '1 minute', interval '1 minute') m(ts)
         where case extract(isodow from m.ts at time zone 'UTC')::int when 6 then false
               when 7 then extract(hour from m.ts at time zone 'UTC') >= 22
               when 5 then extract(hour from m.ts at time zone 'UTC') < 22 else true end)
      select s.canonical_symbol, count(*) filter (where b.id is null)::int as missing
        from (values ('EURUSD'), ('USDJPY'), ('GBPUSD'), ('USDCAD'), ('USDSEK'), ('USDCHF')) s(canonical_symbol)
        cross join open_minutes o
        left join public.data_bars b on b.canonical_symbol = s.canonical_symbol and b.timeframe = '1m' and b.ts_utc = o.ts
       group by 1`;
    expect(gaps.reduce((sum, g) => sum + g.missing, 0)).toBeGreaterThan(0);
  });

  it('derives every legacy DXY minute exactly as the TypeScript formula, skipping incomplete minutes', async () => {
    const rows = await test.database.sql<{ ts_utc: Date; symbol: string; close: number }[]>`
      select ts_utc, canonical_symbol as symbol, close from public.data_bars
       where canonical_symbol in ('EURUSD','USDJPY','GBPUSD','USDCAD','USDSEK','USDCHF')`;
    const byMinute = new Map<number, Partial<Record<DxyComponent, number>>>();
    for (const row of rows) {
      const key = row.ts_utc.getTime();
      byMinute.set(key, { ...byMinute.get(key), [row.symbol as DxyComponent]: row.close });
    }
    const legacy = await test.database.sql<{ ts_utc: Date; close: number; source: string; quality_score: number }[]>`
      select ts_utc, close, source, quality_score from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    const legacyByMinute = new Map(legacy.map((r) => [r.ts_utc.getTime(), r]));
    let compared = 0;
    let incomplete = 0;
    for (const [minute, closes] of byMinute) {
      const expected = computeDxy(closes);
      const row = legacyByMinute.get(minute);
      if (expected === null) {
        incomplete += 1;
        expect(row, `minute ${new Date(minute).toISOString()} has a missing component`).toBeUndefined();
        continue;
      }
      expect(row, `minute ${new Date(minute).toISOString()}`).toBeDefined();
      expect(Math.abs((row?.close ?? 0) - expected) / expected).toBeLessThanOrEqual(1e-9);
      compared += 1;
    }
    expect(compared).toBe(legacy.length);
    expect(incomplete).toBeGreaterThan(0);
    expect(legacy.every((r) => r.source === 'dxy' && r.quality_score === 2)).toBe(true);
    expect(DXY_COMPONENTS).toHaveLength(6);
  });

  it('builds 5m and 1h aggregates, registry rows and aggregation cursors', async () => {
    const [counts] = await test.database.sql<
      { m5: number; h1: number; registry: number; cursors: number; dxy_class: string }[]
    >`
      select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m') as m5,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1h') as h1,
             (select count(*)::int from public.core_asset_registry_all) as registry,
             (select count(*)::int from public.data_agg_state) as cursors,
             (select asset_class from public.core_asset_registry_all where canonical_symbol = 'DXY') as dxy_class`;
    // 24 open hours in the window: Friday 06:00–22:00 and Sunday 22:00–Monday 06:00.
    expect(counts?.m5).toBeGreaterThan(270);
    expect(counts?.m5).toBeLessThanOrEqual(288);
    expect(counts?.h1).toBeGreaterThan(20);
    expect(counts?.h1).toBeLessThanOrEqual(24);
    expect(counts?.registry).toBe(9);
    expect(counts?.cursors).toBe(18);
    expect(counts?.dxy_class).toBe('index');
  });
});
