/**
 * cutover.phase_runs: one row per attempt of a phase. The state machine (approval, claim and
 * lease, pause, verification) lives in lib/runbook (run-state.ts describes it, execute-run.ts
 * drives it); this module holds its statements: the plain reads of the rows, and the runner's
 * claim, lease and outcome writes, each exactly as the state machine needs it. Every write of a
 * runner (lease renewal, start, step commit, pause, finish) holds only while `lease_owner` is
 * still that runner: a runner whose lease was taken over writes nothing.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { type PhaseRunStatus, phaseRuns } from '../console-schema';
import { columnsOf, rowOf, rowsOf } from './rows';

export type PhaseRun = typeof phaseRuns.$inferSelect;

export async function listPhaseRuns(sql: SqlOrTx, params: { migrationRunId: number }): Promise<PhaseRun[]> {
  return rowsOf(
    phaseRuns,
    await sql`select ${columnsOf(sql, phaseRuns)} from cutover.phase_runs
               where migration_run_id = ${params.migrationRunId} order by id`,
  );
}

export async function getPhaseRun(sql: SqlOrTx, params: { id: number }): Promise<PhaseRun | null> {
  const [row] = await sql`select ${columnsOf(sql, phaseRuns)} from cutover.phase_runs where id = ${params.id}`;
  return row ? rowOf(phaseRuns, row) : null;
}

/** A run, locked until the end of the caller's transaction (an abort decides on the row it read). */
export async function lockPhaseRun(sql: SqlOrTx, params: { id: number }): Promise<PhaseRun | null> {
  const [row] =
    await sql`select ${columnsOf(sql, phaseRuns)} from cutover.phase_runs where id = ${params.id} for update`;
  return row ? rowOf(phaseRuns, row) : null;
}

/** The run holding the one active slot (awaiting approval, pending, running or paused), if any. */
export async function getActivePhaseRun(sql: SqlOrTx): Promise<PhaseRun | null> {
  const [row] = await sql`
    select ${columnsOf(sql, phaseRuns)} from cutover.phase_runs
     where status in ('awaiting-approval', 'pending', 'running', 'paused') order by id desc limit 1`;
  return row ? rowOf(phaseRuns, row) : null;
}

/** The most recent succeeded run of a phase, if any. */
export async function getLatestSucceededRun(
  sql: SqlOrTx,
  params: { migrationRunId: number; phase: string },
): Promise<PhaseRun | null> {
  const [row] = await sql`
    select ${columnsOf(sql, phaseRuns)} from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} and phase = ${params.phase} and status = 'succeeded'
     order by id desc limit 1`;
  return row ? rowOf(phaseRuns, row) : null;
}

/** When (clock time) the first succeeded run of a phase finished, or null. */
export async function firstSucceededClockFinish(
  sql: SqlOrTx,
  params: { migrationRunId: number; phase: string },
): Promise<Date | null> {
  const [row] = await sql<{ at: Date }[]>`
    select clock_finished_at as at from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} and phase = ${params.phase} and status = 'succeeded'
       and clock_finished_at is not null
     order by id limit 1`;
  return row?.at ?? null;
}

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

/** Adds (or replaces) top-level keys of a run's options. */
export async function mergePhaseRunOptions(sql: SqlOrTx, params: { id: number; options: object }): Promise<void> {
  await sql`update cutover.phase_runs set options = options || ${sql.json(toJsonValue(params.options))}
             where id = ${params.id}`;
}

/** The attempts of a phase in a migration run, newest first (what a new attempt resumes from). */
export async function listPhaseAttempts(
  sql: SqlOrTx,
  params: { migrationRunId: number; phase: string },
): Promise<Pick<PhaseRun, 'id' | 'status' | 'checkpoint'>[]> {
  const runs = rowsOf(
    phaseRuns,
    await sql`select ${columnsOf(sql, phaseRuns)} from cutover.phase_runs
               where migration_run_id = ${params.migrationRunId} and phase = ${params.phase} order by id desc`,
  );
  return runs.map(({ id, status, checkpoint }) => ({ id, status, checkpoint }));
}

/**
 * A new run of a phase; its id. The partial unique index `phase_runs_one_active` refuses a second
 * active run (awaiting approval or pending here).
 */
export async function insertPhaseRun(
  sql: SqlOrTx,
  params: {
    migrationRunId: number;
    phase: string;
    status: Extract<PhaseRunStatus, 'awaiting-approval' | 'pending'>;
    options: Record<string, unknown>;
    requestedBy: string;
    attempt: number;
    checkpoint: Record<string, unknown>;
  },
): Promise<PhaseRun['id']> {
  const [row] = await sql<{ id: number }[]>`
    insert into cutover.phase_runs (migration_run_id, phase, status, options, requested_by, attempt, checkpoint)
    values (${params.migrationRunId}, ${params.phase}, ${params.status}, ${sql.json(toJsonValue(params.options))},
            ${params.requestedBy}, ${params.attempt}, ${sql.json(toJsonValue(params.checkpoint))})
    returning id::float8 as id`;
  if (!row) throw new Error('phase run not created');
  return row.id;
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

/** When (clock time) the first succeeded run of a phase started, or null. */
export async function firstSucceededClockStart(
  sql: SqlOrTx,
  params: { migrationRunId: number; phase: string },
): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>`
    select min(clock_started_at) as at from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} and phase = ${params.phase} and status = 'succeeded'`;
  return row?.at ?? null;
}

/*
 * A rollback's legacy-path proof (lib/runbook/phases/shared/legacy-path-proof.ts owns its shape) is kept in its
 * run's result under `legacyPathProof` and in its checkpoint under `legacyProof`; a succeeded
 * rollback whose proof is 'pending' or 'silent' is still being watched.
 */

/** The succeeded rollbacks whose legacy-path proof is pending or silent, with that proof. */
export async function listOpenLegacyPathProofs(
  sql: SqlOrTx,
): Promise<{ id: PhaseRun['id']; proof: Record<string, unknown> }[]> {
  return sql<{ id: number; proof: Record<string, unknown> }[]>`
    select id::float8 as id, result->'legacyPathProof' as proof from cutover.phase_runs
     where phase = 'rollback' and status = 'succeeded'
       and result->'legacyPathProof'->>'state' in ('pending', 'silent')`;
}

/** The latest succeeded rollback whose legacy-path proof is pending or silent: its state and expected time. */
export async function latestOpenLegacyPathProof(
  sql: SqlOrTx,
): Promise<{ id: PhaseRun['id']; state: 'pending' | 'silent'; expectedFrom: string } | null> {
  const [row] = await sql<{ id: number; state: 'pending' | 'silent'; expected_from: string }[]>`
    select id::float8 as id, result->'legacyPathProof'->>'state' as state, result->'legacyPathProof'->>'expectedFrom' as expected_from
      from cutover.phase_runs
     where phase = 'rollback' and status = 'succeeded' and result->'legacyPathProof'->>'state' in ('pending', 'silent')
     order by id desc limit 1`;
  return row ? { id: row.id, state: row.state, expectedFrom: row.expected_from } : null;
}

/** Stores a rollback's new legacy-path proof in its result and its checkpoint. */
export async function storeLegacyPathProof(sql: SqlOrTx, params: { id: number; proof: object }): Promise<void> {
  await sql`update cutover.phase_runs
               set result = jsonb_set(result, '{legacyPathProof}', ${sql.json(toJsonValue(params.proof))}),
                   checkpoint = jsonb_set(checkpoint, '{legacyProof}', ${sql.json(toJsonValue(params.proof))})
             where id = ${params.id}`;
}
