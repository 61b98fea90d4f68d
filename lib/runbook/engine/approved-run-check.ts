/**
 * What is re-checked of a run that needs an approval, at the approval and again when a runner
 * claims it (docs/phases.md, "Approvals"): the preview and settings it was requested with (the
 * binding), the phase's preconditions, that the requester is still an enabled user, and — at claim —
 * that the approval has not expired.
 */
import type { Database } from '../../db/connection';
import type { Clock } from '../../market/clock';
import { type ApprovalBinding, bindingDifferences, computeApprovalBinding, readApproval } from './approval-binding';
import type { RunbookConfig } from './config';
import type { PhaseRunRow } from './run-state';
import type { PhaseDefinition } from './types';

export async function approvedRunProblems(
  params: {
    database: Database;
    clock: Clock;
    config: RunbookConfig;
    /** The run's phase, from the registry the caller runs (the console's, or a test's own). */
    phase: PhaseDefinition;
    env?: Record<string, string | undefined>;
  },
  run: Pick<PhaseRunRow, 'id' | 'phase' | 'options' | 'migrationRunId' | 'requestedBy'>,
  stage: 'approval' | 'claim',
): Promise<string[]> {
  const { database, clock, config, phase } = params;
  const binding = run.options.binding as ApprovalBinding | undefined;
  if (!binding) return [];
  const problems: string[] = [];
  const context = { database, clock, config, migrationRunId: run.migrationRunId };
  const preview = await phase.preview({ ...context, options: run.options });
  const changed = bindingDifferences(
    binding,
    computeApprovalBinding({ phaseId: run.phase, options: run.options, preview, env: params.env }),
  );
  if (changed.length > 0)
    problems.push(
      `what was ${stage === 'approval' ? 'requested' : 'approved'} differs here: ${changed.join(', ')} changed since the request — request it again`,
    );
  // A start-only gate (the market being open) is the phase's own to wait on once the run exists.
  const failing = (await phase.preconditions(context)).filter((c) => !c.passed && !c.startOnly);
  if (failing.length > 0)
    problems.push(`preconditions no longer hold: ${failing.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
  const [requester] = await database.sql<{ disabled: boolean }[]>`
    select disabled_at is not null as disabled from cutover.users where username = ${run.requestedBy}`;
  if (requester?.disabled) problems.push(`the requester ${run.requestedBy} has been disabled`);
  if (stage === 'claim') {
    const approval = await readApproval(database.sql, { phaseRunId: run.id });
    if (!approval) problems.push('it has no approval');
    // Wall time since the REQUEST: an approval is a person's decision, and rehearsal speed must not age it;
    // a request left pending for hours does not get a fresh TTL from a late decision.
    else if ((approval.ageMinutes ?? 0) > config.approvalTtlMinutes)
      problems.push(
        `its approval #${approval.id} expired (requested ${Math.floor(approval.ageMinutes ?? 0)} min ago; CUTOVER_APPROVAL_TTL_MINUTES is ${config.approvalTtlMinutes})`,
      );
  }
  return problems;
}
