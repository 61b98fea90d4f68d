/**
 * The audit events of a period as the migration report shows them (docs/operations.md "The audit
 * log"): all of them when they fit, otherwise the oldest half and the newest half of the limit and
 * an account of what was left out between them — how many, which ids, and where to read them all.
 * The newest events (the end of the night) are never dropped silently.
 */
import type { SqlOrTx } from '../db/connection';
import { auditEvents } from '../db/console-schema';
import { columnsOf, rowsOf } from '../db/tables/rows';
import { type AuditEventSummary, toAuditEventSummary } from './audit';

export interface AuditWindow {
  events: AuditEventSummary[];
  /** Events of the period (sign-ins excluded), shown or not. */
  total: number;
  /** The run of events left out between the oldest and the newest shown; null when all are shown. */
  omitted: { count: number; firstId: number; lastId: number } | null;
}

/** Where every event of the log can be read, newest first (the console's Audit page pages by id). */
export function auditPageLink(beforeId: number): string {
  return `/audit?before=${beforeId}`;
}

/** "showing N of M events", and what was left out and where to read it. */
export function describeAuditWindow(window: AuditWindow): string {
  const shown = `Showing ${window.events.length} of ${window.total} events`;
  if (!window.omitted) return `${shown}.`;
  const { count, firstId, lastId } = window.omitted;
  return (
    `${shown}: the oldest and the newest; ${count} events between #${firstId} and #${lastId} are left out ` +
    `— the console's Audit page lists them all (${auditPageLink(lastId + 1)}).`
  );
}

export async function listActionAuditWindow(
  sql: SqlOrTx,
  params: { from: Date; until: Date | null; limit: number },
): Promise<AuditWindow> {
  // Sign-ins and sign-outs (`auth.*`) are left out: they say who was around, not what was done.
  const inPeriod = sql`
    at >= ${params.from} and (${params.until}::timestamptz is null or at <= ${params.until})
    and action not like 'auth.%'`;
  const [counted] = await sql<{ n: number }[]>`select count(*) as n from cutover.audit_events where ${inPeriod}`;
  const total = counted?.n ?? 0;
  const select = async (order: 'asc' | 'desc', limit: number) =>
    rowsOf(
      auditEvents,
      await sql`
        select ${columnsOf(sql, auditEvents)} from cutover.audit_events where ${inPeriod}
         order by id ${order === 'asc' ? sql`asc` : sql`desc`} limit ${limit}`,
    ).map(toAuditEventSummary);
  if (total <= params.limit) return { events: await select('asc', params.limit), total, omitted: null };
  const oldest = await select('asc', Math.ceil(params.limit / 2));
  const newest = (await select('desc', Math.floor(params.limit / 2))).reverse();
  const afterOldest = oldest.at(-1)?.id ?? 0;
  const beforeNewest = newest[0]?.id ?? Number.MAX_SAFE_INTEGER;
  const [gap] = await sql<{ n: number; first: number | null; last: number | null }[]>`
    select count(*) as n, min(id) as first, max(id) as last from cutover.audit_events
     where ${inPeriod} and id > ${afterOldest} and id < ${beforeNewest}`;
  return {
    events: [...oldest, ...newest],
    total,
    omitted: gap?.first != null && gap.last != null ? { count: gap.n, firstId: gap.first, lastId: gap.last } : null,
  };
}
