/**
 * The runbook as the overview and the phase pages show it: each step of the plan with its latest
 * run, who ran it and how long it took against the plan's estimate, the active run with its
 * progress, and the next step to take.
 */
import type { Sql } from 'postgres';
import { PLAN_STEPS, type PlanStep } from './plan';
import {
  getActiveMigrationRun,
  getLatestMigrationRun,
  listPhaseRuns,
  type MigrationRunRow,
  type PhaseRunRow,
} from './run-state';

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
  state: PhaseRunRow['status'] | 'not-started' | 'not-built';
  latest: RunSummary | null;
  runs: number;
}

export interface RunbookState {
  migrationRun: MigrationRunRow | null;
  steps: StepState[];
  activeRun: RunSummary | null;
  /** The first step of the plan that has not succeeded yet. */
  nextStep: { id: string; label: string } | null;
  /** Clock time at which phase 7 was verified: the start of the 24-hour window. */
  windowStartedAt: Date | null;
}

const RUNNABLE_NOW = new Set(['phase-1', 'phase-2', 'phase-3', 'phase-4', 'phase-5', 'phase-6', 'phase-7', 'rollback']);

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

/** Phase ids of the runs that make up a plan step (phase 2's fix belongs to step 2). */
function runsOfStep(step: PlanStep, runs: PhaseRunRow[]): PhaseRunRow[] {
  const phase = step.id === 'rollback' ? 'rollback' : String(step.number);
  return runs.filter((r) => r.phase === phase || (phase === '2' && r.phase === '2-fix'));
}

export async function readRunbookState(sql: Sql): Promise<RunbookState> {
  const migrationRun = (await getActiveMigrationRun(sql)) ?? (await getLatestMigrationRun(sql));
  const runs = migrationRun ? await listPhaseRuns(sql, { migrationRunId: migrationRun.id }) : [];
  const steps: StepState[] = PLAN_STEPS.map((step) => {
    const stepRuns = runsOfStep(step, runs);
    // Step 2's latest run may be the validation or its fix; either succeeding means the schema is ready.
    const latest = stepRuns.at(-1) ?? null;
    return {
      ...step,
      state: !RUNNABLE_NOW.has(step.id) ? 'not-built' : (latest?.status ?? 'not-started'),
      latest: latest ? summarizeRun(latest) : null,
      runs: stepRuns.length,
    };
  });
  const active = runs.find((r) => ['awaiting-approval', 'pending', 'running', 'paused'].includes(r.status));
  const rolledBack = migrationRun?.status === 'rolled_back';
  const next = rolledBack
    ? PLAN_STEPS[0]
    : steps.find((s) => s.id !== 'rollback' && RUNNABLE_NOW.has(s.id) && s.state !== 'succeeded');
  const deploy = runs.filter((r) => r.phase === '7' && r.status === 'succeeded').at(0);
  return {
    migrationRun,
    steps,
    activeRun: active ? summarizeRun(active) : null,
    nextStep: next ? { id: next.id, label: next.number ? `Phase ${next.number}: ${next.title}` : next.title } : null,
    windowStartedAt: deploy?.clockFinishedAt ?? null,
  };
}
