/**
 * Set-based 5m and 1h aggregates of a new world's history: the same buckets, values and quality
 * rules as the pipeline's window functions (production's one window per call would take minutes
 * on two years), with the pre-migration input — 1m from data_bars UNION ALL active derived 1m.
 * Buckets come from epoch seconds, so the session TimeZone never shifts one. Every column without
 * a production default is supplied: is_partial false, and ingested_at when the aggregator would
 * have written the bar (the window's end plus the default aggregation delay of 30 seconds).
 */

/** $1 from, $2 to (a 5m boundary), $3 the symbols. */
export const SEED_5M_AGGREGATES_SQL = `
WITH src AS (
  SELECT canonical_symbol, ts_utc, open, high, low, close, vol, vwap, trade_count FROM public.data_bars
   WHERE timeframe = '1m' AND canonical_symbol = ANY($3::text[]) AND ts_utc >= $1 AND ts_utc < $2
  UNION ALL
  SELECT canonical_symbol, ts_utc, open, high, low, close, vol, vwap, trade_count FROM public.derived_data_bars
   WHERE timeframe = '1m' AND deleted_at IS NULL AND canonical_symbol = ANY($3::text[]) AND ts_utc >= $1 AND ts_utc < $2
), windows AS (
  SELECT canonical_symbol, to_timestamp(floor(extract(epoch FROM ts_utc) / 300) * 300) AS bucket,
         (array_agg(open ORDER BY ts_utc))[1] AS open, max(high) AS high, min(low) AS low,
         (array_agg(close ORDER BY ts_utc DESC))[1] AS close, sum(vol) AS vol,
         sum(vwap * vol) / nullif(sum(vol), 0) AS vwap, sum(trade_count)::integer AS trade_count,
         count(*)::integer AS n
    FROM src
   GROUP BY 1, 2
)
INSERT INTO public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap,
                                      trade_count, is_partial, source, source_timeframe, source_candles,
                                      expected_candles, quality_score, derivation_version, ingested_at)
SELECT canonical_symbol, '5m', bucket, open, high, low, close, vol, vwap, trade_count, false, 'agg', '1m', n, 5,
       CASE WHEN n >= 5 THEN 2 WHEN n = 4 THEN 1 ELSE 0 END, 1, bucket + interval '5 minutes 30 seconds'
  FROM windows
 WHERE n >= 3
`;

/** $1 from, $2 to (an hour boundary), $3 the symbols. */
export const SEED_1H_AGGREGATES_SQL = `
WITH windows AS (
  SELECT canonical_symbol, to_timestamp(floor(extract(epoch FROM ts_utc) / 3600) * 3600) AS bucket,
         (array_agg(open ORDER BY ts_utc))[1] AS open, max(high) AS high, min(low) AS low,
         (array_agg(close ORDER BY ts_utc DESC))[1] AS close, sum(vol) AS vol,
         sum(vwap * vol) / nullif(sum(vol), 0) AS vwap, sum(trade_count)::integer AS trade_count,
         count(*)::integer AS n
    FROM public.derived_data_bars
   WHERE timeframe = '5m' AND deleted_at IS NULL AND canonical_symbol = ANY($3::text[]) AND ts_utc >= $1 AND ts_utc < $2
   GROUP BY 1, 2
)
INSERT INTO public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap,
                                      trade_count, is_partial, source, source_timeframe, source_candles,
                                      expected_candles, quality_score, derivation_version, ingested_at)
SELECT canonical_symbol, '1h', bucket, open, high, low, close, vol, vwap, trade_count, false, 'agg', '5m', n, 12,
       CASE WHEN n >= 12 THEN 2 WHEN n >= 10 THEN 1 WHEN n >= 8 THEN 0 ELSE -1 END, 1,
       bucket + interval '1 hour 30 seconds'
  FROM windows
 WHERE n >= 7
`;
