/**
 * What a phase page shows: the phase's description, its preconditions evaluated now, the exact
 * SQL it will run, and every attempt with the latest run's progress, verification and log.
 */
import type { Database } from '../../db/connection';
import { loadClock } from '../../market/clock';
import { runbookConfigFromEnv } from '../engine/config';
import type { PhaseRegistry } from '../engine/phase-registry';
import {
  getActiveMigrationRun,
  getActivePhaseRun,
  getLatestMigrationRun,
  listPhaseRunEvents,
  listPhaseRuns,
  type PhaseRunEvent,
  type PhaseRunRow,
} from '../engine/run-state';
import type { PhaseDefinition, Preview } from '../engine/types';
import type { Check } from '../engine/verification';
import { PHASES } from '../phases';
import { withOneAggregatorPlan } from '../phases/5-switch/aggregator-function';
import { type LegacyFencePanelData, readLegacyFencePanel } from '../phases/shared/legacy-fence-state';
import { hideWorkerOutput } from '../worker-control/hide-worker-output';
import { revealWorkerOutput } from '../worker-control/reveal-worker-output';
import { type RunSummary, summarizeRun } from './read-runbook-state';

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
  /** Phase 9: the fence on legacy DXY writes and what it refused (null before phase 9 fenced, and on other phases). */
  legacyFence: LegacyFencePanelData | null;
  /** The phase's actions (phase 2's "Apply fix") with what each would run now. */
  actions: { id: string; label: string; previewHeading: string; preconditions: Check[]; preview: Preview }[];
}

export async function readPhaseLive(
  database: Database,
  params: { phaseId: string; showWorkerOutput?: boolean; registry?: PhaseRegistry },
): Promise<PhaseLive> {
  const { sql } = database;
  // Runs shown on a phase's page: its own and its actions' (phase 2's fix).
  const ids = (params.registry ?? PHASES).runIdsOf(params.phaseId);
  const migration = (await getActiveMigrationRun(sql)) ?? (await getLatestMigrationRun(sql));
  const runs = migration
    ? (await listPhaseRuns(sql, { migrationRunId: migration.id })).filter((r) => ids.includes(r.phase))
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
  // Worker command text: admins only, from the runner log (docs/operations.md "Worker control").
  return params.showWorkerOutput ? revealWorkerOutput(live) : hideWorkerOutput(live);
}

export async function readPhaseDetail(
  database: Database,
  params: {
    phaseId: string;
    options?: Record<string, unknown>;
    showWorkerOutput?: boolean;
    registry?: PhaseRegistry<PhaseDefinition>;
  },
): Promise<PhaseDetail> {
  const registry = params.registry ?? PHASES;
  const phase = registry.find(params.phaseId);
  const clock = await loadClock(database.sql);
  const config = runbookConfigFromEnv();
  const migration = await getActiveMigrationRun(database.sql);
  const context = { database, clock, config, migrationRunId: migration?.id ?? null, options: params.options ?? {} };
  // Phase 5's preconditions and preview both plan the aggregator's replacement: one trial a page.
  const [preconditions, preview, live] = await withOneAggregatorPlan(() =>
    Promise.all([
      phase.preconditions(context),
      phase.preview(context),
      readPhaseLive(database, { phaseId: phase.id, showWorkerOutput: params.showWorkerOutput, registry }),
    ]),
  );
  const actions = await Promise.all(
    registry.actionsOf(phase.id).map(async (action) => ({
      id: action.id,
      label: action.actionOf?.label ?? action.title,
      previewHeading: action.actionOf?.previewHeading ?? 'what it would run now',
      preconditions: await action.preconditions(context),
      preview: await action.preview(context),
    })),
  );
  return {
    id: phase.id,
    number: phase.number,
    title: phase.title,
    description: phase.description,
    pausable: phase.pausable,
    preconditions,
    preview,
    actions,
    legacyFence:
      phase.id === '9'
        ? await readLegacyFencePanel(database.sql, { migrationRunId: live.migration?.id ?? null })
        : null,
    ...live,
  };
}
