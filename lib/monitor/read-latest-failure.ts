import type { SqlOrTx } from '../db/connection';
import { getActiveMigrationRun } from '../db/tables/migration-runs';
import { latestMonitorSnapshot } from '../db/tables/monitor-snapshots';

/** The latest hourly snapshot of the active window when it FAILed (for the banner on every page). */
export async function readLatestFailure(sql: SqlOrTx): Promise<{ hourStart: Date; failing: string[] } | null> {
  const migration = await getActiveMigrationRun(sql);
  const row = migration && (await latestMonitorSnapshot(sql, { migrationRunId: migration.id }));
  if (row?.verdict !== 'FAIL') return null;
  return { hourStart: row.hourStart, failing: row.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name) };
}
