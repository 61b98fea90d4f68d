/**
 * cutover.approvals: the requests a second person decides (the two-person rule). Who may request
 * and decide, and what a decision does to the run, is the runbook's (lib/runbook/actions/
 * start-phase-run.ts, abandon-migration-run.ts, decide-approval.ts); this module holds the
 * statements. One request per run and kind (the unique index `approvals_one_per_run`).
 */
import type { SqlOrTx } from '../connection';
import { approvals } from '../console-schema';
import { columnsOf, rowOf, rowsOf } from './rows';

export type Approval = typeof approvals.$inferSelect;

/** A new pending request for a run. */
export async function insertApproval(
  sql: SqlOrTx,
  params: { kind: Approval['kind']; phaseRunId: number; requestedBy: string; summary: string },
): Promise<void> {
  await sql`insert into cutover.approvals (kind, phase_run_id, requested_by, summary, status)
            values (${params.kind}, ${params.phaseRunId}, ${params.requestedBy}, ${params.summary}, 'pending')`;
}

/**
 * A pending request for a run, unless the run already has one of this kind: a rejected one is
 * renewed (pending again, as if new), a pending or approved one is left alone and null returned.
 */
export async function insertOrRenewApproval(
  sql: SqlOrTx,
  params: { kind: Approval['kind']; phaseRunId: number; requestedBy: string; summary: string },
): Promise<Approval | null> {
  const [row] = await sql`
    insert into cutover.approvals (kind, phase_run_id, requested_by, summary, status)
    values (${params.kind}, ${params.phaseRunId}, ${params.requestedBy}, ${params.summary}, 'pending')
    on conflict (phase_run_id, kind) do update
       set requested_by = excluded.requested_by, requested_at = now(), summary = excluded.summary,
           status = 'pending', decided_by = null, decided_at = null, reason = null
     where cutover.approvals.status = 'rejected'
    returning ${columnsOf(sql, approvals)}`;
  return row ? rowOf(approvals, row) : null;
}

/** A request, locked (`for update`) until the transaction ends: the one decision on it is taken under the lock. */
export async function lockApproval(sql: SqlOrTx, params: { id: number }): Promise<Approval | null> {
  const [row] =
    await sql`select ${columnsOf(sql, approvals)} from cutover.approvals where id = ${params.id} for update`;
  return row ? rowOf(approvals, row) : null;
}

/** Records the decision on a request (whether it may be decided is the runbook's check). */
export async function decideApproval(
  sql: SqlOrTx,
  params: { id: number; status: 'approved' | 'rejected'; decidedBy: string; reason: string | null },
): Promise<void> {
  await sql`update cutover.approvals set status = ${params.status}, decided_by = ${params.decidedBy},
                                         decided_at = now(), reason = ${params.reason}
             where id = ${params.id}`;
}

/** The approvals page: pending requests first, then the latest decided, newest first. */
export async function listApprovals(sql: SqlOrTx, params: { limit?: number } = {}): Promise<Approval[]> {
  return rowsOf(
    approvals,
    await sql`select ${columnsOf(sql, approvals)} from cutover.approvals
               order by (status = 'pending') desc, id desc limit ${params.limit ?? 100}`,
  );
}

/** The requests of the given runs, oldest first. */
export async function listApprovalsOfRuns(sql: SqlOrTx, params: { phaseRunIds: number[] }): Promise<Approval[]> {
  if (params.phaseRunIds.length === 0) return [];
  return rowsOf(
    approvals,
    await sql`select ${columnsOf(sql, approvals)} from cutover.approvals
               where phase_run_id in ${sql(params.phaseRunIds)} order by id`,
  );
}

/**
 * The latest approved request of a run, with its age in minutes of wall time (the database's
 * `clock_timestamp()`, not the rehearsal clock: an approval is a person's decision and expires in
 * real time), or null when the run has none.
 */
export async function latestApproved(
  sql: SqlOrTx,
  params: { phaseRunId: number },
): Promise<{ approval: Approval; ageMinutes: number | null } | null> {
  const [row] = await sql<(Record<string, unknown> & { age_minutes: number | null })[]>`
    select ${columnsOf(sql, approvals)},
           (extract(epoch from (clock_timestamp() - decided_at)) / 60)::float8 as age_minutes
      from cutover.approvals where phase_run_id = ${params.phaseRunId} and status = 'approved'
     order by decided_at desc limit 1`;
  return row ? { approval: rowOf(approvals, row), ageMinutes: row.age_minutes } : null;
}
