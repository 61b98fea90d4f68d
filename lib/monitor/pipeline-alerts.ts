/**
 * The pipeline's alerts (docs/operations.md "Pipeline signals"), evaluated on every runner tick
 * and posted through the alert outbox once per incident (./pipeline-alerts-raise.ts):
 * - a stalled DXY 5m cursor: data_agg_state's cursor behind the data frontier by more than its
 *   allowance, while the market is open (a closed market opens no incident);
 * - bridge lag: between phases 5 and 7, legacy DXY minutes older than a few minutes that the
 *   bridge has not carried into data_bars;
 * - a phase run that ended failed; a phase run stuck waiting (./pipeline-alerts-runs.ts).
 * An incident closes when its condition clears, and the next one is a new alert.
 */
import type { Sql } from 'postgres';
import { readDataFrontier } from '../market/data-frontier';
import { DXY_SYMBOL } from '../market/dxy';
import { isFxOpen } from '../market/market-hours';
import { MINUTE_MS } from '../time-units';
import { kickAlertDelivery } from './alert-outbox';
import { observeIncident } from './pipeline-alerts-raise';
import { alertFailedRuns, alertStuckWaiting } from './pipeline-alerts-runs';
import type { SignalThresholds } from './pipeline-signals';
import { readCursorSignals } from './pipeline-signals-cursors';
import { closeClearedIncidents } from './pipeline-signals-incidents';

/** Where the bridge works, when it does: the open migration run and where its by-key copy starts. */
export interface BridgeScope {
  migrationRunId: number;
  from: Date;
}

export const STALLED_CURSOR_SUBJECT = 'DXY 5m';

async function alertStalledCursor(
  sql: Sql,
  params: { now: Date; thresholds: SignalThresholds; slackMinutes?: number },
): Promise<string | null> {
  const { now } = params;
  const frontier = await readDataFrontier(sql, { now });
  const { tasks } = await readCursorSignals(sql, {
    frontier,
    stallMinutes: params.thresholds.cursorStallMinutes,
    slackMinutes: params.slackMinutes,
    only: { symbol: DXY_SYMBOL, timeframe: '5m' },
  });
  const task = tasks[0];
  const behind = task?.lagMinutes ?? null;
  const allowed = task?.allowedLagMinutes ?? null;
  const stalled = task !== undefined && behind !== null && allowed !== null && behind > allowed;
  if (!stalled) {
    await closeClearedIncidents(sql, { kind: 'cursor-stalled', still: [], now });
    return null;
  }
  // A closed market neither opens an incident nor closes one: the cursor is judged again at the open.
  if (!isFxOpen(now)) return null;
  const error = task.lastError ? `; last error: ${task.lastError.slice(0, 300)}` : '';
  return observeIncident(sql, {
    now,
    alertNow: () => true,
    observation: {
      kind: 'cursor-stalled',
      subject: STALLED_CURSOR_SUBJECT,
      severity: 'critical',
      summary:
        `DXY 5m aggregation cursor stalled: ${behind} open-market minutes behind the data frontier ` +
        `(allowed ${allowed}); cursor ${task.cursor?.toISOString()}, frontier ${frontier.through.toISOString()}, ` +
        `status ${task.status ?? 'unknown'}${error}`,
      detail: {
        cursor: task.cursor?.toISOString() ?? null,
        frontier: frontier.through.toISOString(),
        lag_minutes: behind,
        allowed_minutes: allowed,
        status: task.status,
        last_error: task.lastError,
        hard_fail_streak: task.hardFailStreak,
      },
    },
  });
}

/** Legacy DXY minutes in [from, now − lag) that have no data_bars row: what the bridge has not carried. */
export async function readBridgeLag(
  sql: Sql,
  params: { scope: BridgeScope; now: Date; lagMinutes: number },
): Promise<{ missing: number; oldest: Date | null }> {
  const before = new Date(params.now.getTime() - params.lagMinutes * MINUTE_MS);
  const [row] = await sql<{ missing: number; oldest: Date | null }[]>`
    select count(*)::int as missing, min(d.ts_utc) as oldest
      from public.derived_data_bars d
     where d.canonical_symbol = ${DXY_SYMBOL} and d.timeframe = '1m' and d.deleted_at is null
       and d.ts_utc >= ${params.scope.from} and d.ts_utc < ${before}
       and not exists (select 1 from public.data_bars b
                        where b.canonical_symbol = ${DXY_SYMBOL} and b.timeframe = '1m' and b.ts_utc = d.ts_utc)`;
  return { missing: row?.missing ?? 0, oldest: row?.oldest ?? null };
}

/** How long bridge lag must last (clock time) before it pages: a few runner ticks, each running the bridge. */
const BRIDGE_LAG_PERSIST_MS = 2 * MINUTE_MS;

async function alertBridgeLag(
  sql: Sql,
  params: { now: Date; scope: BridgeScope | null; lagMinutes: number },
): Promise<string | null> {
  const { now, scope } = params;
  const lag = scope ? await readBridgeLag(sql, { scope, now, lagMinutes: params.lagMinutes }) : null;
  if (!scope || !lag || lag.missing === 0) {
    await closeClearedIncidents(sql, { kind: 'bridge-lag', still: [], now });
    return null;
  }
  return observeIncident(sql, {
    now,
    // A legacy minute that landed late (a held-back component) after this tick's bridge run looks like
    // lag for one tick; the next bridge run carries it. Only lag that outlives a few bridge runs pages.
    alertNow: (incident) => now.getTime() - incident.openedAt.getTime() >= BRIDGE_LAG_PERSIST_MS,
    observation: {
      kind: 'bridge-lag',
      subject: `migration ${scope.migrationRunId}`,
      severity: 'critical',
      summary:
        `Bridge lag between phases 5 and 7: ${lag.missing} legacy DXY minute(s) older than ${params.lagMinutes} min ` +
        `are not in data_bars (oldest ${lag.oldest?.toISOString()}); the switched aggregator reads data_bars only`,
      detail: { missing: lag.missing, oldest: lag.oldest?.toISOString() ?? null, lag_minutes: params.lagMinutes },
    },
  });
}

export interface AlertEvaluation {
  /** Outbox keys of the alerts this evaluation wrote. */
  enqueued: string[];
  /** Conditions that could not be evaluated (e.g. a pipeline table missing here); the others still were. */
  errors: string[];
}

export async function evaluatePipelineAlerts(
  sql: Sql,
  params: { now: Date; thresholds: SignalThresholds; slackMinutes?: number; bridge: BridgeScope | null },
): Promise<AlertEvaluation> {
  const { now, thresholds, slackMinutes } = params;
  const enqueued: string[] = [];
  const errors: string[] = [];
  // Each condition on its own: one that cannot be read must not hide the others.
  const conditions: [string, () => Promise<string | string[] | null>][] = [
    ['cursor-stalled', () => alertStalledCursor(sql, { now, thresholds, slackMinutes })],
    ['bridge-lag', () => alertBridgeLag(sql, { now, scope: params.bridge, lagMinutes: thresholds.bridgeLagMinutes })],
    ['phase-failed', () => alertFailedRuns(sql, { now })],
    ['run-waiting', () => alertStuckWaiting(sql, { now, waitingMinutes: thresholds.waitingMinutes, slackMinutes })],
  ];
  for (const [kind, evaluate] of conditions) {
    try {
      const keys = await evaluate();
      if (keys) enqueued.push(...(Array.isArray(keys) ? keys : [keys]));
    } catch (error) {
      errors.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (enqueued.length > 0) kickAlertDelivery(sql);
  return { enqueued, errors };
}
