/**
 * The two-person rule: a request is approved or rejected by an approver who is not the person who
 * requested it, with a typed confirmation for approvals. Enforced here, on the server, whatever
 * roles the person holds. Two accounts are not always two people: an approver whose account shares
 * a maker with the requester's within the run (one made or re-roled the other, or one admin made
 * both) is refused too, for approving and rejecting alike (lib/auth/separation-of-duties.ts), and a
 * request expires CUTOVER_APPROVAL_TTL_MINUTES after it
 * was made. Each decision records who created both accounts and when.
 */
import { z } from 'zod';
import { readAccountOrigin } from '../../auth/account-origin';
import { ActionRefused, defineAction } from '../../auth/action';
import { separationOfDutiesProblem } from '../../auth/separation-of-duties';
import type { SqlOrTx } from '../../db/connection';
import { type Approval, decideApproval, lockApproval, requestAgeMinutes } from '../../db/tables/approvals';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { loadClock } from '../../market/clock';
import { approvedRunProblems } from '../engine/approved-run-check';
import { runbookConfigFromEnv } from '../engine/config';
import type { PhaseRegistry } from '../engine/phase-registry';
import { mergePhaseRunOptions, movePhaseRun } from '../engine/run-requests';
import { getPhaseRun } from '../engine/run-state';
import type { ApprovalAdditions, PhaseDefinition } from '../engine/types';
import { ABANDON_APPROVAL_KIND, PHASES } from '../phases';
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

/** Who created the requester's and the decider's accounts, and when: recorded with the decision. */
async function accountsOf(tx: SqlOrTx, request: Approval, decider: string) {
  return { requester: await readAccountOrigin(tx, request.requestedBy), decider: await readAccountOrigin(tx, decider) };
}

/**
 * Refuses a request pending for longer than CUTOVER_APPROVAL_TTL_MINUTES since it was made (wall
 * time): what was asked may no longer be what the requester would ask.
 */
async function refuseExpired(tx: SqlOrTx, request: Approval, ttlMinutes: number): Promise<void> {
  const age = (await requestAgeMinutes(tx, { id: request.id })) ?? 0;
  if (age <= ttlMinutes) return;
  const again =
    request.kind === ABANDON_APPROVAL_KIND
      ? 'ask for the abandon again'
      : `abort run #${request.phaseRunId} and request it again`;
  throw new ActionRefused(
    `Request #${request.id} expired: requested ${Math.floor(age)} min ago, CUTOVER_APPROVAL_TTL_MINUTES is ${ttlMinutes}; ${again}.`,
  );
}

/** The separation-of-duties rule, in the request's migration run (lib/auth/separation-of-duties.ts). */
async function refuseLinkedAccounts(tx: SqlOrTx, request: Approval, approver: string): Promise<void> {
  const run = await getPhaseRun(tx, { id: request.phaseRunId });
  if (!run) throw new ActionRefused(`Phase run #${request.phaseRunId} no longer exists.`);
  const problem = await separationOfDutiesProblem(tx, {
    requester: request.requestedBy,
    approver,
    migrationRunId: run.migrationRunId,
  });
  if (problem) throw new ActionRefused(problem);
}

/**
 * The approve action over a registry: the confirmation words and the re-checks are the phases'
 * own. The console's is over the runbook's phases (below); a test builds one over a registry with
 * a phase of its own (lib/runbook/engine/phase-registry.test.ts).
 */
export function createApproveRequest(registry: PhaseRegistry<PhaseDefinition>) {
  return defineAction({
    name: 'approvals.approve',
    input: z.object({
      approvalId: z.coerce.number().int().positive(),
      confirm: z.string().max(100),
      /** The number of differences a phase listed for the approver, typed to waive them (phase 9's final proof). */
      waiveCount: z.coerce.number().int().min(0).optional(),
    }),
    roles: ['approver'],
    async run({ tx, input, user, database }) {
      const request = await pendingApproval(tx, input.approvalId);
      if (request.requestedBy === user.username) {
        throw new ActionRefused('Two-person rule: you requested this, so someone else must approve it.');
      }
      await refuseExpired(tx, request, runbookConfigFromEnv().approvalTtlMinutes);
      await refuseLinkedAccounts(tx, request, user.username);
      const word = confirmationWordOf(request.kind, registry);
      if (input.confirm !== word) throw new ActionRefused(`Type ${word} to confirm the approval.`);
      let additions: ApprovalAdditions = {};
      if (request.kind !== ABANDON_APPROVAL_KIND) {
        const run = await getPhaseRun(tx, { id: request.phaseRunId });
        if (!run) throw new ActionRefused(`Phase run #${request.phaseRunId} no longer exists.`);
        const phase = registry.find(run.phase);
        const problems = await approvedRunProblems(
          { database, clock: await loadClock(database.sql), config: runbookConfigFromEnv(), phase },
          run,
          'approval',
        );
        if (problems.length > 0) throw new ActionRefused(`Not approved: ${problems.join('; ')}.`);
        // What the phase records with its approval (phase 9: the waived differences of its final proof).
        additions = (await phase.onApprove?.({ run, approver: user.username, waiveCount: input.waiveCount })) ?? {};
      }
      await decideApproval(tx, {
        id: request.id,
        status: 'approved',
        decidedBy: user.username,
        reason: additions.reason ?? null,
        accounts: await accountsOf(tx, request, user.username),
      });
      if (request.kind === ABANDON_APPROVAL_KIND) {
        const migrationRunId = await closeAbandonedMigrationRun(tx, { phaseRunId: request.phaseRunId });
        return {
          approvalId: request.id,
          status: 'approved',
          phaseRunId: request.phaseRunId,
          abandoned: migrationRunId,
        };
      }
      if (additions.options) await mergePhaseRunOptions(tx, { id: request.phaseRunId, options: additions.options });
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
    // A linked account is the requester, who may not reject their own request either; the
    // requester can still withdraw it by aborting the run (docs/operations.md "Break-glass and
    // separation of duties").
    await refuseLinkedAccounts(tx, request, user.username);
    await decideApproval(tx, {
      id: request.id,
      status: 'rejected',
      decidedBy: user.username,
      reason: input.reason,
      accounts: await accountsOf(tx, request, user.username),
    });
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
