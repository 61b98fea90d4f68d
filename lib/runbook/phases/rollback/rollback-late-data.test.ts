import { describe, expect, it } from 'vitest';
import { holdUsdsekFrom, releaseUsdsek } from '../../../../test-support/hold-component';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { MINUTE_MS } from '../../../time-units';
import { getPhaseRun } from '../../engine/run-state';
import type { RollbackCheckpoint } from './rollback-checkpoint';

/**
 * A rollback while one DXY component is late: the provider holds USDSEK back (a trigger diverts its
 * new bars to a table of the test's own while the world runs on), so no minute is complete after
 * the hold began. The rollback waits for the data frontier, saying for which symbol, instead of
 * judging minutes that are still coming; when the held bars land 20+ minutes late (and the legacy
 * path derives DXY over them, as the tick-factory's look-back does) it finishes and verifies.
 */
describe('rollback with one component 20 minutes late', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });
  const sql = () => test.database.sql;
  let holdFrom = new Date(0);
  let runId = 0;

  async function waiting(): Promise<string | null> {
    const run = await getPhaseRun(sql(), { id: runId });
    expect(run?.status, JSON.stringify(run?.error ?? null)).toBe('running');
    return ((run?.progress ?? {}) as { waiting?: string }).waiting ?? null;
  }

  it('waits for USDSEK data past the switch back instead of failing', async () => {
    test.driver.clock.advance(10 * MINUTE_MS);
    await test.driver.tick();
    holdFrom = new Date(Math.ceil(test.driver.clock.now().getTime() / MINUTE_MS) * MINUTE_MS);
    await holdUsdsekFrom(sql(), holdFrom);
    for (let i = 0; i < 5; i++) {
      test.driver.clock.advance(MINUTE_MS);
      await test.driver.tick();
    }
    runId = await test.driver.start('rollback', undefined, { data: 'keep', confirm: 'ROLLBACK' });
    let reason: string | null = null;
    for (let i = 0; i < 40 && !reason?.includes('USDSEK'); i++) {
      await test.driver.tick();
      test.driver.clock.advance(MINUTE_MS);
      reason = await waiting();
    }
    expect(reason).toMatch(/^waiting for USDSEK data through \d\d:\d\d UTC, frontier \d\d:\d\d UTC/);
    expect(reason).toContain(`frontier ${holdFrom.toISOString().slice(11, 16)} UTC`);
    // Still waiting, not failed, with USDSEK 20 minutes late.
    while (test.driver.clock.now().getTime() < holdFrom.getTime() + 21 * MINUTE_MS) {
      await test.driver.tick();
      test.driver.clock.advance(MINUTE_MS);
      expect(await waiting()).toContain('waiting for USDSEK');
    }
  });

  it('finishes and verifies (no legacy gap) once the late bars land', async () => {
    const now = test.driver.clock.now();
    const landed = await releaseUsdsek(sql(), { from: holdFrom, now });
    // About 20 minutes of bars (the provider misses one now and then).
    expect(landed).toBeGreaterThanOrEqual(15);
    // The aggregator's next run is after the proof first sees the burst (the rollback's steps before the proof take
    // a few of the driver's minutes, hence 15): the proof must give the aggregator its allowance from when the
    // minutes appeared, not from the switch back 25 minutes ago.
    await sql()`update public.data_agg_state set next_run_at = ${new Date(now.getTime() + 15 * MINUTE_MS)}
                 where canonical_symbol = 'DXY' and timeframe = '5m'`;
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const gap = run.verification?.checks.find((c) => c.name.startsWith('No legacy gap'));
    expect(gap?.passed, gap?.detail).toBe(true);
    expect(gap?.detail).toContain('(data frontier)');
  });
});

describe('rollback with the DXY 5m aggregator disabled', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });

  it('fails once the aggregator has had its open-market minutes since the legacy minutes came, naming its task', async () => {
    await test.database.sql`update public.data_agg_state set status = 'disabled'
                              where canonical_symbol = 'DXY' and timeframe = '5m'`;
    const run = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(
      /^The legacy path wrote \d+ DXY minutes after the switch back, but no DXY 5m bar was aggregated from them in the \d+ open-market minutes of data since \S+: the aggregator is not producing \(its task is disabled: no run will come\)\. data_agg_state for DXY 5m: cursor \S+, status disabled,/,
    );
  });
});

describe('rollback whose legacy minutes, once seen, stop behind a component held back for half an hour', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });
  const sql = () => test.database.sql;

  async function tickMinute(runId: number): Promise<RollbackCheckpoint> {
    await test.driver.tick();
    test.driver.clock.advance(MINUTE_MS);
    const run = await getPhaseRun(sql(), { id: runId });
    expect(run?.status, JSON.stringify(run?.error ?? null)).toBe('running');
    return run?.checkpoint as RollbackCheckpoint;
  }

  it('waits for the aggregator’s first run after the burst lands instead of failing before it', async () => {
    // The aggregator stays away until the test lets it run, so the proof sees legacy minutes with no DXY 5m bar yet.
    const later = new Date(test.driver.clock.now().getTime() + 3 * 60 * MINUTE_MS);
    await sql()`update public.data_agg_state set next_run_at = ${later} where canonical_symbol = 'DXY' and timeframe = '5m'`;
    const runId = await test.driver.start('rollback', undefined, { data: 'keep', confirm: 'ROLLBACK' });
    let checkpoint: RollbackCheckpoint = {};
    for (let i = 0; i < 60 && !checkpoint.legacyMinutesSeenAt; i++) checkpoint = await tickMinute(runId);
    expect(checkpoint.legacyMinutesSeenAt).toBeDefined();
    // Then USDSEK is held back for 30 minutes: no legacy minute is complete, and the frontier stands still.
    const holdFrom = new Date(Math.ceil(test.driver.clock.now().getTime() / MINUTE_MS) * MINUTE_MS);
    await holdUsdsekFrom(sql(), holdFrom);
    for (let i = 0; i < 30; i++) checkpoint = await tickMinute(runId);
    expect(checkpoint.fiveMinuteAllowanceSpentAt).toBeUndefined();
    // The 30 minutes land at once, more than the allowance of data past the first legacy minutes; the aggregator's
    // next run is 3 minutes away.
    const now = test.driver.clock.now();
    expect(await releaseUsdsek(sql(), { from: holdFrom, now })).toBeGreaterThanOrEqual(20);
    await sql()`update public.data_agg_state set next_run_at = ${new Date(now.getTime() + 3 * MINUTE_MS)}
                 where canonical_symbol = 'DXY' and timeframe = '5m'`;
    checkpoint = await tickMinute(runId);
    expect(checkpoint.fiveMinuteAllowanceSpentAt).toBeDefined();
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const proof = (run.checkpoint as RollbackCheckpoint).legacyProof;
    expect(proof?.state).toBe('proven');
    expect(proof?.state === 'proven' ? proof.fiveMinuteBars : 0).toBeGreaterThan(0);
  });
});

describe('rollback with a DXY 5m aggregator that runs and stores nothing', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });

  it('fails after its first run with the minutes there, saying it ran', async () => {
    // Its DXY 5m bars never reach derived_data_bars (the cursor moves on as if they had).
    await test.database.sql.unsafe(`
      create function public.test_drop_dxy_5m() returns trigger language plpgsql as $$
      begin
        if new.canonical_symbol = 'DXY' and new.timeframe = '5m' then return null; end if;
        return new;
      end $$;
      create trigger test_drop_dxy_5m before insert or update on public.derived_data_bars
        for each row execute function public.test_drop_dxy_5m()`);
    const run = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(
      /^The legacy path wrote \d+ DXY minutes after the switch back, but no DXY 5m bar was aggregated from them in the \d+ open-market minutes of data since \S+: the aggregator is not producing \(it ran at \S+ with those minutes there\)\. data_agg_state for DXY 5m: cursor \S+, status idle,/,
    );
  });
});
