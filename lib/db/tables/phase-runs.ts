/**
 * cutover.phase_runs: one row per attempt of a phase. The state machine (approval, claim and
 * lease, pause, verification) lives in lib/runbook/engine (run-state.ts describes it, execute-run.ts
 * drives it, run-lease.ts and run-requests.ts hold its writes); this module holds only the table's
 * plain reads and the insert of a new attempt.
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
    returning id`;
  if (!row) throw new Error('phase run not created');
  return row.id;
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
