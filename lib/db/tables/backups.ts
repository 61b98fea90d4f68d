/**
 * cutover.backups: phase 1's record of its in-database backup (what was copied where, counts,
 * checksums, definitions). Taking and restoring the backup lives in lib/runbook (backup.ts, the
 * phases).
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { backups } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type Backup = typeof backups.$inferSelect;

/**
 * Records a backup just taken. The documents are the runbook's own types (lib/runbook/phases/shared/backup.ts),
 * stored as the JSON they serialise to. Run it in the transaction that copied the tables, so the
 * row and the copies commit together.
 */
export async function insertBackup(
  sql: SqlOrTx,
  params: {
    migrationRunId: number;
    phaseRunId: number;
    tables: readonly object[];
    functions: readonly object[];
    constraints: readonly object[];
    registryRow: object | null;
    aggState: readonly object[];
    verified: boolean;
  },
): Promise<Backup | null> {
  const [row] = await sql`
    insert into cutover.backups (migration_run_id, phase_run_id, tables, functions, constraints, registry_row, agg_state, verified)
    values (${params.migrationRunId}, ${params.phaseRunId}, ${sql.json(toJsonValue(params.tables))}, ${sql.json(toJsonValue(params.functions))},
            ${sql.json(toJsonValue(params.constraints))}, ${params.registryRow ? sql.json(toJsonValue(params.registryRow)) : null},
            ${sql.json(toJsonValue(params.aggState))}, ${params.verified})
    returning ${columnsOf(sql, backups)}`;
  return row ? rowOf(backups, row) : null;
}

/** Where the backup's pg_dump file went, or why there is none. */
export async function setBackupDump(
  sql: SqlOrTx,
  params: { id: number; dumpFile: string | null; dumpNote: string | null },
): Promise<void> {
  await sql`update cutover.backups set dump_file = ${params.dumpFile}, dump_note = ${params.dumpNote} where id = ${params.id}`;
}

/** Whether the backup was proven restorable (phase 1 restores it into a scratch schema after writing it). */
export async function setBackupVerified(sql: SqlOrTx, params: { id: number; verified: boolean }): Promise<void> {
  await sql`update cutover.backups set verified = ${params.verified} where id = ${params.id}`;
}

/** The latest backup of a migration run, if any. */
export async function latestBackup(sql: SqlOrTx, params: { migrationRunId: number }): Promise<Backup | null> {
  const [row] = await sql`
    select ${columnsOf(sql, backups)} from cutover.backups
     where migration_run_id = ${params.migrationRunId} order by id desc limit 1`;
  return row ? rowOf(backups, row) : null;
}
