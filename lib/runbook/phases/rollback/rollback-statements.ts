/**
 * Every statement the rollback writes with, built once for its preview and its run
 * (docs/phases.md "Statements and stages"). The function restore depends on what the database
 * holds now (which overloads exist, which owner and grants differ), so its statements are found by
 * running the restore itself in a transaction that is rolled back and recording each text: the
 * preview shows exactly what the run will execute against the database as it is.
 */
import type { SqlOrTx } from '../../../db/connection';
import { type PlannedStatement, planned, rehearseStatements } from '../../engine/statements';
import { backupTableName, type StoredBackup } from '../shared/backup';
import { backfillLegacyRangeSql, rederiveLegacyMinutesSql } from '../shared/copy-legacy';
import { planFenceRemoval } from '../shared/legacy-fence';
import { backedUpColumns, restoreFunctions } from './restore-from-backup';

export type RollbackDataChoice = 'keep' | 'delete';

/** Rows a restore batch handles; rows a delete batch removes. */
export const RESTORE_BATCH = 20_000;
export const DELETE_BATCH = 20_000;

/**
 * DXY's registry metadata back to what phase 1 saved ($1, as JSON text: bound straight to jsonb, postgres.js
 * would send the text as a JSON string value, not as the object — validate's rollback trial caught that).
 */
export const RESTORE_REGISTRY_SQL =
  "UPDATE public.core_asset_registry_all SET metadata = $1::text::jsonb WHERE canonical_symbol = 'DXY'";

/**
 * Writers wait for each restore batch: a straggling legacy writer's insert of the same key either
 * waits for this lock or this batch sees its row, so the key ends with one active row.
 */
export const LOCK_LEGACY_SQL = 'LOCK TABLE public.derived_data_bars IN SHARE ROW EXCLUSIVE MODE';

/** Restores the next batch of the rows this migration run ($1) soft-deleted, at most $2; a key with an active row is skipped. */
export const RESTORE_SOFT_DELETED_SQL = `WITH target AS (
  SELECT s.derived_id FROM cutover.soft_deleted_rows s
   WHERE s.migration_run_id = $1 AND s.restored_at IS NULL
   ORDER BY s.ts_utc, s.derived_id DESC
   LIMIT $2
), candidates AS (
  SELECT DISTINCT ON (d.canonical_symbol, d.timeframe, d.ts_utc) d.id
    FROM public.derived_data_bars d JOIN target t ON d.id = t.derived_id
   WHERE d.deleted_at IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM public.derived_data_bars a WHERE a.canonical_symbol = d.canonical_symbol
                       AND a.timeframe = d.timeframe AND a.ts_utc = d.ts_utc AND a.deleted_at IS NULL)
   ORDER BY d.canonical_symbol, d.timeframe, d.ts_utc, d.id DESC
), restored AS (
  UPDATE public.derived_data_bars d SET deleted_at = NULL FROM candidates c WHERE d.id = c.id RETURNING d.id
)
UPDATE cutover.soft_deleted_rows s SET restored_at = now()
  FROM target t WHERE s.migration_run_id = $1 AND s.derived_id = t.derived_id
RETURNING s.derived_id::text AS derived_id, s.ts_utc, (s.derived_id IN (SELECT id FROM restored)) AS restored`;

/** "delete": the DXY rows of data_bars that the phase 1 backup does not hold, a batch at a time. */
export function deleteAddedRowsSql(backupTable: string): string {
  return `DELETE FROM public.data_bars WHERE id IN (
  SELECT d.id FROM public.data_bars d
   WHERE d.canonical_symbol = 'DXY' AND NOT EXISTS (SELECT 1 FROM cutover.${backupTable} b WHERE b.id = d.id)
   LIMIT ${DELETE_BATCH})`;
}

/** "delete": rows the migration changed (phase 2's normalization) get their backed-up values back. */
export function putBackChangedRowsSql(backupTable: string, columns: readonly string[]): string {
  const list = columns.join(', ');
  const b = columns.map((c) => `b.${c}`).join(', ');
  const d = columns.map((c) => `d.${c}`).join(', ');
  return `UPDATE public.data_bars d SET (${list}) = (SELECT ${b}) FROM cutover.${backupTable} b
 WHERE b.id = d.id AND (${d}) IS DISTINCT FROM (${b})`;
}

/** "delete": backed-up rows that are gone are inserted again, with their ids. */
export function reinsertGoneRowsSql(backupTable: string, columns: readonly string[]): string {
  const list = columns.join(', ');
  const b = columns.map((c) => `b.${c}`).join(', ');
  return `INSERT INTO public.data_bars (${list}) SELECT ${b} FROM cutover.${backupTable} b
 WHERE NOT EXISTS (SELECT 1 FROM public.data_bars d WHERE d.id = b.id)`;
}

/** The DDL that restoring the functions would execute now (rehearsed, rolled back). */
export function functionRestoreStatements(sql: SqlOrTx, backup: StoredBackup): Promise<string[]> {
  return rehearseStatements(sql, (tx, run) => restoreFunctions(tx, backup, run));
}

/** Older copies of the registry have no metadata column (phase 2 adds it): nothing to put back then. */
export async function registryHasMetadata(sql: SqlOrTx): Promise<boolean> {
  const [column] = await sql`select 1 from information_schema.columns
    where table_schema = 'public' and table_name = 'core_asset_registry_all' and column_name = 'metadata'`;
  return Boolean(column);
}

/** Every statement of the rollback, in the order its stages run them. */
export async function planRollbackStatements(
  sql: SqlOrTx,
  params: { backup: StoredBackup | null; migrationRunId: number | null; choice: RollbackDataChoice },
): Promise<PlannedStatement[]> {
  const { backup, migrationRunId, choice } = params;
  const run = migrationRunId === null ? 'this migration run' : `${migrationRunId} (this migration run)`;
  // The fence phase 9 put on legacy writes comes down first: the restore and the back-fill write legacy rows.
  const statements: PlannedStatement[] = [...planFenceRemoval('restore-functions')];
  if (backup) {
    for (const text of await functionRestoreStatements(sql, backup))
      statements.push(planned('restore-functions', text));
    if (await registryHasMetadata(sql))
      statements.push(
        planned('restore-functions', RESTORE_REGISTRY_SQL, [
          `${JSON.stringify(backup.registryRow?.metadata ?? {})} (DXY's metadata in the backup)`,
        ]),
      );
  }
  statements.push(
    planned('restore-soft-deleted', LOCK_LEGACY_SQL),
    planned('restore-soft-deleted', RESTORE_SOFT_DELETED_SQL, [run, `${RESTORE_BATCH} (rows per batch)`]),
    planned('backfill', backfillLegacyRangeSql(), [
      'the batch’s first minute (phase 1’s start, then the cursor)',
      'the end of the batch (exclusive; at most 14 days, the last batch ends at the switch back)',
    ]),
    planned('backfill-tail', rederiveLegacyMinutesSql(), [
      'phase 1’s start (the minutes the migration touched)',
      'the switch back + 1 minute (exclusive)',
    ]),
  );
  if (choice === 'delete' && migrationRunId !== null) {
    const table = backupTableName(migrationRunId, 'data_bars');
    const columns = await backedUpColumns(sql, table);
    statements.push(planned('delete-new', deleteAddedRowsSql(table)));
    if (columns.length > 0)
      statements.push(
        planned('put-back', putBackChangedRowsSql(table, columns)),
        planned('put-back', reinsertGoneRowsSql(table, columns)),
      );
  }
  return statements;
}
