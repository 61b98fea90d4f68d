/**
 * Production's _upsert_derived_bar(…): stores one aggregated bar in derived_data_bars, keyed on the
 * active row of (symbol, timeframe, ts). Production's window aggregators call it by name.
 */
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
