/**
 * cutover.migration_runs: one migration at a time (a partial unique index allows one `active`
 * row). Its lifecycle — created by the first phase-1 run, closed by a completed rollback, by an
 * approved abandon or by phase 9 — is decided in lib/runbook; this module only reads and writes
 * the rows.
 */
import type { SqlOrTx } from '../connection';
import { type MigrationRunStatus, migrationRuns } from '../console-schema';
import { columnsOf, rowOf, rowsOf } from './rows';

export type MigrationRun = typeof migrationRuns.$inferSelect;

export async function getActiveMigrationRun(sql: SqlOrTx): Promise<MigrationRun | null> {
  const [row] = await sql`
    select ${columnsOf(sql, migrationRuns)} from cutover.migration_runs where status = 'active'`;
  return row ? rowOf(migrationRuns, row) : null;
}

export async function getLatestMigrationRun(sql: SqlOrTx): Promise<MigrationRun | null> {
  const [row] = await sql`
    select ${columnsOf(sql, migrationRuns)} from cutover.migration_runs order by id desc limit 1`;
  return row ? rowOf(migrationRuns, row) : null;
}

export async function getMigrationRun(
  sql: SqlOrTx,
  params: { id: number; forUpdate?: boolean },
): Promise<MigrationRun | null> {
  const [row] = params.forUpdate
    ? await sql`select ${columnsOf(sql, migrationRuns)} from cutover.migration_runs where id = ${params.id} for update`
    : await sql`select ${columnsOf(sql, migrationRuns)} from cutover.migration_runs where id = ${params.id}`;
  return row ? rowOf(migrationRuns, row) : null;
}

/** Every migration run, newest first. */
export async function listMigrationRuns(sql: SqlOrTx): Promise<MigrationRun[]> {
  return rowsOf(
    migrationRuns,
    await sql`select ${columnsOf(sql, migrationRuns)} from cutover.migration_runs order by id desc`,
  );
}

/** Opens a new active migration run; the partial unique index refuses a second one. */
export async function insertMigrationRun(sql: SqlOrTx, params: { startedBy: string }): Promise<MigrationRun> {
  const [row] = await sql`
    insert into cutover.migration_runs (status, started_by) values ('active', ${params.startedBy})
    returning ${columnsOf(sql, migrationRuns)}`;
  if (!row) throw new Error('insert into cutover.migration_runs returned no row');
  return rowOf(migrationRuns, row);
}

/** Closes the run if it is still active; true when it was. */
export async function closeMigrationRun(
  sql: SqlOrTx,
  params: { id: number; status: Exclude<MigrationRunStatus, 'active'> },
): Promise<boolean> {
  const closed = await sql`
    update cutover.migration_runs set status = ${params.status}, closed_at = now()
     where id = ${params.id} and status = 'active'`;
  return closed.count > 0;
}

/** The id the next migration run will get (a preview of phase 1 names its backup tables by it). */
export async function nextMigrationRunId(sql: SqlOrTx): Promise<number> {
  const [row] = await sql<{ next: number }[]>`
    select (case when is_called then last_value + 1 else last_value end)::int as next
      from cutover.migration_runs_id_seq`;
  return row?.next ?? 1;
}
