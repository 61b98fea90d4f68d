/**
 * Between phase 5 (aggregator reads data_bars only) and phase 7 (the new writer deployed), new
 * DXY minutes still reach derived_data_bars only. The runner copies them across every tick so the
 * switched aggregator never misses a DXY minute — the plan as written left that gap open.
 */
import type { Sql } from 'postgres';
import { copyLegacyRange, latestDxyInDataBars } from './copy-legacy';
import { CATCH_UP_OVERLAP_MS } from './phases/phase-5-switch';
import { getActiveMigrationRun, getLatestSucceededRun } from './run-state';

export async function bridgeActive(sql: Sql): Promise<boolean> {
  const migration = await getActiveMigrationRun(sql);
  if (!migration) return false;
  const switched = await getLatestSucceededRun(sql, { migrationRunId: migration.id, phase: '5' });
  if (!switched) return false;
  const deployed = await getLatestSucceededRun(sql, { migrationRunId: migration.id, phase: '7' });
  const [deploying] = await sql`select 1 from cutover.phase_runs where migration_run_id = ${migration.id}
                                   and phase in ('7', 'rollback') and status in ('running', 'pending', 'awaiting-approval')`;
  return !deployed && !deploying;
}

export async function runBridge(sql: Sql, params: { now: Date }): Promise<number> {
  if (!(await bridgeActive(sql))) return 0;
  const last = await latestDxyInDataBars(sql);
  if (!last) return 0;
  return copyLegacyRange(sql, {
    from: new Date(last.getTime() - CATCH_UP_OVERLAP_MS),
    to: new Date(params.now.getTime() + 60_000),
  });
}
