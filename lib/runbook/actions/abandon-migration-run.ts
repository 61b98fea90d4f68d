/**
 * "Abandon migration run": closes a migration run that changed nothing a rollback would need to
 * undo — typically one whose phase 1 failed — so a fresh phase 1 can start. An operator asks, with
 * a typed confirmation and a reason; another person, an approver, confirms (two-person rule,
 * enforced in decide-approval.ts, which closes the run). Refused, naming what changed, otherwise:
 * that run needs a rollback instead.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import type { SqlOrTx } from '../../db/connection';
import { insertAbandonRequest } from '../../db/tables/approvals';
import { closeMigrationRun, getMigrationRun } from '../../db/tables/migration-runs';
import { runbookConfigFromEnv } from '../engine/config';
import { getActiveMigrationRun, getActivePhaseRun, getPhaseRun, listPhaseRuns } from '../engine/run-state';
import { findRollbackRelevantChanges } from '../phases/shared/migration-changes';

export const ABANDON_CONFIRMATION = 'ABANDON';

export const requestAbandonMigrationRun = defineAction({
  name: 'runbook.request_abandon',
  input: z.object({
    confirm: z.string().max(100),
    reason: z.string().trim().min(3, 'Give a reason').max(2000),
  }),
  roles: ['operator'],
  async run({ tx, input, user }) {
    if (input.confirm !== ABANDON_CONFIRMATION)
      throw new ActionRefused(`Type ${ABANDON_CONFIRMATION} to confirm the request.`);
    const migration = await getActiveMigrationRun(tx);
    if (!migration) throw new ActionRefused('No migration run is active: nothing to abandon.');
    const active = await getActivePhaseRun(tx);
    if (active)
      throw new ActionRefused(
        `Phase ${active.phase} (run #${active.id}) is ${active.status}: wait for it or reject it first.`,
      );
    const changes = await findRollbackRelevantChanges(tx, { migrationRunId: migration.id });
    if (changes.length > 0)
      throw new ActionRefused(
        `Migration run #${migration.id} changed what a rollback must undo: ${changes.join('; ')}. Roll it back instead.`,
      );
    const last = (await listPhaseRuns(tx, { migrationRunId: migration.id })).at(-1);
    if (!last) throw new ActionRefused(`Migration run #${migration.id} has no phase run to attach the request to.`);
    const summary = `Abandon migration run #${migration.id} (nothing to roll back): ${input.reason}`;
    // A new request each time (a rejected one stays rejected); one pending at a time, until it expires.
    const request = await insertAbandonRequest(tx, {
      phaseRunId: last.id,
      requestedBy: user.username,
      summary,
      ttlMinutes: runbookConfigFromEnv().approvalTtlMinutes,
    });
    if (!request)
      throw new ActionRefused('An abandon request for this migration run is already pending on the approvals page.');
    return { approvalId: request.id, migrationRunId: migration.id };
  },
});

/** Called by the approval, in its transaction: re-checks and closes the run. */
export async function closeAbandonedMigrationRun(tx: SqlOrTx, params: { phaseRunId: number }): Promise<number> {
  const request = await getPhaseRun(tx, { id: params.phaseRunId });
  const run = request && (await getMigrationRun(tx, { id: request.migrationRunId, forUpdate: true }));
  if (run?.status !== 'active') throw new ActionRefused('That migration run is no longer active.');
  const active = await getActivePhaseRun(tx);
  if (active) throw new ActionRefused(`Phase ${active.phase} (run #${active.id}) is ${active.status}: not abandoned.`);
  const changes = await findRollbackRelevantChanges(tx, { migrationRunId: run.id });
  if (changes.length > 0)
    throw new ActionRefused(`Not abandoned: since the request, ${changes.join('; ')}. Roll it back instead.`);
  await closeMigrationRun(tx, { id: run.id, status: 'abandoned' });
  return run.id;
}
