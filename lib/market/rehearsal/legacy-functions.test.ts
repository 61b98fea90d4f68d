import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDxyVectors, relativeError } from '../../../test-support/dxy-vectors';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import { calcDxyRange1mSql } from '../../runbook/sql/calc-dxy-range-1m';
import { DXY_COMPONENTS } from '../dxy';
import {
  AGGREGATE_1M_TO_5M_LEGACY_SQL,
  AGGREGATE_5M_TO_1H_SQL,
  CALC_DXY_RANGE_DERIVED_SQL,
} from './legacy-functions-sql';
import { pipelineSchemaSql } from './schema-sql';

const BASE = new Date('2026-11-25T10:00:00Z');
const minute = (n: number) => new Date(BASE.getTime() + n * 60_000);

describe('the DXY and aggregation SQL functions', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    const { sql } = test.database;
    await sql.unsafe(pipelineSchemaSql('production'));
    await sql.unsafe(CALC_DXY_RANGE_DERIVED_SQL);
    await sql.unsafe(AGGREGATE_1M_TO_5M_LEGACY_SQL);
    await sql.unsafe(AGGREGATE_5M_TO_1H_SQL);
    await sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
  });
  afterAll(async () => {
    await test.drop();
  });

  async function insertBar(
    symbol: string,
    ts: Date,
    close: number,
    extra: { open?: number; high?: number; low?: number; vol?: number } = {},
  ) {
    await test.database.sql`
      insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count, source, raw)
      values (${symbol}, ${`C:${symbol}`}, '1m', ${ts}, ${extra.open ?? close}, ${extra.high ?? close}, ${extra.low ?? close}, ${close},
              ${extra.vol ?? 100}, ${close}, 10, 'massive', '{}')`;
  }

  it('computes the twenty known-answer vectors in both functions to 1e-12', async () => {
    const vectors = loadDxyVectors();
    for (const [index, vector] of vectors.entries()) {
      for (const symbol of DXY_COMPONENTS) await insertBar(symbol, minute(index), vector.closes[symbol]);
    }
    const [legacy] = await test.database
      .sql`select public.calc_dxy_range_derived(${minute(0)}, ${minute(vectors.length)}) as r`;
    expect(legacy?.r).toMatchObject({ success: true, inserted: 20, updated: 0, skipped_incomplete: 0 });
    const [fresh] = await test.database
      .sql`select public.calc_dxy_range_1m(${minute(0)}, ${minute(vectors.length)}) as r`;
    expect(fresh?.r).toMatchObject({ success: true, inserted: 20, updated: 0, skipped: 0, version: 1 });
    const derived = await test.database.sql<{ ts_utc: Date; close: number }[]>`
      select ts_utc, close from public.derived_data_bars where canonical_symbol = 'DXY' order by ts_utc`;
    const synthetic = await test.database.sql<{ ts_utc: Date; close: number; source: string; raw: unknown }[]>`
      select ts_utc, close, source, raw from public.data_bars where canonical_symbol = 'DXY' order by ts_utc`;
    for (const [index, vector] of vectors.entries()) {
      expect(relativeError(derived[index]?.close ?? 0, vector.dxy)).toBeLessThanOrEqual(1e-12);
      expect(relativeError(synthetic[index]?.close ?? 0, vector.dxy)).toBeLessThanOrEqual(1e-12);
      expect(synthetic[index]?.source).toBe('synthetic');
      expect(synthetic[index]?.raw).toEqual({ kind: 'dxy', version: 1 });
    }
    const [again] = await test.database
      .sql`select public.calc_dxy_range_1m(${minute(0)}, ${minute(vectors.length)}) as r`;
    expect(again?.r).toMatchObject({ inserted: 0, updated: 0 });
  });

  it('skips and counts a minute with a missing component', async () => {
    const at = minute(100);
    for (const symbol of DXY_COMPONENTS.slice(0, 5)) await insertBar(symbol, at, 1.1);
    const [legacy] = await test.database.sql`select public.calc_dxy_range_derived(${at}, ${minute(101)}) as r`;
    expect(legacy?.r).toMatchObject({ success: true, inserted: 0, skipped_incomplete: 1 });
    const [fresh] = await test.database.sql`select public.calc_dxy_range_1m(${at}, ${minute(101)}) as r`;
    expect(fresh?.r).toMatchObject({ success: true, inserted: 0, skipped: 1 });
  });

  it('takes the upsert path when a minute of the range appears while it inserts (a concurrent writer)', async () => {
    for (let m = 200; m < 205; m++) {
      for (const symbol of DXY_COMPONENTS) await insertBar(symbol, minute(m), 1 + m / 1000);
    }
    // A "concurrent writer": the first time minute 200 is inserted, minute 203 is written too, so the
    // function meets it later in the same range. (A sequence counts the passes: it is not transactional.)
    await test.database.sql.unsafe(`
      create sequence public.plant_passes;
      create function public.plant_dxy_minute() returns trigger language plpgsql as $$
      begin
        if new.canonical_symbol = 'DXY' and new.ts_utc = '${minute(200).toISOString()}'
           and nextval('public.plant_passes') = 1 then
          insert into public.data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, trade_count, source, raw)
          values ('DXY', '1m', '${minute(203).toISOString()}', 1, 1, 1, 1, 0, 0, 'synthetic', '{}');
        end if;
        return new;
      end $$;
      create trigger plant_dxy_minute before insert on public.data_bars for each row execute function public.plant_dxy_minute();`);
    try {
      const [result] = await test.database.sql`select public.calc_dxy_range_1m(${minute(200)}, ${minute(205)}) as r`;
      // The insert-only pass met minute 203 and rolled back; the upsert pass wrote the whole range.
      expect(result?.r).toMatchObject({ success: true, inserted: 5, updated: 0, skipped: 0 });
      const [passes] = await test.database.sql`select last_value::int as n from public.plant_passes`;
      expect(passes?.n).toBe(2);
      const rows = await test.database.sql<{ n: number; planted: number }[]>`
        select count(*)::int as n, count(*) filter (where close = 1)::int as planted from public.data_bars
         where canonical_symbol = 'DXY' and ts_utc >= ${minute(200)} and ts_utc < ${minute(205)}`;
      expect(rows[0]).toEqual({ n: 5, planted: 0 });
    } finally {
      await test.database.sql`drop trigger plant_dxy_minute on public.data_bars`;
    }
  });

  it('lets errors of the new function propagate (no success:false)', async () => {
    await expect(test.database.sql`select public.calc_dxy_range_1m(${minute(5)}, ${minute(1)})`).rejects.toThrow(
      /invalid range/,
    );
  });

  it('aggregates crafted 5m windows by the quality rules: 5 → 2, 4 → 1, 3 → 0, fewer → none', async () => {
    const start = new Date('2026-11-24T10:00:00Z');
    const at = (m: number) => new Date(start.getTime() + m * 60_000);
    const counts = [5, 4, 3, 2];
    for (const [w, n] of counts.entries()) {
      for (let i = 0; i < n; i++)
        await insertBar('XAUUSD', at(w * 5 + i), 2000 + w * 10 + i, {
          open: 1999 + w * 10 + i,
          high: 2001 + w * 10 + i + 0.5,
          low: 1998 + w * 10 + i,
          vol: 10 + i,
        });
    }
    const [res] = await test.database.sql`select public.aggregate_1m_to_5m_window('XAUUSD', ${at(0)}, ${at(20)}) as n`;
    expect(res?.n).toBe(3);
    const bars = await test.database.sql<
      {
        ts_utc: Date;
        open: number;
        high: number;
        low: number;
        close: number;
        vol: number;
        quality_score: number;
        source_candles: number;
      }[]
    >`
      select ts_utc, open, high, low, close, vol, quality_score, source_candles from public.derived_data_bars
       where canonical_symbol = 'XAUUSD' and timeframe = '5m' order by ts_utc`;
    expect(bars.map((b) => b.quality_score)).toEqual([2, 1, 0]);
    expect(bars.map((b) => b.source_candles)).toEqual([5, 4, 3]);
    expect(bars[0]).toMatchObject({ open: 1999, close: 2004, high: 2005.5, low: 1998, vol: 10 + 11 + 12 + 13 + 14 });
  });

  it('aggregates crafted 1h windows by the quality rules: 12 → 2, 10–11 → 1, 8–9 → 0, 7 → −1, fewer → none', async () => {
    const counts = [12, 11, 10, 9, 8, 7, 6];
    const hourStart = (h: number) => new Date(Date.parse('2026-11-23T00:00:00Z') + h * 3_600_000);
    for (const [h, n] of counts.entries()) {
      for (let i = 0; i < n; i++) {
        await test.database.sql`
          insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, source, source_timeframe)
          values ('GBPUSD', '5m', ${new Date(hourStart(h).getTime() + i * 300_000)}, 1.2, 1.3, 1.1, 1.25, 1, 'agg', '1m')`;
      }
    }
    await test.database
      .sql`select public.aggregate_5m_to_1h_window('GBPUSD', ${hourStart(0)}, ${hourStart(counts.length)})`;
    const bars = await test.database.sql<{ quality_score: number }[]>`
      select quality_score from public.derived_data_bars where canonical_symbol = 'GBPUSD' and timeframe = '1h' order by ts_utc`;
    expect(bars.map((b) => b.quality_score)).toEqual([2, 1, 1, 0, 0, -1]);
  });

  it('reads DXY 1m from both tables in the legacy 5m aggregation (each minute twice while in both)', async () => {
    const [res] = await test.database.sql<{ n: number }[]>`
      select public.aggregate_1m_to_5m_window('DXY', ${minute(0)}, ${minute(5)}) as n`;
    expect(res?.n).toBe(1);
    const [bar] = await test.database.sql<{ source_candles: number }[]>`
      select source_candles from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m'`;
    expect(bar?.source_candles).toBe(10);
  });
});
