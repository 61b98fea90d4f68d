/**
 * Phase 9's writes and counts: the previewed soft-delete batch (each row recorded for the rollback), and the
 * active legacy rows and recorded soft-deletes it counts.
 */
import type { Sql } from 'postgres';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../../../market/dxy-sql';
import { type PlannedStatement, planned } from '../../engine/statements';

export async function activeLegacyCount(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
  return row?.n ?? 0;
}

export async function recordedSoftDeletes(sql: Sql, migrationRunId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from cutover.soft_deleted_rows where migration_run_id = ${migrationRunId} and restored_at is null`;
  return row?.n ?? 0;
}

/**
 * One soft-delete batch: only minutes proven in data_bars with the same close (or waived), each
 * recorded so a rollback restores exactly them. A legacy row that appeared after the final proof
 * without reaching data_bars stays active, and the verification names it. A provider revision after
 * the fence went up changes data_bars (the new writer re-derives it) but not legacy (fenced): such a
 * minute counts as proven when data_bars holds exactly what the components give now. The record
 * keeps the row's values (the rollback's restore checks them) and the statement returns the ids, so
 * the batch's own check (soft-delete-batch-check.ts) proves exactly these rows before the commit.
 */
export const SOFT_DELETE_BATCH_SQL = `WITH target AS (
  SELECT d.id, d.ts_utc FROM public.derived_data_bars d
   WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL
     AND (EXISTS (SELECT 1 FROM public.data_bars n WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m'
                   AND n.ts_utc = d.ts_utc AND abs(n.close - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close))
          OR d.ts_utc = ANY($1::timestamptz[])
          OR EXISTS (SELECT 1 FROM public.data_bars n,
                            LATERAL (${componentClosesCte('d.ts_utc', "d.ts_utc + interval '1 minute'")}) c
                      WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc
                        AND ${componentsCompleteSql('c', { finite: true })}
                        AND abs(n.close - ${dxyValueSql('c')}) <= ${DXY_CLOSE_TOLERANCE} * abs(n.close)))
   ORDER BY d.ts_utc LIMIT $2
), deleted AS (
  UPDATE public.derived_data_bars d SET deleted_at = $3 FROM target t WHERE d.id = t.id
  RETURNING d.id, d.ts_utc, d.open, d.high, d.low, d.close
)
INSERT INTO cutover.soft_deleted_rows (migration_run_id, derived_id, ts_utc, open, high, low, close)
SELECT $4, id, ts_utc, open, high, low, close FROM deleted
RETURNING derived_id::text AS derived_id`;

export function softDeleteStatements(batchRows: number, migrationRunId: number | null): PlannedStatement[] {
  return [
    planned('soft-deleting', SOFT_DELETE_BATCH_SQL, [
      'the minutes the approver waived (none unless the final proof listed differences)',
      `${batchRows} (rows per batch)`,
      'the clock at the batch',
      migrationRunId === null ? 'the migration run' : `${migrationRunId} (the migration run)`,
    ]),
  ];
}
