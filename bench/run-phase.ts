/**
 * Starting a phase as a signed-in operator through the same action the console's button calls,
 * and waiting for the runner (a separate process) to finish it.
 */
import { executeAction } from '../lib/auth/action';
import type { SessionUser } from '../lib/auth/sessions';
import type { Database } from '../lib/db/connection';
import { startPhaseRun } from '../lib/runbook/actions/start-phase-run';
import { getPhaseRun, type PhaseRunRow } from '../lib/runbook/run-state';

const FINISHED = ['succeeded', 'failed', 'rejected'];

export async function startPhase(database: Database, user: SessionUser, phase: string): Promise<number> {
  const result = await executeAction(startPhaseRun, { database, user, rawInput: { phase } });
  if (result.status !== 'ok') throw new Error(`phase ${phase} could not start: ${JSON.stringify(result)}`);
  return result.data.runId;
}

export async function waitForRun(database: Database, runId: number, timeoutMs: number): Promise<PhaseRunRow> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await getPhaseRun(database.sql, { id: runId });
    if (run && FINISHED.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run #${runId} did not finish within ${timeoutMs / 1000} s`);
}

/** Runs phases in order; `2` is expected to fail on the production schema and is followed by its fix. */
export async function runPhases(
  database: Database,
  user: SessionUser,
  phases: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  for (const phase of phases) {
    const run = await waitForRun(database, await startPhase(database, user, phase), 15 * 60_000);
    log(`phase ${phase}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
    if (run.status !== 'succeeded' && phase !== '2') throw new Error(`phase ${phase} ${run.status}: ${run.error}`);
  }
}
