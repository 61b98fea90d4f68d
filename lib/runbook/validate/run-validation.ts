/**
 * Validate, the orchestrator (docs/phases.md "Validate — before the night"): the environment,
 * every phase's preconditions and preview, and the write trials, in that order, into one list of
 * GO / NO-GO / FINDING items and a verdict. Changes nothing: every write is rolled back. The
 * action (../actions/validate.ts) stores the result.
 */
import type { Database } from '../../db/connection';
import { loadClock } from '../../market/clock';
import { type RunbookConfig, runbookConfigFromEnv } from '../engine/config';
import type { PhaseRegistry } from '../engine/phase-registry';
import { getActiveMigrationRun } from '../engine/run-state';
import type { PhaseDefinition } from '../engine/types';
import { PHASES } from '../phases';
import { selectWorkerControl } from '../worker-control/select-worker-control';
import type { WorkerControl } from '../worker-control/worker-control';
import { checkEnvironment, type DatabaseIdentity } from './environment';
import { checkPhases } from './phase-checks';
import { planFindings } from './plan-findings';
import { type ValidationItem, type ValidationVerdict, verdictOf } from './verdict';
import { runWriteTrials } from './write-trials';

export interface ValidationOutcome {
  verdict: ValidationVerdict;
  items: ValidationItem[];
  identity: DatabaseIdentity;
  startedAt: Date;
  finishedAt: Date;
}

export interface ValidationOptions {
  config?: RunbookConfig;
  /** The worker control to ask for status; by default the one the runner would use. */
  workers?: WorkerControl;
  registry?: PhaseRegistry<PhaseDefinition>;
}

export async function runValidation(database: Database, options: ValidationOptions = {}): Promise<ValidationOutcome> {
  const startedAt = new Date();
  const config = options.config ?? runbookConfigFromEnv();
  const clock = await loadClock(database.sql);
  const workers = options.workers ?? (await selectWorkerControl(database.sql, clock));
  const migration = await getActiveMigrationRun(database.sql);
  const environment = await checkEnvironment(database.sql, { config, workers });
  const phases = await checkPhases(options.registry ?? PHASES, {
    database,
    clock,
    config,
    migrationRunId: migration?.id ?? null,
  });
  const findings = await planFindings(database.sql, clock.now());
  const trials = await runWriteTrials({ database, clock, config, migrationRunId: migration?.id ?? null });
  const items = [...environment.items, ...phases, ...findings, ...trials];
  return { verdict: verdictOf(items), items, identity: environment.identity, startedAt, finishedAt: new Date() };
}
