/**
 * "Pacing" (docs/operations.md "Pacing"): an operator changes the batch size, the pace or a
 * threshold of the batched phases, also while one runs — the runner reads the limits before each
 * batch, so the change takes effect at the next one. Audited by the action wrapper (the input and
 * the limits before and after); the active run's log says who changed what.
 */
import { ActionRefused, defineAction } from '../../auth/action';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { PACING_CHANGE, type PacingLimits, updatePacingLimits } from '../engine/pacing/pacing-limits';
import { getActivePhaseRun } from '../engine/run-state';

const FIELDS: (keyof PacingLimits)[] = [
  'batchRows',
  'paceMs',
  'maxLockWaitMs',
  'maxReplicaLagS',
  'checkpointPauseS',
  'maxWalMbPerS',
  'maxWorkerMs',
];

export const setPacing = defineAction({
  name: 'runbook.set_pacing',
  input: PACING_CHANGE,
  roles: ['operator'],
  async run({ tx, input, user }) {
    if (Object.keys(input).length === 0) throw new ActionRefused('Name at least one limit to change.');
    // Wall time: when the limit changed, like the audit row's own time.
    const { before, after } = await updatePacingLimits(tx, { change: input, by: user.username, at: new Date() });
    const changed = FIELDS.filter((f) => before[f] !== after[f]).map(
      (f) => `${f} ${before[f] ?? 'default'} → ${after[f] ?? 'default'}`,
    );
    const active = await getActivePhaseRun(tx);
    if (active && changed.length > 0) {
      await insertPhaseRunEvent(tx, {
        phaseRunId: active.id,
        level: 'info',
        message: `Pacing changed by ${user.username}: ${changed.join(', ')} (from the next batch)`,
      });
    }
    const limits = Object.fromEntries(FIELDS.map((f) => [f, after[f]])) as unknown as PacingLimits;
    return { changed, limits, activeRunId: active?.id ?? null };
  },
});
