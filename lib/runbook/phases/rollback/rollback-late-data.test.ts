import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { MINUTE_MS } from '../../../time-units';
import { getPhaseRun } from '../../engine/run-state';

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
    await sql()`create table public.test_held_usdsek (like public.data_bars)`;
    await sql().unsafe(`
      create function public.test_hold_usdsek() returns trigger language plpgsql as $$
      begin
        if new.canonical_symbol = 'USDSEK' and new.timeframe = '1m' and new.ts_utc >= '${holdFrom.toISOString()}' then
          insert into public.test_held_usdsek select new.*;
          return null;
        end if;
        return new;
      end $$;
      create trigger test_hold_usdsek before insert on public.data_bars
        for each row execute function public.test_hold_usdsek()`);
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
    await sql()`drop trigger test_hold_usdsek on public.data_bars`;
    const landed = await sql()`
      insert into public.data_bars select * from public.test_held_usdsek on conflict do nothing returning ts_utc`;
    // About 20 minutes of bars (the provider misses one now and then).
    expect(landed.length).toBeGreaterThanOrEqual(15);
    await sql()`update public.data_bars set ingested_at = ${now} where canonical_symbol = 'USDSEK' and ts_utc >= ${holdFrom}`;
    // The legacy path derives DXY over the minutes that just became complete (its look-back window).
    await sql()`select public.calc_dxy_range_derived(p_from_utc => ${holdFrom}, p_to_utc => ${now})`;
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
      /^The legacy path wrote \d+ DXY minutes after the switch back, but no DXY 5m bar was aggregated from them in the \d+ open-market minutes of data since \S+: the aggregator is not producing\. data_agg_state for DXY 5m: cursor \S+, status disabled,/,
    );
  });
});
