import { describe, expect, it } from 'vitest';
import { APPROVER } from '../../test-support/runbook-driver';
import { useTestWorld } from '../../test-support/world-database';
import { laggingSymbols, readDataFrontier } from '../market/data-frontier';
import { DXY_COMPONENTS } from '../market/dxy';
import { tickSimulatedWorkers } from '../market/rehearsal/simulated-workers';
import { MINUTE_MS } from '../time-units';
import { readMonitorState } from './read-monitor-state';
import { takeDueSnapshots } from './take-due-snapshots';
import { waiveFailedHour } from './waive-hour-action';

/** A Wednesday: the window's first hours are all open market. */
const WEDNESDAY_MORNING = new Date('2026-11-25T09:00:00Z');

/**
 * Late component data, driven by hand: once the window has begun the runner is no longer ticked;
 * the simulated workers are (tickSimulatedWorkers, without the runner's snapshots), and between
 * their ingest and their aggregation the test holds USDSEK's new bars back (moving them to a table
 * of its own, with the DXY minutes derived from them), then lets them land and derives DXY with the
 * new path's calc_dxy_range_1m. The snapshots are taken by calling takeDueSnapshots.
 * Hour 1 of the window is the one judged (hour 0's previous 1h bar predates the world's workers).
 */
describe('provisional hours: late data is judged when it is complete', () => {
  const test = useTestWorld({ now: WEDNESDAY_MORNING, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });
  const sql = () => test.database.sql;
  let firstHour = new Date(0);
  const at = (minutes: number) => new Date(firstHour.getTime() + minutes * MINUTE_MS);

  /** Runs the simulated workers every 5 minutes up to `until`, holding USDSEK back from `holdFrom` when given. */
  async function workUntil(until: Date, holdFrom: Date | null) {
    while (test.driver.clock.now() < until) {
      test.driver.clock.advance(5 * MINUTE_MS);
      await tickSimulatedWorkers(sql(), {
        now: test.driver.clock.now(),
        afterIngest: async () => {
          if (!holdFrom) return;
          await sql()`insert into held_usdsek select * from public.data_bars
                       where canonical_symbol = 'USDSEK' and timeframe = '1m' and ts_utc >= ${holdFrom}`;
          await sql()`delete from public.data_bars where canonical_symbol in ('USDSEK', 'DXY') and timeframe = '1m'
                       and ts_utc >= ${holdFrom}`;
        },
      });
    }
  }
  const take = (now: Date) => takeDueSnapshots(sql(), { now, maxSettleMinutes: 90 });
  const state = (now: Date) => readMonitorState(sql(), { now });
  const alerts = async (hourIndex: number) =>
    (
      await sql()<{ n: number }[]>`
        select count(*)::int as n from cutover.alert_outbox o join cutover.monitor_snapshots m on o.dedupe_key = 'snapshot:' || m.id
         where m.hour_index = ${hourIndex}`
    )[0]?.n;

  it('holds the data frontier at USDSEK while its bars are late', async () => {
    const s = await state(test.driver.clock.now());
    if (!s.window) throw new Error('no window after phase 7');
    firstHour = s.window.firstHour;
    // The runner (snapshots included) runs normally until 40 minutes into hour 1.
    while (test.driver.clock.now() < at(100)) {
      test.driver.clock.advance(5 * MINUTE_MS);
      await test.driver.tick();
    }
    await sql()`create table held_usdsek (like public.data_bars including all)`;
    // USDSEK is late from minute 41 of hour 1 (at(101)) on; the other five keep arriving.
    await workUntil(at(130), at(101));
    const frontier = await readDataFrontier(sql(), { now: at(130) });
    expect(frontier.through.toISOString()).toBe(at(101).toISOString());
    expect(laggingSymbols(frontier, at(130))).toEqual(['USDSEK']);
  });

  let passedBefore = 0;
  let failuresBefore = 0;

  it('judges hour 1 provisionally while USDSEK is late, and does not compute it again until data moves', async () => {
    const before = await state(at(126));
    passedBefore = before.openHoursPassed;
    const taken = await take(at(130));
    expect(taken.map((t) => [t.hourIndex, t.settled])).toEqual([[1, false]]);
    const s = await state(at(130));
    const hour = s.slots[1];
    expect(hour?.state).toBe('provisional');
    // Minutes missing only USDSEK are excused: the verdict so far is PASS.
    expect(hour?.provisionalVerdict, JSON.stringify(hour?.checks)).toBe('PASS');
    expect(hour?.dataThrough?.toISOString()).toBe(at(101).toISOString());
    // USDSEK's 19 held minutes (41–59), plus any minute the provider happened to miss (its gaps are random).
    const [missing] = await sql()<{ n: number }[]>`
      select count(*)::int as n from generate_series(${at(60)}::timestamptz, ${at(119)}::timestamptz, interval '1 minute') m
       where (select count(*) from public.data_bars b
               where b.timeframe = '1m' and b.ts_utc = m and b.canonical_symbol in ${sql()([...DXY_COMPONENTS])}) between 1 and 5`;
    expect(missing?.n).toBeGreaterThanOrEqual(19);
    expect(hour?.checks.find((c) => c.key === 'freshness')?.detail).toContain(
      `; ${missing?.n} minutes missing a component excused`,
    );
    // Not counted as passed while provisional.
    expect(s.openHoursPassed).toBe(passedBefore);
    expect(s.provisionalHours).toBe(1);
    expect(await take(at(131))).toEqual([]);
    const [row] = await sql()<{ evaluations: number }[]>`
      select evaluations from cutover.monitor_snapshots where hour_index = 1`;
    expect(row?.evaluations).toBe(1);
  });

  it('settles hour 1 PASS once the late USDSEK bars land, and it is final from then on', async () => {
    await sql()`insert into public.data_bars select * from held_usdsek on conflict do nothing`;
    await sql()`select public.calc_dxy_range_1m(p_from_utc => ${at(101)}, p_to_utc => ${at(130)})`;
    // The DXY 5m windows over the late minutes are aggregated again (the cursor put back to them).
    await sql()`update public.data_agg_state set last_agg_bar_ts_utc = ${at(100)}, next_run_at = ${at(100)}
                 where canonical_symbol = 'DXY' and timeframe = '5m'`;
    await tickSimulatedWorkers(sql(), { now: test.driver.clock.now() });
    const taken = await take(at(132));
    const s = await state(at(132));
    expect(
      taken.map((t) => [t.hourIndex, t.settled, t.verdict, t.evaluation]),
      JSON.stringify(s.slots[1]?.checks.filter((c) => c.verdict !== 'PASS')),
    ).toEqual([[1, true, 'PASS', 2]]);
    const hour = s.slots[1];
    expect(hour?.state).toBe('PASS');
    const bars1m = hour?.checks.find((c) => c.key === 'bars_1m');
    expect(bars1m?.detail).toMatch(/^(\d+) of \1 complete component minutes/);
    expect(bars1m?.value).toBeGreaterThan(50);
    expect(s.openHoursPassed).toBe(passedBefore + 1);
    // A settled hour is never judged again, whatever happens to its data afterwards.
    await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${at(70)} and ts_utc < ${at(90)}`;
    await take(at(135));
    const again = (await state(at(135))).slots[1];
    expect(again?.state).toBe('PASS');
    expect(again?.evaluations).toBe(2);
  });

  it('keeps an hour whose data never comes provisional (a FAIL so far: not alerted, not waivable) until the max settle time', async () => {
    // Hour 2 (minutes 120–180): the workers stopped at minute 130, every component with them.
    failuresBefore = (await state(at(187))).unwaivedFailures;
    const taken = await take(at(188));
    expect(taken.map((t) => [t.hourIndex, t.settled, t.verdict])).toEqual([[2, false, 'FAIL']]);
    const s = await state(at(188));
    const hour = s.slots[2];
    expect(hour?.state).toBe('provisional');
    expect(hour?.provisionalVerdict).toBe('FAIL');
    expect(hour?.checks.find((c) => c.key === 'freshness')?.value).toBe(50);
    expect(hour?.settlesBy?.toISOString()).toBe(at(180 + 90).toISOString());
    expect(s.unwaivedFailures).toBe(failuresBefore);
    expect(await alerts(2)).toBe(0);
    const waiver = await test.driver.act(waiveFailedHour, APPROVER, {
      snapshotId: hour?.snapshotId,
      reason: 'the provider was down all afternoon',
    });
    expect(waiver.status).toBe('refused');
    if (waiver.status === 'refused') expect(waiver.reason).toMatch(/provisional/);
    // One minute before the max settle time: still provisional, still not alerted.
    expect((await take(at(269))).filter((t) => t.hourIndex === 2)).toEqual([]);
    expect((await state(at(269))).slots[2]?.state).toBe('provisional');
    expect(await alerts(2)).toBe(0);
  });

  it('settles that hour FAIL as it stands at the max settle time, and alerts it exactly once', async () => {
    const taken = await take(at(270));
    expect(taken.find((t) => t.hourIndex === 2)).toMatchObject({ settled: true, verdict: 'FAIL' });
    const s = await state(at(270));
    expect(s.slots[2]?.state).toBe('FAIL');
    expect(s.unwaivedFailures).toBe(failuresBefore + 1);
    expect(await alerts(2)).toBe(1);
    await take(at(271));
    await take(at(300));
    expect(await alerts(2)).toBe(1);
    const waiver = await test.driver.act(waiveFailedHour, APPROVER, {
      snapshotId: s.slots[2]?.snapshotId,
      reason: 'the provider was down all afternoon',
    });
    expect(waiver.status).toBe('ok');
  });
});
