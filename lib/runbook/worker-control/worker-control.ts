/**
 * One interface to the pipeline's workers (docs/architecture.md "Worker control"), with two implementations: the
 * rehearsal world's simulated workers, and shell commands configured by environment variables
 * for a real deployment. Phases verify a deployment by its effect on the data, never by a
 * command's exit code alone. A command's text and output never leave this folder except into the
 * runner log (./worker-output-store.ts): callers get a summary.
 */
import type { WorkerMode } from '../../db/console-schema';
import type { WorkerCommandSummary } from './captured-output';

export type { WorkerCommandSummary } from './captured-output';
export type { WorkerMode };

export interface WorkerStatusReport {
  /** The mode the workers say they run, when they can tell. */
  mode: WorkerMode | null;
  healthy: boolean;
  detail: string;
  /** How the status command ended; its text is in the runner log only. */
  output?: WorkerCommandSummary;
}

export interface WorkerControl {
  readonly kind: 'rehearsal' | 'command';
  /** How the command ended, never what it printed (./captured-output.ts); null for the rehearsal workers. */
  deploy(mode: WorkerMode): Promise<WorkerCommandSummary | null>;
  restart(): Promise<WorkerCommandSummary | null>;
  status(): Promise<WorkerStatusReport>;
}
