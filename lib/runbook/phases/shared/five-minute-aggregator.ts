/**
 * The DXY 5m aggregator as the legacy-path proofs judge it (docs/phases.md, rollback): once the
 * allowance of data for a DXY 5m bar is spent, the aggregator is still judged on a run — the data may
 * have come in one burst (a component held back) just before its next run. It is silent when a run
 * that began a minute or more after the allowance was found spent (data_agg_state.last_successful_at_utc)
 * produced nothing, or when no run came for the allowance again in open-market minutes (dead, failing);
 * at once when its task is disabled or hard_failed, or missing. Used by the rollback's proof (../rollback/prove-legacy-path.ts) and the pending proof's
 * check at the open (./legacy-path-proof.ts).
 */
import type { SqlOrTx } from '../../../db/connection';
import { countOpenMinutes } from '../../../market/market-hours';
import { MINUTE_MS } from '../../../time-units';

export interface FiveMinuteTask {
  cursor: Date;
  status: string;
  last_error: string | null;
  streak: number;
  next_run_at: Date | null;
  last_successful_at: Date | null;
}

async function readFiveMinuteTask(sql: SqlOrTx): Promise<FiveMinuteTask | null> {
  const [task] = await sql<FiveMinuteTask[]>`
    select last_agg_bar_ts_utc as cursor, status, last_error, hard_fail_streak::int as streak, next_run_at,
           last_successful_at_utc as last_successful_at
      from public.data_agg_state where canonical_symbol = 'DXY' and timeframe = '5m'`;
  return task ?? null;
}

/**
 * Silent (and why, in parentheses, for the operator's message) or still within its allowance. `spentAt` null: the
 * allowance was just found spent (the caller records it); only a task that cannot run is silent at once.
 */
export function judgeFiveMinuteAggregator(
  task: FiveMinuteTask | null,
  params: { spentAt: Date | null; now: Date; allowanceMinutes: number },
): { silent: false } | { silent: true; why: string } {
  const { spentAt, now, allowanceMinutes } = params;
  if (!task) return { silent: true, why: '(data_agg_state has no DXY 5m task)' };
  // No run will come: waiting for one would only delay what the operator must hear.
  if (task.status === 'disabled' || task.status === 'hard_failed')
    return { silent: true, why: `(its task is ${task.status}: no run will come)` };
  if (!spentAt) return { silent: false };
  const lastRun = task.last_successful_at;
  if (lastRun !== null && lastRun.getTime() >= spentAt.getTime() + MINUTE_MS)
    return { silent: true, why: `(it ran at ${lastRun.toISOString()} with those minutes there)` };
  if (countOpenMinutes(spentAt, now) > allowanceMinutes)
    return {
      silent: true,
      why: `(no successful run in the ${allowanceMinutes} open-market minutes since ${spentAt.toISOString()})`,
    };
  return { silent: false };
}

/**
 * The DXY 5m task read and judged now: silent, with why and the task described for the operator's message, or not
 * (the caller records `spentAt` when it was null).
 */
export async function readAndJudgeFiveMinuteAggregator(
  sql: SqlOrTx,
  params: { spentAt: Date | null; now: Date; allowanceMinutes: number },
): Promise<{ silent: false } | { silent: true; why: string; task: string }> {
  const task = await readFiveMinuteTask(sql);
  const verdict = judgeFiveMinuteAggregator(task, params);
  return verdict.silent ? { ...verdict, task: describeFiveMinuteTask(task) } : verdict;
}

/** The DXY 5m aggregation task as data_agg_state holds it, for the operator who must find out why it is silent. */
function describeFiveMinuteTask(task: FiveMinuteTask | null): string {
  if (!task) return 'data_agg_state has no DXY 5m task.';
  return (
    `data_agg_state for DXY 5m: cursor ${task.cursor.toISOString()}, status ${task.status}, ` +
    `next run ${task.next_run_at?.toISOString() ?? 'unset'}, ${task.streak} failures in a row` +
    (task.last_error ? `, last error: ${task.last_error.slice(0, 300)}` : ', no error recorded') +
    '.'
  );
}
