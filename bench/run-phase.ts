/**
 * Starting a phase as a signed-in operator through the same action the console's button calls,
 * and waiting for the runner (a separate process) to finish it.
 */
import { executeAction } from '../lib/auth/action';
import type { SessionUser } from '../lib/auth/sessions';
import type { Database } from '../lib/db/connection';
import { startPhaseRun } from '../lib/runbook/actions/start-phase-run';
import { validatePlan } from '../lib/runbook/actions/validate';
import { getPhaseRun, type PhaseRunRow } from '../lib/runbook/engine/run-state';

const FINISHED = ['succeeded', 'failed', 'rejected'];

export async function startPhase(database: Database, user: SessionUser, phase: string): Promise<number> {
  const result = await executeAction(startPhaseRun, { database, user, rawInput: { phase } });
  if (result.status !== 'ok') throw new Error(`phase ${phase} could not start: ${JSON.stringify(result)}`);
  return result.data.runId;
}

/** Validate as the console's button does (phase 1 needs its GO); a NO-GO stops the bench, naming the items. */
export async function validateBeforePhase1(
  database: Database,
  user: SessionUser,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const result = await executeAction(validatePlan, { database, user, rawInput: {} });
  if (result.status !== 'ok') throw new Error(`validate could not run: ${JSON.stringify(result)}`);
  const noGo = result.data.items.filter((i) => i.status === 'no-go');
  log(
    `validate: ${result.data.verdict.toUpperCase()} in ${Date.now() - started} ms (${result.data.items.length} items)`,
  );
  if (noGo.length > 0) throw new Error(`validate is NO-GO: ${noGo.map((i) => `${i.name}: ${i.reason}`).join(' | ')}`);
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
    if (phase === '1') await validateBeforePhase1(database, user, log);
    const run = await waitForRun(database, await startPhase(database, user, phase), 15 * 60_000);
    log(`phase ${phase}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
    if (run.status !== 'succeeded' && phase !== '2') throw new Error(`phase ${phase} ${run.status}: ${run.error}`);
  }
}
