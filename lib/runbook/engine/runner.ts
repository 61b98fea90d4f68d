/**
 * The runner (docs/architecture.md "The runner"): the loop that advances the rehearsal clock's heartbeat and drives
 * the simulated workers (and, with the runbook, phase runs and hourly snapshots). It runs inside
 * the Next.js server (instrumentation hook) and alone with `npm run runner`; every piece of
 * state it touches lives in the database, so several runners can coexist.
 */
import type { Database } from '../../db/connection';
import { recordRehearsalWorkersError } from '../../db/tables/rehearsal-workers';
import { type Clock, heartbeatRehearsalClock, wallClock } from '../../market/clock';
import { simulatedWorkersCatchingUp, tickSimulatedWorkers } from '../../market/rehearsal/simulated-workers';
import { takeDueSnapshots } from '../../monitor/take-due-snapshots';
import { checkPendingLegacyPathProofs } from '../phases/shared/legacy-path-proof';
import { runBridge } from '../tick-jobs/bridge';
import { evaluatePipelineAlertsOnTick } from '../tick-jobs/pipeline-alerts-tick';
import { type RunbookConfig, runbookConfigFromEnv } from './config';
import { advanceRun, claimNextRun, newRunnerId } from './execute-run';
import type { PhaseRegistry } from './phase-registry';
import type { PhaseDefinition } from './types';

export interface RunnerHandle {
  stop(): Promise<void>;
}

export interface RunnerOptions {
  intervalMs?: number;
  speed?: number;
  log?: (line: string) => void;
  config?: RunbookConfig;
}

export function startRunner(database: Database, options: RunnerOptions = {}): RunnerHandle {
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
        const { moreWork } = await runnerTick(database, { speed: options.speed, owner, config });
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
 * One pass of the runner: rehearsal clock heartbeat and simulated workers, the bridge, then the
 * phase runs (at most one active at a time; a slice of work each tick). `moreWork` says the slice
 * ended on the step budget with work left, so the loop ticks again at once instead of sleeping.
 */
export async function runnerTick(
  database: Database,
  options: {
    speed?: number;
    owner: string;
    config: RunbookConfig;
    clock?: Clock;
    phases?: PhaseRegistry<PhaseDefinition>;
    /** Where phase runs are claimed and advanced, when not `database` (a test's recording connection). */
    runsDatabase?: Database;
  },
): Promise<{ moreWork: boolean }> {
  const rehearsal = options.clock ? null : await heartbeatRehearsalClock(database.sql, { speed: options.speed });
  const clock = options.clock ?? rehearsal ?? wallClock;
  let bridged = false;
  let minutesProduced = 0;
  if (rehearsal || options.clock?.kind === 'fixed') {
    // The bridge copies the minutes the tick-factory just wrote before the aggregator reads them,
    // however many simulated minutes one tick covers at high REHEARSAL_SPEED.
    const afterIngest = async () => {
      await runBridge(database.sql, { now: clock.now() });
      bridged = true;
    };
    // A failing simulated worker must not stop the runbook: it shows up as the workers' error.
    await tickSimulatedWorkers(database.sql, { now: clock.now(), afterIngest })
      .then((tick) => {
        minutesProduced = tick.minutesProduced;
      })
      .catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        await recordRehearsalWorkersError(database.sql, message);
      });
  }
  if (!bridged) await runBridge(database.sql, { now: clock.now() });
  // After an outage the simulated pipeline catches up an hour per tick; judging hours before it has
  // would blame the pipeline for the runner's absence. (Real workers do not stop with the runner.)
  if (!(await simulatedWorkersCatchingUp(database.sql, clock.now()))) {
    await takeDueSnapshots(database.sql, { now: clock.now() });
    // A rollback finished on a closed market: its legacy-path proof is checked at the open.
    await checkPendingLegacyPathProofs(database.sql, {
      now: clock.now(),
      proofMinutes: options.config.deploymentProofMinutes,
    });
    // Stalled DXY 5m cursor, bridge lag, failed or stuck runs: alerted once per incident (docs/operations.md).
    await evaluatePipelineAlertsOnTick(database.sql, { clock });
  }
  // While the clock is held back for the workers, the next tick follows at once: the workers' pace,
  // not the tick interval, sets the effective speed. (Only when this tick produced minutes: another
  // runner holding the workers' lock must not make this one spin.)
  const paceSetByWorkers = Boolean(rehearsal?.heldBack) && minutesProduced > 0;
  const runs = options.runsDatabase ?? database;
  const claimed = await claimNextRun(runs, { owner: options.owner, leaseSeconds: options.config.leaseSeconds });
  if (!claimed) return { moreWork: paceSetByWorkers };
  const outcome = await advanceRun(runs, {
    ...claimed,
    owner: options.owner,
    clock,
    config: options.config,
    phases: options.phases,
  });
  return { moreWork: outcome === 'busy' || paceSetByWorkers };
}
