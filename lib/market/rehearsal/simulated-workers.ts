/**
 * The rehearsal world's pipeline workers, driven by the runner with the clock's time. They call
 * the pipeline's functions by name with named arguments, exactly as the real workers do through
 * PostgREST, so a phase that breaks a signature (an overload that makes a call ambiguous, another
 * result type) breaks the rehearsal too. One tick, under an advisory lock across runner instances:
 * - tick-factory (tick-factory.ts): one run per completed simulated minute — ingest the component
 *   bars that have landed (together or staggered), apply provider revisions, derive DXY along the
 *   deployed mode (legacy → calc_dxy_range_derived; dual → both functions; final →
 *   calc_dxy_range_1m only);
 * - the second legacy writer, when the world has one (second-legacy-writer.ts): outside the
 *   deploy's control, whatever the mode;
 * - aggregator (simulated-aggregator.ts): every 5 minutes, each due data_agg_state task.
 * Each run and each task commits on its own, so a crash never loses or doubles a bar, and every
 * tick-factory and aggregator run is written to ops_runlog like the real workers do.
 */
import type { Sql } from 'postgres';
import { readRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import { MINUTE_MS } from '../../time-units';
import { runSecondLegacyWriter, type SecondWriterRun } from './second-legacy-writer';
import { runAggregator } from './simulated-aggregator';
import { runTickFactory } from './tick-factory';
import { readWorkerState } from './worker-state';

/** Serialises ticks across runner instances (console + `npm run runner`). */
export const WORKERS_LOCK_KEY = 0x0d_c7_0002;

export interface TickResult {
  minutesProduced: number;
  aggregatorRuns: number;
  errors: string[];
  /** What the uncontrolled second legacy writer did in this tick (null: off or not due). */
  secondWriter: SecondWriterRun | null;
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
    if (!lock?.locked) return { minutesProduced: 0, aggregatorRuns: 0, errors: [], secondWriter: null };
    try {
      const state = await readWorkerState(sql);
      const tick = await runTickFactory(sql, state, params.now);
      await params.afterIngest?.();
      const secondWriter = state
        ? await runSecondLegacyWriter(sql, {
            now: params.now,
            periodMinutes: state.ingestion.secondWriterMinutes,
            lastAt: state.secondWriterLastAt,
          })
        : null;
      // In the simulation the aggregator lives in the same time as the tick-factory: while the
      // tick-factory is catching up (after the runner was away) windows it has not produced yet
      // are not due. A stopped tick-factory (an outage being rehearsed) does not hold it back.
      const horizon = tick.nextMinute
        ? new Date(Math.min(params.now.getTime(), tick.nextMinute.getTime() + 60_000))
        : params.now;
      const aggregatorRuns = state ? await runAggregator(sql, state.schemaVariant, horizon, tick.errors) : 0;
      return { minutesProduced: tick.minutesProduced, aggregatorRuns, errors: tick.errors, secondWriter };
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
