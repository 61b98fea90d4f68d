/**
 * Phase 9's coverage proof, part of its verification (docs/phases.md, phase 9 "Checked batch by batch"). Each batch
 * proved its own rows by key and value before it committed (soft-delete-batch-check.ts), so the verification does not
 * read the history again: it proves, by counts the indexes answer, that those batches cover every soft-delete of this
 * migration run —
 * - the rows the batches checked (every attempt's checkpoint) are exactly the rows recorded for the rollback;
 * - the soft-deleted DXY 1m rows now are those soft-deleted before the backup plus those recorded: none soft-deleted
 *   without a record (a writer around the fence, a hand UPDATE), none recorded but active again.
 * That nothing active is left before the first batch or after the last is the verification's first check.
 */
import type { Sql } from 'postgres';
import type { Check } from '../../engine/verification';
import { backupTableName } from '../shared/backup';
import type { SoftDeleteChecks } from './soft-delete-batch-check';

export interface SoftDeleteCoverage {
  attempts: number;
  batches: number;
  checkedRows: number;
  recorded: number;
  deletedNow: number;
  deletedAtBackup: number;
  /** The phase clock at the first checked batch of any attempt (null when none ran). */
  firstBatchAt: Date | null;
  first: string | null;
  last: string | null;
}

export async function readSoftDeleteCoverage(
  sql: Sql,
  params: { migrationRunId: number },
): Promise<SoftDeleteCoverage> {
  const attempts = await sql<{ checked: SoftDeleteChecks | null }[]>`
    select checkpoint->'checked' as checked from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} and phase = '9' and clock_started_at is not null`;
  const checks = attempts.flatMap((a) => (a.checked ? [a.checked] : []));
  const backupCopy = `cutover.${backupTableName(params.migrationRunId, 'derived_data_bars')}`;
  const [counts] = await sql.unsafe<{ recorded: number; deleted_now: number; deleted_at_backup: number }[]>(
    `SELECT (SELECT count(*) FROM cutover.soft_deleted_rows WHERE migration_run_id = $1 AND restored_at IS NULL) AS recorded,
            (SELECT count(*) FROM public.derived_data_bars
              WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NOT NULL) AS deleted_now,
            (SELECT count(*) FROM ${backupCopy} WHERE timeframe = '1m' AND deleted_at IS NOT NULL) AS deleted_at_backup`,
    [params.migrationRunId],
  );
  const times = checks.flatMap((c) => (c.firstAt ? [Date.parse(c.firstAt)] : []));
  const firsts = checks.flatMap((c) => (c.first ? [c.first] : [])).sort();
  const lasts = checks.flatMap((c) => (c.last ? [c.last] : [])).sort();
  return {
    attempts: attempts.length,
    batches: checks.reduce((sum, c) => sum + c.batches, 0),
    checkedRows: checks.reduce((sum, c) => sum + c.rows, 0),
    recorded: Number(counts?.recorded ?? 0),
    deletedNow: Number(counts?.deleted_now ?? 0),
    deletedAtBackup: Number(counts?.deleted_at_backup ?? 0),
    firstBatchAt: times.length > 0 ? new Date(Math.min(...times)) : null,
    first: firsts[0] ?? null,
    last: lasts.at(-1) ?? null,
  };
}

export function coverageCheck(coverage: SoftDeleteCoverage, byThisAttempt: number): Check {
  const unrecorded = coverage.deletedNow - coverage.deletedAtBackup - coverage.recorded;
  return {
    name: 'Every soft-deleted row recorded for the rollback and checked by its batch (all attempts of this migration run)',
    passed: coverage.recorded > 0 && coverage.checkedRows === coverage.recorded && unrecorded === 0,
    detail:
      `${coverage.recorded} rows recorded over ${coverage.attempts} attempts (${byThisAttempt} by this one); ` +
      `${coverage.checkedRows} checked by key and value in ${coverage.batches} batches before their commits ` +
      `(${coverage.first ?? '—'} to ${coverage.last ?? '—'}); ${coverage.deletedNow} legacy DXY 1m rows soft-deleted now, ` +
      `${coverage.deletedAtBackup} before the backup: ` +
      (unrecorded === 0
        ? 'none without a record, none recorded but active'
        : unrecorded > 0
          ? `${unrecorded} soft-deleted without a record`
          : `${-unrecorded} recorded but no longer soft-deleted`),
    evidence: { ...coverage, firstBatchAt: coverage.firstBatchAt?.toISOString() ?? null },
  };
}
