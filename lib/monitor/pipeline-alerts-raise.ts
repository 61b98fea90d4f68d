/**
 * How a pipeline incident becomes an alert: in one transaction the incident is opened (or
 * refreshed), claimed as alerted and its alert written to the outbox, so the alert exists exactly
 * when the incident that caused it does, and a second runner seeing the same incident writes none.
 */
import type { Sql } from 'postgres';
import { enqueueAlert } from './alert-outbox';
import {
  claimIncidentAlert,
  type IncidentKind,
  type PipelineIncident,
  upsertOpenIncident,
} from './pipeline-signals-incidents';

export interface IncidentObservation {
  kind: IncidentKind;
  subject: string;
  summary: string;
  detail: Record<string, unknown>;
  severity: 'critical' | 'warning';
}

/** The outbox key of an incident's alert: one alert per incident, a new incident a new alert. */
export function incidentAlertKey(incident: Pick<PipelineIncident, 'id' | 'kind'>): string {
  return `pipeline:${incident.kind}:${incident.id}`;
}

export function incidentAlertPayload(
  incident: PipelineIncident,
  severity: IncidentObservation['severity'],
  summary: string = incident.summary,
) {
  return {
    source: 'dxy-cutover',
    severity,
    kind: incident.kind,
    subject: incident.subject,
    incident_id: incident.id,
    opened_at: incident.openedAt.toISOString(),
    summary,
    detail: incident.detail,
  };
}

/**
 * Opens or refreshes the incident; when `alertNow(incident)` says so and it was not alerted yet,
 * claims it and enqueues its alert. Returns the outbox key when an alert was written.
 */
export async function observeIncident(
  sql: Sql,
  params: {
    observation: IncidentObservation;
    now: Date;
    alertNow: (incident: PipelineIncident) => boolean;
    /** The alert's summary, when it should say more than the incident's (e.g. how long it has lasted). */
    alertSummary?: (incident: PipelineIncident) => string;
  },
): Promise<string | null> {
  const { observation, now } = params;
  return sql.begin(async (tx) => {
    const incident = await upsertOpenIncident(tx, { ...observation, now });
    if (incident.alertedAt || !params.alertNow(incident)) return null;
    if (!(await claimIncidentAlert(tx, { id: incident.id, now }))) return null;
    const key = incidentAlertKey(incident);
    await enqueueAlert(tx, {
      key,
      payload: incidentAlertPayload(incident, observation.severity, params.alertSummary?.(incident)),
    });
    return key;
  });
}
