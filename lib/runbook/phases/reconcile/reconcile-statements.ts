/**
 * What Reconcile reads and writes over a range [from, to) of DXY 1m minutes (docs/phases.md
 * "Reconcile"). Legacy (the active rows of derived_data_bars) is the reference, as it is for the
 * compare page and phase 9's final proof:
 * - a legacy minute with no data_bars row is copied (the bridge's copy, tagged with the run);
 * - a data_bars row whose close differs from legacy beyond DXY_CLOSE_TOLERANCE is overwritten with
 *   legacy's values — only when its source is 'synthetic' (the new writer's, the copy's, the
 *   bridge's): a row under any other source belongs to a writer the migration does not own and is
 *   reported, never changed. The overwritten close is kept in the row's raw (`close_before`), and
 *   the row is tagged as the copy's (`copied_from`, ../copy-ownership.ts): it now holds legacy's
 *   values, so the copy keeps it equal to legacy's later revisions as it does its own rows.
 * Overwriting is chosen over regenerating with calc_dxy_range_1m: a regenerated value equals legacy
 * only when the components are unchanged since legacy derived it, and cannot exist where a
 * component was lost; a copy makes data_bars equal legacy by value, which is what is checked.
 */
import type { SqlOrTx } from '../../../db/connection';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';

/** Holds legacy writers off while Reconcile compares and writes, so legacy cannot move under it (the rollback's lock). */
export { LOCK_LEGACY_SQL as RECONCILE_LOCK_SQL } from '../rollback/rollback-statements';

export const RECONCILE_COPY_MISSING_SQL = `INSERT INTO public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                              vol, vwap, trade_count, is_partial, source, ingested_at, raw)
SELECT 'DXY', NULL, '1m', d.ts_utc, d.open, d.high, d.low, d.close, coalesce(d.vol, 0), d.vwap, d.trade_count, false,
       'synthetic', d.ingested_at,
       jsonb_build_object('kind', 'dxy', 'version', d.derivation_version, 'copied_from', 'derived_data_bars',
                          'reconciled_by_run', $3::bigint)
  FROM public.derived_data_bars d
 WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc >= $1 AND d.ts_utc < $2
   AND NOT EXISTS (SELECT 1 FROM public.data_bars n
                    WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc)
ON CONFLICT (canonical_symbol, timeframe, ts_utc) DO NOTHING`;

export const RECONCILE_OVERWRITE_SQL = `UPDATE public.data_bars n
   SET open = d.open, high = d.high, low = d.low, close = d.close, vol = coalesce(d.vol, 0), vwap = d.vwap,
       trade_count = d.trade_count,
       raw = n.raw || jsonb_build_object('version', d.derivation_version, 'copied_from', 'derived_data_bars',
                                         'reconciled_by_run', $3::bigint, 'close_before', n.close)
  FROM public.derived_data_bars d
 WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc >= $1 AND n.ts_utc < $2 AND n.source = 'synthetic'
   AND d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc = n.ts_utc
   AND (n.close IS NULL OR NOT abs(n.close - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close))`;

/** What each $n of the two writes is. */
export const RECONCILE_PARAMETERS = [
  'the range’s first minute (from)',
  'the range’s end (to, exclusive)',
  'the run’s id (kept in raw.reconciled_by_run)',
] as const;

export interface ReconcileCounts {
  /** Active legacy minutes in the range. */
  legacy: number;
  /** DXY 1m rows of data_bars in the range. */
  dataBars: number;
  /** Legacy minutes with no data_bars row: copied. */
  missing: number;
  /** 'synthetic' rows whose close differs from legacy: overwritten. */
  differing: number;
  /** Rows of another source whose close differs: another writer's, reported and not changed. */
  otherWriter: number;
  /** data_bars minutes with no legacy row at all (none soft-deleted either): nothing to copy from. */
  noLegacy: number;
}

type ReconcileSampleKind = 'missing in data_bars' | 'close differs' | 'another writer’s row' | 'no legacy row';

export interface ReconcileSample {
  tsUtc: Date;
  kind: ReconcileSampleKind;
  legacyClose: number | null;
  newClose: number | null;
  source: string | null;
}

/** The minutes of the range on both sides, joined by minute (data rows and active legacy rows are unique per minute). */
const JOINED = `(SELECT ts_utc, close, source FROM public.data_bars
          WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND ts_utc >= $1 AND ts_utc < $2) n
  FULL JOIN (SELECT ts_utc, close FROM public.derived_data_bars
              WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL AND ts_utc >= $1 AND ts_utc < $2) o
         ON o.ts_utc = n.ts_utc`;

const KIND = `CASE WHEN n.ts_utc IS NULL THEN 'missing in data_bars'
            WHEN o.ts_utc IS NULL THEN 'no legacy row'
            WHEN n.source = 'synthetic' THEN 'close differs'
            ELSE 'another writer’s row' END`;

// A null (or NaN) close differs too: "not within the tolerance", never "beyond it" (null would drop the row).
const DIFFERS = `(o.ts_utc IS NOT NULL AND (n.close IS NULL OR NOT abs(n.close - o.close) <= ${DXY_CLOSE_TOLERANCE} * abs(o.close)))`;

// A data_bars minute whose legacy row was soft-deleted (phase 9) is not "no legacy row": the compare page's rule.
const NO_LEGACY = `o.ts_utc IS NULL AND NOT EXISTS (
  SELECT 1 FROM public.derived_data_bars s WHERE s.canonical_symbol = 'DXY' AND s.timeframe = '1m'
     AND s.ts_utc = n.ts_utc AND s.deleted_at IS NOT NULL)`;

export async function countReconcile(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<ReconcileCounts> {
  const [row] = await sql.unsafe<ReconcileCounts[]>(
    `SELECT count(o.ts_utc)::int AS legacy,
            count(n.ts_utc)::int AS "dataBars",
            count(*) FILTER (WHERE n.ts_utc IS NULL)::int AS missing,
            count(*) FILTER (WHERE n.source = 'synthetic' AND ${DIFFERS})::int AS differing,
            count(*) FILTER (WHERE n.source <> 'synthetic' AND ${DIFFERS})::int AS "otherWriter",
            count(*) FILTER (WHERE ${NO_LEGACY})::int AS "noLegacy"
       FROM ${JOINED}`,
    [range.from, range.to],
  );
  return row ?? { legacy: 0, dataBars: 0, missing: 0, differing: 0, otherWriter: 0, noLegacy: 0 };
}

/** The first `perKind` minutes of each kind, with both closes. */
export async function sampleReconcile(
  sql: SqlOrTx,
  params: { from: Date; to: Date; perKind: number },
): Promise<ReconcileSample[]> {
  return sql.unsafe<ReconcileSample[]>(
    `SELECT "tsUtc", kind, "legacyClose", "newClose", source FROM (
       SELECT coalesce(n.ts_utc, o.ts_utc) AS "tsUtc", ${KIND} AS kind, o.close AS "legacyClose", n.close AS "newClose",
              n.source, row_number() OVER (PARTITION BY ${KIND} ORDER BY coalesce(n.ts_utc, o.ts_utc)) AS k
         FROM ${JOINED}
        WHERE n.ts_utc IS NULL OR ${DIFFERS} OR (${NO_LEGACY})) s
      WHERE k <= $3
      ORDER BY "tsUtc"`,
    [params.from, params.to, params.perKind],
  );
}

/** Rows Reconcile writes: the missing minutes copied and the differing synthetic rows overwritten. */
export function rowsToWrite(counts: ReconcileCounts): number {
  return counts.missing + counts.differing;
}

/** What it leaves as it is: another writer's differing rows, and data_bars minutes with nothing in legacy. */
export function unfixable(counts: ReconcileCounts): number {
  return counts.otherWriter + counts.noLegacy;
}
