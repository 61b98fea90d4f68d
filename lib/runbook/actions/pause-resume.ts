/**
 * Pause and resume of the batched copy (phase 4). A pause is a request the runner honours
 * between batches — a batch is never cut in half; resume hands the run back to any runner.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { movePhaseRun, requestPhaseRunPause } from '../engine/run-requests';
import { getActivePhaseRun } from '../engine/run-state';
import { findPhase, isPhaseId } from '../phases';

export const pausePhaseRun = defineAction({
  name: 'runbook.pause',
  input: z.object({}),
  roles: ['operator'],
  async run({ tx }) {
    const active = await getActivePhaseRun(tx);
    if (!active || !isPhaseId(active.phase) || !findPhase(active.phase).pausable)
      throw new ActionRefused('No pausable run is active (only phase 4 pauses).');
    if (active.status === 'paused') return { runId: active.id, status: 'paused', changed: false };
    if (active.status === 'pending') {
      await movePhaseRun(tx, { id: active.id, from: 'pending', to: 'paused' });
      return { runId: active.id, status: 'paused', changed: true };
    }
    await requestPhaseRunPause(tx, { id: active.id });
    return { runId: active.id, status: 'pausing', changed: true };
  },
});

export const resumePhaseRun = defineAction({
  name: 'runbook.resume',
  input: z.object({}),
  roles: ['operator'],
  async run({ tx, user }) {
    const active = await getActivePhaseRun(tx);
    if (active?.status !== 'paused') throw new ActionRefused('No paused run to resume.');
    await movePhaseRun(tx, { id: active.id, from: 'paused', to: 'pending', clearPauseRequest: true });
    await insertPhaseRunEvent(tx, { phaseRunId: active.id, level: 'info', message: `Resumed by ${user.username}` });
    return { runId: active.id, status: 'pending' };
  },
});
