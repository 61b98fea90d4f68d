/**
 * The gate a batched phase calls before each batch (docs/operations.md "Pacing"): reads the live
 * limits, the database's signals and the run's pacing state, decides (./decide-pace.ts), records
 * the decision (cutover.pacing_state, migration 0021) and either hands back the batch size to use
 * now or the engine's `{ state: 'wait', reason }` — the runner marks the run waiting with that
 * reason (the phase page shows it) and steps it again on a later tick, which reads everything again.
 * The run's log gets one line when a pause starts and one when it ends, not one per tick.
 */
import type { SqlOrTx } from '../../../db/connection';
import { toJsonValue } from '../../../json';
import type { PhaseContext, StepOutcome } from '../types';
import { decidePace, MIN_RATE_WINDOW_S, type PacingState } from './decide-pace';
import { hiddenReplicaLag } from './hidden-replica-lag';
import { readPacingLimits } from './pacing-limits';
import { type CounterSample, type DatabaseSignals, readDatabaseSignals } from './read-database-signals';

interface StateRow {
  last_batch_at: Date | null;
  waiting_since: Date | null;
  waiting_reason: string | null;
  hold_until: Date | null;
  hold_reason: string | null;
  sample: CounterSample | null;
}

export async function readPacingState(
  sql: SqlOrTx,
  params: { runId: number },
): Promise<PacingState & { waitingReason: string | null; sample: CounterSample | null }> {
  const [row] = await sql<StateRow[]>`select * from cutover.pacing_state where phase_run_id = ${params.runId}`;
  return {
    lastBatchAt: row?.last_batch_at ?? null,
    waitingSince: row?.waiting_since ?? null,
    waitingReason: row?.waiting_reason ?? null,
    holdUntil: row?.hold_until ?? null,
    holdReason: row?.hold_reason ?? null,
    sample: row?.sample ?? null,
  };
}

export type PacedBatch = { wait: StepOutcome; batchRows?: undefined } | { wait?: undefined; batchRows: number };

/** With the signals off (the tests' driver): nothing waits but the operator's pace. */
const QUIET: Omit<DatabaseSignals, 'counters'> = {
  lockWait: { waiting: 0, maxWaitMs: 0, tables: [] },
  replication: { replicas: 0, hidden: 0, maxLagS: null },
  worker: null,
};

/**
 * `batchRows`: the phase's own batch size, used unless an operator set one (pacing_limits.batch_rows).
 * The pace and holds count in the console clock's time, as every time-based decision does (wall time
 * in production; a rehearsal at speed shortens them with everything else).
 */
export async function paceNextBatch(
  ctx: Pick<PhaseContext, 'sql' | 'clock' | 'run' | 'log' | 'config'>,
  params: { batchRows: number },
): Promise<PacedBatch> {
  const { sql } = ctx;
  const runId = ctx.run.id;
  const now = ctx.clock.now();
  const state = await readPacingState(sql, { runId });
  const limits = await readPacingLimits(sql);
  const signals =
    ctx.config.pacingSignals === false
      ? { ...QUIET, counters: { atS: now.getTime() / 1000, walBytes: null, requestedCheckpoints: null } }
      : await readDatabaseSignals(sql, { at: now });
  const decision = decidePace({ signals, previous: state.sample, limits, state, now });
  // Once per run, at its first batch: a signal the pacing cannot read is said, not taken for "no lag".
  const hidden = state.lastBatchAt === null && !state.waitingSince ? hiddenReplicaLag(signals.replication) : null;
  if (hidden) await ctx.log(`Pacing: ${hidden}.`, { pacing: { replication: signals.replication } }, 'warn');
  // The older reading stays the baseline until the rate's window is long enough (decide-pace.ts); the
  // time a requested checkpoint was last seen is carried from reading to reading.
  const young = state.sample !== null && signals.counters.atS - state.sample.atS < MIN_RATE_WINDOW_S;
  const previousRequests = state.sample?.requestedCheckpoints;
  const requested =
    previousRequests != null &&
    signals.counters.requestedCheckpoints != null &&
    signals.counters.requestedCheckpoints > previousRequests;
  const requestSeenAtS = requested ? signals.counters.atS : state.sample?.requestSeenAtS;
  const sample = toJsonValue(
    young ? state.sample : { ...signals.counters, ...(requestSeenAtS !== undefined ? { requestSeenAtS } : {}) },
  );
  if (decision.go) {
    await sql`
      insert into cutover.pacing_state as s (phase_run_id, last_batch_at, sample)
      values (${runId}, ${now}, ${sql.json(sample)})
      on conflict (phase_run_id) do update set last_batch_at = excluded.last_batch_at, sample = excluded.sample,
        waiting_since = null, waiting_reason = null`;
    if (state.waitingSince) {
      const waited = Math.round((now.getTime() - state.waitingSince.getTime()) / 1000);
      await ctx.log(`Pacing: resumed after ${waited} s (${state.waitingReason ?? 'waiting'})`, {
        pacing: { waitedSeconds: waited },
      });
    }
    return { batchRows: limits.batchRows ?? params.batchRows };
  }
  const since = state.waitingSince ?? now;
  await sql`
    insert into cutover.pacing_state as s (phase_run_id, waiting_since, waiting_reason, hold_until, hold_reason, sample)
    values (${runId}, ${since}, ${decision.reason}, ${decision.hold?.until ?? null}, ${decision.hold?.reason ?? null},
            ${sql.json(sample)})
    on conflict (phase_run_id) do update set waiting_since = excluded.waiting_since,
      waiting_reason = excluded.waiting_reason, sample = excluded.sample,
      hold_until = coalesce(excluded.hold_until, s.hold_until), hold_reason = coalesce(excluded.hold_reason, s.hold_reason)`;
  if (!state.waitingSince) {
    await ctx.log(
      `Pacing: waiting before the next batch: ${decision.causes.join('; ')}`,
      { pacing: { causes: decision.causes, signals: toJsonValue(signals) } },
      'warn',
    );
  }
  return { wait: { state: 'wait', reason: decision.reason } };
}
