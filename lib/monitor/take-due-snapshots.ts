/**
 * The runner's hourly job: for every hour of the window whose snapshot is due and missing, take
 * it now — on time, or late (marked so) after an outage; never skipped. Idempotent per hour (a
 * unique key), so several runners can do this at once. A FAIL hour is posted once to
 * ALERT_WEBHOOK_URL when set. The window's length is re-judged after every snapshot: past the
 * 24th hour, hours keep being taken until enough open-market hours have passed (monitor-window.ts).
 */
import type { Sql } from 'postgres';
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
  const existing = await sql<{ hour_start: Date; verdict: Verdict }[]>`
    select hour_start, verdict from cutover.monitor_snapshots where migration_run_id = ${window.migrationRunId}`;
  const verdicts = new Map(existing.map((e) => [e.hour_start.getTime(), e.verdict]));
  const [workers] = await sql<{ mode: string }[]>`select mode from cutover.rehearsal_workers where id = 1`.catch(
    () => [],
  );
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
      const rows = await tx<{ id: number }[]>`
        insert into cutover.monitor_snapshots (migration_run_id, hour_index, hour_start, taken_at, late, verdict, checks)
        values (${window.migrationRunId}, ${index}, ${hourStart}, ${params.now}, ${late}, ${verdict}, ${tx.json(checks as never)})
        on conflict (migration_run_id, hour_start) do nothing
        returning id`;
      const id = rows[0]?.id;
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
        await tx`update cutover.monitor_snapshots set alerted_at = now() where id = ${id}`;
      }
      return rows;
    });
    if (inserted.length > 0) {
      results.push({ hourIndex: index, hourStart, verdict, late });
      verdicts.set(hourStart.getTime(), verdict);
    } else {
      // Another runner took this hour meanwhile: judge the window by its verdict, not ours.
      const [theirs] = await sql<{ verdict: Verdict }[]>`
        select verdict from cutover.monitor_snapshots
         where migration_run_id = ${window.migrationRunId} and hour_start = ${hourStart}`;
      verdicts.set(hourStart.getTime(), theirs?.verdict ?? verdict);
    }
  }
  kickAlertDelivery(sql);
  return results;
}
