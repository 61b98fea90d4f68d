/**
 * The aggregators of the pipeline, in both known shapes (./variant.ts) and with either 1m input:
 * - production's aggregate_1m_to_5m_window / aggregate_5m_to_1h_window(p_symbol, p_from_utc,
 *   p_to_utc, p_derivation_version DEFAULT 1) → jsonb: ONE window per call, stored at the window
 *   start through _upsert_derived_bar, SECURITY DEFINER (the 5m one with a pinned search path);
 * - the plan's range aggregators with three arguments, returning the number of bars written.
 * Before the migration the 1m input of the 5m aggregation is data_bars UNION ALL active derived 1m
 * (what the rehearsal world creates); phase 5 derives its data_bars-only version from the definition
 * it finds (lib/runbook/phases/5-switch/aggregator-transform.ts), never from this text, which only builds worlds.
 * Windows are computed from epoch seconds, so the session TimeZone never shifts a bucket.
 */
import { PINNED_SEARCH_PATH, type PipelineVariant } from './variant';

/** The 1m input of the 5m aggregation: both tables before the migration, data_bars only after phase 5. */
export type AggregatorInput = 'union' | 'data_bars_only';

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
  v_upsert jsonb;
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
  -- Positional, as production's aggregators call its helper: (symbol, tf, ts, o, h, l, c, vol, vwap,
  -- trades, source, source tf, candles, expected, quality, version, raw).
  v_upsert := public._upsert_derived_bar(
    p_symbol, '${spec.timeframe}', v_start, v_open, v_high, v_low, v_close, v_vol, v_vwap, v_trades,
    'agg', '${spec.sourceTimeframe}', v_n, ${spec.expected}, v_quality, p_derivation_version,
    jsonb_build_object('agg', '${spec.name}', 'n', v_n));
  IF NOT coalesce((v_upsert ->> 'success')::boolean, false) THEN
    RAISE EXCEPTION '${spec.name}: _upsert_derived_bar failed for % at %: %', p_symbol, v_start, v_upsert;
  END IF;
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
      is_partial, source, source_timeframe, source_candles, expected_candles, quality_score, ingested_at)
    SELECT p_symbol, '${spec.timeframe}', bucket, open, high, low, close, vol, vwap, trade_count, false, 'agg',
           '${spec.sourceTimeframe}', v_n, ${spec.expected}, ${spec.quality}, now()
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
export function aggregate1mTo5mWindowSql(variant: PipelineVariant, input: AggregatorInput): string {
  return variant === 'production'
    ? productionWindowSql(FIVE_MINUTE_WINDOW, input)
    : planRangeSql(FIVE_MINUTE_WINDOW, input);
}

/** The 5m→1h aggregator of a variant: it reads active derived 5m bars, before and after the migration. */
export function aggregate5mTo1hWindowSql(variant: PipelineVariant): string {
  return variant === 'production' ? productionWindowSql(HOUR_WINDOW, 'union') : planRangeSql(HOUR_WINDOW, 'union');
}
