/**
 * The two-person rule: a request is approved or rejected by an approver who is not the person who
 * requested it, with a typed confirmation for approvals. Enforced here, on the server, whatever
 * roles the person holds.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import type { SqlOrTx } from '../../db/connection';
import { type Approval, decideApproval, lockApproval } from '../../db/tables/approvals';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { mergePhaseRunOptions, movePhaseRun } from '../../db/tables/phase-runs';
import { loadClock } from '../../market/clock';
import { approvedRunProblems } from '../approved-run-check';
import { runbookConfigFromEnv } from '../config';
import { describeDifferences, type FinalProofWaiver, type ListedDifference } from '../final-proof';
import type { PhaseRegistry } from '../phase-registry';
import { PHASES } from '../phases';
import { getPhaseRun } from '../run-state';
import type { PhaseDefinition } from '../types';
import { ABANDON_CONFIRMATION, closeAbandonedMigrationRun } from './abandon-migration-run';

/** The word an approver types to confirm a kind of request: the phases' own, and two that are not a phase's. */
export function confirmationWordOf(kind: string, registry: PhaseRegistry = PHASES): string {
  const words: Record<string, string> = { ...registry.approvalWords(), abandon: ABANDON_CONFIRMATION, waiver: 'WAIVE' };
  return words[kind] ?? 'APPROVE';
}

/** The request, locked for the decision; refused unless it is still pending. */
async function pendingApproval(tx: SqlOrTx, id: number): Promise<Approval> {
  const row = await lockApproval(tx, { id });
  if (!row) throw new ActionRefused(`No approval request #${id}.`);
  if (row.status !== 'pending') throw new ActionRefused(`Request #${id} is already ${row.status}.`);
  return row;
}

/**
 * The approve action over a registry: the confirmation words and the re-checks are the phases'
 * own. The console's is over the runbook's phases (below); a test builds one over a registry with
 * a phase of its own (lib/runbook/phase-registry.test.ts).
 */
export function createApproveRequest(registry: PhaseRegistry<PhaseDefinition>) {
  return defineAction({
    name: 'approvals.approve',
    input: z.object({
      approvalId: z.coerce.number().int().positive(),
      confirm: z.string().max(100),
      /** Phase 9: the number of differing minutes the final proof listed, typed to waive them. */
      waiveCount: z.coerce.number().int().min(0).optional(),
    }),
    roles: ['approver'],
    async run({ tx, input, user, database }) {
      const request = await pendingApproval(tx, input.approvalId);
      if (request.requestedBy === user.username) {
        throw new ActionRefused('Two-person rule: you requested this, so someone else must approve it.');
      }
      const word = confirmationWordOf(request.kind, registry);
      if (input.confirm !== word) throw new ActionRefused(`Type ${word} to confirm the approval.`);
      if (request.kind !== 'abandon') {
        const run = await getPhaseRun(tx, { id: request.phaseRunId });
        if (!run) throw new ActionRefused(`Phase run #${request.phaseRunId} no longer exists.`);
        const problems = await approvedRunProblems(
          {
            database,
            clock: await loadClock(database.sql),
            config: runbookConfigFromEnv(),
            phase: registry.find(run.phase),
          },
          run,
          'approval',
        );
        if (problems.length > 0) throw new ActionRefused(`Not approved: ${problems.join('; ')}.`);
      }
      const waiver =
        request.kind === 'soft-delete'
          ? await finalProofWaiver(tx, request.phaseRunId, input.waiveCount, user.username)
          : null;
      await decideApproval(tx, {
        id: request.id,
        status: 'approved',
        decidedBy: user.username,
        reason: waiver ? `Waived ${waiver.count} listed differences: ${waiver.minutes.join(', ')}` : null,
      });
      if (request.kind === 'abandon') {
        const migrationRunId = await closeAbandonedMigrationRun(tx, { phaseRunId: request.phaseRunId });
        return {
          approvalId: request.id,
          status: 'approved',
          phaseRunId: request.phaseRunId,
          abandoned: migrationRunId,
        };
      }
      if (waiver) await mergePhaseRunOptions(tx, { id: request.phaseRunId, options: { waiver } });
      await movePhaseRun(tx, { id: request.phaseRunId, from: 'awaiting-approval', to: 'pending' });
      await insertPhaseRunEvent(tx, {
        phaseRunId: request.phaseRunId,
        level: 'info',
        message: `Approved by ${user.username} (requested by ${request.requestedBy})`,
      });
      return { approvalId: request.id, status: 'approved', phaseRunId: request.phaseRunId };
    },
  });
}

export const approveRequest = createApproveRequest(PHASES);

/**
 * Phase 9's final proof listed the minutes that differ when it was requested. They can be waived
 * only by typing their count; with none listed, a count is refused too (nothing to waive).
 */
async function finalProofWaiver(
  tx: SqlOrTx,
  phaseRunId: number,
  typed: number | undefined,
  approver: string,
): Promise<FinalProofWaiver | null> {
  const [run] = await tx<{ proof: { total: number; listed: ListedDifference[] } | null }[]>`
    select options->'finalProof' as proof from cutover.phase_runs where id = ${phaseRunId}`;
  const total = run?.proof?.total ?? 0;
  const listed = run?.proof?.listed ?? [];
  if (total === 0) {
    if (typed !== undefined && typed !== 0)
      throw new ActionRefused('The final proof listed no differing minute: nothing to waive.');
    return null;
  }
  if (listed.length < total)
    throw new ActionRefused(
      `The final proof found ${total} differing minutes, more than can be listed and waived (${listed.length}): copy them into data_bars, reject, and request phase 9 again.`,
    );
  if (typed !== total)
    throw new ActionRefused(
      `The final proof lists ${total} legacy minutes not in data_bars with the same close (${describeDifferences(listed, 5)}). ` +
        `Type ${total} to waive them, or reject and copy them first.`,
    );
  return { count: total, minutes: listed.map((d) => d.tsUtc), by: approver };
}

export const rejectRequest = defineAction({
  name: 'approvals.reject',
  input: z.object({
    approvalId: z.coerce.number().int().positive(),
    reason: z.string().trim().min(3, 'Give a reason').max(2000),
  }),
  roles: ['approver'],
  async run({ tx, input, user }) {
    const request = await pendingApproval(tx, input.approvalId);
    if (request.requestedBy === user.username) {
      throw new ActionRefused('Two-person rule: you requested this, so someone else must decide on it.');
    }
    await decideApproval(tx, { id: request.id, status: 'rejected', decidedBy: user.username, reason: input.reason });
    await movePhaseRun(tx, { id: request.phaseRunId, from: 'awaiting-approval', to: 'rejected', finished: true });
    await insertPhaseRunEvent(tx, {
      phaseRunId: request.phaseRunId,
      level: 'warn',
      message: `Rejected by ${user.username}`,
      data: { reason: input.reason },
    });
    return { approvalId: request.id, status: 'rejected' };
  },
});
