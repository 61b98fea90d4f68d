import { describe, expect, it } from 'vitest';
import { AFTER_WEEKEND_NOW, MIDWEEK_NOW } from '../../../test-support/test-world';
import { type DatabaseInUse, useTestWorld } from '../../../test-support/world-database';
import { computeDxy, DXY_COMPONENTS, type DxyComponent } from '../dxy';
import { fxOpenSql, isFxOpen } from '../market-hours';
import { PIPELINE_FUNCTION_NAMES } from '../pipeline/function-names';
import type { PipelineVariant } from '../pipeline/variant';

interface FunctionRow {
  name: string;
  identity: string;
  result: string;
  definer: boolean;
  config: string[] | null;
}

async function pipelineFunctions(test: DatabaseInUse): Promise<FunctionRow[]> {
  return test.database.sql<FunctionRow[]>`
    select p.proname as name, pg_get_function_identity_arguments(p.oid) as identity,
           pg_get_function_result(p.oid) as result, p.prosecdef as definer, p.proconfig as config
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = any(${[...PIPELINE_FUNCTION_NAMES]}::text[])
     order by 1, 2`;
}

/** Roles other than the owner holding EXECUTE on a function by a grant of their own (not through PUBLIC). */
async function directGrantees(test: DatabaseInUse, name: string): Promise<string[]> {
  const rows = await test.database.sql<{ grantee: string }[]>`
    select distinct r.rolname as grantee
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      cross join lateral aclexplode(p.proacl) a
      join pg_roles r on r.oid = a.grantee
     where n.nspname = 'public' and p.proname = ${name} and a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner
     order by 1`;
  return rows.map((r) => r.grantee);
}

const TSTZ = 'timestamp with time zone';

describe('the rehearsal world (3 days spanning a weekend, production schema)', () => {
  const test = useTestWorld({ now: AFTER_WEEKEND_NOW, days: 3 });

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
         where ${test.database.sql.unsafe(fxOpenSql('m.ts'))})
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

  it("has exactly one function per pipeline name, with production's identity arguments and jsonb results", async () => {
    const functions = await pipelineFunctions(test);
    expect(functions.map((f) => [f.name, f.identity, f.result])).toEqual([
      [
        '_upsert_derived_bar',
        `p_symbol text, p_tf text, p_ts ${TSTZ}, p_open double precision, p_high double precision, ` +
          'p_low double precision, p_close double precision, p_vol double precision, p_vwap double precision, ' +
          'p_trade_count integer, p_source text, p_source_tf text, p_source_candles integer, p_expected_candles integer, ' +
          'p_quality_score integer, p_derivation_version integer, p_raw jsonb',
        'jsonb',
      ],
      [
        'aggregate_1m_to_5m_window',
        `p_symbol text, p_from_utc ${TSTZ}, p_to_utc ${TSTZ}, p_derivation_version integer`,
        'jsonb',
      ],
      [
        'aggregate_5m_to_1h_window',
        `p_symbol text, p_from_utc ${TSTZ}, p_to_utc ${TSTZ}, p_derivation_version integer`,
        'jsonb',
      ],
      [
        'calc_dxy_range_derived',
        `p_from_utc ${TSTZ}, p_to_utc ${TSTZ}, p_tf text, p_derivation_version integer`,
        'jsonb',
      ],
      [
        'catchup_aggregation_range',
        `p_symbol text, p_to_tf text, p_start_cursor ${TSTZ}, p_max_windows integer, p_now ${TSTZ}, ` +
          'p_derivation_version integer, p_ignore_confirmation boolean',
        'jsonb',
      ],
    ]);
    expect(functions.every((f) => f.definer)).toBe(true);
    // As hand-applied production SQL has them: some pin their search_path, some do not.
    const pinned = functions.filter((f) => f.config?.includes('search_path=public')).map((f) => f.name);
    expect(pinned).toEqual(['aggregate_1m_to_5m_window', 'calc_dxy_range_derived', 'catchup_aggregation_range']);
  });

  it("gives anon, authenticated and service_role EXECUTE directly, by Supabase's default privileges", async () => {
    for (const name of PIPELINE_FUNCTION_NAMES.filter((n) => n !== 'calc_dxy_range_1m')) {
      expect(await directGrantees(test, name), name).toEqual(['anon', 'authenticated', 'service_role']);
      const [privilege] = await test.database.sql<{ anon: boolean; authenticated: boolean }[]>`
        select has_function_privilege('anon', p.oid, 'EXECUTE') as anon,
               has_function_privilege('authenticated', p.oid, 'EXECUTE') as authenticated
          from pg_proc p where p.proname = ${name}`;
      expect(privilege).toEqual({ anon: true, authenticated: true });
    }
    // And so does any function created later in public, as phase 3's will be.
    await test.database.sql`create function public.created_later() returns int language sql as 'select 1'`;
    expect(await directGrantees(test, 'created_later')).toEqual(['anon', 'authenticated', 'service_role']);
    await test.database.sql`drop function public.created_later()`;
  });

  it('seeds the history aggregates exactly as the window functions compute them', async () => {
    const [sample] = await test.database.sql<{ ts_utc: Date; close: number; vol: number; source_candles: number }[]>`
      select ts_utc, close, vol, source_candles from public.derived_data_bars
       where canonical_symbol = 'EURUSD' and timeframe = '5m' and ts_utc = '2026-11-27T12:00:00Z'`;
    expect(sample).toBeDefined();
    const [call] = await test.database.sql<{ r: { stored: boolean; source_count: number } }[]>`
      select public.aggregate_1m_to_5m_window(p_symbol => 'EURUSD', p_from_utc => '2026-11-27T12:00:00Z',
                                              p_to_utc => '2026-11-27T12:05:00Z') as r`;
    expect(call?.r).toMatchObject({ stored: true, source_count: sample?.source_candles });
    const [after] = await test.database.sql<{ close: number; vol: number; n: number }[]>`
      select close, vol, count(*) over ()::int as n from public.derived_data_bars
       where canonical_symbol = 'EURUSD' and timeframe = '5m' and ts_utc = '2026-11-27T12:00:00Z'`;
    expect(after).toEqual({ close: sample?.close, vol: sample?.vol, n: 1 });
    expect(test.world.leftovers).toBeNull();
  });
});

describe.each<PipelineVariant>(['plan'])('the %s world (1 day, with leftovers)', (variant) => {
  const test = useTestWorld({ variant, now: MIDWEEK_NOW, days: 1, leftovers: true });

  it("has the plan's three-argument aggregators returning a count, and no catch-up function", async () => {
    const functions = await pipelineFunctions(test);
    expect(functions.map((f) => [f.name, f.identity, f.result])).toEqual([
      ['aggregate_1m_to_5m_window', `p_symbol text, p_from_utc ${TSTZ}, p_to_utc ${TSTZ}`, 'integer'],
      ['aggregate_5m_to_1h_window', `p_symbol text, p_from_utc ${TSTZ}, p_to_utc ${TSTZ}`, 'integer'],
      [
        'calc_dxy_range_derived',
        `p_from_utc ${TSTZ}, p_to_utc ${TSTZ}, p_timeframe text, p_derivation_version integer`,
        'jsonb',
      ],
    ]);
    expect(await directGrantees(test, 'aggregate_1m_to_5m_window')).toEqual([]);
  });

  it("plants the earlier attempt's rows with a source the plan's CHECK allows; one day holds no whole weekday", async () => {
    expect(test.world.leftovers).toMatchObject({ missingLegacyDay: null, missingLegacyDayMinutes: 0 });
    const sources = await test.database.sql<{ source: string; n: number }[]>`
      select source, count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' group by 1`;
    expect(sources).toEqual([{ source: 'ingest', n: test.world.leftovers?.earlierAttemptRows }]);
    expect(test.world.leftovers?.earlierAttemptRows).toBeGreaterThan(300);
  });
});

describe('a world with production leftovers (3 days to Wednesday)', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 3, leftovers: true });

  it('reports the exact counts of what it planted', () => {
    expect(test.world.leftovers).toEqual({
      earlierAttemptRows: expect.any(Number),
      earlierAttemptDifferentClose: 7,
      earlierAttemptWithoutLegacy: 5,
      missingLegacyDay: '2026-11-23',
      missingLegacyDayMinutes: expect.any(Number),
      legacyWithoutComponents: 4,
    });
    expect(test.world.leftovers?.earlierAttemptRows).toBeGreaterThan(300);
    expect(test.world.leftovers?.missingLegacyDayMinutes).toBeGreaterThan(1300);
  });

  it("holds the earlier attempt's DXY rows in data_bars: its source, a raw without kind, by comparison with legacy", async () => {
    const rows = await test.database.sql<
      { source: string; raw: Record<string, unknown>; legacy: number | null; close: number }[]
    >`
      select b.source, b.raw, d.close as legacy, b.close from public.data_bars b
        left join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.ts_utc = b.ts_utc
         and d.deleted_at is null
       where b.canonical_symbol = 'DXY'`;
    expect(rows).toHaveLength(test.world.leftovers?.earlierAttemptRows ?? -1);
    expect(rows.every((r) => r.source === 'migrated_from_derived' && r.raw.kind === undefined)).toBe(true);
    expect(rows.every((r) => r.raw.migrated_from === 'derived_data_bars' && typeof r.raw.batch === 'number')).toBe(
      true,
    );
    const same = rows.filter((r) => r.legacy !== null && Math.abs(r.close - r.legacy) <= 1e-9 * r.legacy).length;
    expect(same).toBe((test.world.leftovers?.earlierAttemptRows ?? 0) - 7 - 5);
    expect(rows.filter((r) => r.legacy === null)).toHaveLength(5);
  });

  it('has a whole open-market weekday with all six components but no legacy DXY', async () => {
    const [day] = await test.database.sql<{ complete: number; legacy: number; m5: number }[]>`
      with minutes as (
        select ts_utc from public.data_bars
         where timeframe = '1m' and canonical_symbol = any(${[...DXY_COMPONENTS]}::text[])
           and ts_utc >= '2026-11-23T00:00:00Z' and ts_utc < '2026-11-24T00:00:00Z'
         group by ts_utc having count(*) = 6)
      select (select count(*)::int from minutes) as complete,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
               and ts_utc >= '2026-11-23T00:00:00Z' and ts_utc < '2026-11-24T00:00:00Z') as legacy,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m'
               and ts_utc >= '2026-11-23T00:00:00Z' and ts_utc < '2026-11-24T00:00:00Z') as m5`;
    expect(day).toEqual({ complete: test.world.leftovers?.missingLegacyDayMinutes, legacy: 0, m5: 0 });
  });

  it('has legacy minutes whose components were lost later', async () => {
    const [row] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars d
       where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null
         and not exists (select 1 from public.data_bars c where c.canonical_symbol = 'USDSEK' and c.timeframe = '1m'
                          and c.ts_utc = d.ts_utc)`;
    expect(row?.n).toBe(4);
  });
});
