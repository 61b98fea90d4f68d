/**
 * The pacing decision from injected readings: each signal trips it on its own and says why, in the
 * words the phase page shows; below every limit it goes.
 */
import { describe, expect, it } from 'vitest';
import { decidePace, type PacingState } from './decide-pace';
import { DEFAULT_PACING_LIMITS, type PacingLimits } from './pacing-limits';
import type { CounterSample, DatabaseSignals } from './read-database-signals';

const NOW = new Date('2026-03-04T12:00:00Z');
const MIB = 1024 * 1024;
const IDLE: DatabaseSignals = {
  lockWait: { waiting: 0, maxWaitMs: 0, tables: [] },
  replication: { replicas: 0, hidden: 0, maxLagS: null },
  counters: { atS: 1000, walBytes: 10 * MIB, requestedCheckpoints: 4 },
  worker: { job: 'tick_factory', ms: 300 },
};
const PREVIOUS: CounterSample = { atS: 999, walBytes: 9 * MIB, requestedCheckpoints: 4 };
const FRESH: PacingState = { lastBatchAt: null, waitingSince: null, holdUntil: null, holdReason: null };

function decide(
  over: { signals?: Partial<DatabaseSignals>; limits?: Partial<PacingLimits>; state?: Partial<PacingState> } = {},
  previous: CounterSample | null = PREVIOUS,
) {
  return decidePace({
    signals: { ...IDLE, ...over.signals },
    previous,
    limits: { ...DEFAULT_PACING_LIMITS, ...over.limits },
    state: { ...FRESH, ...over.state },
    now: NOW,
  });
}

function reasonOf(decision: ReturnType<typeof decide>): string {
  if (decision.go) throw new Error('expected a wait');
  return decision.reason;
}

describe('decidePace', () => {
  it('goes when every signal is within its limit (and with no earlier reading to compute rates from)', () => {
    expect(decide()).toEqual({ go: true });
    expect(decide({}, null)).toEqual({ go: true });
  });

  it('waits on a lock wait on the pipeline tables longer than the limit, naming the table', () => {
    const lock = { waiting: 2, maxWaitMs: 1200, tables: ['data_bars'] };
    expect(reasonOf(decide({ signals: { lockWait: lock } }))).toBe(
      'paused 0 s: lock wait 1.2 s on data_bars > 0.5 s (2 sessions waiting)',
    );
    expect(decide({ signals: { lockWait: lock }, limits: { maxLockWaitMs: 2000 } })).toEqual({ go: true });
  });

  it('waits on replica lag over the limit, and says for how long it has been paused', () => {
    const lagging = { signals: { replication: { replicas: 1, hidden: 0, maxLagS: 6 } } };
    expect(reasonOf(decide({ ...lagging, state: { waitingSince: new Date(NOW.getTime() - 12_000) } }))).toBe(
      'paused 12 s: replica lag 6 s > 5 s',
    );
    // A replica whose lag the role cannot see (null) does not stop the copy.
    expect(decide({ signals: { replication: { replicas: 1, hidden: 1, maxLagS: null } } })).toEqual({ go: true });
    expect(decide({ ...lagging, limits: { maxReplicaLagS: 10 } })).toEqual({ go: true });
  });

  it('holds after requested checkpoints closer than 30 s, and keeps holding until the hold ends', () => {
    const another = { signals: { counters: { ...IDLE.counters, requestedCheckpoints: 5 } } };
    // The first one seen is not pressure: a long copy passes max_wal_size by itself.
    expect(decide(another)).toEqual({ go: true });
    expect(decide(another, { ...PREVIOUS, requestSeenAtS: 960 })).toEqual({ go: true });
    const checkpointed = decide(another, { ...PREVIOUS, requestSeenAtS: 988 });
    if (checkpointed.go) throw new Error('expected a wait');
    expect(checkpointed.reason).toBe(
      'paused 0 s: requested checkpoints 12 s apart (WAL past max_wal_size): holding 10 s',
    );
    expect(checkpointed.hold?.until).toEqual(new Date(NOW.getTime() + 10_000));
    const held = { holdUntil: new Date(NOW.getTime() + 4000), holdReason: 'a requested checkpoint (x): holding 10 s' };
    expect(reasonOf(decide({ state: held }))).toBe('paused 0 s: a requested checkpoint (x): holding 10 s');
    expect(decide({ state: { ...held, holdUntil: new Date(NOW.getTime() - 1) } })).toEqual({ go: true });
    expect(decide({ ...another, limits: { checkpointPauseS: 0 } }, { ...PREVIOUS, requestSeenAtS: 988 })).toEqual({
      go: true,
    });
  });

  it('waits while the WAL rate since the last batch is over the limit', () => {
    const busy = { signals: { counters: { ...IDLE.counters, atS: 1001, walBytes: 9 * MIB + 200 * MIB } } };
    expect(reasonOf(decide(busy))).toBe('paused 0 s: WAL 100 MB/s > 64 MB/s');
    expect(decide({ ...busy, limits: { maxWalMbPerS: 128 } })).toEqual({ go: true });
  });

  it("waits while the workers' last run took longer than the limit", () => {
    const slow = { signals: { worker: { job: 'tick_factory', ms: 25_000 } } };
    expect(reasonOf(decide(slow))).toBe("paused 0 s: tick_factory's last run took 25 s > 20 s");
    expect(decide({ ...slow, limits: { maxWorkerMs: 30_000 } })).toEqual({ go: true });
  });

  it('keeps the pace between batch starts, and names every tripped signal at once', () => {
    const paced = decide({ limits: { paceMs: 2000 }, state: { lastBatchAt: new Date(NOW.getTime() - 500) } });
    expect(paced).toMatchObject({ go: false, waitMs: 1500, reason: 'paused 0 s: pace: one batch per 2 s' });
    expect(decide({ limits: { paceMs: 2000 }, state: { lastBatchAt: new Date(NOW.getTime() - 2000) } })).toEqual({
      go: true,
    });
    const both = decide({
      signals: { replication: { replicas: 2, hidden: 0, maxLagS: 7.5 }, worker: { job: 'aggregator', ms: 21_000 } },
    });
    expect(reasonOf(both)).toBe("paused 0 s: replica lag 7.5 s > 5 s; aggregator's last run took 21 s > 20 s");
  });
});
