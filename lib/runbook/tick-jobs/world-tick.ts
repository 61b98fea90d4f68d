/**
 * The world's part of a runner tick (docs/architecture.md "The runner"): the rehearsal clock's
 * heartbeat and simulated workers (rehearsal only), the bridge, hourly snapshots, pending
 * legacy-path proofs and pipeline alerts. The engine is handed this (lib/runbook/runbook-runner.ts)
 * rather than importing it, so the engine knows nothing of the pipeline.
 */
import type { Database } from '../../db/connection';
import { recordRehearsalWorkersError } from '../../db/tables/rehearsal-workers';
import { type Clock, heartbeatRehearsalClock, wallClock } from '../../market/clock';
import { simulatedWorkersCatchingUp, tickSimulatedWorkers } from '../../market/rehearsal/simulated-workers';
import { takeDueSnapshots } from '../../monitor/take-due-snapshots';
import type { RunbookConfig } from '../engine/config';
import { checkPendingLegacyPathProofs } from '../phases/shared/legacy-path-proof';
import { runBridge } from './bridge';
import { evaluatePipelineAlertsOnTick } from './pipeline-alerts-tick';

export async function tickWorld(
  database: Database,
  params: { clock?: Clock; speed?: number; config: RunbookConfig },
): Promise<{ clock: Clock; paceSetByWorkers: boolean }> {
  const rehearsal = params.clock ? null : await heartbeatRehearsalClock(database.sql, { speed: params.speed });
  const clock = params.clock ?? rehearsal ?? wallClock;
  let bridged = false;
  let minutesProduced = 0;
  if (rehearsal || params.clock?.kind === 'fixed') {
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
      proofMinutes: params.config.deploymentProofMinutes,
    });
    // Stalled DXY 5m cursor, bridge lag, failed or stuck runs: alerted once per incident (docs/operations.md).
    await evaluatePipelineAlertsOnTick(database.sql, { clock });
  }
  // While the clock is held back for the workers, the next tick follows at once: the workers' pace,
  // not the tick interval, sets the effective speed. (Only when this tick produced minutes: another
  // runner holding the workers' lock must not make this one spin.)
  return { clock, paceSetByWorkers: Boolean(rehearsal?.heldBack) && minutesProduced > 0 };
}
