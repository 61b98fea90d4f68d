import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { executeAction } from '../../../auth/action';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { MINUTE_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { getPhaseRun } from '../../engine/run-state';

describe('the runner killed in the middle of the soft-delete', () => {
  // Small batches and one step per tick, so the soft-delete takes many committed steps.
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { softDeleteBatchRows: 300, stepBudgetMs: 0 }, through: ['1', '2-fix', '3', '4', '5', '6', '7'] },
  );
  beforeAll(async () => {
    for (let i = 0; i < 26 * 12; i++) {
      test.driver.clock.advance(5 * MINUTE_MS);
      await test.driver.tick();
    }
    expect((await readMonitorState(test.database.sql, { now: test.driver.clock.now() })).complete).toBe(true);
  });

  const legacy = async () => {
    const [row] = await test.database.sql<
      { active: number; deleted: number; tagged: number; distinct_tagged: number }[]
    >`
      select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as active,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null) as deleted,
             (select count(*)::int from cutover.soft_deleted_rows) as tagged,
             (select count(distinct derived_id)::int from cutover.soft_deleted_rows) as distinct_tagged`;
    return row as NonNullable<typeof row>;
  };

  it('resumes on another runner from the last committed batch: every legacy row soft-deleted and recorded exactly once', async () => {
    const runId = await test.driver.start('9');
    const [approval] = await test.database.sql`select id from cutover.approvals where phase_run_id = ${runId}`;
    const approved = await executeAction(approveRequest, {
      database: test.database,
      user: APPROVER,
      rawInput: { approvalId: Number(approval?.id), confirm: 'DXY' },
    });
    expect(approved.status).toBe('ok');
    const before = await legacy();
    expect(before.active).toBeGreaterThan(1500);

    // Runner A deploys 'final', proves the writer silent, and commits a few batches; then it dies.
    for (let i = 0; i < 200; i++) {
      const run = await getPhaseRun(test.database.sql, { id: runId });
      if (Number(run?.checkpoint.deletedRows ?? 0) >= 900) break;
      await test.driver.tick('runner-A');
      test.driver.clock.advance(MINUTE_MS);
    }
    const atCrash = await getPhaseRun(test.database.sql, { id: runId });
    expect(atCrash?.status).toBe('running');
    expect(atCrash?.checkpoint.stage).toBe('soft-deleting');
    const mid = await legacy();
    expect(mid.deleted).toBe(atCrash?.checkpoint.deletedRows);
    expect(mid.tagged).toBe(mid.deleted);
    expect(mid.active).toBeGreaterThan(0);

    await test.database
      .sql`update cutover.phase_runs set lease_expires_at = now() - interval '1 second' where id = ${runId}`;
    const run = await test.driver.finish(runId, { owner: 'runner-B', maxTicks: 400 });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const after = await legacy();
    expect(after.active).toBe(0);
    // Every row active once the legacy writer was off (the final proof takes a step first, so the dual writer may add a
    // minute after the approval): totalAtStart is counted right after the deployment to mode final.
    const total = Number(run.checkpoint.totalAtStart);
    expect(total).toBeGreaterThanOrEqual(before.active);
    expect(after.deleted).toBe(total);
    expect(after.tagged).toBe(total);
    expect(after.distinct_tagged).toBe(after.tagged);
    const [takeover] = await test.database
      .sql`select message from cutover.phase_run_events where phase_run_id = ${runId} and message like 'Taken over%'`;
    expect(takeover?.message).toMatch(/runner-A/);
  });
});
