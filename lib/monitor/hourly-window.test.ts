import { describe, expect, it } from 'vitest';
import { useAlertWebhook } from '../../test-support/alert-webhook';
import { useTestWorld } from '../../test-support/world-database';
import { DXY_COMPONENTS } from '../market/dxy';
import { runbookRunnerTick } from '../runbook/runbook-runner';
import { MINUTE_MS } from '../time-units';
import { flushAlertDelivery } from './alert-outbox';
import { readMonitorState } from './read-monitor-state';

/** Friday 09:00 UTC: the window runs into the weekend closure (Friday 22:00 UTC). */
const FRIDAY_MORNING = new Date('2026-11-27T09:00:00Z');

describe('the 24-hour window with faults injected', () => {
  /** Ticks the runner every `step` minutes until the clock reaches `until`. */
  async function runUntil(until: Date, step = 5) {
    while (test.driver.clock.now() < until) {
      test.driver.clock.advance(step * MINUTE_MS);
      await test.driver.tick();
    }
  }
  const state = () => readMonitorState(test.database.sql, { now: test.driver.clock.now() });
  const slot = async (index: number) => (await state()).slots[index];
  const check = (s: Awaited<ReturnType<typeof slot>>, key: string) => s?.checks.find((c) => c.key === key);

  // A local webhook receiver: each FAIL hour must be posted exactly once.
  const alerts = useAlertWebhook<{ hour_start: string; failing_checks: { name: string }[] }>();
  const test = useTestWorld({ now: FRIDAY_MORNING, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });

  it('starts at the verified end of phase 7; 24 clock hours would end on Saturday, so it is estimated to run into Monday', async () => {
    const s = await state();
    expect(s.window).not.toBeNull();
    expect(s.window?.firstHour.getTime()).toBe(Date.parse('2026-11-27T10:00:00Z'));
    expect(s.window?.endsAt.getTime()).toBe(Date.parse('2026-11-28T10:00:00Z'));
    expect(s.taken).toBe(0);
    // Only 12 of the 24 hours are open (Friday until 22:00): 8 more from Sunday 22:00.
    expect(s.extended).toBe(true);
    expect(s.estimatedEnd?.toISOString()).toBe('2026-11-30T06:00:00.000Z');
    expect(s.slots).toHaveLength(68);
    expect(s.slots.filter((x) => x.extension)).toHaveLength(44);
  });

  it('passes a normal hour', async () => {
    await runUntil(new Date('2026-11-27T11:10:00Z'));
    const first = await slot(0);
    expect(first?.state, JSON.stringify(first?.checks)).toBe('PASS');
    expect(first?.late).toBe(false);
    expect(check(first, 'bars_1m')?.value).toBeGreaterThan(55);
  });

  it('fails freshness for the hour the tick-factory stopped for 20 minutes (no component, no DXY)', async () => {
    await runUntil(new Date('2026-11-27T11:20:00Z'));
    await test.database.sql`update cutover.rehearsal_workers set paused = true`;
    await runUntil(new Date('2026-11-27T11:40:00Z'));
    await test.database
      .sql`update cutover.rehearsal_workers set paused = false, next_minute = ${test.driver.clock.now()}`;
    await runUntil(new Date('2026-11-27T12:10:00Z'));
    const hour = await slot(1);
    expect(hour?.state).toBe('FAIL');
    expect(check(hour, 'freshness')?.verdict).toBe('FAIL');
    expect(check(hour, 'freshness')?.value).toBeGreaterThanOrEqual(19);
    // The 1m count is judged against minutes with all six components: none arrived while it was stopped,
    // so every complete minute has its DXY bar (the outage is the freshness check's to catch).
    const bars1m = check(hour, 'bars_1m');
    expect(bars1m?.verdict, bars1m?.detail).toBe('PASS');
    expect(bars1m?.value).toBeLessThanOrEqual(41);
  });

  it('fails parity when a legacy close is altered, and the 1m count and freshness when DXY is missing where all six components are', async () => {
    await runUntil(new Date('2026-11-27T12:30:00Z'));
    // The new path lost 12 DXY minutes whose components are all in.
    await test.database.sql`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                             and ts_utc >= '2026-11-27T12:10:00Z' and ts_utc < '2026-11-27T12:22:00Z'`;
    await test.database.sql`update public.derived_data_bars set close = close * 1.001
                             where id = (select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                                          and ts_utc >= '2026-11-27T12:00:00Z' order by ts_utc limit 1)`;
    await runUntil(new Date('2026-11-27T13:10:00Z'));
    const hour = await slot(2);
    expect(check(hour, 'parity')?.verdict).toBe('FAIL');
    expect(check(hour, 'parity')?.value).toBe(1);
    const bars1m = check(hour, 'bars_1m');
    expect(bars1m?.verdict, bars1m?.detail).toBe('FAIL');
    expect(bars1m?.detail).toMatch(/^(\d+) of (\d+) complete component minutes/);
    expect(bars1m?.failAt).not.toBeNull();
    expect(bars1m?.value).toBeLessThan(bars1m?.failAt ?? 0);
    expect(check(hour, 'freshness')?.verdict).toBe('FAIL');
    // The lag counts the deleted minutes whose six components are in; a provider gap (a component
    // missing, ~1 % of minutes) is excused without breaking the run, so it may count one or two fewer than 12.
    const [complete] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from (
        select ts_utc from public.data_bars
         where timeframe = '1m' and canonical_symbol in ${test.database.sql([...DXY_COMPONENTS])}
           and ts_utc >= '2026-11-27T12:10:00Z' and ts_utc < '2026-11-27T12:22:00Z'
         group by ts_utc having count(*) = 6) c`;
    expect(complete?.n).toBeGreaterThanOrEqual(9);
    expect(check(hour, 'freshness')?.value).toBeGreaterThanOrEqual(complete?.n ?? 12);
  });

  it('takes two late snapshots after a two-hour runner outage, leaving no gap', async () => {
    // Nobody ticks for two hours (the runner was down); the clock moves on.
    test.driver.clock.set(new Date('2026-11-27T15:30:00Z'));
    // The first ticks back let the simulated pipeline catch up; then the missed hours are taken.
    for (let i = 0; i < 4; i++) await test.driver.tick();
    const s = await state();
    expect(s.slots.slice(3, 5).map((x) => x.late)).toEqual([true, true]);
    expect(s.slots.slice(0, 5).every((x) => x.takenAt !== null)).toBe(true);
  });

  it('shows weekend hours as closed (zero bars expected, nothing proven), and extends past 24 snapshots', async () => {
    await runUntil(new Date('2026-11-28T10:10:00Z'), 10);
    const s = await state();
    const saturday = s.slots.find((x) => x.hourStart.toISOString() === '2026-11-28T03:00:00.000Z');
    expect(saturday?.state, JSON.stringify(saturday?.checks)).toBe('closed');
    expect(check(saturday, 'bars_1m')?.verdict).toBe('PASS');
    expect(check(saturday, 'bars_1m')?.value).toBe(0);
    expect(check(saturday, 'bars_1m')?.threshold).toContain('of 0 open minutes');
    expect(s.taken).toBe(24);
    // Friday 10:00–22:00 was open: 12 hours, two of them FAIL, so 10 of the 20 open hours needed.
    expect(s.closedHours).toBe(12);
    expect(s.openHoursPassed).toBe(10);
    expect(s.complete).toBe(false);
    expect(s.extended).toBe(true);
    // Ten more open hours from Sunday 22:00.
    expect(s.estimatedEnd?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(s.slots).toHaveLength(70);
    expect(
      s.slots.filter((x) => x.state === 'FAIL').map((x) => x.index),
      JSON.stringify(
        s.slots.map((x) => [
          x.index,
          x.state,
          x.checks.filter((c) => c.verdict !== 'PASS').map((c) => `${c.key}: ${c.detail}`),
        ]),
      ),
    ).toEqual([1, 2]);
    expect(s.unwaivedFailures).toBe(2);
  });

  it('posted one alert per FAIL hour, never twice', async () => {
    // The runner's ticks queued them; the outbox posts them after commit, outside the tick.
    await flushAlertDelivery(test.database.sql);
    await flushAlertDelivery(test.database.sql);
    // The same webhook also receives the audit chain's anchors at phase boundaries (docs/operations.md).
    const hourAlerts = alerts.filter((a) => a.hour_start !== undefined);
    expect(hourAlerts.map((a) => a.hour_start)).toEqual(['2026-11-27T11:00:00.000Z', '2026-11-27T12:00:00.000Z']);
    expect(hourAlerts[0]?.failing_checks.map((c) => c.name)).toContain(
      'DXY 1m freshness in data_bars (worst lag in the hour)',
    );
  });

  it('never takes a snapshot twice, even with two runners', async () => {
    await runbookRunnerTick(test.database, {
      owner: 'second-runner',
      config: test.driver.config,
      clock: test.driver.clock,
    });
    const [row] = await test.database.sql<{ n: number }[]>`select count(*)::int as n from cutover.monitor_snapshots`;
    expect(row?.n).toBe(24);
  });
});
