/** Precondition checks shared by the phases. */
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
