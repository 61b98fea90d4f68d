/**
 * Abort (docs/phases.md "Abort"): an operator cancels a run. What it leaves is always a committed
 * checkpoint: the step in flight rolls back (its transaction is cancelled, or refused at its commit),
 * the steps before it stay. This module decides what an abort means for a run in each state and
 * writes the aborted run's record: its status, what it left, what the operator can do next, the
 * closed ops_runlog row and an event. The runner (./execute-run.ts) and the actions
 * (./actions/abort-phase-run.ts, ./actions/start-phase-run.ts) call it.
 */
import type { Sql } from 'postgres';
import type { SqlOrTx } from '../../db/connection';
import type { PhaseRunStatus } from '../../db/console-schema';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import { lockPhaseRun } from '../../db/tables/phase-runs';
import { type AbortRecord, type AbortRequest, abortRequestOf } from './abort-rules';
import { appendOpsRunlogEvent, closeOpsRunlog } from './ops-runlog';
import { markPhaseRunAborted } from './run-requests';
import { asPhaseRunRow, type PhaseRunRow } from './run-state';

export {
  ABORT_CONFIRMATION,
  type AbortRecord,
  type AbortRequest,
  abortRecordOf,
  abortRequestOf,
  waitingReasonOf,
} from './abort-rules';

/** SQLSTATE of a cancelled statement (pg_cancel_backend, statement_timeout). */
export const QUERY_CANCELED = '57014';

/** A step refused or cancelled because an abort was requested: the runner ends the run as aborted. */
export class RunAborted extends Error {
  constructor(runId: number) {
    super(`Phase run #${runId} was aborted; the step in flight rolled back.`);
  }
}

/** The checkpoint's scalar facts (stage, cursor, batches, rows…) in words: what stays committed. */
function completedWork(checkpoint: Record<string, unknown>): string[] {
  const facts = Object.entries(checkpoint).filter(
    ([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
  );
  if (facts.length === 0) return ['No step had committed: the run changed nothing.'];
  const stage = checkpoint.stage;
  const lines: string[] = [];
  if (typeof stage === 'string') lines.push(`Committed through stage "${stage}".`);
  if (typeof checkpoint.batches === 'number')
    lines.push(
      `${checkpoint.batches} batches committed` +
        (typeof checkpoint.rowsWritten === 'number' ? ` (${checkpoint.rowsWritten} rows written)` : '') +
        (typeof checkpoint.cursor === 'string' ? `, up to ${checkpoint.cursor} (exclusive).` : '.'),
    );
  const rest = facts.filter(([key]) => !['stage', 'batches', 'rowsWritten', 'cursor'].includes(key));
  if (rest.length > 0) lines.push(`Checkpoint: ${rest.map(([key, value]) => `${key} = ${String(value)}`).join(', ')}.`);
  return lines;
}

/** What the operator can do after an abort of a run of `label`. */
function nextSteps(label: string): string[] {
  return [
    `Resume: start ${label} again. A new attempt begins from what is committed — phase 4 continues from this checkpoint, ` +
      'the other phases find what is already done and skip it.',
    'Roll back: the rollback page (from phase 3 on) undoes what the migration changed so far.',
    'Abandon: when nothing a rollback must undo has changed, request "Abandon migration run" (an approver confirms).',
  ];
}

export function describeAbort(params: {
  run: Pick<PhaseRunRow, 'checkpoint'>;
  label: string;
  request: AbortRequest;
  from: string;
  inFlight: string;
}): AbortRecord {
  const { run, label, request, from, inFlight } = params;
  return {
    ...request,
    from,
    inFlight,
    checkpoint: run.checkpoint,
    completed: completedWork(run.checkpoint),
    nextSteps: nextSteps(label),
  };
}

/**
 * Ends `run` as aborted — from `from`, held by `owner` (null: by no runner) — in the caller's
 * transaction: status, result.abort, the ops_runlog row closed as failed with the reason, and an
 * event saying what was left. False, writing nothing, when the run was no longer in that state.
 */
export async function recordAbortedRun(
  tx: SqlOrTx,
  params: { run: PhaseRunRow; from: PhaseRunStatus; owner: string | null; record: AbortRecord; clockNow: Date },
): Promise<boolean> {
  const { run, record } = params;
  const reason = `Aborted by ${record.by}${record.reason ? `: ${record.reason}` : ''}`;
  const ended = await markPhaseRunAborted(tx, {
    id: run.id,
    from: params.from,
    owner: params.owner,
    clockFinishedAt: params.clockNow,
    error: reason,
    abort: { ...record },
  });
  if (!ended) return false;
  const message = `${reason}. ${record.inFlight} ${record.completed.join(' ')}`;
  await insertPhaseRunEvent(tx, { phaseRunId: run.id, level: 'warn', message, data: { abort: record } });
  await appendOpsRunlogEvent(tx, {
    id: run.opsRunlogId,
    at: params.clockNow,
    checkpoint: 'aborted',
    details: { message, checkpoint: record.checkpoint },
  });
  await closeOpsRunlog(tx, {
    id: run.opsRunlogId,
    finishedAt: params.clockNow,
    succeeded: false,
    stats: { verification_passed: false, error: reason, aborted: true, progress: run.progress },
  });
  return true;
}

/**
 * The runner's side: ends the run `owner` holds as aborted, if an abort was requested, in a
 * transaction of its own (the step's has rolled back by now). `inFlight` says what became of the
 * step that was running. False when the run was not `owner`'s to end.
 */
export async function abortHeldRun(
  sql: Sql,
  params: { runId: number; owner: string; label: string; clockNow: Date; inFlight: string },
): Promise<boolean> {
  const attempt = () =>
    sql.begin(async (tx) => {
      const locked = await lockPhaseRun(tx, { id: params.runId });
      const run = locked ? asPhaseRunRow(locked) : null;
      const request = run && abortRequestOf(run);
      if (!run || !request || run.status !== 'running' || run.leaseOwner !== params.owner) return false;
      const record = describeAbort({ run, label: params.label, request, from: 'running', inFlight: params.inFlight });
      return recordAbortedRun(tx, { run, from: 'running', owner: params.owner, record, clockNow: params.clockNow });
    });
  try {
    return await attempt();
  } catch (error) {
    // The cancel meant for the step can land on this connection's first statement instead: once more.
    if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error;
    return attempt();
  }
}
