/**
 * Phase 9's re-check of what changed since its batches checked it (docs/phases.md, phase 9 "Checked batch by batch").
 * After a batch commits, only the live writer changes DXY in data_bars, and only over the minutes it can still reach:
 * new minutes and revisions, which land at most the lateness margin late. So the verification re-proves the soft-deleted
 * minutes from that margin before the first batch on — each still in data_bars with its recorded close, or with what
 * the components give now, or waived — and not the history the batches proved.
 */
import type { Sql } from 'postgres';
import { textArrayLiteral } from '../../../db/text-array';
import { utcIsoSql } from '../../../db/utc-iso-sql';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../../../market/dxy-sql';
import type { Check } from '../../engine/verification';
import { LATE_LEGACY_MARGIN_MS } from '../shared/copy-legacy';

export interface ChangedSince {
  from: Date | null;
  rechecked: number;
  lost: number;
  samples: string[];
}

// Driven by the index of soft-deleted rows from `from` on; the record by its key; data_bars by the minute.
const RECHECK_SQL = `WITH judged AS (
  SELECT d.ts_utc, coalesce(s.close, d.close) AS close, n.close AS new_close
    FROM public.derived_data_bars d
    JOIN cutover.soft_deleted_rows s ON s.migration_run_id = $1::int AND s.derived_id = d.id AND s.restored_at IS NULL
    LEFT JOIN public.data_bars n ON n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc
   WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NOT NULL AND d.ts_utc >= $2::timestamptz
), lost AS (
  SELECT j.ts_utc, j.new_close FROM judged j
   WHERE NOT (j.new_close IS NOT NULL AND abs(j.new_close - j.close) <= ${DXY_CLOSE_TOLERANCE} * abs(j.close))
     AND NOT j.ts_utc = ANY($3::text::timestamptz[])
     AND NOT (j.new_close IS NOT NULL AND EXISTS (
           SELECT 1 FROM (${componentClosesCte('j.ts_utc', "j.ts_utc + interval '1 minute'")}) c
            WHERE ${componentsCompleteSql('c', { finite: true })}
              AND abs(j.new_close - ${dxyValueSql('c')}) <= ${DXY_CLOSE_TOLERANCE} * abs(j.new_close)))
)
SELECT (SELECT count(*) FROM judged) AS rechecked, count(*) AS lost,
       (array_agg(${utcIsoSql('ts_utc')} || CASE WHEN new_close IS NULL THEN ' (missing in data_bars)' ELSE ' (close differs)' END
                  ORDER BY ts_utc))[1:5] AS samples
  FROM lost`;

export async function recheckSinceBatches(
  sql: Sql,
  params: { migrationRunId: number; from: Date | null; waived: readonly string[] },
): Promise<ChangedSince> {
  if (!params.from) return { from: null, rechecked: 0, lost: 0, samples: [] };
  const from = new Date(params.from.getTime() - LATE_LEGACY_MARGIN_MS);
  const [row] = await sql.unsafe<{ rechecked: number; lost: number; samples: string[] | null }[]>(RECHECK_SQL, [
    params.migrationRunId,
    from,
    textArrayLiteral(params.waived),
  ]);
  return { from, rechecked: Number(row?.rechecked ?? 0), lost: Number(row?.lost ?? 0), samples: row?.samples ?? [] };
}

export function changedSinceCheck(changed: ChangedSince): Check {
  return {
    name: 'Soft-deleted minutes the live writer can still reach: still in data_bars with the same close',
    passed: changed.lost === 0,
    detail:
      changed.from === null
        ? 'no batch checked in this migration run'
        : `${changed.rechecked} soft-deleted minutes from ${changed.from.toISOString()} (the lateness margin before the first ` +
          `batch) re-checked: ${changed.lost === 0 ? 'none lost' : `${changed.lost} no longer in data_bars with their close (${changed.samples.join(', ')})`}`,
    evidence: { from: changed.from?.toISOString() ?? null, rechecked: changed.rechecked, lost: changed.lost },
  };
}
