import { describe, expect, it } from 'vitest';
import {
  APPROVER,
  APPROVER_2,
  failedChecks,
  OPERATOR,
  testUser,
  VIEWER,
} from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { waiveFailedHour } from '../../../monitor/waive-hour-action';
import { MINUTE_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { startPhaseRun } from '../../actions/start-phase-run';

const APPROVING_OPERATOR = testUser('paula', ['operator', 'approver']);

describe('phase 9: the two-person soft-delete, and a rollback after it', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });
  const migrationRunStatuses = async () =>
    (await test.database.sql<{ status: string }[]>`select status from cutover.migration_runs order by id`).map(
      (r) => r.status,
    );
  let approvalId: number;
  let runId: number;

  const audits = async (username: string) =>
    test.database.sql<{ action: string; outcome: string }[]>`
      select action, outcome from cutover.audit_events where username = ${username} order by id`;

  it('is refused before the window completes, with the reason, and the refusal is audited', async () => {
    const result = await test.driver.act(startPhaseRun, OPERATOR, { phase: '9' });
    expect(result.status).toBe('refused');
    if (result.status === 'refused') expect(result.reason).toMatch(/24-hour window complete/);
    expect((await audits(OPERATOR.username)).at(-1)).toEqual({ action: 'runbook.start_phase', outcome: 'refused' });
  });

  it('is refused while a FAIL hour is not waived; an approver waives it with a reason', async () => {
    // The tick-factory stops for 20 minutes in the third hour of the window.
    for (let i = 0; i < 26 * 12; i++) {
      const at = test.driver.clock.now().getTime();
      if (i === 30) await test.database.sql`update cutover.rehearsal_workers set paused = true`;
      if (i === 34)
        await test.database.sql`update cutover.rehearsal_workers set paused = false, next_minute = ${new Date(at)}`;
      test.driver.clock.advance(5 * MINUTE_MS);
      await test.driver.tick();
    }
    const monitor = await readMonitorState(test.database.sql, { now: test.driver.clock.now() });
    expect(monitor.complete).toBe(true);
    expect(monitor.unwaivedFailures).toBeGreaterThanOrEqual(1);
    const refused = await test.driver.act(startPhaseRun, OPERATOR, { phase: '9' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') expect(refused.reason).toMatch(/No FAIL hour/);
    for (const slot of monitor.slots.filter((s) => s.state === 'FAIL')) {
      const waiver = await test.driver.act(waiveFailedHour, APPROVER, {
        snapshotId: slot.snapshotId,
        reason: 'Rehearsed tick-factory outage, understood',
      });
      expect(waiver.status).toBe('ok');
    }
    expect((await readMonitorState(test.database.sql, { now: test.driver.clock.now() })).unwaivedFailures).toBe(0);
    // 26 simulated hours, tick by tick through the simulated workers: minutes of wall time on a busy machine.
  }, 300_000);

  it('waits for an approver: the requester, a viewer, an operator, and a missing confirmation are all refused and audited', async () => {
    runId = await test.driver.start('9', APPROVING_OPERATOR);
    const [approval] = await test.database.sql`select id, kind from cutover.approvals where phase_run_id = ${runId}`;
    expect(approval?.kind).toBe('soft-delete');
    approvalId = Number(approval?.id);
    const approve = (user: typeof OPERATOR, confirm: string) =>
      test.driver.act(approveRequest, user, { approvalId, confirm });
    expect(await approve(APPROVING_OPERATOR, 'DXY')).toEqual({
      status: 'refused',
      reason: 'Two-person rule: you requested this, so someone else must approve it.',
    });
    expect((await approve(VIEWER, 'DXY')).status).toBe('refused');
    expect((await approve(OPERATOR, 'DXY')).status).toBe('refused');
    expect(await approve(APPROVER_2, 'dxy')).toEqual({
      status: 'refused',
      reason: 'Type DXY to confirm the approval.',
    });
    for (const user of [APPROVING_OPERATOR, VIEWER, OPERATOR, APPROVER_2]) {
      expect(
        (await audits(user.username)).some((a) => a.action === 'approvals.approve' && a.outcome === 'refused'),
      ).toBe(true);
    }
    await test.driver.tick();
    const [row] = await test.database.sql`select status from cutover.phase_runs where id = ${runId}`;
    expect(row?.status).toBe('awaiting-approval');
    const [active] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(active?.n).toBeGreaterThan(2000);
  });

  it('after approval: switches the legacy writer off, soft-deletes every legacy row, and none reappear', async () => {
    expect((await test.driver.act(approveRequest, APPROVER_2, { approvalId, confirm: 'DXY' })).status).toBe('ok');
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const [workers] = await test.database.sql`select mode from cutover.rehearsal_workers`;
    expect(workers?.mode).toBe('final');
    test.driver.clock.advance(15 * MINUTE_MS);
    await test.driver.tick();
    const [counts] = await test.database.sql<{ active: number; tagged: number; deleted: number }[]>`
      select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as active,
             (select count(*)::int from cutover.soft_deleted_rows) as tagged,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null) as deleted`;
    expect(counts?.active).toBe(0);
    expect(counts?.tagged).toBe(counts?.deleted);
    // Phase 9 is the migration done, but it leaves the migration run open: its rollback must stay possible.
    expect(await migrationRunStatuses()).toEqual(['active']);
  });

  it('a rollback afterwards restores exactly the soft-deleted rows and back-fills the minutes only data_bars has', async () => {
    const before = await test.database.sql<
      { id: string }[]
    >`select derived_id::text as id from cutover.soft_deleted_rows order by 1`;
    // An unrelated soft-deleted row (not this run's) must stay deleted.
    const [other] = await test.database.sql<{ id: string }[]>`
      insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, is_partial, source,
                                            ingested_at, deleted_at)
      values ('DXY', '1m', '2020-01-06T10:00:00Z', 100, 100, 100, 100, false, 'dxy', '2020-01-06T10:01:02Z',
              '2020-01-07T00:00:00Z') returning id::text`;
    // A provider revision while the fence held legacy: the new writer re-derived the minute, legacy could not.
    const [revised] = await test.database.sql<{ ts_utc: Date }[]>`
      select max(ts_utc) as ts_utc from cutover.soft_deleted_rows`;
    const minute = revised?.ts_utc as Date;
    await test.database.sql`update public.data_bars set close = close * 1.002, high = greatest(high, close * 1.002)
                             where canonical_symbol = 'EURUSD' and timeframe = '1m' and ts_utc = ${minute}`;
    await test.database.sql`select public.calc_dxy_range_1m(p_from_utc => ${minute},
                                                          p_to_utc => ${new Date(minute.getTime() + MINUTE_MS)})`;
    const rollback = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(rollback.status, failedChecks(rollback)).toBe('succeeded');
    expect(await migrationRunStatuses()).toEqual(['rolled_back']);
    const [after] = await test.database.sql<{ legacy: number; new: number }[]>`
      select (select close from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                 and ts_utc = ${minute} and deleted_at is null) as legacy,
             (select close from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute}) as new`;
    expect(after?.legacy).toBeCloseTo(after?.new as number, 9);
    const restored = await test.database.sql<{ id: string }[]>`
      select id::text from public.derived_data_bars where id in ${test.database.sql(before.map((b) => b.id))} and deleted_at is null order by 1`;
    expect(restored.map((r) => r.id)).toEqual(before.map((b) => b.id));
    const [stillDeleted] = await test.database
      .sql`select deleted_at from public.derived_data_bars where id = ${other?.id as string}`;
    expect(stillDeleted?.deleted_at).not.toBeNull();
    const [gap] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars n where n.canonical_symbol = 'DXY' and n.timeframe = '1m'
         and not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                           and d.ts_utc = n.ts_utc and d.deleted_at is null)`;
    expect(gap?.n).toBe(0);
  });
});
