/**
 * The runbook as the overview and the phase pages show it: each step of the plan with its latest
 * run, who ran it and how long it took against the plan's estimate, the active run with its
 * progress, and the next step to take.
 */
import type { Sql } from 'postgres';
import { readMonitorState } from '../../monitor/read-monitor-state';
import type { PhaseRegistry } from '../engine/phase-registry';
import {
  getActiveMigrationRun,
  getLatestMigrationRun,
  listPhaseRuns,
  type MigrationRunRow,
  type PhaseRunRow,
} from '../engine/run-state';
import { PHASE_CATALOG } from '../phases';
import { type PlanStep, planSteps } from './plan';

export interface RunSummary {
  id: number;
  phase: string;
  status: PhaseRunRow['status'];
  requestedBy: string;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  attempt: number;
  options: Record<string, unknown>;
  progress: Record<string, unknown>;
  error: string | null;
  verificationPassed: boolean | null;
  pauseRequested: boolean;
}

export interface StepState extends PlanStep {
  state: PhaseRunRow['status'] | 'not-started';
  latest: RunSummary | null;
  runs: number;
}

export interface RunbookState {
  migrationRun: MigrationRunRow | null;
  steps: StepState[];
  activeRun: RunSummary | null;
  /** The first step of the plan that has not succeeded yet. */
  nextStep: { id: string; label: string; route: string } | null;
  /** The 24-hour window (phase 8), once phase 7 has been verified. */
  window: { startedAt: Date; endsAt: Date; taken: number; complete: boolean; unwaivedFailures: number } | null;
}

export function summarizeRun(run: PhaseRunRow): RunSummary {
  const end = run.finishedAt ?? (run.status === 'running' ? new Date() : null);
  return {
    id: run.id,
    phase: run.phase,
    status: run.status,
    requestedBy: run.requestedBy,
    requestedAt: run.requestedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.startedAt && end ? end.getTime() - run.startedAt.getTime() : null,
    attempt: run.attempt,
    options: run.options,
    progress: run.progress,
    error: run.error,
    verificationPassed: run.verification ? run.verification.passed : null,
    pauseRequested: run.pauseRequested,
  };
}

/** The runs that make up a plan step: its own and its actions' (phase 2's fix belongs to step 2). */
function runsOfStep(registry: PhaseRegistry, step: PlanStep, runs: PhaseRunRow[]): PhaseRunRow[] {
  const ids = registry.runIdsOf(step.id);
  return runs.filter((r) => ids.includes(r.phase));
}

/** Phase 8 is the window, not a run: its state comes from the hourly snapshots. */
function windowState(monitor: Awaited<ReturnType<typeof readMonitorState>>): StepState['state'] {
  if (!monitor.window) return 'not-started';
  if (monitor.unwaivedFailures > 0) return 'failed';
  return monitor.complete ? 'succeeded' : 'running';
}

export async function readRunbookState(
  sql: Sql,
  params: { now: Date; registry?: PhaseRegistry },
): Promise<RunbookState> {
  const registry = params.registry ?? PHASE_CATALOG;
  const plan = planSteps(registry);
  const migrationRun = (await getActiveMigrationRun(sql)) ?? (await getLatestMigrationRun(sql));
  const runs = migrationRun ? await listPhaseRuns(sql, { migrationRunId: migrationRun.id }) : [];
  const monitor = await readMonitorState(sql, { now: params.now });
  const steps: StepState[] = plan.map((step) => {
    if (step.window) return { ...step, state: windowState(monitor), latest: null, runs: monitor.taken };
    const stepRuns = runsOfStep(registry, step, runs);
    // Step 2's latest run may be the validation or its fix; either succeeding means the schema is ready.
    const latest = stepRuns.at(-1) ?? null;
    return {
      ...step,
      state: latest?.status ?? 'not-started',
      latest: latest ? summarizeRun(latest) : null,
      runs: stepRuns.length,
    };
  });
  const active = runs.find((r) => ['awaiting-approval', 'pending', 'running', 'paused'].includes(r.status));
  const rolledBack = migrationRun?.status === 'rolled_back';
  // The rollback is a way out, not a step to take next.
  const next = rolledBack ? plan[0] : steps.find((s) => s.number !== null && s.state !== 'succeeded');
  return {
    migrationRun,
    steps,
    activeRun: active ? summarizeRun(active) : null,
    nextStep: next
      ? { id: next.id, label: next.number ? `Phase ${next.number}: ${next.title}` : next.title, route: next.route }
      : null,
    window: monitor.window
      ? {
          startedAt: monitor.window.startedAt,
          endsAt: monitor.window.endsAt,
          taken: monitor.taken,
          complete: monitor.complete,
          unwaivedFailures: monitor.unwaivedFailures,
        }
      : null,
  };
}
