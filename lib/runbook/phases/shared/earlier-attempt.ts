/**
 * DXY rows already in data_bars before phase 4 — production holds some from an earlier, aborted
 * attempt at this migration (`source 'migrated_from_derived'`, `raw` without `kind`; docs/domain.md).
 * The copy never overwrites, so left alone they would stay non-synthetic forever and pass a
 * close-only check. Phase 1 reports them by source and against legacy; phase 2's report lists the
 * rows not in the final form; its fix normalizes them in batches (each committing with its
 * checkpoint), keeping what they were under `raw.normalized_from` and taking the legacy close where
 * it differs. The phase 1 backup holds them as they were, for the rollback.
 */
import type { SqlOrTx } from '../../../db/connection';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';

export const NORMALIZE_BATCH_ROWS = 20_000;

/** A DXY row is in its final form when written by (or as by) calc_dxy_range_1m. */
export const NOT_FINAL_FORM_SQL = `(n.source IS DISTINCT FROM 'synthetic' OR n.raw->>'kind' IS DISTINCT FROM 'dxy')`;

const LEGACY_JOIN_SQL = `LEFT JOIN public.derived_data_bars d
    ON d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.ts_utc = n.ts_utc AND d.deleted_at IS NULL`;

const CLOSE_DIFFERS_SQL = `abs(n.close - d.close) > ${DXY_CLOSE_TOLERANCE} * abs(d.close)`;

export interface ExistingDxyGroup {
  source: string;
  timeframe: string;
  rows: number;
  sameClose: number;
  differentClose: number;
  noLegacyRow: number;
  notFinalForm: number;
  first: Date | null;
  last: Date | null;
}

/** DXY rows in data_bars by source and timeframe, compared with the active legacy row of the same minute. */
export async function readExistingDxyRows(sql: SqlOrTx): Promise<ExistingDxyGroup[]> {
  return sql.unsafe<ExistingDxyGroup[]>(
    `SELECT n.source, n.timeframe, count(*) AS rows,
            count(*) FILTER (WHERE d.id IS NOT NULL AND NOT (${CLOSE_DIFFERS_SQL})) AS "sameClose",
            count(*) FILTER (WHERE d.id IS NOT NULL AND ${CLOSE_DIFFERS_SQL}) AS "differentClose",
            count(*) FILTER (WHERE d.id IS NULL) AS "noLegacyRow",
            count(*) FILTER (WHERE ${NOT_FINAL_FORM_SQL}) AS "notFinalForm",
            min(n.ts_utc) AS first, max(n.ts_utc) AS last
       FROM public.data_bars n ${LEGACY_JOIN_SQL}
      WHERE n.canonical_symbol = 'DXY'
      GROUP BY 1, 2 ORDER BY 1, 2`,
  );
}

export function describeExistingDxyRows(groups: ExistingDxyGroup[]): string {
  if (groups.length === 0) return 'none: data_bars holds no DXY row';
  return groups
    .map(
      (g) =>
        `${g.rows} ${g.timeframe} rows with source '${g.source}' (${g.sameClose} same close as legacy, ` +
        `${g.differentClose} different close, ${g.noLegacyRow} without a legacy row${g.notFinalForm > 0 ? `; ${g.notFinalForm} not in the final form` : ''})`,
    )
    .join('; ');
}

export interface NormalizationPreview {
  rows: number;
  takesLegacyClose: number;
  withoutLegacyRow: number;
  bySource: Record<string, number>;
  samples: { id: number; ts_utc: string; source: string; close: number; legacy_close: number | null }[];
}

/** Exactly what the normalization changes, counted and sampled from the rows as they are now. */
export async function previewNormalization(sql: SqlOrTx): Promise<NormalizationPreview> {
  const [totals] = await sql.unsafe<
    { rows: number; takes: number; without: number; by_source: Record<string, number> | null }[]
  >(
    `SELECT count(*) AS rows,
            count(*) FILTER (WHERE d.id IS NOT NULL AND ${CLOSE_DIFFERS_SQL}) AS takes,
            count(*) FILTER (WHERE d.id IS NULL) AS without,
            (SELECT jsonb_object_agg(source, n) FROM (
               SELECT n.source, count(*) AS n FROM public.data_bars n
                WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND ${NOT_FINAL_FORM_SQL} GROUP BY 1) s) AS by_source
       FROM public.data_bars n ${LEGACY_JOIN_SQL}
      WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND ${NOT_FINAL_FORM_SQL}`,
  );
  const samples = await sql.unsafe<NormalizationPreview['samples']>(
    `SELECT n.id, n.ts_utc::text AS ts_utc, n.source, n.close, d.close AS legacy_close
       FROM public.data_bars n ${LEGACY_JOIN_SQL}
      WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND ${NOT_FINAL_FORM_SQL}
      ORDER BY (d.id IS NOT NULL AND ${CLOSE_DIFFERS_SQL}) DESC, n.id LIMIT 10`,
  );
  return {
    rows: totals?.rows ?? 0,
    takesLegacyClose: totals?.takes ?? 0,
    withoutLegacyRow: totals?.without ?? 0,
    bySource: totals?.by_source ?? {},
    samples,
  };
}

/**
 * One batch of the normalization (the lowest ids first): source 'synthetic', raw {kind 'dxy',
 * version, normalized_from: the old source, raw and close}, and the legacy row's OHLC where its
 * close differs. Rows without a legacy row keep their values.
 */
export function normalizeEarlierAttemptSql(options: { setsUpdatedAt: boolean; batchRows?: number }): string {
  const batch = options.batchRows ?? NORMALIZE_BATCH_ROWS;
  return `WITH target AS (
  SELECT n.id, d.open AS l_open, d.high AS l_high, d.low AS l_low, d.close AS l_close, d.derivation_version AS l_version,
         (d.id IS NOT NULL AND ${CLOSE_DIFFERS_SQL}) AS take_legacy
    FROM public.data_bars n ${LEGACY_JOIN_SQL}
   WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND ${NOT_FINAL_FORM_SQL}
   ORDER BY n.id LIMIT ${batch})
UPDATE public.data_bars n
   SET source = 'synthetic',
       open = CASE WHEN t.take_legacy THEN t.l_open ELSE n.open END,
       high = CASE WHEN t.take_legacy THEN t.l_high ELSE n.high END,
       low = CASE WHEN t.take_legacy THEN t.l_low ELSE n.low END,
       close = CASE WHEN t.take_legacy THEN t.l_close ELSE n.close END,
       raw = jsonb_build_object('kind', 'dxy', 'version', coalesce(t.l_version, 1),
               'normalized_from', jsonb_build_object('source', n.source, 'raw', n.raw, 'close', n.close))${
                 options.setsUpdatedAt ? ',\n       updated_at = now()' : ''
               }
  FROM target t
 WHERE n.id = t.id`;
}
