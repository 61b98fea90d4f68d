/**
 * ANALYZE data_bars once the copy went through the whole history (docs/operations.md "Pacing"): the
 * copy adds millions of rows to a table the workers and the aggregator query every minute, and
 * autovacuum's analyze may come much later; until then the planner plans with the table's old
 * statistics. A previewed statement like every other write; it takes SHARE UPDATE EXCLUSIVE, which
 * the workers' inserts do not wait for. Once per run (the checkpoint says which run did it).
 */
import { bound, type PlannedStatement, planned } from '../../engine/statements';
import type { PhaseContext } from '../../engine/types';

const ANALYZE_SQL = 'ANALYZE public.data_bars';

export function analyzeStatements(): PlannedStatement[] {
  return [planned('copy', ANALYZE_SQL)];
}

export async function analyzeAfterCopy(ctx: PhaseContext): Promise<void> {
  if (ctx.run.checkpoint.analyzedByRun === ctx.run.id) return;
  const started = Date.now();
  await ctx.commitStep(
    (tx) => ctx.exec(tx, bound(ANALYZE_SQL)),
    () => ({ checkpoint: { ...ctx.run.checkpoint, analyzedByRun: ctx.run.id } }),
  );
  const ms = Date.now() - started;
  await ctx.log(`ANALYZE public.data_bars after the copy (${ms} ms): the planner sees the copied rows.`, {
    analyze: { table: 'public.data_bars', ms },
  });
}
