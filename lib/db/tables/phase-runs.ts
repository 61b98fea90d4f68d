/**
 * cutover.phase_runs: one row per attempt of a phase. The state machine (approval, claim and
 * lease, pause, verification) lives in lib/runbook (run-state.ts describes it, execute-run.ts
 * drives it); this module holds the plain reads of the rows.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { type PhaseRunStatus, phaseRuns } from '../console-schema';
import { columnsOf, rowOf, rowsOf } from './rows';

export type PhaseRun = typeof phaseRuns.$inferSelect;

/** A row as selected with `${columnsOf(sql, phaseRuns)}` (e.g. in an `update … returning`). */
export function phaseRunOf(raw: Record<string, unknown>): PhaseRun {
  return rowOf(phaseRuns, raw);
}

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

/** Adds (or replaces) top-level keys of a run's options. */
export async function mergePhaseRunOptions(sql: SqlOrTx, params: { id: number; options: object }): Promise<void> {
  await sql`update cutover.phase_runs set options = options || ${sql.json(toJsonValue(params.options))}
             where id = ${params.id}`;
}
