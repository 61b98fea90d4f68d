/**
 * The new path's function (docs/domain.md "DXY"; phase 3): DXY 1m from the component closes, upserted
 * into data_bars with source 'synthetic'. Unlike the legacy function it has no catch-all
 * exception block (defect 2): every error reaches the caller (the one handler catches only the
 * unique_violation of a concurrent writer, and redoes the range as an upsert). It never overwrites a row that is
 * not its own (source <> 'synthetic'). SECURITY DEFINER with a pinned search_path; EXECUTE is
 * revoked from PUBLIC (defect 11) and granted by the phase to the configured worker role.
 */
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../../../market/dxy-sql';

/** A close that is missing, ≤ 0, NaN or ±Infinity makes its minute a skipped (counted) one. */
const FINITE = { finite: true } as const;

export const CALC_DXY_RANGE_1M_SIGNATURE = 'public.calc_dxy_range_1m(timestamptz, timestamptz, integer)';

/**
 * The function text. Its body deliberately parallels the legacy calc_dxy_range_derived
 * (lib/market/pipeline/calc-dxy-range-derived-sql.ts) — the same declarations, component CTE and
 * counts — so the two read side by side; they differ where the migration means them to: the table,
 * the source, finite closes, and no catch-all. The DXY arithmetic itself is shared (dxy-sql.ts).
 */
export function calcDxyRange1mSql(options: { setsUpdatedAt: boolean }): string {
  const touch = options.setsUpdatedAt ? ',\n          updated_at = now()' : '';
  const componentsCte = `comp AS MATERIALIZED (
        ${componentClosesCte('p_from_utc', 'p_to_utc')}
      )`;
  const skippedSql = `(SELECT count(*) FROM comp c WHERE NOT coalesce(${componentsCompleteSql('c', FINITE)}, false))`;
  const insertSql = `INSERT INTO public.data_bars AS d (
      canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
      is_partial, source, ingested_at, raw)
    SELECT 'DXY', NULL, '1m', c.ts_utc, v.dxy, v.dxy, v.dxy, v.dxy, 0, NULL, 0,
           false, 'synthetic', now(), jsonb_build_object('kind', 'dxy', 'version', p_derivation_version)
      FROM comp c CROSS JOIN LATERAL (SELECT ${dxyValueSql('c')} AS dxy) v
     WHERE ${componentsCompleteSql('c', FINITE)}`;
  return `
CREATE OR REPLACE FUNCTION public.calc_dxy_range_1m(
  p_from_utc timestamptz,
  p_to_utc timestamptz,
  p_derivation_version integer DEFAULT 1
) RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $fn$
DECLARE
  v_inserted integer := 0;
  v_updated integer := 0;
  v_skipped integer := 0;
BEGIN
  IF p_from_utc IS NULL OR p_to_utc IS NULL OR p_from_utc >= p_to_utc THEN
    RAISE EXCEPTION 'calc_dxy_range_1m: invalid range [%, %)', p_from_utc, p_to_utc
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- A range with no DXY minute yet (a first fill, the workers' newest minute) is inserted without
  -- ON CONFLICT, whose per-row arbiter probe cost ≈ 20 % on two years (npm run bench). If a
  -- concurrent writer adds a minute of the range meanwhile, the unique index raises
  -- unique_violation, this block's inserts roll back, and the range takes the upsert below.
  IF NOT EXISTS (SELECT 1 FROM public.data_bars
                  WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND ts_utc >= p_from_utc AND ts_utc < p_to_utc) THEN
    BEGIN
      WITH ${componentsCte}, inserted AS (
        ${insertSql}
        RETURNING 1
      )
      SELECT count(*), ${skippedSql}
        INTO v_inserted, v_skipped
        FROM inserted;
      RETURN jsonb_build_object('success', true, 'inserted', v_inserted, 'updated', 0,
                                'skipped', v_skipped, 'version', p_derivation_version);
    EXCEPTION WHEN unique_violation THEN
      v_inserted := 0;
      v_skipped := 0;
    END;
  END IF;
  WITH ${componentsCte}, upserted AS (
    ${insertSql}
    ON CONFLICT (canonical_symbol, timeframe, ts_utc) DO UPDATE
      SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
          raw = EXCLUDED.raw${touch}
      WHERE d.source = 'synthetic'
        AND (d.close IS DISTINCT FROM EXCLUDED.close OR d.raw IS DISTINCT FROM EXCLUDED.raw)
    RETURNING (xmax = 0) AS is_insert
  )
  SELECT count(*) FILTER (WHERE is_insert), count(*) FILTER (WHERE NOT is_insert), ${skippedSql}
    INTO v_inserted, v_updated, v_skipped
    FROM upserted;
  RETURN jsonb_build_object('success', true, 'inserted', v_inserted, 'updated', v_updated,
                            'skipped', v_skipped, 'version', p_derivation_version);
END
$fn$;
REVOKE ALL ON FUNCTION ${CALC_DXY_RANGE_1M_SIGNATURE} FROM PUBLIC;
`;
}
