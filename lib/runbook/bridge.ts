/**
 * Between phase 5 (aggregator reads data_bars only) and phase 7 (the new writer deployed), new
 * DXY minutes still reach derived_data_bars only. The runner copies them across every tick so the
 * switched aggregator never misses a DXY minute — the plan as written left that gap open.
 *
 * The bridge copies by key (every legacy minute since phase 4's copy that has no data_bars row),
 * so a legacy minute landing late is still carried across. It runs only between a successful
 * phase 5 and a successful phase 7 of the open migration run, and never once a rollback has
 * started: a rollback that deleted the migration's rows and then failed must not see them copied back.
 */
import type { Sql } from 'postgres';
import { copyMissingLegacyMinutes, gapFillStart } from './copy-legacy';
import { getActiveMigrationRun, getLatestSucceededRun, listPhaseRuns } from './run-state';

export async function bridgeActive(sql: Sql): Promise<number | null> {
  const migration = await getActiveMigrationRun(sql);
  if (!migration) return null;
  const switched = await getLatestSucceededRun(sql, { migrationRunId: migration.id, phase: '5' });
  if (!switched) return null;
  const deployed = await getLatestSucceededRun(sql, { migrationRunId: migration.id, phase: '7' });
  if (deployed) return null;
  // Phase 7 does its own gap fill; any rollback attempt (waiting, running, failed) switches the bridge off for good,
  // except one that never ran: rejected, or aborted before a runner took it (docs/phases.md "Abort").
  const runs = await listPhaseRuns(sql, { migrationRunId: migration.id });
  const blocked = runs.some(
    (run) =>
      (run.phase === '7' && ['running', 'pending', 'awaiting-approval'].includes(run.status)) ||
      (run.phase === 'rollback' && run.status !== 'rejected' && !(run.status === 'aborted' && run.startedAt === null)),
  );
  return blocked ? null : migration.id;
}

export async function runBridge(sql: Sql, params: { now: Date }): Promise<number> {
  const migrationRunId = await bridgeActive(sql);
  if (migrationRunId === null) return 0;
  const from = await gapFillStart(sql, { migrationRunId });
  if (!from) return 0;
  return copyMissingLegacyMinutes(sql, { from, to: new Date(params.now.getTime() + 60_000) });
}
