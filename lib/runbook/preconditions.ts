/** Precondition checks shared by the phases. */
import { PHASE_CATALOG } from './phases';
import { getLatestSucceededRun } from './run-state';
import type { Check, PreconditionContext } from './types';

export async function requireSucceeded(ctx: PreconditionContext, phase: string, name: string): Promise<Check> {
  if (ctx.migrationRunId === null) return { name, passed: false, detail: 'no migration run yet: start with phase 1' };
  const run = await getLatestSucceededRun(ctx.database.sql, { migrationRunId: ctx.migrationRunId, phase });
  return {
    name,
    passed: Boolean(run),
    detail: run
      ? `run #${run.id} by ${run.requestedBy}, finished ${run.finishedAt?.toISOString() ?? ''}`
      : `phase ${phase} has not succeeded`,
  };
}

/** A step of the plan succeeded: the phase itself or one of its actions (phase 2's report or its fix). */
export async function requireStepSucceeded(ctx: PreconditionContext, stepId: string, name: string): Promise<Check> {
  if (ctx.migrationRunId === null) return { name, passed: false, detail: 'no migration run yet: start with phase 1' };
  const migrationRunId = ctx.migrationRunId;
  const ids = PHASE_CATALOG.runIdsOf(stepId);
  const found = await Promise.all(
    ids.map((phase) => getLatestSucceededRun(ctx.database.sql, { migrationRunId, phase })),
  );
  const run = found.reduce((latest, r) => (r && (!latest || r.id > latest.id) ? r : latest), null);
  return {
    name,
    passed: Boolean(run),
    detail: run
      ? `run #${run.id} (${PHASE_CATALOG.label(run.phase)}) by ${run.requestedBy}, finished ${run.finishedAt?.toISOString() ?? ''}`
      : `${ids.map((id) => PHASE_CATALOG.label(id)).join(' or ')}: none has succeeded`,
  };
}
