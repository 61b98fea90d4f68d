/**
 * The runbook's own signals, alerted from the runner's tick (./pipeline-alerts.ts): a phase run
 * that ended failed, and a phase run stuck waiting — awaiting approval, or running but waiting on
 * a condition (the market, the data proving a deployment) — longer than CUTOVER_ALERT_WAITING_MINUTES.
 */
import type { Sql } from 'postgres';
import { getLatestMigrationRun } from '../db/tables/migration-runs';
import { getActivePhaseRun, listPhaseRuns, type PhaseRun } from '../db/tables/phase-runs';
import { MINUTE_MS } from '../time-units';
import { enqueueAlert } from './alert-outbox';
import {
  type IncidentObservation,
  incidentAlertKey,
  incidentAlertPayload,
  observeIncident,
} from './pipeline-alerts-raise';
import {
  claimIncidentAlert,
  closeClearedIncidents,
  recordedFailedRuns,
  recordFailedRunIncident,
} from './pipeline-signals-incidents';

function failedChecksOf(run: PhaseRun): string[] {
  const checks = (run.verification as { checks?: { name?: unknown; passed?: unknown }[] } | null)?.checks ?? [];
  return checks.filter((c) => c.passed === false).map((c) => String(c.name));
}

/** Every failed run of the latest migration run not alerted yet: one alert each, for good. */
export async function alertFailedRuns(sql: Sql, params: { now: Date }): Promise<string[]> {
  const migration = await getLatestMigrationRun(sql);
  if (!migration) return [];
  const failed = (await listPhaseRuns(sql, { migrationRunId: migration.id })).filter((r) => r.status === 'failed');
  const known = await recordedFailedRuns(sql, { subjects: failed.map((r) => `run ${r.id}`) });
  const keys: string[] = [];
  for (const run of failed) {
    const subject = `run ${run.id}`;
    if (known.has(subject)) continue;
    const checks = failedChecksOf(run);
    const why = run.error ?? (checks.length > 0 ? `its verification failed: ${checks.join('; ')}` : 'it failed');
    const key = await sql.begin(async (tx) => {
      const incident = await recordFailedRunIncident(tx, {
        subject,
        now: params.now,
        summary: `Phase ${run.phase} run #${run.id} failed: ${why}`.slice(0, 1000),
        detail: { phase: run.phase, run_id: run.id, requested_by: run.requestedBy, failed_checks: checks },
      });
      if (!incident || !(await claimIncidentAlert(tx, { id: incident.id, now: params.now }))) return null;
      const key = incidentAlertKey(incident);
      await enqueueAlert(tx, { key, payload: incidentAlertPayload(incident, 'critical') });
      return key;
    });
    if (key) keys.push(key);
  }
  return keys;
}

function waitingOf(run: PhaseRun): { subject: string; what: string } | null {
  if (run.status === 'awaiting-approval')
    return { subject: `run ${run.id} awaiting approval`, what: 'awaiting approval' };
  const reason = run.progress.waiting;
  if (run.status === 'running' && typeof reason === 'string')
    return { subject: `run ${run.id} waiting`, what: `waiting: ${reason}` };
  return null;
}

/**
 * The active run, when it waits, is an incident from the first tick that sees it waiting; alerted
 * once it has waited longer than the threshold. A running run's waiting mark is cleared while its
 * runner steps it (lib/runbook/engine/execute-run.ts), so a running run seen without it is closed only
 * when it was last seen waiting more than a minute (plus a fast rehearsal's slack) ago.
 */
export async function alertStuckWaiting(
  sql: Sql,
  params: { now: Date; waitingMinutes: number; slackMinutes?: number },
): Promise<string[]> {
  const { now } = params;
  const run = await getActivePhaseRun(sql);
  const waiting = run ? waitingOf(run) : null;
  const still: string[] = [];
  let key: string | null = null;
  if (run && waiting) {
    still.push(waiting.subject);
    const observation: IncidentObservation = {
      kind: 'run-waiting',
      subject: waiting.subject,
      severity: 'warning',
      summary: `Phase ${run.phase} run #${run.id} (requested by ${run.requestedBy}) is ${waiting.what}`.slice(0, 1000),
      detail: { phase: run.phase, run_id: run.id, status: run.status, waiting: waiting.what },
    };
    key = await observeIncident(sql, {
      observation,
      now,
      alertNow: (incident) => now.getTime() - incident.openedAt.getTime() >= params.waitingMinutes * MINUTE_MS,
      alertSummary: (incident) =>
        `Phase ${run.phase} run #${run.id} (requested by ${run.requestedBy}) has been ${waiting.what} for ` +
        `${Math.floor((now.getTime() - incident.openedAt.getTime()) / MINUTE_MS)} min (since ${incident.openedAt.toISOString()})`,
    });
  }
  if (run && run.status === 'running' && !waiting) {
    // Between two steps of its runner: keep the incident unless it has not been seen waiting for a while.
    const grace = new Date(now.getTime() - (1 + (params.slackMinutes ?? 0)) * MINUTE_MS);
    const [recent] = await sql<{ subject: string }[]>`
      select subject from cutover.pipeline_incidents
       where kind = 'run-waiting' and closed_at is null and subject = ${`run ${run.id} waiting`}
         and last_seen_at > ${grace}`;
    if (recent) still.push(recent.subject);
  }
  await closeClearedIncidents(sql, { kind: 'run-waiting', still, now });
  return key ? [key] : [];
}
