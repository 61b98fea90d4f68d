/**
 * Phase 9's check of each soft-delete batch, in the batch's transaction after its write and before its commit,
 * while its pages are hot (docs/phases.md, phase 9 "Checked batch by batch"). By the batch's own keys (the ids its
 * statement returned): every row is soft-deleted, recorded for the rollback with its values, and its minute is in
 * data_bars with the same close — or with what the components give now (a revision the fence kept legacy from
 * following), or waived by the approver. And no active legacy row is left between the batch's first and last minute
 * (after its last, for the last batch): a minute the statement passed over because nothing proves it. Any of these
 * fails the batch, which then rolls back whole: nothing of it is committed.
 */
import type { TransactionSql } from 'postgres';
import { textArrayLiteral } from '../../../db/text-array';
import { utcIsoSql } from '../../../db/utc-iso-sql';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../../../market/dxy-sql';

export interface SoftDeleteBatchCheck {
  rows: number;
  sameClose: number;
  /** Not the same close, but data_bars holds what the components give now. */
  revised: number;
  waived: number;
  unproven: number;
  notDeleted: number;
  unrecorded: number;
  /** Active legacy rows the batch passed over (between its first and last minute; after its last for the last). */
  leftActive: number;
  /** A few minutes of each kind of failure, for the error. */
  samples: string[];
  first: string | null;
  last: string | null;
}

/** What a phase run's checkpoint keeps of its batches' checks: totals, the range they covered, the last one. */
export interface SoftDeleteChecks {
  batches: number;
  rows: number;
  sameClose: number;
  revised: number;
  waived: number;
  first: string | null;
  last: string | null;
  /** The phase clock at the first checked batch: the final re-check starts the lateness margin before it. */
  firstAt: string | null;
}

const BATCH_CHECK_SQL = `WITH batch AS (SELECT unnest($1::text::bigint[]) AS id),
judged AS (
  SELECT d.ts_utc,
         (d.deleted_at IS NOT NULL AND d.canonical_symbol = 'DXY' AND d.timeframe = '1m') AS deleted,
         (s.derived_id IS NOT NULL AND s.restored_at IS NULL AND s.ts_utc = d.ts_utc
            AND (s.open, s.high, s.low, s.close) IS NOT DISTINCT FROM (d.open, d.high, d.low, d.close)) AS recorded,
         (n.close IS NOT NULL AND abs(n.close - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close)) AS same_close,
         (d.ts_utc = ANY($3::text::timestamptz[])) AS waived,
         n.close AS new_close
    FROM batch b
    JOIN public.derived_data_bars d ON d.id = b.id
    LEFT JOIN cutover.soft_deleted_rows s ON s.migration_run_id = $2::int AND s.derived_id = b.id
    LEFT JOIN public.data_bars n ON n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc
), proven AS (
  SELECT j.*,
         (NOT j.same_close AND NOT j.waived AND j.new_close IS NOT NULL AND EXISTS (
            SELECT 1 FROM (${componentClosesCte('j.ts_utc', "j.ts_utc + interval '1 minute'")}) c
             WHERE ${componentsCompleteSql('c', { finite: true })}
               AND abs(j.new_close - ${dxyValueSql('c')}) <= ${DXY_CLOSE_TOLERANCE} * abs(j.new_close))) AS revised
    FROM judged j
), totals AS (
  SELECT count(*)::int AS rows,
         count(*) FILTER (WHERE same_close)::int AS same_close,
         count(*) FILTER (WHERE revised)::int AS revised,
         count(*) FILTER (WHERE waived AND NOT same_close AND NOT revised)::int AS waived,
         count(*) FILTER (WHERE NOT (same_close OR revised OR waived))::int AS unproven,
         count(*) FILTER (WHERE NOT deleted)::int AS not_deleted,
         count(*) FILTER (WHERE NOT recorded)::int AS unrecorded,
         (array_agg(${utcIsoSql('ts_utc')} || CASE WHEN NOT (same_close OR revised OR waived)
                                          THEN CASE WHEN new_close IS NULL THEN ' (missing in data_bars)' ELSE ' (close differs)' END
                                          WHEN NOT deleted THEN ' (not soft-deleted)' ELSE ' (not recorded with its values)' END
                    ORDER BY ts_utc) FILTER (WHERE NOT (same_close OR revised OR waived) OR NOT deleted OR NOT recorded))[1:5] AS samples,
         min(ts_utc) AS first, max(ts_utc) AS last
    FROM proven
)
SELECT t.*,
       l.n AS left_active, l.samples AS left_samples
  FROM totals t,
  LATERAL (SELECT count(*)::int AS n, (array_agg(${utcIsoSql('a.ts_utc')} ORDER BY a.ts_utc))[1:5] AS samples
             FROM public.derived_data_bars a
            WHERE a.canonical_symbol = 'DXY' AND a.timeframe = '1m' AND a.deleted_at IS NULL
              AND ($4::boolean OR a.ts_utc >= t.first) AND ($5::boolean OR a.ts_utc <= t.last)) l`;

interface Row {
  rows: number;
  same_close: number;
  revised: number;
  waived: number;
  unproven: number;
  not_deleted: number;
  unrecorded: number;
  samples: string[] | null;
  first: Date | null;
  last: Date | null;
  left_active: number;
  left_samples: string[] | null;
}

/**
 * Checks the batch of `ids` (this migration run's). `last`: the batch took fewer rows than its limit, so no active
 * legacy row may remain after it either; an empty last batch checks that none remains at all.
 */
export async function checkSoftDeleteBatch(
  tx: TransactionSql,
  params: { ids: readonly string[]; migrationRunId: number; waived: readonly string[]; last: boolean },
): Promise<SoftDeleteBatchCheck> {
  const empty = params.ids.length === 0;
  const [row] = await tx.unsafe<Row[]>(BATCH_CHECK_SQL, [
    textArrayLiteral(params.ids),
    params.migrationRunId,
    textArrayLiteral(params.waived),
    // Without rows there is no range: only a last batch checks anything left (all of it).
    empty && params.last,
    params.last,
  ]);
  const left = empty && !params.last ? 0 : (row?.left_active ?? 0);
  return {
    rows: row?.rows ?? 0,
    sameClose: row?.same_close ?? 0,
    revised: row?.revised ?? 0,
    waived: row?.waived ?? 0,
    unproven: row?.unproven ?? 0,
    notDeleted: row?.not_deleted ?? 0,
    unrecorded: row?.unrecorded ?? 0,
    leftActive: left,
    samples: [...(row?.samples ?? []), ...(left > 0 ? (row?.left_samples ?? []).map((m) => `${m} (left active)`) : [])],
    first: row?.first?.toISOString() ?? null,
    last: row?.last?.toISOString() ?? null,
  };
}

/** Why the batch must not commit, or null when it may. Rows left active are minutes nothing proves in data_bars. */
export function softDeleteBatchFailure(check: SoftDeleteBatchCheck, expectedRows: number): string | null {
  const problems = [
    check.rows !== expectedRows ? `${check.rows} of the ${expectedRows} rows it deleted found` : null,
    check.unproven > 0 ? `${check.unproven} not in data_bars with the same close and not waived` : null,
    check.notDeleted > 0 ? `${check.notDeleted} not soft-deleted` : null,
    check.unrecorded > 0 ? `${check.unrecorded} not recorded with their values for the rollback` : null,
    check.leftActive > 0
      ? `${check.leftActive} active legacy minutes passed over (not in data_bars with the same close, not waived)`
      : null,
  ].filter((p): p is string => p !== null);
  return problems.length === 0 ? null : `${problems.join('; ')}: ${check.samples.join(', ')}`;
}

/** The run's totals with this batch added. */
export function addBatchCheck(
  checks: SoftDeleteChecks | undefined,
  check: SoftDeleteBatchCheck,
  at: Date,
): SoftDeleteChecks {
  return {
    batches: (checks?.batches ?? 0) + 1,
    rows: (checks?.rows ?? 0) + check.rows,
    sameClose: (checks?.sameClose ?? 0) + check.sameClose,
    revised: (checks?.revised ?? 0) + check.revised,
    waived: (checks?.waived ?? 0) + check.waived,
    first: checks?.first ?? check.first,
    last: check.last ?? checks?.last ?? null,
    firstAt: checks?.firstAt ?? at.toISOString(),
  };
}
