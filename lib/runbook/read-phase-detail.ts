/**
 * What a phase page shows: the phase's description, its preconditions evaluated now, the exact
 * SQL it will run, and every attempt with the latest run's progress, verification and log.
 */
import type { Database } from '../db/connection';
import { loadClock } from '../market/clock';
import { runbookConfigFromEnv } from './config';
import { findPhase } from './phases';
import { type RunSummary, summarizeRun } from './read-runbook-state';
import {
  getActiveMigrationRun,
  getActivePhaseRun,
  getLatestMigrationRun,
  listPhaseRunEvents,
  listPhaseRuns,
  type PhaseRunEvent,
  type PhaseRunRow,
} from './run-state';
import type { Check, Preview } from './types';
import { hideWorkerOutput } from './worker-control/hide-worker-output';

export interface PhaseLive {
  /** The migration run the runs below belong to: the active one, else the latest (closed) one. */
  migration: { id: number; status: string; closedAt: Date | null } | null;
  runs: RunSummary[];
  latest: PhaseRunRow | null;
  events: PhaseRunEvent[];
  activeRun: RunSummary | null;
}

export interface PhaseDetail extends PhaseLive {
  id: string;
  number: number | null;
  title: string;
  description: string;
  pausable: boolean;
  preconditions: Check[];
  preview: Preview;
  /** Phase 2 only: the DDL its "Apply fix" would run now. */
  fixPreview: Preview | null;
}

/** Runs shown on a phase's page: its own, and for phase 2 also its fix. */
function belongsTo(phaseId: string, run: PhaseRunRow): boolean {
  return run.phase === phaseId || (phaseId === '2' && run.phase === '2-fix');
}

export async function readPhaseLive(
  database: Database,
  params: { phaseId: string; showWorkerOutput?: boolean },
): Promise<PhaseLive> {
  const { sql } = database;
  const migration = (await getActiveMigrationRun(sql)) ?? (await getLatestMigrationRun(sql));
  const runs = migration
    ? (await listPhaseRuns(sql, { migrationRunId: migration.id })).filter((r) => belongsTo(params.phaseId, r))
    : [];
  const latest = runs.at(-1) ?? null;
  const active = await getActivePhaseRun(sql);
  const live: PhaseLive = {
    migration: migration ? { id: migration.id, status: migration.status, closedAt: migration.closedAt } : null,
    runs: runs.map(summarizeRun).reverse(),
    latest,
    events: latest ? await listPhaseRunEvents(sql, { phaseRunId: latest.id, limit: 100 }) : [],
    activeRun: active ? summarizeRun(active) : null,
  };
  return params.showWorkerOutput ? live : hideWorkerOutput(live);
}

export async function readPhaseDetail(
  database: Database,
  params: { phaseId: string; options?: Record<string, unknown>; showWorkerOutput?: boolean },
): Promise<PhaseDetail> {
  const phase = findPhase(params.phaseId);
  const clock = await loadClock(database.db);
  const config = runbookConfigFromEnv();
  const migration = await getActiveMigrationRun(database.sql);
  const context = { database, clock, config, migrationRunId: migration?.id ?? null, options: params.options ?? {} };
  const [preconditions, preview, live] = await Promise.all([
    phase.preconditions(context),
    phase.preview(context),
    readPhaseLive(database, { phaseId: phase.id, showWorkerOutput: params.showWorkerOutput }),
  ]);
  const fixPreview = phase.id === '2' ? await findPhase('2-fix').preview(context) : null;
  return {
    id: phase.id,
    number: phase.number,
    title: phase.title,
    description: phase.description,
    pausable: phase.pausable,
    preconditions,
    preview,
    fixPreview,
    ...live,
  };
}
