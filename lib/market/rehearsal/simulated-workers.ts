/**
 * The rehearsal world's pipeline workers, driven by the runner with the clock's time. They call
 * the pipeline's functions by name with named arguments, exactly as the real workers do through
 * PostgREST, so a phase that breaks a signature (an overload that makes a call ambiguous, another
 * result type) breaks the rehearsal too:
 * - tick-factory: for every completed minute, ingests the next provider 1m bar of each symbol
 *   (continuing each random walk, with weekend closures and random gaps), then derives DXY along
 *   the deployed mode: legacy → calc_dxy_range_derived; dual → both functions; final →
 *   calc_dxy_range_1m only;
 * - aggregator: every 5 minutes, for each due data_agg_state task: production variant →
 *   catchup_aggregation_range from the task's cursor (it moves the cursor itself and stops at the
 *   data frontier), judging its jsonb result; plan variant → the three-argument range functions
 *   over the due windows, moving the cursor (the start of the next window) itself.
 * Each minute and each task commits on its own, so a crash never loses or doubles a bar, and
 * every run is written to ops_runlog like the real workers do.
 */
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { Sql, TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../db/connection';
import type { WorkerMode } from '../../db/console-schema';
import { readRehearsalWorkers, recordRehearsalWorkersTick } from '../../db/tables/rehearsal-workers';
import { readRehearsalWorld } from '../../db/tables/rehearsal-world';
import { toJsonValue } from '../../json';
import { MINUTE_MS } from '../../time-units';
import { isFxOpen } from '../market-hours';
import type { PipelineVariant } from '../pipeline/variant';
import { AGG_TASKS } from './create-world';
import { providerSource } from './schema-sql';
import { REHEARSAL_SYMBOLS } from './symbols';

/** Simulated minutes one tick may catch up; the rest follow on the next ticks. */
const MAX_MINUTES_PER_TICK = 60;
/**
 * Windows one catch-up call may walk: more than a weekend of 5m windows (576), so the first run
 * after Sunday's open crosses the closed market at once, as production's aggregator does.
 */
const MAX_WINDOWS_PER_TASK = 1000;
/** Serialises ticks across runner instances (console + `npm run runner`). */
export const WORKERS_LOCK_KEY = 0x0d_c7_0002;

interface WorkerState {
  mode: WorkerMode;
  paused: boolean;
  nextMinute: Date;
  schemaVariant: PipelineVariant;
}

export interface TickResult {
  minutesProduced: number;
  aggregatorRuns: number;
  errors: string[];
}

export async function tickSimulatedWorkers(
  sql: Sql,
  params: {
    now: Date;
    /** Runs between ingest and aggregation, like any other writer of the pipeline's 1m bars. */
    afterIngest?: () => Promise<unknown>;
  },
): Promise<TickResult> {
  const reserved = await sql.reserve();
  try {
    const [lock] = await reserved`select pg_try_advisory_lock(${WORKERS_LOCK_KEY}) as locked`;
    if (!lock?.locked) return { minutesProduced: 0, aggregatorRuns: 0, errors: [] };
    try {
      const state = await readState(sql);
      const tick = await runTickFactory(sql, state, params.now);
      await params.afterIngest?.();
      // In the simulation the aggregator lives in the same time as the tick-factory: while the
      // tick-factory is catching up (after the runner was away) windows it has not produced yet
      // are not due. A stopped tick-factory (an outage being rehearsed) does not hold it back.
      const horizon = tick.nextMinute
        ? new Date(Math.min(params.now.getTime(), tick.nextMinute.getTime() + 60_000))
        : params.now;
      const aggregatorRuns = state ? await runAggregator(sql, state.schemaVariant, horizon, tick.errors) : 0;
      return { minutesProduced: tick.minutesProduced, aggregatorRuns, errors: tick.errors };
    } finally {
      await reserved`select pg_advisory_unlock(${WORKERS_LOCK_KEY})`;
    }
  } finally {
    reserved.release();
  }
}

/** True while the running simulated tick-factory is more than a few minutes behind the clock. */
export async function simulatedWorkersCatchingUp(sql: Sql, now: Date): Promise<boolean> {
  const workers = await readRehearsalWorkers(sql);
  return Boolean(workers && !workers.paused && workers.nextMinute.getTime() < now.getTime() - 3 * MINUTE_MS);
}

async function readState(sql: SqlOrTx): Promise<WorkerState | null> {
  const workers = await readRehearsalWorkers(sql);
  const world = workers && (await readRehearsalWorld(sql));
  if (!workers || !world) return null;
  return {
    mode: workers.mode,
    paused: workers.paused,
    nextMinute: workers.nextMinute,
    schemaVariant: world.schemaVariant,
  };
}

/**
 * Produces the due minutes. `nextMinute` is where the running tick-factory stands afterwards
 * (null when stopped or absent): the aggregator's horizon in the simulation.
 */
async function runTickFactory(
  sql: Sql,
  state: WorkerState | null,
  now: Date,
): Promise<{ minutesProduced: number; errors: string[]; nextMinute: Date | null }> {
  const errors: string[] = [];
  if (!state || state.paused) return { minutesProduced: 0, errors, nextMinute: null };
  const lastCloses = await readLastCloses(sql);
  let minute = state.nextMinute.getTime();
  let produced = 0;
  while (minute + MINUTE_MS <= now.getTime() && produced < MAX_MINUTES_PER_TICK) {
    const error = await produceMinute(sql, {
      minute: new Date(minute),
      mode: state.mode,
      variant: state.schemaVariant,
      lastCloses,
      ranAt: now,
    });
    if (error) errors.push(error);
    minute += MINUTE_MS;
    produced += 1;
  }
  return { minutesProduced: produced, errors, nextMinute: new Date(minute) };
}

async function readLastCloses(sql: Sql): Promise<Map<string, number>> {
  const symbols = REHEARSAL_SYMBOLS.map((s) => s.symbol);
  const rows = await sql<{ symbol: string; close: number }[]>`
    select s.symbol, b.close
      from unnest(${symbols}::text[]) as s(symbol)
      cross join lateral (
        select close from public.data_bars
         where canonical_symbol = s.symbol and timeframe = '1m'
         order by ts_utc desc limit 1) b`;
  const closes = new Map(REHEARSAL_SYMBOLS.map((s) => [s.symbol, s.level]));
  for (const row of rows) closes.set(row.symbol, row.close);
  return closes;
}

/** Box–Muller: a standard normal draw. */
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

/** A row of public.data_bars as the provider's ingest writes it. */
interface ProviderBar {
  canonical_symbol: string;
  provider_ticker: string;
  timeframe: '1m';
  ts_utc: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  vol: number;
  vwap: number;
  trade_count: number;
  is_partial: boolean;
  source: string;
  ingested_at: Date;
  raw: postgres.Parameter;
}

async function produceMinute(
  sql: Sql,
  params: { minute: Date; mode: WorkerMode; variant: PipelineVariant; lastCloses: Map<string, number>; ranAt: Date },
): Promise<string | null> {
  const { minute, mode } = params;
  const bars: ProviderBar[] = [];
  for (const symbol of REHEARSAL_SYMBOLS) {
    if (symbol.calendar === 'fx' && !isFxOpen(minute)) continue;
    const open = params.lastCloses.get(symbol.symbol) ?? symbol.level;
    const close = open * Math.exp(symbol.sigma * normal());
    params.lastCloses.set(symbol.symbol, close);
    if (Math.random() < symbol.missingRate) continue;
    const trades = 20 + Math.floor(Math.random() * 180);
    bars.push({
      canonical_symbol: symbol.symbol,
      provider_ticker: symbol.ticker,
      timeframe: '1m',
      ts_utc: minute,
      open,
      high: Math.max(open, close) * (1 + symbol.sigma * 0.6 * Math.random()),
      low: Math.min(open, close) * (1 - symbol.sigma * 0.6 * Math.random()),
      close,
      vol: trades * 1000,
      vwap: (open + close) / 2,
      trade_count: trades,
      is_partial: false,
      source: providerSource(params.variant),
      ingested_at: new Date(minute.getTime() + 62_000),
      raw: sql.json({ provider: 'massive', ticker: symbol.ticker }),
    });
  }
  const next = new Date(minute.getTime() + MINUTE_MS);
  let failure: string | null = null;
  let dxy: unknown = null;
  await sql.begin(async (tx) => {
    if (bars.length > 0) {
      await tx`insert into public.data_bars ${tx(bars)} on conflict do nothing`;
    }
    try {
      dxy = await tx.savepoint((sp) => deriveDxy(sp, { minute, next, mode }));
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    await recordRehearsalWorkersTick(tx, { nextMinute: next, ranAt: params.ranAt, error: failure });
    await writeRunlog(tx, {
      job: 'tick_factory',
      startedAt: params.ranAt,
      failure,
      stats: { minute: minute.toISOString(), mode, bars: bars.length, dxy },
    });
  });
  return failure ? `tick-factory ${minute.toISOString()}: ${failure}` : null;
}

async function deriveDxy(
  sql: TransactionSql,
  params: { minute: Date; next: Date; mode: WorkerMode },
): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  if (params.mode === 'dual' || params.mode === 'final') {
    const [row] = await sql`
      select public.calc_dxy_range_1m(p_from_utc => ${params.minute}, p_to_utc => ${params.next}) as result`;
    results.data_bars = row?.result;
  }
  if (params.mode === 'legacy' || params.mode === 'dual') {
    const [row] = await sql`
      select public.calc_dxy_range_derived(p_from_utc => ${params.minute}, p_to_utc => ${params.next}) as result`;
    const result = row?.result as { success?: boolean; error?: string } | undefined;
    // The legacy function swallows its own errors; a real worker would log success:false as a failure.
    if (!result?.success) throw new Error(`calc_dxy_range_derived returned success:false: ${result?.error ?? ''}`);
    results.derived_data_bars = result;
  }
  return results;
}

interface AggTaskRow {
  canonical_symbol: string;
  timeframe: string;
  aggregation_delay_seconds: number;
  run_interval_minutes: number;
  last_agg_bar_ts_utc: Date;
}

async function runAggregator(sql: Sql, variant: PipelineVariant, now: Date, errors: string[]): Promise<number> {
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

async function writeRunlog(
  tx: TransactionSql,
  params: { job: string; startedAt: Date; failure: string | null; stats: Record<string, unknown> },
): Promise<void> {
  const events = params.failure ? [{ ts: params.startedAt, checkpoint: 'error', details: params.failure }] : [];
  await tx`insert into public.ops_runlog (run_id, job_name, trigger, env_name, started_at, finished_at, status, events, stats)
           values (${randomUUID()}, ${params.job}, 'cron', 'rehearsal', ${params.startedAt}, ${params.startedAt},
                   ${params.failure ? 'failed' : 'success'}, ${tx.json(events)}, ${tx.json(toJsonValue(params.stats))})`;
}
