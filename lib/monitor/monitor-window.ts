/**
 * The 24-hour window of phase 8: it starts at phase 7's verified end (clock time) and consists of
 * the 24 clock hours from the first full hour after that. An hour's snapshot is due a few minutes
 * after the hour ends (when its last 5m window has been aggregated).
 */
import type { Sql, TransactionSql } from 'postgres';
import { getActiveMigrationRun, getLatestMigrationRun } from '../runbook/run-state';

export const WINDOW_HOURS = 24;
const HOUR_MS = 3_600_000;
/** The hour's last 5m window is aggregated ~5.5 min after the hour; its 1h bar soon after. */
export const SNAPSHOT_DELAY_MS = 7 * 60_000;
/** A snapshot taken this long after it was due is marked late. */
export const LATE_AFTER_MS = 15 * 60_000;

export interface MonitorWindow {
  migrationRunId: number;
  startedAt: Date;
  firstHour: Date;
  endsAt: Date;
}

export function hourStartOf(window: MonitorWindow, index: number): Date {
  return new Date(window.firstHour.getTime() + index * HOUR_MS);
}

export function snapshotDueAt(hourStart: Date): Date {
  return new Date(hourStart.getTime() + HOUR_MS + SNAPSHOT_DELAY_MS);
}

export function windowFrom(migrationRunId: number, startedAt: Date): MonitorWindow {
  const firstHour = new Date(Math.ceil(startedAt.getTime() / HOUR_MS) * HOUR_MS);
  return { migrationRunId, startedAt, firstHour, endsAt: new Date(firstHour.getTime() + WINDOW_HOURS * HOUR_MS) };
}

/** The window of the current (or, when none is active, the latest) migration run, once phase 7 has succeeded. */
export async function readMonitorWindow(
  sql: Sql | TransactionSql,
  options: { activeOnly?: boolean } = {},
): Promise<MonitorWindow | null> {
  const migration =
    (await getActiveMigrationRun(sql)) ?? (options.activeOnly ? null : await getLatestMigrationRun(sql));
  if (!migration) return null;
  const [deploy] = await sql<{ at: Date }[]>`
    select clock_finished_at as at from cutover.phase_runs
     where migration_run_id = ${migration.id} and phase = '7' and status = 'succeeded' and clock_finished_at is not null
     order by id limit 1`;
  if (!deploy) return null;
  return windowFrom(migration.id, deploy.at);
}
