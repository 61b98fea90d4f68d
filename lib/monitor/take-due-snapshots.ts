/**
 * The runner's hourly job: for every hour of the window whose snapshot is due and missing, take
 * it now — on time, or late (marked so) after an outage; never skipped. Idempotent per hour (a
 * unique key), so several runners can do this at once.
 *
 * Component data arrives late (docs/phases.md "Monitoring"), so an hour is judged provisionally
 * while the data frontier has not passed its end (plus a grace): each later tick re-evaluates it
 * when the frontier has moved, until it settles — complete, or at CUTOVER_MONITOR_SETTLE_MAX_MINUTES
 * after its end, as it stands. A settled hour is final. Only a settled FAIL is posted to
 * ALERT_WEBHOOK_URL (once), and only settled hours count towards the window's length
 * (monitor-window.ts), which is re-judged after every settlement.
 */
import type { Sql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import {
  findMonitorSnapshot,
  insertMonitorSnapshot,
  listMonitorSnapshots,
  type MonitorSnapshot,
  markMonitorSnapshotAlerted,
  reevaluateMonitorSnapshot,
} from '../db/tables/monitor-snapshots';
import { readRehearsalWorkers } from '../db/tables/rehearsal-workers';
import { readDataFrontier } from '../market/data-frontier';
import { enqueueAlert, kickAlertDelivery } from './alert-outbox';
import { computeHourlyChecks, overallVerdict, type SnapshotCheck, type Verdict } from './hourly-checks';
import {
  defaultMaxSettleMinutes,
  defaultMinOpenHours,
  hourStartOf,
  LATE_AFTER_MS,
  readMonitorWindow,
  settleDecision,
  snapshotDueAt,
  windowSpan,
} from './monitor-window';
import { aggStateColumns } from './pipeline-signals-cursors';

export interface TakenSnapshot {
  hourIndex: number;
  hourStart: Date;
  verdict: string;
  late: boolean;
  /** Settled by this evaluation (false: still provisional). */
  settled: boolean;
  /** 1 for the first evaluation, more for a provisional hour re-evaluated. */
  evaluation: number;
}

/** A settled FAIL's alert, written in the same transaction that settles it: it exists exactly when the FAIL is final. */
async function alertSettledFailure(tx: SqlOrTx, params: { id: number; hourStart: Date; checks: SnapshotCheck[] }) {
  await enqueueAlert(tx, {
    key: `snapshot:${params.id}`,
    payload: {
      source: 'dxy-cutover',
      severity: 'critical',
      hour_start: params.hourStart.toISOString(),
      summary: `DXY cutover monitoring FAIL for the hour starting ${params.hourStart.toISOString()}`,
      failing_checks: params.checks
        .filter((c) => c.verdict === 'FAIL')
        .map((c) => ({ name: c.name, detail: c.detail })),
    },
  });
  await markMonitorSnapshotAlerted(tx, { id: params.id });
}

export async function takeDueSnapshots(
  sql: Sql,
  params: { now: Date; minOpenHours?: number; maxSettleMinutes?: number },
): Promise<TakenSnapshot[]> {
  const window = await readMonitorWindow(sql, { activeOnly: true });
  if (!window) return [];
  const minOpenHours = params.minOpenHours ?? defaultMinOpenHours();
  const maxSettleMinutes = params.maxSettleMinutes ?? defaultMaxSettleMinutes();
  const existing = new Map<number, MonitorSnapshot>(
    (await listMonitorSnapshots(sql, { migrationRunId: window.migrationRunId })).map((e) => [e.hourStart.getTime(), e]),
  );
  // Only settled hours are judged passed or failed by the window.
  const settled = new Map<number, Verdict>();
  for (const [hour, row] of existing) if (row.settledAt) settled.set(hour, row.verdict);
  const workers = await readRehearsalWorkers(sql).catch(() => null);
  const frontier = await readDataFrontier(sql, { now: params.now });
  const cursors = await readDxyAggregationCursors(sql);
  const results: TakenSnapshot[] = [];
  for (let index = 0; ; index++) {
    const span = windowSpan(window, settled, minOpenHours);
    if (span.complete || index >= span.hours) break;
    const hourStart = hourStartOf(window, index);
    const due = snapshotDueAt(hourStart);
    if (due > params.now) break;
    const row = existing.get(hourStart.getTime());
    if (row?.settledAt) continue;
    const decision = settleDecision({
      hourStart,
      frontier: frontier.through,
      now: params.now,
      maxSettleMinutes,
      cursors,
    });
    // A provisional hour is computed again only when it would settle or its data has moved on.
    if (row && !decision.settled && row.dataThrough && row.dataThrough >= frontier.through) continue;
    const checks = await computeHourlyChecks(sql, { hourStart, dual: (workers?.mode ?? 'dual') === 'dual' });
    const verdict = overallVerdict(checks);
    const settledAt = decision.settled ? params.now : null;
    const late = row?.late ?? params.now.getTime() - due.getTime() > LATE_AFTER_MS;
    const written = await sql.begin(async (tx) => {
      if (row) {
        const updated = await reevaluateMonitorSnapshot(tx, {
          id: row.id,
          previousEvaluations: row.evaluations,
          evaluatedAt: params.now,
          verdict,
          checks,
          settledAt,
          dataThrough: frontier.through,
        });
        if (updated && settledAt && verdict === 'FAIL')
          await alertSettledFailure(tx, { id: row.id, hourStart, checks });
        return updated ? { id: row.id } : null;
      }
      const snapshot = await insertMonitorSnapshot(tx, {
        migrationRunId: window.migrationRunId,
        hourIndex: index,
        hourStart,
        takenAt: params.now,
        late,
        verdict,
        checks,
        settledAt,
        dataThrough: frontier.through,
      });
      if (snapshot && settledAt && verdict === 'FAIL')
        await alertSettledFailure(tx, { id: snapshot.id, hourStart, checks });
      return snapshot;
    });
    if (written) {
      results.push({
        hourIndex: index,
        hourStart,
        verdict,
        late,
        settled: settledAt !== null,
        evaluation: (row?.evaluations ?? 0) + 1,
      });
      if (settledAt) settled.set(hourStart.getTime(), verdict);
    } else {
      // Another runner took or re-evaluated this hour meanwhile: judge the window by its result, not ours.
      const theirs = await findMonitorSnapshot(sql, { migrationRunId: window.migrationRunId, hourStart });
      if (theirs?.settledAt) settled.set(hourStart.getTime(), theirs.verdict);
    }
  }
  kickAlertDelivery(sql);
  return results;
}

/** DXY's 5m and 1h aggregation cursors, or nulls where data_agg_state (its cursor column, or the task) is not there. */
async function readDxyAggregationCursors(sql: Sql): Promise<{ fiveMinute: Date | null; hour: Date | null }> {
  const columns = await aggStateColumns(sql);
  if (!columns?.has('last_agg_bar_ts_utc')) return { fiveMinute: null, hour: null };
  const rows = await sql<{ timeframe: string; cursor: Date | null }[]>`
    select timeframe, last_agg_bar_ts_utc as cursor from public.data_agg_state
     where canonical_symbol = 'DXY' and timeframe in ('5m', '1h')`;
  const cursorOf = (timeframe: string) => rows.find((r) => r.timeframe === timeframe)?.cursor ?? null;
  return { fiveMinute: cursorOf('5m'), hour: cursorOf('1h') };
}
