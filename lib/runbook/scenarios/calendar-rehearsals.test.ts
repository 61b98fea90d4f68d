/**
 * Whole-plan rehearsals over the calendar's hard weeks (docs/phases.md "The 24-hour window"): a window
 * over the autumn daylight-saving change (the Friday closes at 21:00 UTC in summer time, the
 * Sunday opens at 22:00 UTC in winter time) and one over Christmas (Dec 24 closes at 13:00 New
 * York, Dec 25 is closed, then the weekend). Each window reaches phase 9 with no FAIL hour at all —
 * so none caused by the calendar — and phase 9 is refused within 30 minutes of the real close.
 */
import { describe, expect, it } from 'vitest';
import { APPROVER, failedChecks, OPERATOR } from '../../../test-support/runbook-driver';
import { type TestWorld, useTestWorld } from '../../../test-support/world-database';
import { isFxOpen } from '../../market/market-hours';
import { readMonitorState } from '../../monitor/read-monitor-state';
import { HOUR_MS, MINUTE_MS } from '../../time-units';
import { approveRequest } from '../actions/decide-approval';
import { startPhaseRun } from '../actions/start-phase-run';

const THROUGH_PHASE_7 = ['1', '2-fix', '3', '4', '5', '6', '7'] as const;
/** Runner ticks every 5 simulated minutes: each hourly snapshot is on time, never "late". */
const TICK_MS = 5 * MINUTE_MS;

/** Ticks until the window is complete; returns the hour slots as the monitor shows them. */
async function runWindowToCompletion(test: TestWorld, maxHours: number) {
  for (let i = 0; i < (maxHours * HOUR_MS) / TICK_MS; i++) {
    test.driver.clock.advance(TICK_MS);
    await test.driver.tick();
    if (i % 12 === 11) {
      const state = await readMonitorState(test.database.sql, { now: test.driver.clock.now() });
      if (state.complete) return state;
    }
  }
  throw new Error(`the window did not complete within ${maxHours} simulated hours`);
}

async function advanceTo(test: TestWorld, at: Date) {
  while (test.driver.clock.now().getTime() < at.getTime()) {
    // Hour steps while the market is closed: the simulated workers still produce every minute.
    const step = isFxOpen(test.driver.clock.now()) ? TICK_MS : HOUR_MS;
    test.driver.clock.advance(Math.min(step, at.getTime() - test.driver.clock.now().getTime()));
    await test.driver.tick();
  }
}

/**
 * The console's actions read the world's rehearsal clock, not the driver's: pin it to the driver's
 * time (barely moving) so a request is judged at the moment the test means.
 */
async function pinRehearsalClock(test: TestWorld) {
  await test.database.sql`
    update cutover.rehearsal_clock
       set anchor_sim = ${test.driver.clock.now()}, anchor_wall = now(), heartbeat_sim = null, speed = 0.000001`;
}

/** Requests phase 9, has a second person approve it, and runs it to the end. */
async function runPhase9(test: TestWorld) {
  await pinRehearsalClock(test);
  const runId = await test.driver.start('9', OPERATOR);
  const [approval] = await test.database.sql<{ id: number }[]>`
    select id from cutover.approvals where phase_run_id = ${runId}`;
  const approved = await test.driver.act(approveRequest, APPROVER, {
    approvalId: Number(approval?.id),
    confirm: 'DXY',
  });
  expect(approved.status).toBe('ok');
  return test.driver.finish(runId, { maxTicks: 600 });
}

const utc = (iso: string) => new Date(iso);

describe('a full rehearsal whose window spans the autumn daylight-saving change (Sunday 2026-11-01)', () => {
  const test = useTestWorld({ now: utc('2026-10-30T09:00:00Z'), days: 2 }, { through: THROUGH_PHASE_7 });

  it('has no FAIL hour: Friday 21:00–22:00 UTC (after the summer-time close) and the Sunday before 22:00 UTC are closed', async () => {
    const state = await runWindowToCompletion(test, 96);
    const failed = state.slots.filter((s) => s.state === 'FAIL');
    expect(
      failed.map(
        (s) => `${s.hourStart.toISOString()}: ${s.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.detail)}`,
      ),
    ).toEqual([]);
    expect(state.unwaivedFailures).toBe(0);
    const slotAt = (iso: string) => state.slots.find((s) => s.hourStart.toISOString() === iso);
    expect(slotAt('2026-10-30T20:00:00.000Z')?.marketOpen).toBe(true);
    expect(slotAt('2026-10-30T21:00:00.000Z')?.state).toBe('closed');
    expect(slotAt('2026-11-01T21:00:00.000Z')?.state).toBe('closed');
    expect(slotAt('2026-11-01T22:00:00.000Z')?.marketOpen).toBe(true);
    // The weekend extended the window into Monday: 20 open hours that passed.
    expect(state.extended).toBe(true);
    expect(state.openHoursPassed).toBeGreaterThanOrEqual(state.minOpenHours);
  }, 600_000);

  it('reaches phase 9, which runs to the end while the market is open', async () => {
    expect(isFxOpen(test.driver.clock.now())).toBe(true);
    const run = await runPhase9(test);
    expect(run.status, failedChecks(run)).toBe('succeeded');
  }, 300_000);
});

describe('a full rehearsal whose window spans Dec 24–27 (Dec 24 closes early, Dec 25 closed, then the weekend)', () => {
  const test = useTestWorld({ now: utc('2026-12-24T07:30:00Z'), days: 2 }, { through: THROUGH_PHASE_7 });

  it('refuses phase 9 within 30 minutes of the early close (13:00 New York = 18:00 UTC) and on Christmas Day', async () => {
    await advanceTo(test, utc('2026-12-24T17:35:00Z'));
    await pinRehearsalClock(test);
    const refused = await test.driver.act(startPhaseRun, OPERATOR, { phase: '9' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') expect(refused.reason).toMatch(/Start after 2026-12-27T22:00:00.000Z/);
    await advanceTo(test, utc('2026-12-25T12:00:00Z'));
    await pinRehearsalClock(test);
    const closed = await test.driver.act(startPhaseRun, OPERATOR, { phase: '9' });
    expect(closed.status).toBe('refused');
    if (closed.status === 'refused') expect(closed.reason).toMatch(/Start after 2026-12-27T22:00:00.000Z/);
  }, 600_000);

  it('extends its window over the holiday to Monday Dec 28 with no FAIL hour: the closed hours are closed, not failed', async () => {
    const state = await runWindowToCompletion(test, 120);
    expect(
      state.slots
        .filter((s) => s.state === 'FAIL')
        .map(
          (s) => `${s.hourStart.toISOString()}: ${s.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.detail)}`,
        ),
    ).toEqual([]);
    expect(state.unwaivedFailures).toBe(0);
    const slotAt = (iso: string) => state.slots.find((s) => s.hourStart.toISOString() === iso);
    expect(slotAt('2026-12-24T17:00:00.000Z')?.marketOpen).toBe(true);
    for (const closedHour of ['2026-12-24T18:00:00.000Z', '2026-12-25T12:00:00.000Z', '2026-12-26T12:00:00.000Z'])
      expect(slotAt(closedHour)?.state).toBe('closed');
    expect(slotAt('2026-12-27T22:00:00.000Z')?.marketOpen).toBe(true);
    expect(state.extended).toBe(true);
    expect(state.estimatedEnd?.getTime()).toBeGreaterThan(utc('2026-12-28T00:00:00Z').getTime());
  }, 900_000);

  it('runs phase 9 once the window is complete and the market open', async () => {
    expect(isFxOpen(test.driver.clock.now())).toBe(true);
    const run = await runPhase9(test);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const [active] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(active?.n).toBe(0);
  }, 600_000);
});
