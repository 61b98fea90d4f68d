/**
 * The signals read from the real catalog views: a session waiting behind a lock on data_bars trips
 * the pacing, a worker run that took long trips it, the requested-checkpoint counter moves with a
 * CHECKPOINT, and a server without replicas reports none (and no lag).
 */
import postgres from 'postgres';
import { describe, expect, it, vi } from 'vitest';
import { holdWriterLock } from '../../../../test-support/hold-table-lock';
import { openWalsender } from '../../../../test-support/open-walsender';
import { useTestWorld } from '../../../../test-support/world-database';
import { connectionUrlOf } from '../../../db/connection';
import { decidePace } from './decide-pace';
import { hiddenReplicaLag } from './hidden-replica-lag';
import { DEFAULT_PACING_LIMITS } from './pacing-limits';
import {
  readCounters,
  readDatabaseSignals,
  readLockWaits,
  readReplication,
  readWorkerLatency,
  requestedCheckpointsSql,
} from './read-database-signals';

const FRESH = { lastBatchAt: null, waitingSince: null, holdUntil: null, holdReason: null };

describe('readDatabaseSignals', () => {
  const world = useTestWorld({ days: 1 });

  it('sees a session waiting for a lock on data_bars, and the pacing waits on it', async () => {
    const sql = world.database.sql;
    expect(await readLockWaits(sql)).toEqual({ waiting: 0, maxWaitMs: 0, tables: [] });
    const holder = await holdWriterLock(sql, 'public.data_bars');
    const waiter = postgres(connectionUrlOf(sql), { max: 1, onnotice: () => {} });
    // SHARE conflicts with the holder's ROW EXCLUSIVE: this session queues behind it, as DDL or a writer would.
    const queued = waiter.begin(async (tx) => {
      await tx.unsafe('lock table public.data_bars in share mode');
    });
    try {
      await vi.waitFor(async () => expect((await readLockWaits(sql)).waiting).toBe(1), {
        timeout: 10_000,
        interval: 50,
      });
      const lockWait = await readLockWaits(sql);
      expect(lockWait.tables).toEqual(['data_bars']);
      const signals = await readDatabaseSignals(sql, { at: new Date() });
      const decision = decidePace({
        signals,
        previous: null,
        limits: { ...DEFAULT_PACING_LIMITS, maxLockWaitMs: 0 },
        state: FRESH,
        now: new Date(),
      });
      expect(decision).toMatchObject({ go: false, reason: expect.stringMatching(/lock wait .* on data_bars > 0 s/) });
      // With a limit the wait has not reached, it goes.
      expect(
        decidePace({
          signals,
          previous: null,
          limits: { ...DEFAULT_PACING_LIMITS, maxLockWaitMs: 600_000 },
          state: FRESH,
          now: new Date(),
        }),
      ).toEqual({ go: true });
    } finally {
      await holder.release();
      await queued;
      await waiter.end();
    }
    expect((await readLockWaits(sql)).waiting).toBe(0);
  });

  it('reports no replicas and no lag on a server without any', async () => {
    expect(await readReplication(world.database.sql)).toEqual({ replicas: 0, hidden: 0, maxLagS: null });
  });

  it('counts a replica whose lag the role may not see as hidden, and says so', async () => {
    const sql = world.database.sql;
    const walsender = await openWalsender(world.url);
    try {
      // The superuser sees the walsender's state (no lag yet: it streams nothing).
      expect(await readReplication(sql)).toEqual({ replicas: 1, hidden: 0, maxLagS: null });
      const role = `t_no_stats_${process.pid}`;
      const seen = await sql
        .begin(async (tx) => {
          await tx.unsafe(`CREATE ROLE ${role} NOLOGIN`);
          await tx.unsafe(`SET LOCAL ROLE ${role}`);
          const replication = await readReplication(tx);
          throw Object.assign(new Error('roll back'), { replication });
        })
        .catch((error: { replication?: unknown }) => error.replication);
      expect(seen).toEqual({ replicas: 1, hidden: 1, maxLagS: null });
      expect(hiddenReplicaLag(seen as { replicas: number; hidden: number; maxLagS: null })).toMatch(
        /^the lag of 1 replica in pg_stat_replication is hidden from the console’s role \(it needs pg_read_all_stats\)/,
      );
    } finally {
      await walsender.end();
    }
  });

  it('reads the WAL position and the requested checkpoints from the view this server has', async () => {
    const sql = world.database.sql;
    const [version] = await sql<{ v: number }[]>`select current_setting('server_version_num')::int as v`;
    const before = await readCounters(sql);
    expect(before.walBytes).toBeGreaterThan(0);
    expect(before.requestedCheckpoints).toEqual(expect.any(Number));
    expect(requestedCheckpointsSql((version?.v ?? 0) >= 170000)).toContain(
      (version?.v ?? 0) >= 170000 ? 'pg_stat_checkpointer' : 'pg_stat_bgwriter',
    );
    expect(requestedCheckpointsSql(false)).toBe('select checkpoints_req as n from pg_catalog.pg_stat_bgwriter');
    await sql.unsafe('checkpoint');
    await vi.waitFor(
      async () =>
        expect((await readCounters(sql)).requestedCheckpoints).toBeGreaterThan(before.requestedCheckpoints ?? 0),
      { timeout: 10_000, interval: 50 },
    );
    const after = await readCounters(sql);
    expect(after.atS).toBeGreaterThan(before.atS);
    // The checkpoint it saw makes the next decision hold.
    const decision = decidePace({
      signals: {
        lockWait: { waiting: 0, maxWaitMs: 0, tables: [] },
        replication: { replicas: 0, hidden: 0, maxLagS: null },
        counters: after,
        worker: null,
      },
      // The one before it was seen 5 s earlier: two requested within 30 s.
      previous: { ...before, requestSeenAtS: before.atS - 5 },
      limits: { ...DEFAULT_PACING_LIMITS, maxWalMbPerS: 100_000 },
      state: FRESH,
      now: new Date(),
    });
    expect(decision).toMatchObject({ go: false, reason: expect.stringContaining('requested checkpoints') });
  });

  it("reads how long the workers' most recent runs took, and the pacing waits on a slow one", async () => {
    const sql = world.database.sql;
    const at = new Date('2031-01-01T12:00:00Z');
    expect(await readWorkerLatency(sql, { at })).toBeNull();
    await sql`
      insert into public.ops_runlog (run_id, job_name, trigger, env_name, started_at, finished_at, status)
      values (gen_random_uuid(), 'tick_factory', 'cron', 'test', ${new Date(at.getTime() - 120_000)}, ${new Date(at.getTime() - 119_000)}, 'success'),
             (gen_random_uuid(), 'tick_factory', 'cron', 'test', ${new Date(at.getTime() - 60_000)}, ${new Date(at.getTime() - 35_000)}, 'success'),
             (gen_random_uuid(), 'dxy_cutover.phase_4', 'manual', 'test', ${new Date(at.getTime() - 60_000)}, ${at}, 'success')`;
    const worker = await readWorkerLatency(sql, { at });
    expect(worker).toEqual({ job: 'tick_factory', ms: 25_000 });
    const signals = await readDatabaseSignals(sql, { at });
    expect(
      decidePace({ signals, previous: null, limits: DEFAULT_PACING_LIMITS, state: FRESH, now: new Date() }),
    ).toMatchObject({ go: false, reason: "paused 0 s: tick_factory's last run took 25 s > 20 s" });
  });
});
