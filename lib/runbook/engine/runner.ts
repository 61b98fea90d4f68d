/**
 * The runner (docs/architecture.md "The runner"): the loop that ticks the world (handed in: in the
 * console the rehearsal clock, simulated workers, bridge and alerts) and advances phase runs of the
 * registry it is handed (lib/runbook/runbook-runner.ts wires both). It runs inside the Next.js
 * server (instrumentation hook) and alone with `npm run runner`; every piece of state it touches
 * lives in the database, so several runners can coexist.
 */
import type { Database } from '../../db/connection';
import type { Clock } from '../../market/clock';
import { type RunbookConfig, runbookConfigFromEnv } from './config';
import { advanceRun, claimNextRun, newRunnerId } from './execute-run';
import type { PhaseRegistry } from './phase-registry';
import type { PhaseDefinition } from './types';

/**
 * What a tick does before it advances phase runs: the world's own jobs (in the console: the rehearsal
 * clock and workers, the bridge, snapshots, alerts; lib/runbook/tick-jobs/world-tick.ts), and the
 * clock the runs step at. `paceSetByWorkers` asks for the next tick at once.
 */
export type WorldTick = (
  database: Database,
  params: { clock?: Clock; speed?: number; config: RunbookConfig },
) => Promise<{ clock: Clock; paceSetByWorkers: boolean }>;

/** What the engine is handed instead of importing it: the phases it runs and the world's tick. */
export interface RunnerWiring {
  registry: PhaseRegistry<PhaseDefinition>;
  tickWorld: WorldTick;
}

export interface RunnerHandle {
  stop(): Promise<void>;
}

export interface RunnerOptions {
  intervalMs?: number;
  speed?: number;
  log?: (line: string) => void;
  config?: RunbookConfig;
}

export function startRunner(database: Database, wiring: RunnerWiring, options: RunnerOptions = {}): RunnerHandle {
  const intervalMs = options.intervalMs ?? 1000;
  const log = options.log ?? ((line: string) => console.log(`[runner] ${line}`));
  let stopped = false;
  let lastLoggedError = '';
  let wake: (() => void) | null = null;
  const owner = newRunnerId();
  const config = options.config ?? runbookConfigFromEnv();

  const loop = (async () => {
    while (!stopped) {
      try {
        const { moreWork } = await runnerTick(database, { ...wiring, speed: options.speed, owner, config });
        lastLoggedError = '';
        if (moreWork && !stopped) continue;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // One line per distinct error, not one per second.
        if (message !== lastLoggedError) log(`tick failed: ${message}`);
        lastLoggedError = message;
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/**
 * One pass of the runner: the world's tick (its clock and jobs), then the phase runs (at most one
 * active at a time; a slice of work each tick). `moreWork` says the slice ended on the step budget
 * with work left, so the loop ticks again at once instead of sleeping.
 */
export async function runnerTick(
  database: Database,
  options: RunnerWiring & {
    speed?: number;
    owner: string;
    config: RunbookConfig;
    clock?: Clock;
    /** Where phase runs are claimed and advanced, when not `database` (a test's recording connection). */
    runsDatabase?: Database;
  },
): Promise<{ moreWork: boolean }> {
  const { clock, paceSetByWorkers } = await options.tickWorld(database, {
    clock: options.clock,
    speed: options.speed,
    config: options.config,
  });
  const runs = options.runsDatabase ?? database;
  const claimed = await claimNextRun(runs, { owner: options.owner, leaseSeconds: options.config.leaseSeconds });
  if (!claimed) return { moreWork: paceSetByWorkers };
  const outcome = await advanceRun(runs, {
    ...claimed,
    owner: options.owner,
    clock,
    config: options.config,
    registry: options.registry,
  });
  return { moreWork: outcome === 'busy' || paceSetByWorkers };
}
