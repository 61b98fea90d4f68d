/**
 * The gate inside a running copy, with the database's signals on: a session queued behind a lock on
 * data_bars makes phase 4 wait before its next batch, with the reason on the run (what the phase
 * page shows) and one line in its log; once the lock is gone the copy resumes and finishes.
 */
import postgres from 'postgres';
import { describe, expect, it, vi } from 'vitest';
import { holdWriterLock } from '../../../../test-support/hold-table-lock';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { connectionUrlOf } from '../../../db/connection';
import { getPhaseRun } from '../run-state';
import { readLockWaits } from './read-database-signals';

describe('pacing phase 4 on the database signals', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 1 },
    { config: { copyBatchRows: 200, copyPaced: true, pacingSignals: true }, through: ['1', '2-fix', '3'] },
  );

  it('waits while a session waits for a lock on data_bars longer than the limit, and says so', async () => {
    const sql = test.database.sql;
    // Any wait at all trips it: the test cannot wait half a second for the default.
    await sql`update cutover.pacing_limits set max_lock_wait_ms = 0, max_wal_mb_per_s = 100000, checkpoint_pause_s = 0`;
    const runId = await test.driver.start('4');
    await test.driver.tick();
    const first = await getPhaseRun(sql, { id: runId });
    expect(first?.checkpoint.rowsScanned).toBe(200);

    const holder = await holdWriterLock(sql, 'public.data_bars');
    const waiter = postgres(connectionUrlOf(sql), { max: 1, onnotice: () => {} });
    const queued = waiter.begin(async (tx) => {
      await tx.unsafe('lock table public.data_bars in share mode');
    });
    try {
      await vi.waitFor(async () => expect((await readLockWaits(sql)).maxWaitMs).toBeGreaterThan(0), {
        timeout: 10_000,
        interval: 50,
      });
      await test.driver.tick();
      const waiting = await getPhaseRun(sql, { id: runId });
      expect(waiting?.checkpoint.rowsScanned).toBe(200);
      expect(waiting?.progress.waiting).toMatch(/^paused 0 s: lock wait \d+(\.\d)? s on data_bars > 0 s$/);
    } finally {
      await holder.release();
      await queued;
      await waiter.end();
    }
    const events = await sql<{ level: string; message: string }[]>`
      select level, message from cutover.phase_run_events where phase_run_id = ${runId} and message like 'Pacing:%' order by id`;
    expect(events[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^Pacing: waiting before the next batch: lock wait .* on data_bars > 0 s$/),
    });
    const finished = await test.driver.finish(runId);
    expect(finished.status).toBe('succeeded');
    expect(Number(finished.checkpoint.rowsScanned)).toBeGreaterThan(200);
  });
});
