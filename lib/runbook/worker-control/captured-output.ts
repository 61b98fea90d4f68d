/**
 * What a worker command printed, held so that it cannot reach a page, an event, an error, a report or
 * production's ops_runlog by accident (docs/operations.md, "Worker control"): the text lives in private
 * fields, and serializing the value (JSON, a template string) yields only its summary — exit code,
 * duration, whether it timed out, and the reference under which the runner log keeps the text.
 * Only `reveal()` gives the text, and only the runner log and the admins' read path call it.
 */

/** How a worker command ended: everything non-admins may see of it. */
export interface WorkerCommandSummary {
  /** deploy, restart or status: which configured command ran. */
  kind: WorkerCommandKind;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Where the runner log keeps the (redacted) command line and output; null when it could not be kept. */
  outputRef: string | null;
}

export type WorkerCommandKind = 'deploy' | 'restart' | 'status';

/** The redacted command line and output, as the runner log keeps them. */
export interface WorkerCommandText {
  command: string;
  stdout: string;
  stderr: string;
}

export class CapturedWorkerOutput {
  readonly #text: WorkerCommandText;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;

  constructor(text: WorkerCommandText, ending: { exitCode: number | null; timedOut: boolean; durationMs: number }) {
    this.#text = { ...text };
    this.exitCode = ending.exitCode;
    this.timedOut = ending.timedOut;
    this.durationMs = ending.durationMs;
  }

  /** The text itself: for the runner log and the admins' read path only. */
  reveal(): WorkerCommandText {
    return { ...this.#text };
  }

  /** Serialized anywhere (an event's data, a response), it is its ending and nothing else. */
  toJSON(): { exitCode: number | null; timedOut: boolean; durationMs: number } {
    return { exitCode: this.exitCode, timedOut: this.timedOut, durationMs: this.durationMs };
  }

  toString(): string {
    return this.timedOut ? 'worker command timed out' : `worker command exited ${this.exitCode}`;
  }
}

/** "deploy command failed (exit 3)": the one line viewers, operators and ops_runlog get. */
export function describeWorkerCommand(summary: WorkerCommandSummary, timeoutMs?: number): string {
  if (summary.timedOut)
    return `${summary.kind} command timed out${timeoutMs === undefined ? '' : ` after ${timeoutMs / 1000} s`}`;
  if (summary.exitCode === 0) return `${summary.kind} command succeeded`;
  return `${summary.kind} command failed (${summary.exitCode === null ? 'killed' : `exit ${summary.exitCode}`})`;
}

/**
 * A worker command that failed or timed out. Its message names the command's kind, its exit code and
 * the runner log's reference — never the command line or anything it printed.
 */
export class WorkerCommandFailed extends Error {
  readonly summary: WorkerCommandSummary;

  constructor(summary: WorkerCommandSummary, timeoutMs?: number) {
    const where = summary.outputRef ? `see the runner log (${summary.outputRef})` : 'see the runner log';
    super(`${describeWorkerCommand(summary, timeoutMs)}, ${where}`);
    this.name = 'WorkerCommandFailed';
    this.summary = { ...summary };
  }
}
