/**
 * cutover.monitor_snapshots: one row per clock hour of phase 8's window, provisional until settled
 * (settled_at). Which hours are due, their checks and verdicts, when they settle, and who may waive
 * one live in lib/monitor.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { monitorSnapshots } from '../console-schema';
import { columnsOf, rowOf, rowsOf } from './rows';

export type MonitorSnapshot = typeof monitorSnapshots.$inferSelect;

/** The snapshots of a migration run's window, by hour. */
export async function listMonitorSnapshots(
  sql: SqlOrTx,
  params: { migrationRunId: number },
): Promise<MonitorSnapshot[]> {
  return rowsOf(
    monitorSnapshots,
    await sql`select ${columnsOf(sql, monitorSnapshots)} from cutover.monitor_snapshots
               where migration_run_id = ${params.migrationRunId} order by hour_start`,
  );
}

export async function getMonitorSnapshot(
  sql: SqlOrTx,
  params: { id: number; forUpdate?: boolean },
): Promise<MonitorSnapshot | null> {
  const [row] = params.forUpdate
    ? await sql`select ${columnsOf(sql, monitorSnapshots)} from cutover.monitor_snapshots where id = ${params.id} for update`
    : await sql`select ${columnsOf(sql, monitorSnapshots)} from cutover.monitor_snapshots where id = ${params.id}`;
  return row ? rowOf(monitorSnapshots, row) : null;
}

export async function findMonitorSnapshot(
  sql: SqlOrTx,
  params: { migrationRunId: number; hourStart: Date },
): Promise<MonitorSnapshot | null> {
  const [row] = await sql`
    select ${columnsOf(sql, monitorSnapshots)} from cutover.monitor_snapshots
     where migration_run_id = ${params.migrationRunId} and hour_start = ${params.hourStart}`;
  return row ? rowOf(monitorSnapshots, row) : null;
}

/** The latest snapshot of a migration run's window, if any. */
export async function latestMonitorSnapshot(
  sql: SqlOrTx,
  params: { migrationRunId: number },
): Promise<MonitorSnapshot | null> {
  const [row] = await sql`
    select ${columnsOf(sql, monitorSnapshots)} from cutover.monitor_snapshots
     where migration_run_id = ${params.migrationRunId} order by hour_start desc limit 1`;
  return row ? rowOf(monitorSnapshots, row) : null;
}

/** Records an hour's snapshot (provisional when `settledAt` is null); null when another runner recorded that hour first. */
export async function insertMonitorSnapshot(
  sql: SqlOrTx,
  values: Pick<
    MonitorSnapshot,
    | 'migrationRunId'
    | 'hourIndex'
    | 'hourStart'
    | 'takenAt'
    | 'late'
    | 'verdict'
    | 'checks'
    | 'settledAt'
    | 'dataThrough'
  >,
): Promise<{ id: number } | null> {
  const [row] = await sql<{ id: number }[]>`
    insert into cutover.monitor_snapshots (migration_run_id, hour_index, hour_start, taken_at, late, verdict, checks,
                                           settled_at, evaluations, evaluated_at, data_through)
    values (${values.migrationRunId}, ${values.hourIndex}, ${values.hourStart}, ${values.takenAt}, ${values.late},
            ${values.verdict}, ${sql.json(toJsonValue(values.checks))}, ${values.settledAt}, 1, ${values.takenAt},
            ${values.dataThrough})
    on conflict (migration_run_id, hour_start) do nothing
    returning id`;
  return row ?? null;
}

/**
 * Re-evaluates a provisional hour: its new checks and verdict, settled or still provisional. Only
 * the evaluation it read is replaced (`evaluations` unchanged since), and never a settled hour: a
 * runner that lost the race gets false and reads the other's result.
 */
export async function reevaluateMonitorSnapshot(
  sql: SqlOrTx,
  params: {
    id: number;
    previousEvaluations: number;
    evaluatedAt: Date;
    verdict: MonitorSnapshot['verdict'];
    checks: MonitorSnapshot['checks'];
    settledAt: Date | null;
    dataThrough: Date;
  },
): Promise<boolean> {
  const rows = await sql`
    update cutover.monitor_snapshots
       set verdict = ${params.verdict}, checks = ${sql.json(toJsonValue(params.checks))}, settled_at = ${params.settledAt},
           evaluations = evaluations + 1, evaluated_at = ${params.evaluatedAt}, data_through = ${params.dataThrough}
     where id = ${params.id} and settled_at is null and evaluations = ${params.previousEvaluations}
     returning id`;
  return rows.length === 1;
}

export async function markMonitorSnapshotAlerted(sql: SqlOrTx, params: { id: number }): Promise<void> {
  await sql`update cutover.monitor_snapshots set alerted_at = now() where id = ${params.id}`;
}

export async function waiveMonitorSnapshot(
  sql: SqlOrTx,
  params: { id: number; waivedBy: string; reason: string },
): Promise<void> {
  await sql`update cutover.monitor_snapshots set waived_by = ${params.waivedBy}, waiver_reason = ${params.reason}
             where id = ${params.id}`;
}
