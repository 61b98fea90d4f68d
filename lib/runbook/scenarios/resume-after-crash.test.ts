import { describe, expect, it } from 'vitest';
import { failedChecks, OPERATOR } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { pausePhaseRun, resumePhaseRun } from '../actions/pause-resume';
import { advanceRun, claimNextRun } from '../engine/execute-run';
import { getPhaseRun } from '../engine/run-state';
import { PHASES } from '../phases';

describe('the copy survives a killed runner, a pause, and a runner that comes back from the dead', () => {
  // Small batches so the copy takes many steps.
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 3 },
    { config: { copyBatchRows: 250, leaseSeconds: 30, stepBudgetMs: 0 }, through: ['1', '2-fix', '3'] },
  );

  const legacyCount = async () => {
    const [row] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    return row?.n ?? 0;
  };
  const copiedCount = async () => {
    const [row] = await test.database.sql<{ n: number; distinct_minutes: number }[]>`
      select count(*)::int as n, count(distinct ts_utc)::int as distinct_minutes from public.data_bars where canonical_symbol = 'DXY'`;
    return row;
  };

  it('resumes from the last committed checkpoint on another runner, with exact rows and no duplicates', async () => {
    const runId = await test.driver.start('4');
    const { clock, config } = test.driver;
    // Runner A claims the run and commits a few batches, then "dies" (never heard from again).
    const claimedByA = await claimNextRun(test.database, { owner: 'runner-A', leaseSeconds: config.leaseSeconds });
    expect(claimedByA?.run.id).toBe(runId);
    let runA = claimedByA?.run;
    for (let i = 0; i < 4 && runA; i++) {
      await advanceRun(test.database, {
        registry: PHASES,
        run: runA,
        previousOwner: null,
        owner: 'runner-A',
        clock,
        config,
        budgetMs: 0,
      });
      runA = (await getPhaseRun(test.database.sql, { id: runId })) ?? undefined;
    }
    const atCrash = await getPhaseRun(test.database.sql, { id: runId });
    expect(atCrash?.status).toBe('running');
    expect(Number(atCrash?.checkpoint.batches)).toBeGreaterThanOrEqual(3);
    const copiedAtCrash = (await copiedCount())?.n ?? 0;
    expect(copiedAtCrash).toBe(atCrash?.checkpoint.rowsWritten);

    // While A's lease is valid, runner B cannot take the run.
    expect(await claimNextRun(test.database, { owner: 'runner-B', leaseSeconds: config.leaseSeconds })).toBeNull();
    // A's lease expires; B takes over and finishes.
    await test.database
      .sql`update cutover.phase_runs set lease_expires_at = now() - interval '1 second' where id = ${runId}`;
    const run = await test.driver.finish(runId, { owner: 'runner-B' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const copied = await copiedCount();
    expect(copied?.n).toBe(copied?.distinct_minutes);
    expect(copied?.n).toBe(await legacyCount());
    expect(Number(run.progress.rowsWritten)).toBe(copied?.n);
    const [takeover] = await test.database
      .sql`select message from cutover.phase_run_events where phase_run_id = ${runId} and message like 'Taken over%'`;
    expect(takeover?.message).toMatch(/runner-A/);

    // Runner A wakes up and tries to carry on: it no longer holds the lease and writes nothing.
    const outcome = await advanceRun(test.database, {
      registry: PHASES,
      run: atCrash as NonNullable<typeof atCrash>,
      previousOwner: null,
      owner: 'runner-A',
      clock,
      config,
    });
    expect(outcome).toBe('lost');
    expect((await copiedCount())?.n).toBe(copied?.n);
  });

  it('pauses between batches and resumes where it stopped', async () => {
    await test.database.sql`delete from public.data_bars where canonical_symbol = 'DXY'`;
    const runId = await test.driver.start('4');
    await test.driver.tick();
    expect((await test.driver.act(pausePhaseRun, OPERATOR, {})).status).toBe('ok');
    const paused = await test.driver.finish(runId);
    expect(paused.status).toBe('paused');
    const rowsAtPause = (await copiedCount())?.n ?? 0;
    expect(rowsAtPause).toBeLessThan(await legacyCount());
    await test.driver.tick();
    expect((await copiedCount())?.n).toBe(rowsAtPause);
    expect((await test.driver.act(resumePhaseRun, OPERATOR, {})).status).toBe('ok');
    const done = await test.driver.finish(runId);
    expect(done.status, failedChecks(done)).toBe('succeeded');
    expect((await copiedCount())?.n).toBe(await legacyCount());
  });
});
