/**
 * Between phase 5 (aggregator reads data_bars only) and phase 7 (the new writer deployed), new
 * DXY minutes still reach derived_data_bars only. The runner copies them across every tick so the
 * switched aggregator never misses a DXY minute — the plan as written left that gap open.
 *
 * The bridge copies by key (every legacy minute since phase 4's copy that has no data_bars row),
 * so a legacy minute landing late is still carried across. It runs only between a successful
 * phase 5 and a successful phase 7 of the open migration run, and never once a rollback has
 * started: a rollback that deleted the migration's rows and then failed must not see them copied back.
 *
 * Providers revise recent bars and the legacy path re-derives DXY over them, so each tick also
 * rewrites the rows the copy wrote whose values legacy has since changed — within the last
 * BRIDGE_REVISION_WINDOW_MS only, which keeps the per-tick work bounded (phase 7's gap fill compares
 * its whole range once). The new writer's rows (phase 6 wrote some with calc_dxy_range_1m before
 * the dual path was deployed) are re-derived with that writer's own function, never overwritten with
 * legacy's values. Rows of other writers are never touched: they are listed on phase 5's run, once
 * per new minute (docs/phases.md "Who owns a DXY row").
 */
import type { Sql } from 'postgres';
import { insertPhaseRunEvent, listPhaseRunEvents } from '../../db/tables/phase-run-events';
import { HOUR_MS, MINUTE_MS } from '../../time-units';
import { getActiveMigrationRun, getLatestSucceededRun, listPhaseRuns } from '../engine/run-state';
import { phaseId } from '../phases';
import {
  copyMissingLegacyMinutes,
  gapFillStart,
  rederiveNewWriterMinutes,
  reviseCopiedLegacyMinutes,
} from '../phases/shared/copy-legacy';
import { describeNotOverwritten, type NotOverwritten, readNotOverwritten } from '../phases/shared/copy-ownership';

/** How far back the bridge looks for revised legacy minutes each tick (revisions touch recent bars). */
export const BRIDGE_REVISION_WINDOW_MS = 6 * HOUR_MS;

/** What one bridge tick did. */
export interface BridgeResult {
  /** Legacy minutes with no data_bars row, copied. */
  copied: number;
  /** Minutes the copy had written whose values legacy revised since, rewritten. */
  revised: Date[];
  /** Minutes calc_dxy_range_1m had written whose values legacy revised since, re-derived by it. */
  rederived: Date[];
  /** Minutes of the revision window that differ from legacy but belong to another writer. */
  notOverwritten: NotOverwritten;
}

const IDLE: BridgeResult = {
  copied: 0,
  revised: [],
  rederived: [],
  notOverwritten: { total: 0, byOwner: [], samples: [] },
};

export async function bridgeActive(sql: Sql): Promise<number | null> {
  const migration = await getActiveMigrationRun(sql);
  if (!migration) return null;
  const switched = await getLatestSucceededRun(sql, { migrationRunId: migration.id, phase: phaseId('5') });
  if (!switched) return null;
  const deployed = await getLatestSucceededRun(sql, { migrationRunId: migration.id, phase: phaseId('7') });
  if (deployed) return null;
  // Phase 7 does its own gap fill; any rollback attempt (waiting, running, failed) switches the bridge off for good,
  // except one that never ran: rejected, or aborted before a runner took it (docs/phases.md "Abort").
  const runs = await listPhaseRuns(sql, { migrationRunId: migration.id });
  const blocked = runs.some(
    (run) =>
      (run.phase === phaseId('7') && ['running', 'pending', 'awaiting-approval'].includes(run.status)) ||
      (run.phase === phaseId('rollback') &&
        run.status !== 'rejected' &&
        !(run.status === 'aborted' && run.startedAt === null)),
  );
  return blocked ? null : migration.id;
}

export async function runBridge(sql: Sql, params: { now: Date }): Promise<BridgeResult> {
  const migrationRunId = await bridgeActive(sql);
  if (migrationRunId === null) return IDLE;
  const from = await gapFillStart(sql, { migrationRunId });
  if (!from) return IDLE;
  const to = new Date(params.now.getTime() + MINUTE_MS);
  const recent = { from: new Date(Math.max(from.getTime(), params.now.getTime() - BRIDGE_REVISION_WINDOW_MS)), to };
  const copied = await copyMissingLegacyMinutes(sql, { from, to });
  const revised = await reviseCopiedLegacyMinutes(sql, recent);
  const rederived = await rederiveNewWriterMinutes(sql, recent);
  const notOverwritten = await readNotOverwritten(sql, recent);
  await reportBridge(sql, { migrationRunId, revised, rederived, notOverwritten });
  return { copied, revised, rederived, notOverwritten };
}

const BRIDGE_EVENT = 'bridge';

/**
 * Says on phase 5's run what the bridge revised, and which other writers' minutes differ from legacy —
 * the latter only when a minute is new since the last such event, so a differing row is not
 * reported again every tick.
 */
async function reportBridge(
  sql: Sql,
  params: { migrationRunId: number; revised: Date[]; rederived: Date[]; notOverwritten: NotOverwritten },
): Promise<void> {
  const { revised, rederived, notOverwritten } = params;
  if (revised.length === 0 && rederived.length === 0 && notOverwritten.total === 0) return;
  const phase5 = await getLatestSucceededRun(sql, { migrationRunId: params.migrationRunId, phase: phaseId('5') });
  if (!phase5) return;
  const newlyDiffering =
    notOverwritten.total > 0 && (await differsFromLastReport(sql, { phaseRunId: phase5.id, notOverwritten }));
  const parts = [
    ...(revised.length > 0
      ? [`The bridge rewrote ${revised.length} copied minutes legacy had revised (first: ${revised[0]?.toISOString()})`]
      : []),
    ...(rederived.length > 0
      ? [
          `calc_dxy_range_1m re-derived ${rederived.length} of its own minutes legacy had revised (first: ${rederived[0]?.toISOString()})`,
        ]
      : []),
    ...(newlyDiffering ? [describeNotOverwritten(notOverwritten)] : []),
  ];
  if (parts.length === 0) return;
  await insertPhaseRunEvent(sql, {
    phaseRunId: phase5.id,
    level: newlyDiffering ? 'warn' : 'info',
    message: `${parts.join('. ')}.`,
    data: {
      kind: BRIDGE_EVENT,
      revised: revised.slice(0, 50).map((d) => d.toISOString()),
      revisedTotal: revised.length,
      rederived: rederived.slice(0, 50).map((d) => d.toISOString()),
      ...(newlyDiffering ? { notOverwritten } : {}),
    },
  });
}

/** True unless the last report of other writers' rows already held every minute (and as many) found now. */
async function differsFromLastReport(
  sql: Sql,
  params: { phaseRunId: number; notOverwritten: NotOverwritten },
): Promise<boolean> {
  const events = await listPhaseRunEvents(sql, { phaseRunId: params.phaseRunId, limit: 50 });
  const reported = events
    .map((e) => e.data as { kind?: unknown; notOverwritten?: NotOverwritten })
    .find((data) => data.kind === BRIDGE_EVENT && data.notOverwritten)?.notOverwritten;
  if (!reported) return true;
  const before = new Set(reported.samples.map((s) => s.ts_utc));
  return (
    params.notOverwritten.total > reported.total || params.notOverwritten.samples.some((s) => !before.has(s.ts_utc))
  );
}
