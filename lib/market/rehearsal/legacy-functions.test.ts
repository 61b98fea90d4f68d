import { beforeAll, describe, expect, it } from 'vitest';
import { loadDxyVectors, relativeError } from '../../../test-support/dxy-vectors';
import { type DatabaseInUse, useTestDatabase } from '../../../test-support/world-database';
import { calcDxyRange1mSql } from '../../runbook/phases/3-function/calc-dxy-range-1m';
import { MINUTE_MS } from '../../time-units';
import { DXY_COMPONENTS } from '../dxy';
import { aggregate1mTo5mWindowSql } from '../pipeline/aggregator-sql';
import { pipelineFunctionsSql } from './legacy-functions-sql';
import { pipelineSchemaSql } from './schema-sql';

const BASE = new Date('2026-11-25T10:00:00Z');
const minute = (n: number) => new Date(BASE.getTime() + n * 60_000);

async function insertBar(
  test: DatabaseInUse,
  symbol: string,
  ts: Date,
  close: number,
  extra: { open?: number; high?: number; low?: number; vol?: number } = {},
) {
  await test.database.sql`
    insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
                                  is_partial, source, ingested_at, raw)
    values (${symbol}, ${`C:${symbol}`}, '1m', ${ts}, ${extra.open ?? close}, ${extra.high ?? close}, ${extra.low ?? close}, ${close},
            ${extra.vol ?? 100}, ${close}, 10, false, 'massive', ${ts}, '{}')`;
}

/** Production's data_bars refuses a symbol the registry does not hold: register what the tests write. */
async function registerSymbols(test: DatabaseInUse, symbols: readonly string[]) {
  for (const symbol of symbols) {
    await test.database.sql`
      insert into public.core_asset_registry_all (canonical_symbol, asset_class) values (${symbol}, 'test')
      on conflict do nothing`;
  }
}

async function insertFiveMinuteBars(test: DatabaseInUse, symbol: string, hourStart: Date, count: number) {
  for (let i = 0; i < count; i++) {
    await test.database.sql`
      insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial,
                                            source, source_timeframe, ingested_at)
      values (${symbol}, '5m', ${new Date(hourStart.getTime() + i * 300_000)}, 1.2, 1.3, 1.1, 1.25, 1, false, 'agg', '1m',
              ${new Date(hourStart.getTime() + (i + 1) * 300_000 + 30_000)})`;
  }
}

describe("production's pipeline functions", () => {
  const test = useTestDatabase();
  beforeAll(async () => {
    const { sql } = test.database;
    await sql.unsafe(pipelineSchemaSql('production'));
    for (const definition of pipelineFunctionsSql('production')) await sql.unsafe(definition);
    await sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
    await registerSymbols(test, [...DXY_COMPONENTS, 'DXY', 'XAUUSD', 'GBPUSD', 'CATCH', 'NO_TASK']);
  });

  it('computes the twenty known-answer vectors in both DXY functions to 1e-12 (called with named arguments)', async () => {
    const vectors = loadDxyVectors();
    for (const [index, vector] of vectors.entries()) {
      for (const symbol of DXY_COMPONENTS) await insertBar(test, symbol, minute(index), vector.closes[symbol]);
    }
    const [legacy] = await test.database.sql`
      select public.calc_dxy_range_derived(p_from_utc => ${minute(0)}, p_to_utc => ${minute(vectors.length)}) as r`;
    expect(legacy?.r).toMatchObject({ success: true, inserted: 20, updated: 0, skipped_incomplete: 0 });
    const [fresh] = await test.database.sql`
      select public.calc_dxy_range_1m(p_from_utc => ${minute(0)}, p_to_utc => ${minute(vectors.length)}) as r`;
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
    for (const symbol of DXY_COMPONENTS.slice(0, 5)) await insertBar(test, symbol, at, 1.1);
    const [legacy] = await test.database.sql`select public.calc_dxy_range_derived(${at}, ${minute(101)}) as r`;
    expect(legacy?.r).toMatchObject({ success: true, inserted: 0, skipped_incomplete: 1 });
    const [fresh] = await test.database.sql`select public.calc_dxy_range_1m(${at}, ${minute(101)}) as r`;
    expect(fresh?.r).toMatchObject({ success: true, inserted: 0, skipped: 1 });
  });

  it("keeps production's catch-all in calc_dxy_range_derived: an error becomes success:false", async () => {
    const [row] = await test.database.sql`
      select public.calc_dxy_range_derived(p_from_utc => ${minute(0)}, p_to_utc => ${minute(1)}, p_tf => '5m') as r`;
    expect(row?.r).toMatchObject({ success: false, error: expect.stringMatching(/timeframe 1m only/) });
  });

  it('takes the upsert path when a minute of the range appears while it inserts (a concurrent writer)', async () => {
    for (let m = 200; m < 205; m++) {
      for (const symbol of DXY_COMPONENTS) await insertBar(test, symbol, minute(m), 1 + m / 1000);
    }
    // A "concurrent writer": the first time minute 200 is inserted, minute 203 is written too, so the
    // function meets it later in the same range. (A sequence counts the passes: it is not transactional.)
    await test.database.sql.unsafe(`
      create sequence public.plant_passes;
      create function public.plant_dxy_minute() returns trigger language plpgsql as $$
      begin
        if new.canonical_symbol = 'DXY' and new.ts_utc = '${minute(200).toISOString()}'
           and nextval('public.plant_passes') = 1 then
          insert into public.data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, trade_count,
                                        is_partial, source, ingested_at, raw)
          values ('DXY', '1m', '${minute(203).toISOString()}', 1, 1, 1, 1, 0, 0, false, 'synthetic', now(), '{}');
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

  it('aggregates one 5m window per call by the quality rules: 5 → 2, 4 → 1, 3 → 0, fewer → not stored', async () => {
    const start = new Date('2026-11-24T10:00:00Z');
    const at = (m: number) => new Date(start.getTime() + m * MINUTE_MS);
    const counts = [5, 4, 3, 2, 0];
    for (const [w, n] of counts.entries()) {
      for (let i = 0; i < n; i++)
        await insertBar(test, 'XAUUSD', at(w * 5 + i), 2000 + w * 10 + i, {
          open: 1999 + w * 10 + i,
          high: 2001 + w * 10 + i + 0.5,
          low: 1998 + w * 10 + i,
          vol: 10 + i,
        });
    }
    const results: unknown[] = [];
    for (const w of counts.keys()) {
      const [row] = await test.database.sql`
        select public.aggregate_1m_to_5m_window(p_symbol => 'XAUUSD', p_from_utc => ${at(w * 5)},
                                                p_to_utc => ${at(w * 5 + 5)}) as r`;
      results.push(row?.r);
    }
    expect(results).toEqual([
      { success: true, stored: true, source_count: 5, quality_score: 2 },
      { success: true, stored: true, source_count: 4, quality_score: 1 },
      { success: true, stored: true, source_count: 3, quality_score: 0 },
      { success: true, stored: false, source_count: 2, reason: 'insufficient_source_bars' },
      { success: true, stored: false, source_count: 0, reason: 'no_source_bars' },
    ]);
    const bars = await test.database.sql<
      { ts_utc: Date; open: number; high: number; low: number; close: number; vol: number; source_candles: number }[]
    >`
      select ts_utc, open, high, low, close, vol, source_candles from public.derived_data_bars
       where canonical_symbol = 'XAUUSD' and timeframe = '5m' order by ts_utc`;
    // Stored at the window start, whatever the session TimeZone (+05:45 here).
    expect(bars.map((b) => b.ts_utc.toISOString())).toEqual([at(0), at(5), at(10)].map((d) => d.toISOString()));
    expect(bars[0]).toMatchObject({ open: 1999, close: 2004, high: 2005.5, low: 1998, vol: 10 + 11 + 12 + 13 + 14 });
  });

  it('aggregates one 1h window per call by the quality rules: 12 → 2, 10–11 → 1, 8–9 → 0, 7 → −1, fewer → not stored', async () => {
    const counts = [12, 11, 10, 9, 8, 7, 6];
    const hourStart = (h: number) => new Date(Date.parse('2026-11-23T00:00:00Z') + h * 3_600_000);
    const results: { stored: boolean; quality_score?: number }[] = [];
    for (const [h, n] of counts.entries()) {
      await insertFiveMinuteBars(test, 'GBPUSD', hourStart(h), n);
      const [row] = await test.database.sql<{ r: { stored: boolean; quality_score?: number } }[]>`
        select public.aggregate_5m_to_1h_window(p_symbol => 'GBPUSD', p_from_utc => ${hourStart(h)},
                                                p_to_utc => ${hourStart(h + 1)}) as r`;
      if (row) results.push(row.r);
    }
    expect(results.map((r) => (r.stored ? r.quality_score : 'none'))).toEqual([2, 1, 1, 0, 0, -1, 'none']);
  });

  it('reads DXY 1m from both tables before the migration (each minute twice while in both)', async () => {
    const [res] = await test.database.sql`
      select public.aggregate_1m_to_5m_window(p_symbol => 'DXY', p_from_utc => ${minute(0)}, p_to_utc => ${minute(5)}) as r`;
    expect(res?.r).toMatchObject({ stored: true, source_count: 10 });
  });

  describe('catchup_aggregation_range', () => {
    const friday = (h: number, m: number) => new Date(Date.UTC(2026, 10, 20, h, m));
    const sunday = (h: number, m: number) => new Date(Date.UTC(2026, 10, 22, h, m));
    const state = async () => {
      const [row] = await test.database.sql<
        { cursor: Date; total_bars_created: number; last_successful_at_utc: Date; last_error: string | null }[]
      >`
        select last_agg_bar_ts_utc as cursor, total_bars_created::int, last_successful_at_utc, last_error
          from public.data_agg_state where canonical_symbol = 'CATCH' and timeframe = '5m'`;
      return row;
    };
    const catchup = async (cursor: Date, now: Date, maxWindows = 1000) => {
      const [row] = await test.database.sql<{ r: Record<string, unknown> }[]>`
        select public.catchup_aggregation_range(p_symbol => 'CATCH', p_to_tf => '5m', p_start_cursor => ${cursor},
                                                p_max_windows => ${maxWindows}::integer, p_now => ${now}) as r`;
      return row?.r;
    };
    const bars = async (from: Date, minutes: number) => {
      for (let i = 0; i < minutes; i++)
        await insertBar(test, 'CATCH', new Date(from.getTime() + i * MINUTE_MS), 50 + i);
    };

    beforeAll(async () => {
      await test.database.sql`
        insert into public.data_agg_state (canonical_symbol, timeframe, source_timeframe, run_interval_minutes,
                                           aggregation_delay_seconds, last_agg_bar_ts_utc)
        values ('CATCH', '5m', '1m', 5, 30, ${friday(21, 30)})`;
      // The last half hour before the Friday close.
      await bars(friday(21, 30), 30);
    });

    it('aggregates the due windows and stops at the data frontier: the empty window after the close is not passed', async () => {
      const result = await catchup(friday(21, 30), new Date(Date.UTC(2026, 10, 21, 12, 0)));
      expect(result).toEqual({
        success: true,
        windows_processed: 6,
        stored: 6,
        cursor: expect.any(String),
        stopped_reason: 'data_frontier',
      });
      // jsonb renders the time in the session's zone (+05:45 here); the instant is what matters.
      expect(new Date(String(result?.cursor)).toISOString()).toBe(friday(22, 0).toISOString());
      expect((await state())?.cursor.toISOString()).toBe(friday(22, 0).toISOString());
      expect((await state())?.total_bars_created).toBe(6);
    });

    it('leaves the cursor unchanged while the next window is empty at the frontier', async () => {
      const result = await catchup(friday(22, 0), new Date(Date.UTC(2026, 10, 21, 13, 0)));
      expect(result).toMatchObject({ success: true, windows_processed: 0, stored: 0, stopped_reason: 'data_frontier' });
      expect((await state())?.cursor.toISOString()).toBe(friday(22, 0).toISOString());
    });

    it('passes the empty weekend windows once later data exists, up to the new frontier', async () => {
      await bars(sunday(22, 0), 10);
      const now = sunday(22, 20);
      const result = await catchup(friday(22, 0), now);
      // 48 hours of empty windows (576) and the two Sunday windows; 22:10 is empty at the frontier.
      expect(result).toMatchObject({
        success: true,
        windows_processed: 578,
        stored: 2,
        stopped_reason: 'data_frontier',
      });
      const after = await state();
      expect(after?.cursor.toISOString()).toBe(sunday(22, 10).toISOString());
      expect(after?.last_successful_at_utc.toISOString()).toBe(now.toISOString());
      expect(after?.total_bars_created).toBe(8);
    });

    it('does not pass a window whose bars have not all landed when nothing later exists', async () => {
      await bars(sunday(22, 10), 2);
      const result = await catchup(sunday(22, 10), sunday(22, 20));
      expect(result).toMatchObject({ windows_processed: 0, stopped_reason: 'data_frontier' });
    });

    it('waits for the aggregation delay unless told to ignore the confirmation', async () => {
      for (let i = 2; i < 5; i++) await insertBar(test, 'CATCH', sunday(22, 10 + i), 60 + i);
      expect(await catchup(sunday(22, 10), new Date(sunday(22, 15).getTime() + 29_000))).toMatchObject({
        windows_processed: 0,
        stopped_reason: 'not_due',
      });
      const [early] = await test.database.sql<{ r: Record<string, unknown> }[]>`
        select public.catchup_aggregation_range(p_symbol => 'CATCH', p_to_tf => '5m', p_start_cursor => ${sunday(22, 10)},
                                                p_now => ${new Date(sunday(22, 15).getTime() + 29_000)},
                                                p_ignore_confirmation => true) as r`;
      expect(early?.r).toMatchObject({ windows_processed: 1, stored: 1, stopped_reason: 'not_due' });
    });

    it('stops after p_max_windows', async () => {
      await bars(sunday(22, 15), 20);
      const result = await catchup(sunday(22, 15), sunday(23, 0), 2);
      expect(result).toMatchObject({ windows_processed: 2, stored: 2, stopped_reason: 'max_windows' });
      expect((await state())?.cursor.toISOString()).toBe(sunday(22, 25).toISOString());
    });

    it('returns success:false with the error, changing nothing, when the window function cannot be called', async () => {
      await bars(sunday(22, 35), 10);
      const before = await state();
      class Rollback extends Error {}
      await expect(
        test.database.sql.begin(async (tx) => {
          // What the plan's phase 5 would leave: the four-argument function gone, a three-argument one instead.
          await tx`drop function public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer)`;
          await tx.unsafe(aggregate1mTo5mWindowSql('plan', 'data_bars_only'));
          const [row] = await tx<{ r: Record<string, unknown> }[]>`
            select public.catchup_aggregation_range(p_symbol => 'CATCH', p_to_tf => '5m',
                                                    p_start_cursor => ${sunday(22, 25)}, p_now => ${sunday(23, 0)}) as r`;
          expect(row?.r).toMatchObject({ success: false, error: expect.stringMatching(/aggregate_1m_to_5m_window/) });
          const [cursor] = await tx<{ c: Date }[]>`
            select last_agg_bar_ts_utc as c from public.data_agg_state where canonical_symbol = 'CATCH' and timeframe = '5m'`;
          expect(cursor?.c.toISOString()).toBe(before?.cursor.toISOString());
          throw new Rollback();
        }),
      ).rejects.toBeInstanceOf(Rollback);
      const [missing] = await test.database.sql<{ r: Record<string, unknown> }[]>`
        select public.catchup_aggregation_range(p_symbol => 'NO_TASK', p_to_tf => '5m', p_start_cursor => ${sunday(22, 0)}) as r`;
      expect(missing?.r).toMatchObject({ success: false, error: expect.stringMatching(/no data_agg_state task/) });
      expect(await state()).toEqual(before);
    });
  });

  it('the data_bars-only 5m aggregator replaces the function in place: one function, same signature and settings', async () => {
    const describeFunction = async () =>
      test.database.sql<{ identity: string; result: string; config: string[] | null; definer: boolean }[]>`
        select pg_get_function_identity_arguments(p.oid) as identity, pg_get_function_result(p.oid) as result,
               p.proconfig as config, p.prosecdef as definer
          from pg_proc p where p.proname = 'aggregate_1m_to_5m_window'`;
    const before = await describeFunction();
    await test.database.sql.unsafe(aggregate1mTo5mWindowSql('production', 'data_bars_only'));
    expect(await describeFunction()).toEqual(before);
    expect(before).toEqual([
      {
        identity:
          'p_symbol text, p_from_utc timestamp with time zone, p_to_utc timestamp with time zone, p_derivation_version integer',
        result: 'jsonb',
        config: ['search_path=public'],
        definer: true,
      },
    ]);
    const [res] = await test.database.sql`
      select public.aggregate_1m_to_5m_window(p_symbol => 'DXY', p_from_utc => ${minute(0)}, p_to_utc => ${minute(5)}) as r`;
    expect(res?.r).toMatchObject({ stored: true, source_count: 5 });
  });
});

describe("the plan's pipeline functions (three arguments, bars written)", () => {
  const test = useTestDatabase();
  beforeAll(async () => {
    await test.database.sql.unsafe(pipelineSchemaSql('production'));
    for (const definition of pipelineFunctionsSql('plan')) await test.database.sql.unsafe(definition);
    await registerSymbols(test, ['XAUUSD', 'GBPUSD']);
  });

  it('aggregates crafted 5m windows of a range by the quality rules: 5 → 2, 4 → 1, 3 → 0, fewer → none', async () => {
    const start = new Date('2026-11-24T10:00:00Z');
    const at = (m: number) => new Date(start.getTime() + m * MINUTE_MS);
    for (const [w, n] of [5, 4, 3, 2].entries()) {
      for (let i = 0; i < n; i++) await insertBar(test, 'XAUUSD', at(w * 5 + i), 2000 + w * 10 + i, { vol: 10 + i });
    }
    const [res] = await test.database.sql`
      select public.aggregate_1m_to_5m_window(p_symbol => 'XAUUSD', p_from_utc => ${at(0)}, p_to_utc => ${at(20)}) as n`;
    expect(res?.n).toBe(3);
    const bars = await test.database.sql<{ quality_score: number; source_candles: number }[]>`
      select quality_score, source_candles from public.derived_data_bars
       where canonical_symbol = 'XAUUSD' and timeframe = '5m' order by ts_utc`;
    expect(bars.map((b) => b.quality_score)).toEqual([2, 1, 0]);
    expect(bars.map((b) => b.source_candles)).toEqual([5, 4, 3]);
  });

  it('aggregates crafted 1h windows of a range by the quality rules: 12 → 2, 10–11 → 1, 8–9 → 0, 7 → −1, fewer → none', async () => {
    const counts = [12, 11, 10, 9, 8, 7, 6];
    const hourStart = (h: number) => new Date(Date.parse('2026-11-23T00:00:00Z') + h * 3_600_000);
    for (const [h, n] of counts.entries()) await insertFiveMinuteBars(test, 'GBPUSD', hourStart(h), n);
    await test.database.sql`
      select public.aggregate_5m_to_1h_window(p_symbol => 'GBPUSD', p_from_utc => ${hourStart(0)},
                                              p_to_utc => ${hourStart(counts.length)})`;
    const bars = await test.database.sql<{ quality_score: number }[]>`
      select quality_score from public.derived_data_bars where canonical_symbol = 'GBPUSD' and timeframe = '1h' order by ts_utc`;
    expect(bars.map((b) => b.quality_score)).toEqual([2, 1, 1, 0, 0, -1]);
  });

  it("has calc_dxy_range_derived with the plan text's parameter names, called the same way by name", async () => {
    const [row] = await test.database.sql<{ identity: string }[]>`
      select pg_get_function_identity_arguments('public.calc_dxy_range_derived'::regproc) as identity`;
    expect(row?.identity).toBe(
      'p_from_utc timestamp with time zone, p_to_utc timestamp with time zone, p_timeframe text, p_derivation_version integer',
    );
    const [call] = await test.database.sql`
      select public.calc_dxy_range_derived(p_from_utc => ${minute(0)}, p_to_utc => ${minute(1)}) as r`;
    expect(call?.r).toMatchObject({ success: true, inserted: 0 });
  });
});
