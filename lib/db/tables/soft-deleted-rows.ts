/**
 * cutover.soft_deleted_rows: exactly the legacy rows a migration run soft-deleted, so a rollback
 * restores exactly them. The deleting and restoring statements (which change the pipeline's rows
 * in the same statement) live with phase 9 and the rollback in lib/runbook/phases/.
 */
import type { SqlOrTx } from '../connection';

/** How many rows the run soft-deleted, and how many of them a rollback restored. */
export async function countSoftDeletedRows(
  sql: SqlOrTx,
  params: { migrationRunId: number },
): Promise<{ softDeleted: number; restored: number }> {
  const [row] = await sql<{ softDeleted: number; restored: number }[]>`
    select count(*)::int as "softDeleted", count(restored_at)::int as restored
      from cutover.soft_deleted_rows where migration_run_id = ${params.migrationRunId}`;
  return row ?? { softDeleted: 0, restored: 0 };
}
