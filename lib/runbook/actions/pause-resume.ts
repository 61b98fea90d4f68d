/**
 * Pause and resume of the batched copy (phase 4). A pause is a request the runner honours
 * between batches — a batch is never cut in half; resume hands the run back to any runner.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { findPhase } from '../phases';
import { getActivePhaseRun } from '../run-state';

export const pausePhaseRun = defineAction({
  name: 'runbook.pause',
  input: z.object({}),
  roles: ['operator'],
  async run({ tx }) {
    const active = await getActivePhaseRun(tx);
    if (!active || !findPhase(active.phase).pausable)
      throw new ActionRefused('No pausable run is active (only phase 4 pauses).');
    if (active.status === 'paused') return { runId: active.id, status: 'paused', changed: false };
    if (active.status === 'pending') {
      await tx`update cutover.phase_runs set status = 'paused' where id = ${active.id} and status = 'pending'`;
      return { runId: active.id, status: 'paused', changed: true };
    }
    await tx`update cutover.phase_runs set pause_requested = true where id = ${active.id} and status = 'running'`;
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
    await tx`update cutover.phase_runs set status = 'pending', pause_requested = false where id = ${active.id} and status = 'paused'`;
    await insertPhaseRunEvent(tx, { phaseRunId: active.id, level: 'info', message: `Resumed by ${user.username}` });
    return { runId: active.id, status: 'pending' };
  },
});
