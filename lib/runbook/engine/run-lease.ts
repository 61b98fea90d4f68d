/**
 * The runner's writes of a phase run (cutover.phase_runs): claim with a lease, renew it, start,
 * commit a step, pause or finish a held run, and the waiting flag. Every write holds only while
 * `lease_owner` is still that runner: a runner whose lease was taken over writes nothing.
 */

import type { SqlOrTx } from '../../db/connection';
import { type PhaseRunStatus, phaseRuns } from '../../db/console-schema';
import type { PhaseRun } from '../../db/tables/phase-runs';
import { columnsOf, rowOf } from '../../db/tables/rows';
import { toJsonValue } from '../../json';

/** Marks `owner`'s run as waiting for the world (its last step said so): it runs nothing until stepped again. */
export async function markPhaseRunWaiting(
  sql: SqlOrTx,
  params: { id: number; owner: string; reason: string },
): Promise<void> {
  await sql`
    update cutover.phase_runs set progress = progress || jsonb_build_object('waiting', ${params.reason}::text)
     where id = ${params.id} and lease_owner = ${params.owner} and status = 'running'`;
}

/**
 * Clears the waiting mark before `owner` steps its run again; false when the run is no longer its
 * to step (an action ended it while it waited). Holding the row lock, this and an action's
 * decision on the mark cannot interleave.
 */
export async function clearPhaseRunWaiting(sql: SqlOrTx, params: { id: number; owner: string }): Promise<boolean> {
  const rows = await sql`
    update cutover.phase_runs set progress = progress - 'waiting'
     where id = ${params.id} and lease_owner = ${params.owner} and status = 'running'
    returning id`;
  return rows.length > 0;
}

/**
 * Claims the oldest runnable run for `owner` with a lease of `leaseSeconds` (database time): a
 * pending one, one `owner` already holds, or a running one whose lease expired (its runner died).
 * `for update skip locked`: two runners claiming at once never get the same run, and neither
 * waits on the other. `previousOwner` is who held the lease before, null for a fresh run.
 */
export async function claimNextPhaseRun(
  sql: SqlOrTx,
  params: { owner: string; leaseSeconds: number },
): Promise<{ run: PhaseRun; previousOwner: string | null } | null> {
  const [row] = await sql`
    with target as (
      select id as target_id, lease_owner as previous_owner from cutover.phase_runs
       where status = 'pending'
          or (status = 'running' and (lease_owner = ${params.owner} or lease_expires_at is null or lease_expires_at < now()))
       order by id
       limit 1
       for update skip locked)
    update cutover.phase_runs p
       set status = 'running', lease_owner = ${params.owner},
           lease_expires_at = now() + make_interval(secs => ${params.leaseSeconds}),
           heartbeat_at = now(), started_at = coalesce(started_at, now())
      from target
     where p.id = target.target_id
    returning ${columnsOf(sql, phaseRuns)}, target.previous_owner`;
  if (!row) return null;
  return { run: rowOf(phaseRuns, row), previousOwner: (row.previous_owner as string | null) ?? null };
}

/** Extends `owner`'s lease on a running run by `leaseSeconds` from now; false when the lease is no longer its. */
export async function renewPhaseRunLease(
  sql: SqlOrTx,
  params: { id: number; owner: string; leaseSeconds: number },
): Promise<boolean> {
  const rows = await sql`
    update cutover.phase_runs
       set lease_expires_at = now() + make_interval(secs => ${params.leaseSeconds}), heartbeat_at = now()
     where id = ${params.id} and lease_owner = ${params.owner} and status = 'running'
    returning id`;
  return rows.length > 0;
}

/** Stamps the first start of a run (clock time) and its ops runlog, while `owner` holds it. */
export async function markPhaseRunStarted(
  sql: SqlOrTx,
  params: { id: number; owner: string; clockStartedAt: Date; opsRunlogId: PhaseRun['opsRunlogId'] },
): Promise<void> {
  await sql`update cutover.phase_runs set clock_started_at = ${params.clockStartedAt}, ops_runlog_id = ${params.opsRunlogId}
             where id = ${params.id} and lease_owner = ${params.owner}`;
}

/**
 * A step's new checkpoint, progress and result (each left as it was when not given), with the
 * lease renewed; run in the step's transaction so the step's data and its checkpoint commit
 * together. The row after the update, or null when `owner` no longer holds the running run or an
 * abort was requested (the step then rolls back: nothing commits after an abort request).
 */
export async function commitPhaseRunStep(
  sql: SqlOrTx,
  params: {
    id: number;
    owner: string;
    leaseSeconds: number;
    checkpoint?: Record<string, unknown>;
    progress?: Record<string, unknown>;
    result?: Record<string, unknown>;
  },
): Promise<PhaseRun | null> {
  const { checkpoint, progress, result } = params;
  const [row] = await sql`
    update cutover.phase_runs
       set checkpoint = coalesce(${checkpoint ? sql.json(toJsonValue(checkpoint)) : null}::jsonb, checkpoint),
           progress = coalesce(${progress ? sql.json(toJsonValue(progress)) : null}::jsonb, progress),
           result = coalesce(${result ? sql.json(toJsonValue(result)) : null}::jsonb, result),
           heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => ${params.leaseSeconds})
     where id = ${params.id} and lease_owner = ${params.owner} and status = 'running'
       and not options ? 'abortRequest'
    returning ${columnsOf(sql, phaseRuns)}`;
  return row ? rowOf(phaseRuns, row) : null;
}

/** Pauses `owner`'s run between two steps at the operator's request and gives up the lease. */
export async function pauseHeldPhaseRun(sql: SqlOrTx, params: { id: number; owner: string }): Promise<void> {
  await sql`update cutover.phase_runs set status = 'paused', pause_requested = false, lease_owner = null,
                   lease_expires_at = null where id = ${params.id} and lease_owner = ${params.owner} and status = 'running'`;
}

/**
 * Records the outcome of `owner`'s run and gives up the lease: finished_at in database time,
 * clock_finished_at in the runbook's clock (rehearsal or wall). False when the run is no longer
 * `owner`'s or an abort was requested first (the abort then wins).
 */
export async function finishHeldPhaseRun(
  sql: SqlOrTx,
  params: {
    id: number;
    owner: string;
    status: Extract<PhaseRunStatus, 'succeeded' | 'failed'>;
    clockFinishedAt: Date;
    verification: object | null;
    error: string | null;
  },
): Promise<boolean> {
  const { verification } = params;
  const rows = await sql`update cutover.phase_runs
               set status = ${params.status}, finished_at = now(), clock_finished_at = ${params.clockFinishedAt},
                   verification = ${verification ? sql.json(toJsonValue(verification)) : null}, error = ${params.error},
                   lease_owner = null, lease_expires_at = null
             where id = ${params.id} and lease_owner = ${params.owner} and status = 'running'
               and not options ? 'abortRequest'
            returning id`;
  return rows.length > 0;
}
