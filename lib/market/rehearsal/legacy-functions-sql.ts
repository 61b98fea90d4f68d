/**
 * The pipeline's functions as they exist before the migration (rehearsal world only), in the
 * world's schema variant:
 * - `production` — production's real signatures and result shapes (docs: README "Rehearsal world"):
 *   all SECURITY DEFINER in schema public, some with `SET search_path TO 'public'` as hand-applied
 *   SQL has them (a replacement that loses `proconfig` shows):
 *   - calc_dxy_range_derived(p_from_utc, p_to_utc, p_tf DEFAULT '1m', p_derivation_version DEFAULT 1) → jsonb,
 *     including its catch-all EXCEPTION block that turns errors into success:false (defect 2 — the
 *     console never copies that pattern and treats success:false as a failure);
 *   - _upsert_derived_bar(…): stores one aggregated bar in derived_data_bars;
 *   - aggregate_1m_to_5m_window / aggregate_5m_to_1h_window(p_symbol, p_from_utc, p_to_utc,
 *     p_derivation_version DEFAULT 1) → jsonb: ONE window per call, stored at the window start;
 *   - catchup_aggregation_range(…) → jsonb: walks a data_agg_state cursor window by window and stops
 *     at the data frontier;
 * - `plan` — what the written plan assumed: range aggregators with three arguments returning the
 *   number of bars written.
 * Before the migration the 1m input of the 5m aggregation is data_bars UNION ALL active derived 1m.
 * Windows are computed from epoch seconds, so the session TimeZone never shifts a bucket.
 */
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../dxy-sql';
import type { SchemaVariant } from './schema-sql';

/** The 1m input of the 5m aggregation: both tables before the migration, data_bars only after phase 5. */
export type AggregatorInput = 'union' | 'data_bars_only';

/** Every function of the pipeline (the rehearsal's reset drops every overload of each). */
export { PIPELINE_FUNCTION_NAMES } from '../pipeline-functions';

/** The hand-applied production functions pin their search path; phase 5 must keep that `proconfig`. */
const PINNED_SEARCH_PATH = "SET search_path TO 'public'";

export function calcDxyRangeDerivedSql(variant: SchemaVariant): string {
  // The plan's text names the third parameter p_timeframe; production's is p_tf. The workers pass
  // only p_from_utc/p_to_utc by name, so both are called the same way.
  const tfParam = variant === 'production' ? 'p_tf' : 'p_timeframe';
  const security = variant === 'production' ? `SECURITY DEFINER\n${PINNED_SEARCH_PATH}` : '';
  return `
CREATE OR REPLACE FUNCTION public.calc_dxy_range_derived(
  p_from_utc timestamptz,
  p_to_utc timestamptz,
  ${tfParam} text DEFAULT '1m',
  p_derivation_version integer DEFAULT 1
) RETURNS jsonb
LANGUAGE plpgsql
${security}
AS $fn$
DECLARE
  v_inserted integer := 0;
  v_updated integer := 0;
  v_skipped integer := 0;
BEGIN
  IF ${tfParam} <> '1m' THEN
    RAISE EXCEPTION 'calc_dxy_range_derived supports timeframe 1m only (got %)', ${tfParam};
  END IF;
  WITH comp AS MATERIALIZED (
    ${componentClosesCte('p_from_utc', 'p_to_utc')}
  ), upserted AS (
    INSERT INTO public.derived_data_bars AS d (
      canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
      source, source_timeframe, source_candles, expected_candles, quality_score, derivation_version, raw)
    SELECT 'DXY', '1m', c.ts_utc, v.dxy, v.dxy, v.dxy, v.dxy, 0, NULL, 0,
      'dxy', '1m', 6, 6, 2, p_derivation_version,
      jsonb_build_object('kind', 'dxy', 'version', p_derivation_version)
    FROM comp c CROSS JOIN LATERAL (SELECT ${dxyValueSql('c')} AS dxy) v
    WHERE ${componentsCompleteSql('c')}
    ON CONFLICT (canonical_symbol, timeframe, ts_utc) WHERE deleted_at IS NULL DO UPDATE
      SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
          derivation_version = EXCLUDED.derivation_version, raw = EXCLUDED.raw
      WHERE d.close IS DISTINCT FROM EXCLUDED.close
         OR d.derivation_version IS DISTINCT FROM EXCLUDED.derivation_version
    RETURNING (xmax = 0) AS is_insert
  )
  SELECT count(*) FILTER (WHERE is_insert), count(*) FILTER (WHERE NOT is_insert),
         (SELECT count(*) FROM comp c WHERE NOT coalesce(${componentsCompleteSql('c')}, false))
    INTO v_inserted, v_updated, v_skipped
    FROM upserted;
  RETURN jsonb_build_object('success', true, 'inserted', v_inserted, 'updated', v_updated,
                            'skipped_incomplete', v_skipped);
EXCEPTION WHEN OTHERS THEN
  RETURN jsonb_build_object('success', false, 'error', SQLERRM);
END
$fn$;
`;
}

/** The production variant's definition (kept under its historical name). */
export const CALC_DXY_RANGE_DERIVED_SQL = calcDxyRangeDerivedSql('production');

/** Production: stores one aggregated bar, keyed on the active row of (symbol, timeframe, ts). */
export const UPSERT_DERIVED_BAR_SQL = `
CREATE OR REPLACE FUNCTION public._upsert_derived_bar(
  p_symbol text,
  p_timeframe text,
  p_ts_utc timestamptz,
  p_open double precision,
  p_high double precision,
  p_low double precision,
  p_close double precision,
  p_vol double precision,
  p_vwap double precision,
  p_trade_count integer,
  p_source_timeframe text,
  p_source_candles integer,
  p_expected_candles integer,
  p_quality_score integer,
  p_derivation_version integer DEFAULT 1
) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
AS $fn$
BEGIN
  INSERT INTO public.derived_data_bars AS d (
    canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
    source, source_timeframe, source_candles, expected_candles, quality_score, derivation_version)
  VALUES (p_symbol, p_timeframe, p_ts_utc, p_open, p_high, p_low, p_close, p_vol, p_vwap, p_trade_count,
          'agg', p_source_timeframe, p_source_candles, p_expected_candles, p_quality_score, p_derivation_version)
  ON CONFLICT (canonical_symbol, timeframe, ts_utc) WHERE deleted_at IS NULL DO UPDATE
    SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
        vol = EXCLUDED.vol, vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count,
        source_timeframe = EXCLUDED.source_timeframe, source_candles = EXCLUDED.source_candles,
        expected_candles = EXCLUDED.expected_candles, quality_score = EXCLUDED.quality_score,
        derivation_version = EXCLUDED.derivation_version;
END
$fn$;
`;

interface WindowSpec {
  name: 'aggregate_1m_to_5m_window' | 'aggregate_5m_to_1h_window';
  timeframe: '5m' | '1h';
  sourceTimeframe: '1m' | '5m';
  seconds: number;
  expected: number;
  /** Fewest source bars that still store a bar. */
  minimum: number;
  quality: string;
  pinnedSearchPath: boolean;
}

const FIVE_MINUTE_WINDOW: WindowSpec = {
  name: 'aggregate_1m_to_5m_window',
  timeframe: '5m',
  sourceTimeframe: '1m',
  seconds: 300,
  expected: 5,
  minimum: 3,
  quality: 'CASE WHEN v_n >= 5 THEN 2 WHEN v_n = 4 THEN 1 ELSE 0 END',
  pinnedSearchPath: true,
};

const HOUR_WINDOW: WindowSpec = {
  name: 'aggregate_5m_to_1h_window',
  timeframe: '1h',
  sourceTimeframe: '5m',
  seconds: 3600,
  expected: 12,
  minimum: 7,
  quality: 'CASE WHEN v_n >= 12 THEN 2 WHEN v_n >= 10 THEN 1 WHEN v_n >= 8 THEN 0 ELSE -1 END',
  pinnedSearchPath: false,
};

/** The source rows of one window, by input: the 5m aggregation's 1m input, or active derived 5m. */
function windowSourceSql(spec: WindowSpec, input: AggregatorInput): string {
  const derived = `SELECT ts_utc, open, high, low, close, vol, vwap, trade_count FROM public.derived_data_bars
       WHERE canonical_symbol = p_symbol AND timeframe = '${spec.sourceTimeframe}' AND deleted_at IS NULL
         AND ts_utc >= p_from_utc AND ts_utc < p_to_utc`;
  if (spec.timeframe === '1h') return derived;
  const dataBars = `SELECT ts_utc, open, high, low, close, vol, vwap, trade_count FROM public.data_bars
       WHERE canonical_symbol = p_symbol AND timeframe = '1m'
         AND ts_utc >= p_from_utc AND ts_utc < p_to_utc`;
  return input === 'union' ? `${dataBars}\n      UNION ALL\n      ${derived}` : dataBars;
}

/** Production's one-window aggregator: `{success, stored, source_count, quality_score | reason}`. */
function productionWindowSql(spec: WindowSpec, input: AggregatorInput): string {
  return `
CREATE OR REPLACE FUNCTION public.${spec.name}(
  p_symbol text,
  p_from_utc timestamptz,
  p_to_utc timestamptz,
  p_derivation_version integer DEFAULT 1
) RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER${spec.pinnedSearchPath ? `\n${PINNED_SEARCH_PATH}` : ''}
AS $fn$
DECLARE
  v_start timestamptz;
  v_n integer;
  v_quality integer;
  v_open double precision;
  v_high double precision;
  v_low double precision;
  v_close double precision;
  v_vol double precision;
  v_vwap double precision;
  v_trades integer;
BEGIN
  IF p_symbol IS NULL OR p_from_utc IS NULL OR p_to_utc IS NULL OR p_from_utc >= p_to_utc THEN
    RAISE EXCEPTION '${spec.name}: invalid window [%, %) for %', p_from_utc, p_to_utc, p_symbol
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_start := to_timestamp(floor(extract(epoch FROM p_from_utc) / ${spec.seconds}) * ${spec.seconds});
  SELECT count(*)::integer,
         (array_agg(s.open ORDER BY s.ts_utc))[1],
         max(s.high),
         min(s.low),
         (array_agg(s.close ORDER BY s.ts_utc DESC))[1],
         sum(s.vol),
         sum(s.vwap * s.vol) / nullif(sum(s.vol), 0),
         sum(s.trade_count)::integer
    INTO v_n, v_open, v_high, v_low, v_close, v_vol, v_vwap, v_trades
    FROM (
      ${windowSourceSql(spec, input)}
    ) s;
  IF v_n < ${spec.minimum} THEN
    RETURN jsonb_build_object('success', true, 'stored', false, 'source_count', v_n,
                              'reason', CASE WHEN v_n = 0 THEN 'no_source_bars' ELSE 'insufficient_source_bars' END);
  END IF;
  v_quality := ${spec.quality};
  PERFORM public._upsert_derived_bar(
    p_symbol => p_symbol, p_timeframe => '${spec.timeframe}', p_ts_utc => v_start,
    p_open => v_open, p_high => v_high, p_low => v_low, p_close => v_close,
    p_vol => v_vol, p_vwap => v_vwap, p_trade_count => v_trades,
    p_source_timeframe => '${spec.sourceTimeframe}', p_source_candles => v_n, p_expected_candles => ${spec.expected},
    p_quality_score => v_quality, p_derivation_version => p_derivation_version);
  RETURN jsonb_build_object('success', true, 'stored', true, 'source_count', v_n, 'quality_score', v_quality);
END
$fn$;
`;
}

/** The plan's range aggregator: every window of [from, to) in one call, returning the bars written. */
function planRangeSql(spec: WindowSpec, input: AggregatorInput): string {
  return `
CREATE OR REPLACE FUNCTION public.${spec.name}(
  p_symbol text,
  p_from_utc timestamptz,
  p_to_utc timestamptz
) RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
  v_written integer;
BEGIN
  WITH src AS (
      ${windowSourceSql(spec, input)}
  ), windows AS (
    SELECT to_timestamp(floor(extract(epoch FROM ts_utc) / ${spec.seconds}) * ${spec.seconds}) AS bucket,
           (array_agg(open ORDER BY ts_utc))[1] AS open,
           max(high) AS high,
           min(low) AS low,
           (array_agg(close ORDER BY ts_utc DESC))[1] AS close,
           sum(vol) AS vol,
           sum(vwap * vol) / nullif(sum(vol), 0) AS vwap,
           sum(trade_count)::integer AS trade_count,
           count(*)::integer AS v_n
      FROM src
     GROUP BY 1
  ), upserted AS (
    INSERT INTO public.derived_data_bars AS d (
      canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
      source, source_timeframe, source_candles, expected_candles, quality_score)
    SELECT p_symbol, '${spec.timeframe}', bucket, open, high, low, close, vol, vwap, trade_count, 'agg',
           '${spec.sourceTimeframe}', v_n, ${spec.expected}, ${spec.quality}
      FROM windows
     WHERE v_n >= ${spec.minimum}
    ON CONFLICT (canonical_symbol, timeframe, ts_utc) WHERE deleted_at IS NULL DO UPDATE
      SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
          vol = EXCLUDED.vol, vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count,
          source_candles = EXCLUDED.source_candles, quality_score = EXCLUDED.quality_score
    RETURNING 1
  )
  SELECT count(*) INTO v_written FROM upserted;
  RETURN v_written;
END
$fn$;
`;
}

/**
 * The full `CREATE OR REPLACE FUNCTION` of the 1m→5m aggregator of a variant: production's
 * one-window jsonb function (SECURITY DEFINER, pinned search_path), or the plan's three-argument
 * range function. `input` is what it reads: both tables (before the migration) or data_bars only.
 */
export function aggregate1mTo5mWindowSql(variant: SchemaVariant, input: AggregatorInput): string {
  return variant === 'production'
    ? productionWindowSql(FIVE_MINUTE_WINDOW, input)
    : planRangeSql(FIVE_MINUTE_WINDOW, input);
}

export function aggregate5mTo1hWindowSql(variant: SchemaVariant): string {
  return variant === 'production' ? productionWindowSql(HOUR_WINDOW, 'union') : planRangeSql(HOUR_WINDOW, 'union');
}

/** The plan variant's aggregators under their historical names. */
export const AGGREGATE_1M_TO_5M_LEGACY_SQL = aggregate1mTo5mWindowSql('plan', 'union');
export const AGGREGATE_5M_TO_1H_SQL = aggregate5mTo1hWindowSql('plan');

/**
 * Production's catch-up: from the cursor (the start of the next window to process), aggregates
 * due windows one by one through the window functions — called by name with named arguments —
 * and moves the cursor. A window is due when its end + aggregation_delay_seconds ≤ p_now
 * (p_ignore_confirmation drops the delay). It stops at the data frontier: a window that stored
 * nothing and has no source bar at or after its end is not passed, so a lagging ingest fills it
 * later; empty windows before later data (weekends) are passed. Errors return success:false
 * (the work of the call is rolled back) for the worker to record.
 */
export const CATCHUP_AGGREGATION_RANGE_SQL = `
CREATE OR REPLACE FUNCTION public.catchup_aggregation_range(
  p_symbol text,
  p_to_tf text,
  p_start_cursor timestamptz,
  p_max_windows integer DEFAULT 100,
  p_now timestamptz DEFAULT NULL,
  p_derivation_version integer DEFAULT 1,
  p_ignore_confirmation boolean DEFAULT false
) RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
${PINNED_SEARCH_PATH}
AS $fn$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_seconds integer;
  v_source_tf text;
  v_delay integer;
  v_cursor timestamptz;
  v_end timestamptz;
  v_result jsonb;
  v_processed integer := 0;
  v_stored integer := 0;
  v_stopped text := 'max_windows';
BEGIN
  v_seconds := CASE p_to_tf WHEN '5m' THEN 300 WHEN '1h' THEN 3600 END;
  v_source_tf := CASE p_to_tf WHEN '5m' THEN '1m' WHEN '1h' THEN '5m' END;
  IF v_seconds IS NULL THEN
    RAISE EXCEPTION 'catchup_aggregation_range: unsupported target timeframe %', p_to_tf;
  END IF;
  SELECT s.aggregation_delay_seconds, coalesce(p_start_cursor, s.last_agg_bar_ts_utc)
    INTO v_delay, v_cursor
    FROM public.data_agg_state s
   WHERE s.canonical_symbol = p_symbol AND s.timeframe = p_to_tf
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'catchup_aggregation_range: no data_agg_state task for % %', p_symbol, p_to_tf;
  END IF;
  IF p_ignore_confirmation THEN
    v_delay := 0;
  END IF;
  v_cursor := to_timestamp(floor(extract(epoch FROM v_cursor) / v_seconds) * v_seconds);
  LOOP
    IF v_processed >= p_max_windows THEN
      v_stopped := 'max_windows';
      EXIT;
    END IF;
    v_end := v_cursor + make_interval(secs => v_seconds);
    IF v_end + make_interval(secs => v_delay) > v_now THEN
      v_stopped := 'not_due';
      EXIT;
    END IF;
    IF p_to_tf = '5m' THEN
      v_result := public.aggregate_1m_to_5m_window(
        p_symbol => p_symbol, p_from_utc => v_cursor, p_to_utc => v_end, p_derivation_version => p_derivation_version);
    ELSE
      v_result := public.aggregate_5m_to_1h_window(
        p_symbol => p_symbol, p_from_utc => v_cursor, p_to_utc => v_end, p_derivation_version => p_derivation_version);
    END IF;
    IF NOT coalesce((v_result ->> 'success')::boolean, false) THEN
      RAISE EXCEPTION 'window % of % % failed: %', v_cursor, p_symbol, p_to_tf, v_result;
    END IF;
    IF NOT coalesce((v_result ->> 'stored')::boolean, false)
       AND NOT EXISTS (SELECT 1 FROM public.data_bars b
                        WHERE b.canonical_symbol = p_symbol AND b.timeframe = v_source_tf AND b.ts_utc >= v_end)
       AND NOT EXISTS (SELECT 1 FROM public.derived_data_bars d
                        WHERE d.canonical_symbol = p_symbol AND d.timeframe = v_source_tf
                          AND d.deleted_at IS NULL AND d.ts_utc >= v_end) THEN
      v_stopped := 'data_frontier';
      EXIT;
    END IF;
    v_processed := v_processed + 1;
    IF coalesce((v_result ->> 'stored')::boolean, false) THEN
      v_stored := v_stored + 1;
    END IF;
    v_cursor := v_end;
  END LOOP;
  UPDATE public.data_agg_state
     SET last_agg_bar_ts_utc = v_cursor, last_successful_at_utc = v_now, last_error = NULL,
         hard_fail_streak = 0, total_runs = total_runs + 1, total_bars_created = total_bars_created + v_stored
   WHERE canonical_symbol = p_symbol AND timeframe = p_to_tf;
  RETURN jsonb_build_object('success', true, 'windows_processed', v_processed, 'stored', v_stored,
                            'cursor', v_cursor, 'stopped_reason', v_stopped);
EXCEPTION WHEN OTHERS THEN
  RETURN jsonb_build_object('success', false, 'error', SQLERRM, 'cursor', p_start_cursor);
END
$fn$;
`;

/** Every pipeline function of a variant's pre-migration world, in creation order. */
export function pipelineFunctionsSql(variant: SchemaVariant): string[] {
  if (variant === 'plan') {
    return [calcDxyRangeDerivedSql('plan'), AGGREGATE_1M_TO_5M_LEGACY_SQL, AGGREGATE_5M_TO_1H_SQL];
  }
  return [
    calcDxyRangeDerivedSql('production'),
    UPSERT_DERIVED_BAR_SQL,
    aggregate1mTo5mWindowSql('production', 'union'),
    aggregate5mTo1hWindowSql('production'),
    CATCHUP_AGGREGATION_RANGE_SQL,
  ];
}
