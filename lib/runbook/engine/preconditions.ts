/**
 * Precondition checks shared by the phases. The phase registry is handed in, never imported: the
 * registry (./phases/index.ts) is built from the phase files, which use these checks, so an import
 * would close a circle (docs/architecture.md "The parts").
 */
import type { PhaseRegistry } from './phase-registry';
import { getLatestSucceededRun } from './run-state';
import type { PreconditionContext } from './types';
import type { Check } from './verification';

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

/**
 * A step of the plan succeeded: the phase itself or one of its actions (phase 2's report or its fix),
 * as `registry` lists them.
 */
export async function requireStepSucceeded(
  ctx: PreconditionContext,
  registry: Pick<PhaseRegistry, 'runIdsOf' | 'label'>,
  stepId: string,
  name: string,
): Promise<Check> {
  if (ctx.migrationRunId === null) return { name, passed: false, detail: 'no migration run yet: start with phase 1' };
  const migrationRunId = ctx.migrationRunId;
  const ids = registry.runIdsOf(stepId);
  const found = await Promise.all(
    ids.map((phase) => getLatestSucceededRun(ctx.database.sql, { migrationRunId, phase })),
  );
  const run = found.reduce((latest, r) => (r && (!latest || r.id > latest.id) ? r : latest), null);
  return {
    name,
    passed: Boolean(run),
    detail: run
      ? `run #${run.id} (${registry.label(run.phase)}) by ${run.requestedBy}, finished ${run.finishedAt?.toISOString() ?? ''}`
      : `${ids.map((id) => registry.label(id)).join(' or ')}: none has succeeded`,
  };
}
