/**
 * What operators' actions write to a phase run (cutover.phase_runs): status moves (approve,
 * reject, resume), pause and abort requests, the abort itself, merged options. Which move is
 * allowed is the caller's decision (./run-state.ts describes the state machine).
 */

import type { SqlOrTx } from '../../db/connection';
import type { PhaseRunStatus } from '../../db/console-schema';
import { toJsonValue } from '../../json';

/**
 * Moves a run from status `from` to `to` (which move is allowed is the runbook's decision);
 * false when the run was no longer in `from`. `finished` stamps finished_at, `clearPauseRequest`
 * drops a pending pause request.
 */
export async function movePhaseRun(
  sql: SqlOrTx,
  params: { id: number; from: PhaseRunStatus; to: PhaseRunStatus; finished?: boolean; clearPauseRequest?: boolean },
): Promise<boolean> {
  const moved = await sql`
    update cutover.phase_runs
       set status = ${params.to}
           ${params.finished ? sql`, finished_at = now()` : sql``}
           ${params.clearPauseRequest ? sql`, pause_requested = false` : sql``}
     where id = ${params.id} and status = ${params.from}`;
  return moved.count > 0;
}

/** Asks the runner to pause a running run between two steps. */
export async function requestPhaseRunPause(sql: SqlOrTx, params: { id: number }): Promise<void> {
  await sql`update cutover.phase_runs set pause_requested = true where id = ${params.id} and status = 'running'`;
}

/*
 * An abort (lib/runbook/engine/abort-run.ts) is a request kept in the run's options under `abortRequest`
 * (who, when, why): like a pause it is the runner's to honour, and no step commits once it is set
 * (commitPhaseRunStep). A run whose last step reported a wait carries `waiting` in its progress
 * until its runner steps it again: only then may an action end it at once.
 */

/** Asks the runner to abort a running run; false when it is not running or already asked. */
export async function requestPhaseRunAbort(
  sql: SqlOrTx,
  params: { id: number; request: Record<string, unknown> },
): Promise<boolean> {
  const rows = await sql`
    update cutover.phase_runs
       set options = options || jsonb_build_object('abortRequest', ${sql.json(toJsonValue(params.request))}::jsonb)
     where id = ${params.id} and status = 'running' and not options ? 'abortRequest'
    returning id`;
  return rows.length > 0;
}

/**
 * Ends a run as aborted, from status `from` (and, for a running run, only while `owner` holds it or
 * nobody does), giving up its lease; `abort` is merged into its result. False when the run was no
 * longer in that state (another abort, or its runner finished it first).
 */
export async function markPhaseRunAborted(
  sql: SqlOrTx,
  params: {
    id: number;
    from: PhaseRunStatus;
    owner: string | null;
    clockFinishedAt: Date;
    error: string;
    abort: Record<string, unknown>;
  },
): Promise<boolean> {
  const rows = await sql`
    update cutover.phase_runs
       set status = 'aborted', finished_at = now(), clock_finished_at = ${params.clockFinishedAt},
           error = ${params.error}, pause_requested = false, lease_owner = null, lease_expires_at = null,
           result = result || jsonb_build_object('abort', ${sql.json(toJsonValue(params.abort))}::jsonb)
     where id = ${params.id} and status = ${params.from}
           ${params.owner === null ? sql`and lease_owner is null` : sql`and lease_owner = ${params.owner}`}
    returning id`;
  return rows.length > 0;
}

/** Whether an abort of the run was requested (the runner's watch during a step asks this). */
export async function isPhaseRunAbortRequested(sql: SqlOrTx, params: { id: number }): Promise<boolean> {
  const [row] = await sql<{ requested: boolean }[]>`
    select options ? 'abortRequest' as requested from cutover.phase_runs where id = ${params.id}`;
  return row?.requested ?? false;
}

/** Adds (or replaces) top-level keys of a run's options. */
export async function mergePhaseRunOptions(sql: SqlOrTx, params: { id: number; options: object }): Promise<void> {
  await sql`update cutover.phase_runs set options = options || ${sql.json(toJsonValue(params.options))}
             where id = ${params.id}`;
}
