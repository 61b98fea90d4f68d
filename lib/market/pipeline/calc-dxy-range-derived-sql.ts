/**
 * The legacy DXY writer, calc_dxy_range_derived(p_from_utc, p_to_utc, p_tf DEFAULT '1m',
 * p_derivation_version DEFAULT 1) → jsonb, as production has it: DXY 1m from the component closes
 * into derived_data_bars, including its catch-all EXCEPTION block that turns errors into
 * success:false (defect 2 — the console never copies that pattern and treats success:false as a
 * failure). The plan's text names the third parameter p_timeframe; the workers pass only
 * p_from_utc/p_to_utc by name, so both are called the same way.
 * The migration's calc_dxy_range_1m (lib/runbook/phases/3-function/calc-dxy-range-1m.ts) parallels this body on
 * purpose, declaration for declaration, so the two can be compared side by side.
 */
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../dxy-sql';
import { PINNED_SEARCH_PATH, type PipelineVariant } from './variant';

export function calcDxyRangeDerivedSql(variant: PipelineVariant): string {
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
      is_partial, source, source_timeframe, source_candles, expected_candles, quality_score, derivation_version,
      ingested_at, raw)
    SELECT 'DXY', '1m', c.ts_utc, v.dxy, v.dxy, v.dxy, v.dxy, 0, NULL, 0,
      false, 'dxy', '1m', 6, 6, 2, p_derivation_version,
      now(), jsonb_build_object('kind', 'dxy', 'version', p_derivation_version)
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
