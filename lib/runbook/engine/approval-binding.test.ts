/**
 * Approvals bound to what was approved: the approval and the runner both refuse a run whose
 * settings differ from the request's, an approval expires, and a disabled requester's request
 * cannot be approved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { APPROVER, OPERATOR } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { approveRequest } from '../actions/decide-approval';
import { getPhaseRun } from './run-state';

const TOUCHED = ['CUTOVER_WORKER_RESTART_CMD', 'CUTOVER_SOFT_DELETE_BATCH_ROWS'] as const;

describe('approvals bound to what was approved (a deleting rollback)', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 }, { through: ['1', '2-fix', '3'] });

  afterEach(() => {
    for (const name of TOUCHED) delete process.env[name];
  });

  async function requestDeletingRollback() {
    const runId = await test.driver.start('rollback', OPERATOR, { data: 'delete', confirm: 'ROLLBACK' });
    const [approval] = await test.database.sql<{ id: number }[]>`
      select id from cutover.approvals where phase_run_id = ${runId}`;
    return { runId, approvalId: approval?.id ?? 0 };
  }

  it('refuses the approval when a worker command changed after the request, naming it', async () => {
    const { runId, approvalId } = await requestDeletingRollback();
    process.env.CUTOVER_WORKER_RESTART_CMD = 'kubectl rollout restart deploy/everything';
    const refused = await test.driver.act(approveRequest, APPROVER, { approvalId, confirm: 'DELETE' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') expect(refused.reason).toContain('CUTOVER_WORKER_RESTART_CMD changed');
    expect((await getPhaseRun(test.database.sql, { id: runId }))?.status).toBe('awaiting-approval');
    await test.database.sql`update cutover.phase_runs set status = 'rejected' where id = ${runId}`;
    await test.database.sql`update cutover.approvals set status = 'rejected' where id = ${approvalId}`;
  });

  it('a runner with other settings refuses to execute the approved run, and says what changed', async () => {
    const { runId, approvalId } = await requestDeletingRollback();
    expect((await test.driver.act(approveRequest, APPROVER, { approvalId, confirm: 'DELETE' })).status).toBe('ok');
    process.env.CUTOVER_SOFT_DELETE_BATCH_ROWS = '500';
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('CUTOVER_SOFT_DELETE_BATCH_ROWS changed');
    const [rows] = await test.database.sql`select count(*)::int as n from cutover.phase_run_events
                                            where phase_run_id = ${runId} and message like 'Started by%'`;
    expect(rows?.n).toBe(0);
  });

  it('an approval requested longer than CUTOVER_APPROVAL_TTL_MINUTES ago has expired when a runner claims the run, however recently it was decided', async () => {
    const { runId, approvalId } = await requestDeletingRollback();
    expect((await test.driver.act(approveRequest, APPROVER, { approvalId, confirm: 'DELETE' })).status).toBe('ok');
    // Requested three hours ago, decided a minute ago (wall time: rehearsal speed must not age an approval).
    await test.database.sql`update cutover.approvals set requested_at = now() - interval '3 hours',
                                   decided_at = now() - interval '1 minute' where id = ${approvalId}`;
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/approval #\d+ expired \(requested 18\d min ago; CUTOVER_APPROVAL_TTL_MINUTES is 120\)/);
  });

  it('a request pending for longer than CUTOVER_APPROVAL_TTL_MINUTES can no longer be approved', async () => {
    const { runId, approvalId } = await requestDeletingRollback();
    await test.database
      .sql`update cutover.approvals set requested_at = now() - interval '3 hours' where id = ${approvalId}`;
    const refused = await test.driver.act(approveRequest, APPROVER, { approvalId, confirm: 'DELETE' });
    expect(refused).toMatchObject({ status: 'refused' });
    if (refused.status === 'refused')
      expect(refused.reason).toMatch(
        new RegExp(
          `Request #${approvalId} expired: requested 18\\d min ago, CUTOVER_APPROVAL_TTL_MINUTES is 120; abort run #${runId}`,
        ),
      );
    expect((await getPhaseRun(test.database.sql, { id: runId }))?.status).toBe('awaiting-approval');
    // Two minutes short of the TTL it passes that check (and ends on the wrong word): the refusal above is the age.
    await test.database
      .sql`update cutover.approvals set requested_at = now() - interval '118 minutes' where id = ${approvalId}`;
    expect(await test.driver.act(approveRequest, APPROVER, { approvalId, confirm: 'WRONG' })).toEqual({
      status: 'refused',
      reason: 'Type DELETE to confirm the approval.',
    });
    await test.database.sql`update cutover.phase_runs set status = 'rejected' where id = ${runId}`;
    await test.database.sql`update cutover.approvals set status = 'rejected' where id = ${approvalId}`;
  });

  it('a request from a user disabled since cannot be approved', async () => {
    const { approvalId } = await requestDeletingRollback();
    await test.database.sql`insert into cutover.users (username, password_hash, roles, disabled_at)
                            values (${OPERATOR.username}, 'scrypt$x', '{operator}', now())`;
    const refused = await test.driver.act(approveRequest, APPROVER, { approvalId, confirm: 'DELETE' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused')
      expect(refused.reason).toContain(`the requester ${OPERATOR.username} has been disabled`);
  });
});
