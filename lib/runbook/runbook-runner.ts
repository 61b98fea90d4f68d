/**
 * The runbook's runner, wired: the engine (./engine/runner.ts) handed the runbook's phases
 * (./phases/index.ts) and the world's tick (./tick-jobs/world-tick.ts). The engine imports
 * neither, so no import circle runs through it (docs/architecture.md "The runner").
 */
import type { Database } from '../db/connection';
import { type RunnerHandle, type RunnerOptions, type RunnerWiring, runnerTick, startRunner } from './engine/runner';
import { PHASES } from './phases';
import { tickWorld } from './tick-jobs/world-tick';

const RUNBOOK: RunnerWiring = { registry: PHASES, tickWorld };

/** The runner loop of a console or `npm run runner`. */
export function startRunbookRunner(database: Database, options: RunnerOptions = {}): RunnerHandle {
  return startRunner(database, RUNBOOK, options);
}

/** One tick of the runbook's runner (tests drive it tick by tick); a test may hand its own phases. */
export function runbookRunnerTick(
  database: Database,
  options: Omit<Parameters<typeof runnerTick>[1], keyof RunnerWiring> & { phases?: RunnerWiring['registry'] },
): Promise<{ moreWork: boolean }> {
  const { phases, ...rest } = options;
  return runnerTick(database, { ...rest, registry: phases ?? PHASES, tickWorld });
}
