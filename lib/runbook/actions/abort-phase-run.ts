/**
 * "Abort" (docs/phases.md "Abort"): an operator cancels the active run, with a typed confirmation.
 * A run no runner is executing — awaiting approval, pending, paused, or waiting for the world
 * (its last step said so and it has not been stepped since) — ends at once in this transaction.
 * A run being stepped gets a request its runner honours: between steps, or by cancelling the step
 * in flight (lib/runbook/engine/abort-watch.ts), which rolls back. Safe on a double click and against a
 * second operator: the run's row is locked, and an abort already asked or done is reported, not
 * repeated. A run that finished first is not aborted: the refusal says how it ended.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import type { SessionUser } from '../../auth/sessions';
import type { SqlOrTx } from '../../db/connection';
import type { PhaseRunStatus } from '../../db/console-schema';
import { decideApproval, listApprovalsOfRuns } from '../../db/tables/approvals';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { lockPhaseRun } from '../../db/tables/phase-runs';
import { type Clock, loadClock } from '../../market/clock';
import { ROLLBACK_ENDS_WAITING_OF } from '../engine/abort-rules';
import {
  ABORT_CONFIRMATION,
  type AbortRequest,
  abortRequestOf,
  describeAbort,
  recordAbortedRun,
  waitingReasonOf,
} from '../engine/abort-run';
import type { PhaseRegistry } from '../engine/phase-registry';
import { requestPhaseRunAbort } from '../engine/run-requests';
import { asPhaseRunRow, getActivePhaseRun, getPhaseRun, type PhaseRunRow } from '../engine/run-state';
import { PHASES } from '../phases';

export type AbortOutcome =
  /** Ended now, in the action's transaction. */
  | 'aborted'
  /** Asked: the runner ends it at its next check. */
  | 'aborting';

export interface AbortResult {
  runId: number;
  phase: string;
  status: AbortOutcome;
  /** False when the same abort was already asked or done (a double click, a second operator). */
  changed: boolean;
}

/**
 * Ends `run` (locked by the caller) at once when no runner is executing it: awaiting approval,
 * pending, paused, or waiting. Null when it is being stepped (only a request can stop it then).
 * Its pending approval, if any, is rejected with the reason: nobody may approve an aborted run.
 */
export async function abortRunNow(
  tx: SqlOrTx,
  params: { run: PhaseRunRow; request: AbortRequest; label: string; clock: Clock },
): Promise<boolean | null> {
  const { run, request, label } = params;
  const waiting = waitingReasonOf(run);
  const idle: PhaseRunStatus[] = ['awaiting-approval', 'pending', 'paused'];
  if (!idle.includes(run.status) && !waiting) return null;
  const from = waiting ? `waiting (${waiting})` : run.status;
  const inFlight = waiting
    ? `No step was in flight: the run was waiting (${waiting}).`
    : run.status === 'paused'
      ? 'No step was in flight: the run was paused between batches.'
      : 'The run had not started: nothing ran.';
  const record = describeAbort({ run, label, request, from, inFlight });
  // A waiting run is held by its runner's lease: ended only while that runner still holds it and has not stepped it again.
  const ended = await recordAbortedRun(tx, {
    run,
    from: run.status,
    owner: waiting ? run.leaseOwner : null,
    record,
    clockNow: params.clock.now(),
  });
  if (ended && run.status === 'awaiting-approval') {
    for (const approval of await listApprovalsOfRuns(tx, { phaseRunIds: [run.id] })) {
      if (approval.status !== 'pending') continue;
      await decideApproval(tx, {
        id: approval.id,
        status: 'rejected',
        decidedBy: request.by,
        reason: `The run was aborted by ${request.by}${request.reason ? `: ${request.reason}` : ''}`,
      });
    }
  }
  return ended;
}

function abortRequestBy(user: SessionUser, clock: Clock, reason: string | null): AbortRequest {
  return { by: user.username, at: clock.now().toISOString(), reason };
}

/** The abort action over a registry (the console's is over the runbook's phases, below). */
export function createAbortPhaseRun(registry: PhaseRegistry) {
  const labelOf = (phase: string) => (registry.isId(phase) ? registry.label(phase) : `phase ${phase}`);
  return defineAction({
    name: 'runbook.abort',
    input: z.object({
      /** The run to abort; without it, the active run. */
      runId: z.coerce.number().int().positive().optional(),
      /** Or the phase whose active run to abort (the CLI's `abort 4`); refused when the active run is another's. */
      phase: z.string().trim().min(1).max(20).optional(),
      /** The typed word; missing, the abort is refused saying which word (not rejected as malformed). */
      confirm: z.string().max(100).default(''),
      reason: z.string().trim().max(2000).optional(),
    }),
    roles: ['operator'],
    async run({ tx, input, user, database }): Promise<AbortResult> {
      if (input.confirm !== ABORT_CONFIRMATION)
        throw new ActionRefused(`Type ${ABORT_CONFIRMATION} to confirm the abort.`);
      const active = await getActivePhaseRun(tx);
      const id = input.runId ?? active?.id;
      if (id === undefined) throw new ActionRefused('No run is active: nothing to abort.');
      const locked = await lockPhaseRun(tx, { id });
      if (!locked) throw new ActionRefused(`There is no phase run #${id}.`);
      const run = asPhaseRunRow(locked);
      const result = (status: AbortOutcome, changed: boolean): AbortResult => ({
        runId: run.id,
        phase: run.phase,
        status,
        changed,
      });
      if (input.phase !== undefined) {
        const step = registry.isId(run.phase) ? (registry.stepOf(run.phase)?.id ?? run.phase) : run.phase;
        if (input.phase !== run.phase && input.phase !== step)
          throw new ActionRefused(
            `The active run is ${labelOf(run.phase)} (run #${run.id}), not ${labelOf(input.phase)}: nothing aborted.`,
          );
      }
      if (run.status === 'aborted') return result('aborted', false);
      if (['succeeded', 'failed', 'rejected'].includes(run.status))
        throw new ActionRefused(`Run #${run.id} (${labelOf(run.phase)}) already ${run.status}: nothing to abort.`);
      if (abortRequestOf(run)) return result('aborting', false);

      const clock = await loadClock(database.sql);
      const request = abortRequestBy(user, clock, input.reason || null);
      const ended = await abortRunNow(tx, { run, request, label: labelOf(run.phase), clock });
      if (ended === false) throw new ActionRefused(`Run #${run.id} changed while it was being aborted; try again.`);
      if (ended) return result('aborted', true);
      await requestPhaseRunAbort(tx, { id: run.id, request: { ...request } });
      await insertPhaseRunEvent(tx, {
        phaseRunId: run.id,
        level: 'warn',
        message: `Abort requested by ${user.username}${request.reason ? `: ${request.reason}` : ''}; the step in flight rolls back`,
      });
      const after = await getPhaseRun(tx, { id: run.id });
      return result(after?.status === 'aborted' ? 'aborted' : 'aborting', true);
    },
  });
}

export const abortPhaseRun = createAbortPhaseRun(PHASES);

/**
 * Called by the start action of a rollback while `active` holds the one-run slot: when it is a
 * phase 7 or 9 run that is waiting, ends it as aborted in the action's transaction (so the rollback
 * takes its slot) and returns its id; null when it is anything else (the start is then refused).
 */
export async function abortWaitingRunForRollback(
  tx: SqlOrTx,
  params: { active: PhaseRunRow; user: SessionUser; clock: Clock; label: string },
): Promise<number | null> {
  if (!ROLLBACK_ENDS_WAITING_OF.includes(params.active.phase)) return null;
  const locked = await lockPhaseRun(tx, { id: params.active.id });
  const run = locked ? asPhaseRunRow(locked) : null;
  if (!run || !waitingReasonOf(run)) return null;
  const request = abortRequestBy(params.user, params.clock, 'a rollback was requested while it waited');
  return (await abortRunNow(tx, { run, request, label: params.label, clock: params.clock })) ? run.id : null;
}
