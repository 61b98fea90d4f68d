/**
 * The rollback's proof that its restore batches, each checked by key and value before its commit
 * (restore-batch-check.ts), cover every row this migration run soft-deleted, and what changed since: by counts the
 * indexes answer (the records by their key; every attempt's checkpoint), not by reading the history again —
 * - every record marked restored (none left), and the rows the batches checked are exactly the records;
 * - restored rows soft-deleted again since their batch without an active row for their key: read from the soft-deleted
 *   DXY 1m rows that remain (their partial index; few once the restore ran — the skipped ones and those deleted before
 *   the migration). A restored row's values changing since is not a loss: the legacy writer owns it again and revises.
 */
import type { Sql } from 'postgres';
import { utcIsoSql } from '../../../db/utc-iso-sql';
import type { RestoreChecks } from './restore-batch-check';

export interface RestoreCoverage {
  records: number;
  unrestored: number;
  batches: number;
  checkedRows: number;
  redeleted: number;
  samples: string[];
}

export async function readRestoreCoverage(sql: Sql, params: { migrationRunId: number }): Promise<RestoreCoverage> {
  const attempts = await sql<{ checked: RestoreChecks | null }[]>`
    select checkpoint->'restoreChecked' as checked from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} and phase = 'rollback' and clock_started_at is not null`;
  const checks = attempts.flatMap((a) => (a.checked ? [a.checked] : []));
  const [counts] = await sql<{ records: number; unrestored: number }[]>`
    select count(*) as records, count(*) filter (where restored_at is null) as unrestored
      from cutover.soft_deleted_rows where migration_run_id = ${params.migrationRunId}`;
  const [again] = await sql<{ n: number; samples: string[] | null }[]>`
    select count(*) as n, (array_agg(${sql.unsafe(utcIsoSql('d.ts_utc'))} || ' (id ' || d.id::text || ')' order by d.ts_utc))[1:5] as samples
      from public.derived_data_bars d
      join cutover.soft_deleted_rows s on s.migration_run_id = ${params.migrationRunId} and s.derived_id = d.id
     where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is not null
       and not exists (select 1 from public.derived_data_bars a where a.canonical_symbol = 'DXY' and a.timeframe = '1m'
                         and a.ts_utc = d.ts_utc and a.deleted_at is null)`;
  return {
    records: Number(counts?.records ?? 0),
    unrestored: Number(counts?.unrestored ?? 0),
    batches: checks.reduce((sum, c) => sum + c.batches, 0),
    checkedRows: checks.reduce((sum, c) => sum + c.rows, 0),
    redeleted: Number(again?.n ?? 0),
    samples: again?.samples ?? [],
  };
}
