import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import {
  decideApproval,
  insertApproval,
  insertOrRenewApproval,
  latestApproved,
  listApprovals,
  listApprovalsOfRuns,
  lockApproval,
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
    await insertApproval(sql, { kind: 'waiver', phaseRunId: 8, requestedBy: 'op', summary: 'third' });
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

  it('asks again only after a rejection', async () => {
    const { sql } = test.database;
    const request = { kind: 'abandon' as const, phaseRunId: 40, requestedBy: 'op', summary: 'abandon #1' };
    const asked = await insertOrRenewApproval(sql, request);
    expect(asked).toMatchObject({ status: 'pending', summary: 'abandon #1' });
    expect(await insertOrRenewApproval(sql, { ...request, summary: 'again' })).toBeNull();

    if (!asked) throw new Error('a request expected');
    await decideApproval(sql, { id: asked.id, status: 'rejected', decidedBy: 'appr', reason: 'no' });
    const renewed = await insertOrRenewApproval(sql, { ...request, requestedBy: 'op2', summary: 'again' });
    expect(renewed).toMatchObject({
      id: asked.id,
      status: 'pending',
      requestedBy: 'op2',
      summary: 'again',
      decidedBy: null,
      decidedAt: null,
      reason: null,
    });

    if (!renewed) throw new Error('a renewed request expected');
    await decideApproval(sql, { id: renewed.id, status: 'approved', decidedBy: 'appr', reason: null });
    expect(await insertOrRenewApproval(sql, request)).toBeNull();
  });
});
