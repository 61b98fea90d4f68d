/**
 * Whether the workers' own report proves they run a given mode. A status that names no mode (a
 * command that prints no `mode=` line, or no status command at all) proves nothing: the check
 * fails and says so, instead of passing on the command's exit code alone (docs/phases.md).
 */
import type { WorkerMode, WorkerStatusReport } from './worker-control';

export interface WorkerModeVerdict {
  passed: boolean;
  detail: string;
}

export function workerModeVerdict(status: WorkerStatusReport, expected: WorkerMode): WorkerModeVerdict {
  if (status.mode === null) {
    return {
      passed: false,
      detail: `the worker status command reported no mode= line; cannot prove the workers run mode ${expected} (${status.detail})`,
    };
  }
  if (status.mode !== expected)
    return { passed: false, detail: `the workers report mode ${status.mode}, expected ${expected} (${status.detail})` };
  // Health is judged by the checks that need it (phase 6's workers check); this one proves the mode.
  return { passed: true, detail: `mode ${status.mode}: ${status.detail}` };
}
