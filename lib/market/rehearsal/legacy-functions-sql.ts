/**
 * The pipeline's functions as they exist before the migration (rehearsal world only):
 * - calc_dxy_range_derived: writes DXY 1m into derived_data_bars. Faithful to production,
 *   including its catch-all EXCEPTION block that turns errors into success:false (defect 2 —
 *   the console never copies that pattern and treats success:false as a failure);
 * - aggregate_1m_to_5m_window: reads 1m input from data_bars UNION ALL active derived rows;
 * - aggregate_5m_to_1h_window: reads active 5m rows of derived_data_bars.
 * Windows are computed from epoch seconds, so the session TimeZone never shifts a bucket.
 */
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../dxy-sql';

export const CALC_DXY_RANGE_DERIVED_SQL = `
CREATE OR REPLACE FUNCTION public.calc_dxy_range_derived(
  p_from_utc timestamptz,
  p_to_utc timestamptz,
  p_timeframe text DEFAULT '1m',
  p_derivation_version integer DEFAULT 1
) RETURNS jsonb
LANGUAGE plpgsql
AS $fn$
DECLARE
  v_inserted integer := 0;
  v_updated integer := 0;
  v_skipped integer := 0;
BEGIN
  IF p_timeframe <> '1m' THEN
    RAISE EXCEPTION 'calc_dxy_range_derived supports timeframe 1m only (got %)', p_timeframe;
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

/** Quality of a 5m bar from its 1m count: 5 → 2, 4 → 1, 3 → 0, fewer → not stored. */
function fiveMinuteAggregationSql(source: 'union' | 'data_bars_only'): string {
  const derivedInput =
    source === 'union'
      ? `
    UNION ALL
    SELECT ts_utc, open, high, low, close, vol, vwap, trade_count FROM public.derived_data_bars
     WHERE canonical_symbol = p_symbol AND timeframe = '1m' AND deleted_at IS NULL
       AND ts_utc >= p_from_utc AND ts_utc < p_to_utc`
      : '';
  return `
CREATE OR REPLACE FUNCTION public.aggregate_1m_to_5m_window(
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
    SELECT ts_utc, open, high, low, close, vol, vwap, trade_count FROM public.data_bars
     WHERE canonical_symbol = p_symbol AND timeframe = '1m'
       AND ts_utc >= p_from_utc AND ts_utc < p_to_utc${derivedInput}
  ), windows AS (
    SELECT to_timestamp(floor(extract(epoch FROM ts_utc) / 300) * 300) AS bucket,
           (array_agg(open ORDER BY ts_utc))[1] AS open,
           max(high) AS high,
           min(low) AS low,
           (array_agg(close ORDER BY ts_utc DESC))[1] AS close,
           sum(vol) AS vol,
           sum(vwap * vol) / nullif(sum(vol), 0) AS vwap,
           sum(trade_count)::integer AS trade_count,
           count(*)::integer AS n
      FROM src
     GROUP BY 1
  ), upserted AS (
    INSERT INTO public.derived_data_bars AS d (
      canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
      source, source_timeframe, source_candles, expected_candles, quality_score)
    SELECT p_symbol, '5m', bucket, open, high, low, close, vol, vwap, trade_count, 'agg', '1m', n, 5,
           CASE WHEN n >= 5 THEN 2 WHEN n = 4 THEN 1 ELSE 0 END
      FROM windows
     WHERE n >= 3
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

/** The legacy aggregator reads both tables; phase 5 swaps in the data_bars-only version. */
export const AGGREGATE_1M_TO_5M_LEGACY_SQL = fiveMinuteAggregationSql('union');
export const AGGREGATE_1M_TO_5M_DATA_BARS_ONLY_SQL = fiveMinuteAggregationSql('data_bars_only');

/** Quality of a 1h bar from its 5m count: 12 → 2, 10–11 → 1, 8–9 → 0, 7 → −1, fewer → not stored. */
export const AGGREGATE_5M_TO_1H_SQL = `
CREATE OR REPLACE FUNCTION public.aggregate_5m_to_1h_window(
  p_symbol text,
  p_from_utc timestamptz,
  p_to_utc timestamptz
) RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
  v_written integer;
BEGIN
  WITH windows AS (
    SELECT to_timestamp(floor(extract(epoch FROM ts_utc) / 3600) * 3600) AS bucket,
           (array_agg(open ORDER BY ts_utc))[1] AS open,
           max(high) AS high,
           min(low) AS low,
           (array_agg(close ORDER BY ts_utc DESC))[1] AS close,
           sum(vol) AS vol,
           sum(vwap * vol) / nullif(sum(vol), 0) AS vwap,
           sum(trade_count)::integer AS trade_count,
           count(*)::integer AS n
      FROM public.derived_data_bars
     WHERE canonical_symbol = p_symbol AND timeframe = '5m' AND deleted_at IS NULL
       AND ts_utc >= p_from_utc AND ts_utc < p_to_utc
     GROUP BY 1
  ), upserted AS (
    INSERT INTO public.derived_data_bars AS d (
      canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
      source, source_timeframe, source_candles, expected_candles, quality_score)
    SELECT p_symbol, '1h', bucket, open, high, low, close, vol, vwap, trade_count, 'agg', '5m', n, 12,
           CASE WHEN n >= 12 THEN 2 WHEN n >= 10 THEN 1 WHEN n >= 8 THEN 0 ELSE -1 END
      FROM windows
     WHERE n >= 7
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
