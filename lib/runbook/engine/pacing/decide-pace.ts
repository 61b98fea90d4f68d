/**
 * Whether a batched phase may run its next batch now (docs/operations.md "Pacing"): a pure function
 * of the database's signals, the counters read before the previous batch, the live limits and the
 * run's pacing state. Waiting says why, in the words the phase page and the log show:
 * "paused 12 s: replica lag 6 s > 5 s". Every tripped signal is named, not only the first.
 */
import type { PacingLimits } from './pacing-limits';
import type { CounterSample, DatabaseSignals } from './read-database-signals';

export interface PacingState {
  /** When the run's last batch started (the pace counts from it). */
  lastBatchAt: Date | null;
  /** Since when the run has been waiting (null: it was not). */
  waitingSince: Date | null;
  /** A hold a requested checkpoint started, and its cause. */
  holdUntil: Date | null;
  holdReason: string | null;
}

export type PaceDecision =
  | { go: true }
  | {
      go: false;
      /** Roughly when to look again: the runner steps a waiting run each tick and the signals are read again. */
      waitMs: number;
      /** The tripped signals, e.g. "replica lag 6 s > 5 s". */
      causes: string[];
      /** "paused 12 s: " and the causes. */
      reason: string;
      /** A new hold to store (a requested checkpoint was seen). */
      hold?: { until: Date; reason: string };
    };

const MIB = 1024 * 1024;
/** How soon a signal-driven wait looks again (about the runner's tick). */
const RECHECK_MS = 1000;
/**
 * The shortest window a WAL rate is computed over: batches can follow each other within
 * milliseconds, and a rate over such a window is noise. The gate keeps the older reading until the
 * window is this long (./pace-next-batch.ts).
 */
export const MIN_RATE_WINDOW_S = 1;
/**
 * Requested checkpoints closer together than this are pressure: PostgreSQL's own checkpoint_warning
 * default. One requested checkpoint alone is not (a copy of years of history passes max_wal_size once
 * or twice by itself); WAL that keeps forcing them is.
 */
export const CHECKPOINT_WARNING_S = 30;

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 || Number.isInteger(s) ? Math.round(s) : s.toFixed(1)} s`;
}

function rate(delta: number, dtS: number): number {
  return dtS > 0 ? delta / dtS : 0;
}

export function decidePace(params: {
  signals: DatabaseSignals;
  previous: CounterSample | null;
  limits: PacingLimits;
  state: PacingState;
  /** Wall time (the pace and the holds are about the database's load, not the migration's clock). */
  now: Date;
}): PaceDecision {
  const { signals, previous, limits, state, now } = params;
  const causes: string[] = [];
  let waitMs = 0;
  let hold: { until: Date; reason: string } | undefined;

  const lock = signals.lockWait;
  if (lock.waiting > 0 && lock.maxWaitMs > limits.maxLockWaitMs) {
    causes.push(
      `lock wait ${seconds(lock.maxWaitMs)} on ${lock.tables.join(', ') || 'the pipeline tables'} > ${seconds(limits.maxLockWaitMs)}` +
        (lock.waiting > 1 ? ` (${lock.waiting} sessions waiting)` : ''),
    );
    waitMs = Math.max(waitMs, RECHECK_MS);
  }
  const lag = signals.replication.maxLagS;
  if (lag !== null && lag > limits.maxReplicaLagS) {
    causes.push(`replica lag ${seconds(lag * 1000)} > ${seconds(limits.maxReplicaLagS * 1000)}`);
    waitMs = Math.max(waitMs, RECHECK_MS);
  }
  const dtS = previous ? signals.counters.atS - previous.atS : 0;
  const requested =
    previous?.requestedCheckpoints != null && signals.counters.requestedCheckpoints != null
      ? signals.counters.requestedCheckpoints - previous.requestedCheckpoints
      : 0;
  const lastRequest = previous?.requestSeenAtS;
  const tooFrequent =
    requested > 0 && lastRequest !== undefined && signals.counters.atS - lastRequest < CHECKPOINT_WARNING_S;
  if (tooFrequent && limits.checkpointPauseS > 0) {
    const apart = seconds((signals.counters.atS - (lastRequest ?? 0)) * 1000);
    const reason = `requested checkpoints ${apart} apart (WAL past max_wal_size): holding ${seconds(limits.checkpointPauseS * 1000)}`;
    hold = { until: new Date(now.getTime() + limits.checkpointPauseS * 1000), reason };
    causes.push(reason);
    waitMs = Math.max(waitMs, limits.checkpointPauseS * 1000);
  } else if (state.holdUntil && state.holdUntil.getTime() > now.getTime()) {
    causes.push(state.holdReason ?? 'holding after a requested checkpoint');
    waitMs = Math.max(waitMs, state.holdUntil.getTime() - now.getTime());
  }
  if (previous?.walBytes != null && signals.counters.walBytes != null && dtS >= MIN_RATE_WINDOW_S) {
    const walRate = rate(signals.counters.walBytes - previous.walBytes, dtS);
    if (walRate > limits.maxWalMbPerS * MIB) {
      causes.push(`WAL ${Math.round(walRate / MIB)} MB/s > ${limits.maxWalMbPerS} MB/s`);
      waitMs = Math.max(waitMs, RECHECK_MS);
    }
  }
  const worker = signals.worker;
  if (worker && worker.ms > limits.maxWorkerMs) {
    causes.push(`${worker.job}'s last run took ${seconds(worker.ms)} > ${seconds(limits.maxWorkerMs)}`);
    waitMs = Math.max(waitMs, RECHECK_MS);
  }
  if (state.lastBatchAt && limits.paceMs > 0) {
    const left = state.lastBatchAt.getTime() + limits.paceMs - now.getTime();
    if (left > 0) {
      causes.push(`pace: one batch per ${seconds(limits.paceMs)}`);
      waitMs = Math.max(waitMs, left);
    }
  }
  if (causes.length === 0) return { go: true };
  const pausedMs = state.waitingSince ? Math.max(0, now.getTime() - state.waitingSince.getTime()) : 0;
  return {
    go: false,
    waitMs,
    causes,
    reason: `paused ${seconds(Math.round(pausedMs / 1000) * 1000)}: ${causes.join('; ')}`,
    ...(hold ? { hold } : {}),
  };
}
