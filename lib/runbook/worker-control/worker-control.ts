/**
 * One interface to the pipeline's workers (docs/architecture.md "Worker control"), with two implementations: the
 * rehearsal world's simulated workers, and shell commands configured by environment variables
 * for a real deployment. Phases verify a deployment by its effect on the data, never by a
 * command's exit code alone.
 */
import type { WorkerMode } from '../../db/console-schema';

export type { WorkerMode };

export interface WorkerCommandOutput {
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface WorkerStatusReport {
  /** The mode the workers say they run, when they can tell. */
  mode: WorkerMode | null;
  healthy: boolean;
  detail: string;
  output?: WorkerCommandOutput;
}

export interface WorkerControl {
  readonly kind: 'rehearsal' | 'command';
  deploy(mode: WorkerMode): Promise<WorkerCommandOutput | null>;
  restart(): Promise<WorkerCommandOutput | null>;
  status(): Promise<WorkerStatusReport>;
}
