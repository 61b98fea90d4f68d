/**
 * The rehearsal world's aggregator: every 5 minutes, for each due data_agg_state task: production
 * variant → catchup_aggregation_range from the task's cursor (it moves the cursor itself and stops
 * at the data frontier), judging its jsonb result; plan variant → the three-argument range
 * functions over the due windows, moving the cursor (the start of the next window) itself. Each
 * task commits on its own with its ops_runlog row.
 */
import type { Sql, TransactionSql } from 'postgres';
import { MINUTE_MS } from '../../time-units';
import type { PipelineVariant } from '../pipeline/variant';
import { AGG_TASKS } from './create-world';
import { writeRunlog } from './worker-runlog';

/**
 * Windows one catch-up call may walk: more than a weekend of 5m windows (576), so the first run
 * after Sunday's open crosses the closed market at once, as production's aggregator does.
 */
const MAX_WINDOWS_PER_TASK = 1000;

interface AggTaskRow {
  canonical_symbol: string;
  timeframe: string;
  aggregation_delay_seconds: number;
  run_interval_minutes: number;
  last_agg_bar_ts_utc: Date;
}

export async function runAggregator(sql: Sql, variant: PipelineVariant, now: Date, errors: string[]): Promise<number> {
  // 5m tasks first, so an hour's last 5m window exists before its 1h window is built.
  const tasks = await sql<AggTaskRow[]>`
    select canonical_symbol, timeframe, aggregation_delay_seconds, run_interval_minutes, last_agg_bar_ts_utc
      from public.data_agg_state
     where status = 'idle' and (next_run_at is null or next_run_at <= ${now})
     order by case timeframe when '5m' then 0 else 1 end, canonical_symbol`;
  let runs = 0;
  for (const task of tasks) {
    const spec = AGG_TASKS.find((t) => t.timeframe === task.timeframe);
    if (!spec) continue;
    const interval = task.run_interval_minutes * MINUTE_MS;
    const nextRun = new Date(Math.floor(now.getTime() / interval) * interval + interval);
    runs += 1;
    try {
      await sql.begin(async (tx) => {
        const stats =
          variant === 'production'
            ? await catchUpTask(tx, task, now)
            : await aggregateDueWindows(tx, task, { now, windowMs: spec.windowMs });
        await tx`update public.data_agg_state set next_run_at = ${nextRun}
                  where canonical_symbol = ${task.canonical_symbol} and timeframe = ${task.timeframe}`;
        await writeRunlog(tx, {
          job: 'aggregator',
          startedAt: now,
          failure: null,
          stats: { symbol: task.canonical_symbol, timeframe: task.timeframe, ...stats },
        });
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push(`aggregator ${task.canonical_symbol} ${task.timeframe}: ${message}`);
      await sql.begin(async (tx) => {
        await tx`update public.data_agg_state
                    set last_error = ${message}, hard_fail_streak = hard_fail_streak + 1, next_run_at = ${nextRun}
                  where canonical_symbol = ${task.canonical_symbol} and timeframe = ${task.timeframe}`;
        await writeRunlog(tx, {
          job: 'aggregator',
          startedAt: now,
          failure: message,
          stats: { symbol: task.canonical_symbol, timeframe: task.timeframe },
        });
      });
    }
  }
  return runs;
}

/** Production's worker: one catch-up call per task; success:false is a failed run, like an exception. */
async function catchUpTask(tx: TransactionSql, task: AggTaskRow, now: Date): Promise<Record<string, unknown>> {
  const [row] = await tx<{ result: Record<string, unknown> | null }[]>`
    select public.catchup_aggregation_range(
             p_symbol => ${task.canonical_symbol},
             p_to_tf => ${task.timeframe},
             p_start_cursor => ${task.last_agg_bar_ts_utc},
             p_max_windows => ${MAX_WINDOWS_PER_TASK}::integer,
             p_now => ${now}) as result`;
  const result = row?.result;
  if (result?.success !== true) {
    throw new Error(`catchup_aggregation_range returned ${JSON.stringify(result)}`);
  }
  return { from: task.last_agg_bar_ts_utc, ...result };
}

/** The plan's worker: the due windows in one range call, then the cursor to the start of the next window. */
async function aggregateDueWindows(
  tx: TransactionSql,
  task: AggTaskRow,
  params: { now: Date; windowMs: number },
): Promise<Record<string, unknown>> {
  const { windowMs } = params;
  const dueEnd = Math.floor((params.now.getTime() - task.aggregation_delay_seconds * 1000) / windowMs) * windowMs;
  const from = task.last_agg_bar_ts_utc.getTime();
  const to = Math.min(dueEnd, from + MAX_WINDOWS_PER_TASK * windowMs);
  let written = 0;
  if (to > from) {
    const fn = task.timeframe === '5m' ? 'aggregate_1m_to_5m_window' : 'aggregate_5m_to_1h_window';
    const [row] = await tx`
      select ${tx(`public.${fn}`)}(p_symbol => ${task.canonical_symbol}, p_from_utc => ${new Date(from)},
                                    p_to_utc => ${new Date(to)}) as written`;
    written = Number(row?.written ?? 0);
  }
  await tx`update public.data_agg_state
              set last_agg_bar_ts_utc = ${new Date(Math.max(from, to))}, last_successful_at_utc = ${params.now},
                  last_error = null, hard_fail_streak = 0,
                  total_runs = total_runs + 1, total_bars_created = total_bars_created + ${written}
            where canonical_symbol = ${task.canonical_symbol} and timeframe = ${task.timeframe}`;
  return { from: new Date(from), to: new Date(to), written };
}
