/**
 * The pipeline's own signals (docs/operations.md "Pipeline signals"), shown on the monitor page and
 * answered by GET /api/monitor/signals: the data frontier, the aggregator's cursors and their lag
 * behind it (./pipeline-signals-cursors.ts), the writers' freshness from the data
 * (./pipeline-signals-writers.ts), and the incidents the runner's alert evaluation has open
 * (./pipeline-alerts.ts). Read-only; every time is the console clock's `now`.
 */
import type { SqlOrTx } from '../db/connection';
import { findMissingPipelineTables } from '../db/pipeline-tables';
import { frontierLateMinutes, laggingSymbols, readDataFrontier } from '../market/data-frontier';
import { DXY_SYMBOL } from '../market/dxy';
import { isFxOpen } from '../market/market-hours';
import { readSetting } from '../settings';
import { MINUTE_MS } from '../time-units';
import { defaultMaxSettleMinutes } from './monitor-window';
import { allowedCursorLag, type CursorSignals, readCursorSignals } from './pipeline-signals-cursors';
import { listRecentIncidents, type PipelineIncident } from './pipeline-signals-incidents';
import { readWriterFreshness, type WriterFreshness } from './pipeline-signals-writers';

export interface PipelineSignals {
  now: Date;
  marketOpen: boolean;
  /** null when data_bars is missing here. */
  frontier: {
    through: Date;
    laggingSymbols: string[];
    /** How late data at the frontier is (frontierLateMinutes: open minutes, and the time since a close). */
    lateMinutes: number;
    /**
     * Whether the proofs still wait for it: false once it is later than CUTOVER_MONITOR_SETTLE_MAX_MINUTES
     * (a provider gap before Friday's close, a component gone silent), when they judge what arrived.
     */
    stillAwaited: boolean;
  } | null;
  cursors: CursorSignals;
  writers: WriterFreshness[];
  /** Open incidents, then the most recent closed ones. */
  incidents: PipelineIncident[];
  thresholds: SignalThresholds;
}

export interface SignalThresholds {
  cursorStallMinutes: number;
  bridgeLagMinutes: number;
  waitingMinutes: number;
}

export function signalThresholdsFromEnv(env: Record<string, string | undefined> = process.env): SignalThresholds {
  return {
    cursorStallMinutes: readSetting('CUTOVER_ALERT_CURSOR_STALL_MINUTES', env),
    bridgeLagMinutes: readSetting('CUTOVER_ALERT_BRIDGE_LAG_MINUTES', env),
    waitingMinutes: readSetting('CUTOVER_ALERT_WAITING_MINUTES', env),
  };
}

/** One runner tick covers speed/60 simulated minutes: a fast rehearsal is not late by that much. */
export function slackMinutesForSpeed(speed: number): number {
  return Math.max(0, Math.ceil(speed / 60) - 1);
}

export async function readPipelineSignals(
  sql: SqlOrTx,
  params: { now: Date; slackMinutes?: number; thresholds?: SignalThresholds },
): Promise<PipelineSignals> {
  const { now, slackMinutes } = params;
  const thresholds = params.thresholds ?? signalThresholdsFromEnv();
  const base = { now, marketOpen: isFxOpen(now), thresholds, incidents: await listRecentIncidents(sql) };
  const missing = await findMissingPipelineTables(sql);
  if (missing.includes('data_bars') || missing.includes('derived_data_bars')) {
    return { ...base, frontier: null, cursors: { present: false, missingColumns: [], tasks: [] }, writers: [] };
  }
  const frontier = await readDataFrontier(sql, { now });
  const lateMinutes = frontierLateMinutes(frontier.through, now);
  const cursors = await readCursorSignals(sql, {
    frontier,
    stallMinutes: thresholds.cursorStallMinutes,
    slackMinutes,
  });
  const allowedFor = (timeframe: '5m' | '1h') => {
    const task = cursors.tasks.find((t) => t.symbol === DXY_SYMBOL && t.timeframe === timeframe);
    return (
      task?.allowedLagMinutes ??
      allowedCursorLag({
        timeframe,
        runIntervalMinutes: null,
        delaySeconds: null,
        stallMinutes: thresholds.cursorStallMinutes,
        slackMinutes,
      }) ??
      0
    );
  };
  const writers = await readWriterFreshness(sql, {
    now,
    frontier,
    allowed5m: allowedFor('5m'),
    allowed1h: allowedFor('1h'),
    slackMinutes,
  });
  return {
    ...base,
    frontier: {
      through: frontier.through,
      // A frontier a minute behind is every healthy minute's state; further back, name who holds it.
      laggingSymbols: frontier.through.getTime() < now.getTime() - 2 * MINUTE_MS ? laggingSymbols(frontier, now) : [],
      lateMinutes,
      stillAwaited: lateMinutes <= defaultMaxSettleMinutes(),
    },
    cursors,
    writers,
  };
}
