/**
 * Production's _upsert_derived_bar (docs/domain.md, "Production as it really is"): stores one
 * aggregated bar in derived_data_bars, keyed on the active row of (symbol, timeframe, ts), and
 * returns {success, inserted}. Seventeen arguments, none with a default; production's window
 * aggregators call it positionally, so its parameter names are not the console's to choose.
 */
export const UPSERT_DERIVED_BAR_SQL = `
CREATE OR REPLACE FUNCTION public._upsert_derived_bar(
  p_symbol text,
  p_tf text,
  p_ts timestamptz,
  p_open double precision,
  p_high double precision,
  p_low double precision,
  p_close double precision,
  p_vol double precision,
  p_vwap double precision,
  p_trade_count integer,
  p_source text,
  p_source_tf text,
  p_source_candles integer,
  p_expected_candles integer,
  p_quality_score integer,
  p_derivation_version integer,
  p_raw jsonb
) RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
AS $fn$
DECLARE
  v_inserted boolean;
BEGIN
  INSERT INTO public.derived_data_bars AS d (
    canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count, is_partial,
    source, source_timeframe, source_candles, expected_candles, quality_score, derivation_version,
    ingested_at, raw)
  VALUES (p_symbol, p_tf, p_ts, p_open, p_high, p_low, p_close, p_vol, p_vwap, p_trade_count, false,
          p_source, p_source_tf, p_source_candles, p_expected_candles, p_quality_score, p_derivation_version,
          now(), coalesce(p_raw, '{}'::jsonb))
  ON CONFLICT (canonical_symbol, timeframe, ts_utc) WHERE deleted_at IS NULL DO UPDATE
    SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
        vol = EXCLUDED.vol, vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count,
        source = EXCLUDED.source, source_timeframe = EXCLUDED.source_timeframe,
        source_candles = EXCLUDED.source_candles, expected_candles = EXCLUDED.expected_candles,
        quality_score = EXCLUDED.quality_score, derivation_version = EXCLUDED.derivation_version,
        raw = EXCLUDED.raw
  RETURNING (xmax = 0) INTO v_inserted;
  RETURN jsonb_build_object('success', true, 'inserted', v_inserted);
END
$fn$;
`;
