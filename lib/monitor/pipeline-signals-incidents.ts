/**
 * cutover.pipeline_incidents (drizzle/0014_pipeline_signals.sql): what the runner's alert
 * evaluation (./pipeline-alerts.ts) has seen. An incident is open while its condition holds, at
 * most one per kind and subject (a partial unique index, so concurrent runners share it), and is
 * alerted at most once. Times are the console clock's, passed in.
 */
import type { SqlOrTx } from '../db/connection';
import { toJsonValue } from '../json';

export type IncidentKind = 'cursor-stalled' | 'bridge-lag' | 'phase-failed' | 'run-waiting';

export interface PipelineIncident {
  id: number;
  kind: IncidentKind;
  subject: string;
  openedAt: Date;
  lastSeenAt: Date;
  closedAt: Date | null;
  alertedAt: Date | null;
  summary: string;
  detail: Record<string, unknown>;
}

interface IncidentRow {
  id: string;
  kind: IncidentKind;
  subject: string;
  opened_at: Date;
  last_seen_at: Date;
  closed_at: Date | null;
  alerted_at: Date | null;
  summary: string;
  detail: Record<string, unknown>;
}

function incidentOf(row: IncidentRow): PipelineIncident {
  return {
    id: Number(row.id),
    kind: row.kind,
    subject: row.subject,
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    closedAt: row.closed_at,
    alertedAt: row.alerted_at,
    summary: row.summary,
    detail: row.detail,
  };
}

/** Opens the incident of (kind, subject), or refreshes the open one: its summary and detail are the latest seen. */
export async function upsertOpenIncident(
  sql: SqlOrTx,
  params: { kind: IncidentKind; subject: string; now: Date; summary: string; detail: Record<string, unknown> },
): Promise<PipelineIncident> {
  const [row] = await sql<IncidentRow[]>`
    insert into cutover.pipeline_incidents (kind, subject, opened_at, last_seen_at, summary, detail)
    values (${params.kind}, ${params.subject}, ${params.now}, ${params.now}, ${params.summary},
            ${sql.json(toJsonValue(params.detail))})
    on conflict (kind, subject) where closed_at is null
    do update set last_seen_at = greatest(pipeline_incidents.last_seen_at, excluded.last_seen_at),
                  summary = excluded.summary, detail = excluded.detail
    returning *`;
  if (!row) throw new Error(`pipeline incident ${params.kind} ${params.subject} was not written`);
  return incidentOf(row);
}

/**
 * Marks an incident alerted; false when it already was (another runner got there first), so the
 * caller enqueues nothing. Called in the transaction that enqueues the alert.
 */
export async function claimIncidentAlert(sql: SqlOrTx, params: { id: number; now: Date }): Promise<boolean> {
  const rows = await sql`
    update cutover.pipeline_incidents set alerted_at = ${params.now}
     where id = ${params.id} and alerted_at is null
    returning id`;
  return rows.length > 0;
}

/** Closes the open incidents of a kind whose subject is not among `still` (their condition cleared). */
export async function closeClearedIncidents(
  sql: SqlOrTx,
  params: { kind: IncidentKind; still: string[]; now: Date },
): Promise<number> {
  const rows = await sql`
    update cutover.pipeline_incidents set closed_at = ${params.now}
     where kind = ${params.kind} and closed_at is null and not (subject = any(${params.still}::text[]))
    returning id`;
  return rows.length;
}

/**
 * A failed run is an incident for good, opened and closed at once; null when it was already
 * recorded (by this runner earlier, or another one).
 */
export async function recordFailedRunIncident(
  sql: SqlOrTx,
  params: { subject: string; now: Date; summary: string; detail: Record<string, unknown> },
): Promise<PipelineIncident | null> {
  const [row] = await sql<IncidentRow[]>`
    insert into cutover.pipeline_incidents (kind, subject, opened_at, last_seen_at, closed_at, summary, detail)
    values ('phase-failed', ${params.subject}, ${params.now}, ${params.now}, ${params.now}, ${params.summary},
            ${sql.json(toJsonValue(params.detail))})
    on conflict (subject) where kind = 'phase-failed' do nothing
    returning *`;
  return row ? incidentOf(row) : null;
}

/** The subjects of failed-run incidents already recorded among `subjects`. */
export async function recordedFailedRuns(sql: SqlOrTx, params: { subjects: string[] }): Promise<Set<string>> {
  if (params.subjects.length === 0) return new Set();
  const rows = await sql<{ subject: string }[]>`
    select subject from cutover.pipeline_incidents
     where kind = 'phase-failed' and subject = any(${params.subjects}::text[])`;
  return new Set(rows.map((r) => r.subject));
}

/** Open incidents first, then the most recently opened closed ones. */
export async function listRecentIncidents(sql: SqlOrTx, params: { limit?: number } = {}): Promise<PipelineIncident[]> {
  const rows = await sql<IncidentRow[]>`
    select * from cutover.pipeline_incidents
     order by (closed_at is null) desc, opened_at desc, id desc
     limit ${params.limit ?? 20}`;
  return rows.map(incidentOf);
}
