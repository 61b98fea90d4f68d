/**
 * The two-person rule: a request is approved or rejected by an approver who is not the person who
 * requested it, with a typed confirmation for approvals. Enforced here, on the server, whatever
 * roles the person holds.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';

/** The word an approver types to confirm, per kind of request. */
export const CONFIRMATION_WORDS: Record<string, string> = {
  'rollback-delete': 'DELETE',
  'soft-delete': 'DXY',
  waiver: 'WAIVE',
};

async function pendingApproval(tx: import('postgres').TransactionSql, id: number) {
  const [row] = await tx<{ id: number; kind: string; phase_run_id: number; requested_by: string; status: string }[]>`
    select id, kind, phase_run_id::float8 as phase_run_id, requested_by, status from cutover.approvals where id = ${id} for update`;
  if (!row) throw new ActionRefused(`No approval request #${id}.`);
  if (row.status !== 'pending') throw new ActionRefused(`Request #${id} is already ${row.status}.`);
  return row;
}

export const approveRequest = defineAction({
  name: 'approvals.approve',
  input: z.object({ approvalId: z.coerce.number().int().positive(), confirm: z.string().max(100) }),
  roles: ['approver'],
  async run({ tx, input, user }) {
    const request = await pendingApproval(tx, input.approvalId);
    if (request.requested_by === user.username) {
      throw new ActionRefused('Two-person rule: you requested this, so someone else must approve it.');
    }
    const word = CONFIRMATION_WORDS[request.kind] ?? 'APPROVE';
    if (input.confirm !== word) throw new ActionRefused(`Type ${word} to confirm the approval.`);
    await tx`update cutover.approvals set status = 'approved', decided_by = ${user.username}, decided_at = now()
              where id = ${request.id}`;
    await tx`update cutover.phase_runs set status = 'pending' where id = ${request.phase_run_id} and status = 'awaiting-approval'`;
    await tx`insert into cutover.phase_run_events (phase_run_id, level, message)
             values (${request.phase_run_id}, 'info', ${`Approved by ${user.username} (requested by ${request.requested_by})`})`;
    return { approvalId: request.id, status: 'approved', phaseRunId: request.phase_run_id };
  },
});

export const rejectRequest = defineAction({
  name: 'approvals.reject',
  input: z.object({
    approvalId: z.coerce.number().int().positive(),
    reason: z.string().trim().min(3, 'Give a reason').max(2000),
  }),
  roles: ['approver'],
  async run({ tx, input, user }) {
    const request = await pendingApproval(tx, input.approvalId);
    if (request.requested_by === user.username) {
      throw new ActionRefused('Two-person rule: you requested this, so someone else must decide on it.');
    }
    await tx`update cutover.approvals set status = 'rejected', decided_by = ${user.username}, decided_at = now(),
                                          reason = ${input.reason}
              where id = ${request.id}`;
    await tx`update cutover.phase_runs set status = 'rejected', finished_at = now()
              where id = ${request.phase_run_id} and status = 'awaiting-approval'`;
    await tx`insert into cutover.phase_run_events (phase_run_id, level, message, data)
             values (${request.phase_run_id}, 'warn', ${`Rejected by ${user.username}`}, ${tx.json({ reason: input.reason })})`;
    return { approvalId: request.id, status: 'rejected' };
  },
});
