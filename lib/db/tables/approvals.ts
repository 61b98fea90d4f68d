/**
 * cutover.approvals: the requests a second person decides (the two-person rule). Who may request
 * and decide, and what a decision does to the run, is the runbook's (lib/runbook/actions/
 * start-phase-run.ts, abandon-migration-run.ts, decide-approval.ts); this module holds the
 * statements. One request per run and kind (the unique index `approvals_one_per_run`), except
 * abandon requests: a new row each time, one pending at a time (`approvals_one_pending_abandon`).
 */
import type { SqlOrTx } from '../connection';
import { approvals } from '../console-schema';
import { columnsOf, rowOf, rowsOf } from './rows';

export type Approval = typeof approvals.$inferSelect;

/**
 * A new pending request for a run. Its requested_at is the database's wall clock
 * (clock_timestamp(), not the transaction's start): the request's TTL counts from it.
 */
export async function insertApproval(
  sql: SqlOrTx,
  params: { kind: Approval['kind']; phaseRunId: number; requestedBy: string; summary: string },
): Promise<void> {
  await sql`insert into cutover.approvals (kind, phase_run_id, requested_by, requested_at, summary, status)
            values (${params.kind}, ${params.phaseRunId}, ${params.requestedBy}, clock_timestamp(), ${params.summary},
                    'pending')`;
}

/**
 * A new abandon request for the run: a new row each time, so a rejected or expired request stays as
 * it was decided. A pending one older than `ttlMinutes` (from its request) is closed as expired
 * first; a pending one still valid is left alone and null returned (the partial unique index
 * `approvals_one_pending_abandon` backs this up against a concurrent request).
 */
export async function insertAbandonRequest(
  sql: SqlOrTx,
  params: { phaseRunId: number; requestedBy: string; summary: string; ttlMinutes: number },
): Promise<Approval | null> {
  await sql`
    update cutover.approvals set status = 'expired', decided_at = clock_timestamp(),
           reason = ${`not decided within CUTOVER_APPROVAL_TTL_MINUTES (${params.ttlMinutes} min)`}
     where phase_run_id = ${params.phaseRunId} and kind = 'abandon' and status = 'pending'
       and requested_at < clock_timestamp() - make_interval(mins => ${params.ttlMinutes})`;
  const [row] = await sql`
    insert into cutover.approvals (kind, phase_run_id, requested_by, requested_at, summary, status)
    values ('abandon', ${params.phaseRunId}, ${params.requestedBy}, clock_timestamp(), ${params.summary}, 'pending')
    on conflict (phase_run_id) where kind = 'abandon' and status = 'pending' do nothing
    returning ${columnsOf(sql, approvals)}`;
  return row ? rowOf(approvals, row) : null;
}

/** A request, locked (`for update`) until the transaction ends: the one decision on it is taken under the lock. */
export async function lockApproval(sql: SqlOrTx, params: { id: number }): Promise<Approval | null> {
  const [row] =
    await sql`select ${columnsOf(sql, approvals)} from cutover.approvals where id = ${params.id} for update`;
  return row ? rowOf(approvals, row) : null;
}

/**
 * Records the decision on a request (whether it may be decided is the runbook's check), with the
 * origin of both accounts when the decider gives it (lib/auth/account-origin.ts).
 */
export async function decideApproval(
  sql: SqlOrTx,
  params: {
    id: number;
    status: 'approved' | 'rejected';
    decidedBy: string;
    reason: string | null;
    accounts?: { requester: unknown; decider: unknown };
  },
): Promise<void> {
  const requester = params.accounts ? JSON.stringify(params.accounts.requester) : null;
  const decider = params.accounts ? JSON.stringify(params.accounts.decider) : null;
  await sql`update cutover.approvals set status = ${params.status}, decided_by = ${params.decidedBy},
                                         decided_at = now(), reason = ${params.reason},
                                         requester_account = coalesce(${requester}::text::jsonb, requester_account),
                                         decider_account = coalesce(${decider}::text::jsonb, decider_account)
             where id = ${params.id}`;
}

/** Minutes of wall time since the request (the database's clock): a request's TTL counts from here. */
export async function requestAgeMinutes(sql: SqlOrTx, params: { id: number }): Promise<number | null> {
  const [row] = await sql<{ age: number }[]>`
    select extract(epoch from (clock_timestamp() - requested_at)) / 60 as age
      from cutover.approvals where id = ${params.id}`;
  return row ? row.age : null;
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
 * The latest approved request of a run, with its age in minutes of wall time since it was
 * REQUESTED (the database's `clock_timestamp()`, not the rehearsal clock: an approval is a person's
 * decision and expires in real time; counted from the request, so that a request left pending does
 * not start a fresh TTL when someone finally decides it), or null when the run has none.
 */
export async function latestApproved(
  sql: SqlOrTx,
  params: { phaseRunId: number },
): Promise<{ approval: Approval; ageMinutes: number | null } | null> {
  const [row] = await sql<(Record<string, unknown> & { age_minutes: number | null })[]>`
    select ${columnsOf(sql, approvals)},
           extract(epoch from (clock_timestamp() - requested_at)) / 60 as age_minutes
      from cutover.approvals where phase_run_id = ${params.phaseRunId} and status = 'approved'
     order by decided_at desc limit 1`;
  return row ? { approval: rowOf(approvals, row), ageMinutes: row.age_minutes } : null;
}
