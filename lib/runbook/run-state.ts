/**
 * Reads of the run state: the migration run and its phase runs (schema `cutover`). The state
 * machine of a phase run:
 *   awaiting-approval → pending (approved) | rejected
 *   pending → running (claimed by a runner, with a lease)
 *   running → paused (phase 4, on request) → pending (resume)
 *   running → succeeded | failed (after verification)
 * One active run per migration run is enforced by a partial unique index, not by memory.
 */
import type { SqlOrTx } from '../db/connection';
import type { MigrationRunStatus, PhaseRunStatus } from '../db/console-schema';
import type { Verification } from './types';

export interface MigrationRunRow {
  id: number;
  status: MigrationRunStatus;
  startedBy: string;
  startedAt: Date;
  closedAt: Date | null;
}

export interface PhaseRunRow {
  id: number;
  runUuid: string;
  migrationRunId: number;
  phase: string;
  status: PhaseRunStatus;
  options: Record<string, unknown>;
  requestedBy: string;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  clockStartedAt: Date | null;
  clockFinishedAt: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  pauseRequested: boolean;
  attempt: number;
  checkpoint: Record<string, unknown>;
  progress: Record<string, unknown>;
  result: Record<string, unknown>;
  verification: Verification | null;
  error: string | null;
  opsRunlogId: number | null;
}

export const PHASE_RUN_SELECT = `
  id::float8 as "id", run_uuid as "runUuid", migration_run_id as "migrationRunId", phase, status, options,
  requested_by as "requestedBy", requested_at as "requestedAt", started_at as "startedAt",
  finished_at as "finishedAt", clock_started_at as "clockStartedAt", clock_finished_at as "clockFinishedAt",
  lease_owner as "leaseOwner", lease_expires_at as "leaseExpiresAt", heartbeat_at as "heartbeatAt",
  pause_requested as "pauseRequested", attempt, checkpoint, progress, result, verification, error,
  ops_runlog_id::float8 as "opsRunlogId"`;

export async function getActiveMigrationRun(sql: SqlOrTx): Promise<MigrationRunRow | null> {
  const [row] = await sql<MigrationRunRow[]>`
    select id, status, started_by as "startedBy", started_at as "startedAt", closed_at as "closedAt"
      from cutover.migration_runs where status = 'active'`;
  return row ?? null;
}

export async function getLatestMigrationRun(sql: SqlOrTx): Promise<MigrationRunRow | null> {
  const [row] = await sql<MigrationRunRow[]>`
    select id, status, started_by as "startedBy", started_at as "startedAt", closed_at as "closedAt"
      from cutover.migration_runs order by id desc limit 1`;
  return row ?? null;
}

export async function listPhaseRuns(sql: SqlOrTx, params: { migrationRunId: number }): Promise<PhaseRunRow[]> {
  return sql<PhaseRunRow[]>`
    select ${sql.unsafe(PHASE_RUN_SELECT)} from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} order by id`;
}

export async function getPhaseRun(sql: SqlOrTx, params: { id: number }): Promise<PhaseRunRow | null> {
  const [row] = await sql<
    PhaseRunRow[]
  >`select ${sql.unsafe(PHASE_RUN_SELECT)} from cutover.phase_runs where id = ${params.id}`;
  return row ?? null;
}

export async function getActivePhaseRun(sql: SqlOrTx): Promise<PhaseRunRow | null> {
  const [row] = await sql<PhaseRunRow[]>`
    select ${sql.unsafe(PHASE_RUN_SELECT)} from cutover.phase_runs
     where status in ('awaiting-approval', 'pending', 'running', 'paused') order by id desc limit 1`;
  return row ?? null;
}

/** The most recent run of each phase in a migration run. */
export function latestRunByPhase(runs: readonly PhaseRunRow[]): Map<string, PhaseRunRow> {
  const latest = new Map<string, PhaseRunRow>();
  for (const run of runs) latest.set(run.phase, run);
  return latest;
}

/** The most recent succeeded run of a phase, if any. */
export async function getLatestSucceededRun(
  sql: SqlOrTx,
  params: { migrationRunId: number; phase: string },
): Promise<PhaseRunRow | null> {
  const [row] = await sql<PhaseRunRow[]>`
    select ${sql.unsafe(PHASE_RUN_SELECT)} from cutover.phase_runs
     where migration_run_id = ${params.migrationRunId} and phase = ${params.phase} and status = 'succeeded'
     order by id desc limit 1`;
  return row ?? null;
}

export interface PhaseRunEvent {
  id: number;
  at: Date;
  level: 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown>;
}

export async function listPhaseRunEvents(
  sql: SqlOrTx,
  params: { phaseRunId: number; limit?: number },
): Promise<PhaseRunEvent[]> {
  return sql<PhaseRunEvent[]>`
    select id::float8 as id, at, level, message, data from cutover.phase_run_events
     where phase_run_id = ${params.phaseRunId} order by id desc limit ${params.limit ?? 200}`;
}
