import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import {
  decideApproval,
  insertAbandonRequest,
  insertApproval,
  latestApproved,
  listApprovals,
  listApprovalsOfRuns,
  lockApproval,
  requestAgeMinutes,
} from './approvals';

describe('cutover.approvals', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('reads its rows with the schema types, pending first, and decides them', async () => {
    const { sql } = test.database;
    // phase_run_id is a bigint: above 2^31 it still comes back as a number.
    const bigRunId = 3_000_000_000;
    await insertApproval(sql, { kind: 'soft-delete', phaseRunId: bigRunId, requestedBy: 'op', summary: 'first' });
    await insertApproval(sql, { kind: 'rollback-delete', phaseRunId: 7, requestedBy: 'op', summary: 'second' });
    await insertApproval(sql, { kind: 'reconcile', phaseRunId: 8, requestedBy: 'op', summary: 'third' });
    const [first, second, third] = await listApprovalsOfRuns(sql, { phaseRunIds: [bigRunId, 7, 8] });
    if (!first || !second || !third) throw new Error('three requests expected');
    expect(first).toMatchObject({ kind: 'soft-delete', phaseRunId: bigRunId, status: 'pending', decidedAt: null });
    expect(first.requestedAt).toBeInstanceOf(Date);

    await sql.begin(async (tx) => {
      const locked = await lockApproval(tx, { id: first.id });
      expect(locked?.summary).toBe('first');
      await decideApproval(tx, { id: first.id, status: 'approved', decidedBy: 'appr', reason: null });
    });
    await decideApproval(sql, { id: second.id, status: 'rejected', decidedBy: 'appr', reason: 'not now' });
    expect(await lockApproval(sql, { id: 999 })).toBeNull();

    const listed = await listApprovals(sql);
    expect(listed.map((a) => a.id)).toEqual([third.id, second.id, first.id]);
    expect(listed[1]).toMatchObject({ status: 'rejected', decidedBy: 'appr', reason: 'not now' });
    expect(listed[1]?.decidedAt).toBeInstanceOf(Date);
    expect((await listApprovals(sql, { limit: 1 })).map((a) => a.id)).toEqual([third.id]);
    expect(await listApprovalsOfRuns(sql, { phaseRunIds: [] })).toEqual([]);

    const approved = await latestApproved(sql, { phaseRunId: bigRunId });
    expect(approved?.approval.id).toBe(first.id);
    expect(approved?.ageMinutes).toBeGreaterThanOrEqual(0);
    expect(approved?.ageMinutes).toBeLessThan(5);
    expect(await latestApproved(sql, { phaseRunId: 7 })).toBeNull();
  });

  it('abandon requests are a new row each time: a rejected one stays rejected, a pending one blocks until it expires', async () => {
    const { sql } = test.database;
    const request = { phaseRunId: 40, requestedBy: 'op', summary: 'abandon #1', ttlMinutes: 120 };
    const asked = await insertAbandonRequest(sql, request);
    expect(asked).toMatchObject({ kind: 'abandon', status: 'pending', summary: 'abandon #1' });
    expect(await insertAbandonRequest(sql, { ...request, summary: 'again' })).toBeNull();

    if (!asked) throw new Error('a request expected');
    await decideApproval(sql, { id: asked.id, status: 'rejected', decidedBy: 'appr', reason: 'no' });
    const second = await insertAbandonRequest(sql, { ...request, requestedBy: 'op2', summary: 'again' });
    expect(second).toMatchObject({ status: 'pending', requestedBy: 'op2', summary: 'again', decidedBy: null });
    expect(second?.id).not.toBe(asked.id);
    // The rejection is kept as it was decided.
    expect((await lockApproval(sql, { id: asked.id }))?.status).toBe('rejected');
    expect((await lockApproval(sql, { id: asked.id }))?.reason).toBe('no');
    expect((await lockApproval(sql, { id: asked.id }))?.requestedBy).toBe('op');

    // A pending request past its TTL (from the request) is closed as expired by the next one.
    if (!second) throw new Error('a second request expected');
    await sql`update cutover.approvals set requested_at = now() - interval '121 minutes' where id = ${second.id}`;
    const third = await insertAbandonRequest(sql, { ...request, summary: 'third' });
    expect(third).toMatchObject({ status: 'pending', summary: 'third' });
    expect(await lockApproval(sql, { id: second.id })).toMatchObject({
      status: 'expired',
      reason: 'not decided within CUTOVER_APPROVAL_TTL_MINUTES (120 min)',
    });
    // Other kinds stay one per run.
    await insertApproval(sql, { kind: 'soft-delete', phaseRunId: 41, requestedBy: 'op', summary: 'one' });
    await expect(
      insertApproval(sql, { kind: 'soft-delete', phaseRunId: 41, requestedBy: 'op', summary: 'two' }),
    ).rejects.toThrow(/approvals_one_per_run/);
  });

  it('an approval’s age counts from the request, not the decision', async () => {
    const { sql } = test.database;
    await insertApproval(sql, { kind: 'soft-delete', phaseRunId: 50, requestedBy: 'op', summary: 'old' });
    const [row] = await listApprovalsOfRuns(sql, { phaseRunIds: [50] });
    if (!row) throw new Error('a request expected');
    await sql`update cutover.approvals set requested_at = now() - interval '3 hours' where id = ${row.id}`;
    expect(await requestAgeMinutes(sql, { id: row.id })).toBeGreaterThanOrEqual(180);
    await decideApproval(sql, { id: row.id, status: 'approved', decidedBy: 'appr', reason: null });
    const approved = await latestApproved(sql, { phaseRunId: 50 });
    expect(approved?.ageMinutes).toBeGreaterThanOrEqual(180);
  });
});
