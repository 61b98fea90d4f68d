/**
 * What the pages, the actions and the runner share about an abort (docs/phases.md "Abort"): the
 * typed word, the request and record stored on a run, and which runs a rollback may end. No imports:
 * client components use it too.
 */

export const ABORT_CONFIRMATION = 'ABORT';

/**
 * The phases whose long waits a rollback may cut short: phase 7 waiting for the data to prove the
 * deployment, phase 9 waiting for the market or its hold. Their waits run nothing, so ending one
 * changes nothing the rollback does not undo.
 */
export const ROLLBACK_ENDS_WAITING_OF: readonly string[] = ['7', '9'];

/** Who asked for the abort, when (ISO) and why; kept in the run's options under `abortRequest`. */
export interface AbortRequest {
  by: string;
  at: string;
  reason: string | null;
}

/** What an aborted run left, stored in its result under `abort` and shown on its phase's page. */
export interface AbortRecord extends AbortRequest {
  /** The status the run was in when it ended (running, waiting, paused, pending, awaiting-approval). */
  from: string;
  /** The step in flight and what became of it, or why none was. */
  inFlight: string;
  /** The last committed checkpoint, as stored. */
  checkpoint: Record<string, unknown>;
  /** The committed work that stays, in words. */
  completed: string[];
  /** What the operator can do now. */
  nextSteps: string[];
}

export function abortRequestOf(run: { options: Record<string, unknown> }): AbortRequest | null {
  const request = run.options.abortRequest;
  if (typeof request !== 'object' || request === null) return null;
  const { by, at, reason } = request as Record<string, unknown>;
  return { by: String(by), at: String(at), reason: typeof reason === 'string' ? reason : null };
}

export function abortRecordOf(run: { result: Record<string, unknown> }): AbortRecord | null {
  const record = run.result.abort;
  return typeof record === 'object' && record !== null ? (record as AbortRecord) : null;
}

/** A run whose last step reported a wait and which its runner has not stepped since (./execute-run.ts). */
export function waitingReasonOf(run: { status: string; progress: Record<string, unknown> }): string | null {
  const waiting = run.progress.waiting;
  return run.status === 'running' && typeof waiting === 'string' ? waiting : null;
}

/** A phase 7 or 9 run that waits: starting a rollback ends it (./actions/start-phase-run.ts). */
export function rollbackEndsRun(run: { phase: string; status: string; progress: Record<string, unknown> }): boolean {
  return ROLLBACK_ENDS_WAITING_OF.includes(run.phase) && waitingReasonOf(run) !== null;
}
