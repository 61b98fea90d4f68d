/**
 * cutover.backups: phase 1's record of its in-database backup (what was copied where, counts,
 * checksums, definitions). Taking and restoring the backup lives in lib/runbook (backup.ts, the
 * phases).
 */
import type { SqlOrTx } from '../connection';
import { backups } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type Backup = typeof backups.$inferSelect;

/** The latest backup of a migration run, if any. */
export async function latestBackup(sql: SqlOrTx, params: { migrationRunId: number }): Promise<Backup | null> {
  const [row] = await sql`
    select ${columnsOf(sql, backups)} from cutover.backups
     where migration_run_id = ${params.migrationRunId} order by id desc limit 1`;
  return row ? rowOf(backups, row) : null;
}
