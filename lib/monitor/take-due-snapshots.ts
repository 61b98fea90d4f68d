/**
 * The runner's hourly job: for every hour of the window whose snapshot is due and missing, take
 * it now — on time, or late (marked so) after an outage; never skipped. Idempotent per hour (a
 * unique key), so several runners can do this at once. A FAIL hour is posted once to
 * ALERT_WEBHOOK_URL when set. The window's length is re-judged after every snapshot: past the
 * 24th hour, hours keep being taken until enough open-market hours have passed (monitor-window.ts).
 */
import type { Sql } from 'postgres';
import {
  findMonitorSnapshot,
  insertMonitorSnapshot,
  listMonitorSnapshots,
  markMonitorSnapshotAlerted,
} from '../db/tables/monitor-snapshots';
import { readRehearsalWorkers } from '../db/tables/rehearsal-workers';
import { enqueueAlert, kickAlertDelivery } from './alert-outbox';
import { computeHourlyChecks, overallVerdict, type Verdict } from './hourly-checks';
import {
  defaultMinOpenHours,
  hourStartOf,
  LATE_AFTER_MS,
  readMonitorWindow,
  snapshotDueAt,
  windowSpan,
} from './monitor-window';

export interface TakenSnapshot {
  hourIndex: number;
  hourStart: Date;
  verdict: string;
  late: boolean;
}

export async function takeDueSnapshots(
  sql: Sql,
  params: { now: Date; minOpenHours?: number },
): Promise<TakenSnapshot[]> {
  const window = await readMonitorWindow(sql, { activeOnly: true });
  if (!window) return [];
  const minOpenHours = params.minOpenHours ?? defaultMinOpenHours();
  const existing = await listMonitorSnapshots(sql, { migrationRunId: window.migrationRunId });
  const verdicts = new Map<number, Verdict>(existing.map((e) => [e.hourStart.getTime(), e.verdict]));
  const workers = await readRehearsalWorkers(sql).catch(() => null);
  const results: TakenSnapshot[] = [];
  for (let index = 0; ; index++) {
    const span = windowSpan(window, verdicts, minOpenHours);
    if (span.complete || index >= span.hours) break;
    const hourStart = hourStartOf(window, index);
    const due = snapshotDueAt(hourStart);
    if (due > params.now) break;
    if (verdicts.has(hourStart.getTime())) continue;
    const checks = await computeHourlyChecks(sql, { hourStart, dual: (workers?.mode ?? 'dual') === 'dual' });
    const verdict = overallVerdict(checks);
    const late = params.now.getTime() - due.getTime() > LATE_AFTER_MS;
    // A FAIL hour's alert is written with its snapshot: it exists exactly when the snapshot does.
    const inserted = await sql.begin(async (tx) => {
      const snapshot = await insertMonitorSnapshot(tx, {
        migrationRunId: window.migrationRunId,
        hourIndex: index,
        hourStart,
        takenAt: params.now,
        late,
        verdict,
        checks,
      });
      const id = snapshot?.id;
      if (id !== undefined && verdict === 'FAIL') {
        await enqueueAlert(tx, {
          key: `snapshot:${id}`,
          payload: {
            source: 'dxy-cutover',
            severity: 'critical',
            hour_start: hourStart.toISOString(),
            summary: `DXY cutover monitoring FAIL for the hour starting ${hourStart.toISOString()}`,
            failing_checks: checks.filter((c) => c.verdict === 'FAIL').map((c) => ({ name: c.name, detail: c.detail })),
          },
        });
        await markMonitorSnapshotAlerted(tx, { id });
      }
      return snapshot;
    });
    if (inserted) {
      results.push({ hourIndex: index, hourStart, verdict, late });
      verdicts.set(hourStart.getTime(), verdict);
    } else {
      // Another runner took this hour meanwhile: judge the window by its verdict, not ours.
      const theirs = await findMonitorSnapshot(sql, { migrationRunId: window.migrationRunId, hourStart });
      verdicts.set(hourStart.getTime(), theirs?.verdict ?? verdict);
    }
  }
  kickAlertDelivery(sql);
  return results;
}
