/**
 * Reads of the run state: the migration run and its phase runs (schema `cutover`). The state
 * machine of a phase run:
 *   awaiting-approval → pending (approved) | rejected
 *   pending → running (claimed by a runner, with a lease)
 *   running → paused (phase 4, on request) → pending (resume)
 *   running → succeeded | failed (after verification)
 *   awaiting-approval | pending | paused | running → aborted (an operator's abort: ./abort-run.ts)
 * One active run per migration run is enforced by a partial unique index, not by memory.
 */
import type { SqlOrTx } from '../../db/connection';
import type * as migrationRuns from '../../db/tables/migration-runs';
import type { PhaseRunEventRow } from '../../db/tables/phase-run-events';
import * as phaseRunEvents from '../../db/tables/phase-run-events';
import * as phaseRuns from '../../db/tables/phase-runs';
import type { Verification } from './verification';

export { getActiveMigrationRun, getLatestMigrationRun } from '../../db/tables/migration-runs';

/** A migration run's row (lib/db/tables/migration-runs.ts). */
export type MigrationRunRow = migrationRuns.MigrationRun;

/**
 * A phase run's row (lib/db/tables/phase-runs.ts) with its verification typed as the runbook's
 * `Verification`: the schema cannot name that type (lib/db sits below lib/runbook).
 */
export type PhaseRunRow = Omit<phaseRuns.PhaseRun, 'verification'> & { verification: Verification | null };

/** The row as the runbook reads it: execute-run.ts stores only `Verification` documents in `verification`. */
export function asPhaseRunRow(run: phaseRuns.PhaseRun): PhaseRunRow {
  return run as PhaseRunRow;
}

function orNull(run: phaseRuns.PhaseRun | null): PhaseRunRow | null {
  return run ? asPhaseRunRow(run) : null;
}

export async function listPhaseRuns(sql: SqlOrTx, params: { migrationRunId: number }): Promise<PhaseRunRow[]> {
  return (await phaseRuns.listPhaseRuns(sql, params)).map(asPhaseRunRow);
}

export async function getPhaseRun(sql: SqlOrTx, params: { id: number }): Promise<PhaseRunRow | null> {
  return orNull(await phaseRuns.getPhaseRun(sql, params));
}

export async function getActivePhaseRun(sql: SqlOrTx): Promise<PhaseRunRow | null> {
  return orNull(await phaseRuns.getActivePhaseRun(sql));
}

/** The most recent succeeded run of a phase, if any. */
export async function getLatestSucceededRun(
  sql: SqlOrTx,
  params: { migrationRunId: number; phase: string },
): Promise<PhaseRunRow | null> {
  return orNull(await phaseRuns.getLatestSucceededRun(sql, params));
}

/** An event of a phase run as the pages show it (lib/db/tables/phase-run-events.ts, without its run's id). */
export type PhaseRunEvent = Omit<PhaseRunEventRow, 'phaseRunId'>;

export async function listPhaseRunEvents(
  sql: SqlOrTx,
  params: { phaseRunId: number; limit?: number },
): Promise<PhaseRunEvent[]> {
  const events = await phaseRunEvents.listPhaseRunEvents(sql, {
    phaseRunId: params.phaseRunId,
    limit: params.limit ?? 200,
  });
  return events.map(({ phaseRunId: _run, ...event }) => event);
}
