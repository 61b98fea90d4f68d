/**
 * The last mile in a market as it is (docs/phases.md "Who owns a DXY row", "The fence on legacy writes"): components ingested
 * staggered and held back, the provider revising recent bars, and a second legacy writer the
 * deploy does not control every 20 minutes. Phases 7–9 and a rollback succeed, legacy and
 * data_bars agree by value at the end, and the fence lists the writes it refused.
 */
import { describe, expect, it } from 'vitest';
import { APPROVER, failedChecks, OPERATOR } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { type TestWorld, useTestWorld } from '../../../test-support/world-database';
import { DXY_CLOSE_TOLERANCE } from '../../market/dxy';
import { SECOND_LEGACY_WRITER_APPLICATION_NAME } from '../../market/rehearsal/second-legacy-writer';
import { readMonitorState } from '../../monitor/read-monitor-state';
import { HOUR_MS, MINUTE_MS } from '../../time-units';
import { approveRequest } from '../actions/decide-approval';
import { readFenceRefusals } from '../phases/shared/legacy-fence-state';

const TICK_MS = 5 * MINUTE_MS;

/** Legacy (active) and data_bars DXY 1m minutes that disagree: missing on either side, or another close. */
async function disagreements(test: TestWorld, before: Date) {
  return test.database.sql<{ ts_utc: Date; legacy: number | null; new: number | null }[]>`
    select coalesce(o.ts_utc, n.ts_utc) as ts_utc, o.close as legacy, n.close as new
      from (select ts_utc, close from public.derived_data_bars
             where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc < ${before}) o
      full join (select ts_utc, close from public.data_bars
                  where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc < ${before}) n using (ts_utc)
     where o.close is null or n.close is null or abs(n.close - o.close) > ${DXY_CLOSE_TOLERANCE} * abs(o.close)
     order by 1 limit 20`;
}

async function pinRehearsalClock(test: TestWorld) {
  // The console's actions read the world's rehearsal clock: pin it to the driver's time.
  await test.database.sql`
    update cutover.rehearsal_clock
       set anchor_sim = ${test.driver.clock.now()}, anchor_wall = now(), heartbeat_sim = null, speed = 0.000001`;
}

describe('phases 7–9 and a rollback with staggered, revised data and a second legacy writer every 20 minutes', () => {
  const test = useTestWorld(
    {
      now: MIDWEEK_NOW,
      days: 2,
      ingestion: { schedule: 'staggered', revisionsPerHour: 6, secondWriterMinutes: 20 },
    },
    { through: ['1', '2-fix', '3', '4', '5', '6'] },
  );

  it('phase 7 deploys dual while revisions and the second writer run; the window passes with no FAIL hour', async () => {
    // Two hours of bridge between phase 5 and phase 7: revisions of bridged minutes must follow.
    for (let i = 0; i < (2 * HOUR_MS) / TICK_MS; i++) {
      test.driver.clock.advance(TICK_MS);
      await test.driver.tick();
    }
    const deploy = await test.driver.run('7');
    expect(deploy.status, failedChecks(deploy)).toBe('succeeded');
    let state = await readMonitorState(test.database.sql, { now: test.driver.clock.now() });
    for (let i = 0; i < (30 * HOUR_MS) / TICK_MS && !state.complete; i++) {
      test.driver.clock.advance(TICK_MS);
      await test.driver.tick();
      if (i % 12 === 11) state = await readMonitorState(test.database.sql, { now: test.driver.clock.now() });
    }
    expect(state.complete).toBe(true);
    expect(state.taken).toBeGreaterThanOrEqual(24);
    const failed = state.slots.filter((s) => s.state === 'FAIL');
    expect(
      failed.map(
        (s) => `${s.hourStart.toISOString()}: ${s.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.detail)}`,
      ),
    ).toEqual([]);
    const [revised] = await test.database.sql<
      { n: number }[]
    >`select count(*)::int as n from cutover.rehearsal_revisions`;
    expect(revised?.n).toBeGreaterThan(20);
    expect(await disagreements(test, new Date(test.driver.clock.now().getTime() - HOUR_MS))).toEqual([]);
  }, 900_000);

  it('phase 9 fences the legacy path: the second writer is refused and listed, no active legacy row comes back', async () => {
    await pinRehearsalClock(test);
    const runId = await test.driver.start('9', OPERATOR);
    const [approval] = await test.database.sql<{ id: number }[]>`
      select id from cutover.approvals where phase_run_id = ${runId}`;
    expect(
      (await test.driver.act(approveRequest, APPROVER, { approvalId: Number(approval?.id), confirm: 'DXY' })).status,
    ).toBe('ok');
    const run = await test.driver.finish(runId, { maxTicks: 600 });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    for (let i = 0; i < 12; i++) {
      test.driver.clock.advance(TICK_MS);
      await test.driver.tick();
    }
    const [active] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(active?.n).toBe(0);
    const refusals = await readFenceRefusals(test.database.sql, { since: new Date(0), limit: 50 });
    expect(refusals.total).toBeGreaterThan(0);
    expect(refusals.rows.some((r) => r.applicationName === SECOND_LEGACY_WRITER_APPLICATION_NAME)).toBe(true);
  }, 900_000);

  it('a rollback afterwards removes the fence, restores legacy, and both tables agree by value', async () => {
    await pinRehearsalClock(test);
    const rollback = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(rollback.status, failedChecks(rollback)).toBe('succeeded');
    const end = test.driver.clock.now();
    expect(await disagreements(test, new Date(end.getTime() - 2 * HOUR_MS))).toEqual([]);
    const [fence] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_trigger where tgname = 'cutover_legacy_dxy_fence'`;
    expect(fence?.n).toBe(0);
  }, 900_000);
});
