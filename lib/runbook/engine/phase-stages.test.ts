/**
 * Stages are the unit of a phase (docs/phases.md "Statements and stages"): a run moves forward
 * through its phase's declared stages, each move logged; a checkpoint the phase cannot read, a stage
 * it does not declare or a move back stops the run; a preview may list statements only under
 * declared stages. Throw-away phases, run by the real runner on a test world.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { loadClock } from '../../market/clock';
import { PHASES } from '../phases';
import { runbookConfigFromEnv } from './config';
import { definePhase } from './define-phase';
import { createPhaseRegistry } from './phase-registry';
import { listPhaseRunEvents } from './run-state';
import { planned } from './statements';
import type { PhaseDefinition } from './types';

const STAGES = [
  { id: 'first', title: 'the first stage' },
  { id: 'second', title: 'the second stage' },
  { id: 'third', title: 'the third stage' },
];

/** Walks `path` one stage a step (each committed with its checkpoint), then is done. */
function walkingPhase(id: string, path: string[]): PhaseDefinition {
  return definePhase({
    id,
    number: Number(id),
    day: 3,
    estimateMinutes: 1,
    title: `Walks ${path.join(' → ')}`,
    intent: 'Exists only in phase-stages.test.ts.',
    pointOfNoReturn: 'None: it writes only its checkpoint.',
    stages: STAGES,
    checkpoint: z.looseObject({ stage: z.string().optional(), step: z.number().optional() }),
    opensMigrationRun: true,
    description: 'Moves through its stages.',
    async preconditions() {
      return [];
    },
    async preview() {
      return { summary: ['Walk'], sql: [], estimates: {} };
    },
    async execute(ctx) {
      const step = Number(ctx.run.checkpoint.step ?? 0);
      const next = path[step];
      if (next === undefined) return { state: 'done' };
      await ctx.commitStep(
        async () => null,
        () => ({ checkpoint: { stage: next, step: step + 1 } }),
      );
      return { state: 'continue' };
    },
    async verify() {
      return { passed: true, checks: [] };
    },
  });
}

const registry = createPhaseRegistry<PhaseDefinition>([
  ...PHASES.all,
  walkingPhase('31', ['second', 'second', 'third']),
  walkingPhase('32', ['third', 'second']),
  walkingPhase('33', ['fourth']),
  walkingPhase('34', ['second']),
]);

describe('a run moves forward through its phase’s stages', () => {
  const test = useTestWorld({ variant: 'plan', now: MIDWEEK_NOW }, { phases: registry });

  const closeMigrationRun = (runId: number) =>
    test.database.sql`update cutover.migration_runs set status = 'abandoned', closed_at = now()
                       where id = (select migration_run_id from cutover.phase_runs where id = ${runId})`;
  const messages = async (runId: number) =>
    (await listPhaseRunEvents(test.database.sql, { phaseRunId: runId })).map((e) => e.message);

  it('logs each move to a later stage, once', async () => {
    const runId = await test.driver.start('31');
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('succeeded');
    // The log lists the newest first.
    const moves = (await messages(runId)).filter((m) => m.startsWith('Stage ')).reverse();
    expect(moves).toEqual(['Stage 2 of 3: the second stage', 'Stage 3 of 3: the third stage']);
    await closeMigrationRun(runId);
  });

  it('stops a run whose checkpoint moves back', async () => {
    const runId = await test.driver.start('32');
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/moved its checkpoint back from the stage "third" to "second"/);
    await closeMigrationRun(runId);
  });

  it('stops a run whose checkpoint names a stage the phase does not declare', async () => {
    const runId = await test.driver.start('33');
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/names the stage "fourth", which this phase does not declare/);
    await closeMigrationRun(runId);
  });

  it('does not resume from a checkpoint it cannot read', async () => {
    const runId = await test.driver.start('34');
    // As if another version, or a hand, had written it.
    await test.database.sql`update cutover.phase_runs set checkpoint = ${test.database.sql.json({ step: 'one' })}
                             where id = ${runId}`;
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/checkpoint is not one phase 34 wrote, so it is not resumed from/);
    expect(run.error).toMatch(/step/);
    await closeMigrationRun(runId);
  });

  it('refuses a preview that plans a statement under a stage it does not declare', async () => {
    const phase = definePhase({
      ...walkingPhase('35', []),
      async preview() {
        return { summary: [], sql: [], statements: [planned('elsewhere', 'SELECT 1')], estimates: {} };
      },
    });
    const context = {
      database: test.database,
      clock: await loadClock(test.database.sql),
      config: runbookConfigFromEnv({}),
      migrationRunId: null,
      options: {},
    };
    await expect(phase.preview(context)).rejects.toThrow(/stage "elsewhere", which it does not declare/);
  });

  it('declares, for every phase of the runbook, stages its previews name', () => {
    for (const phase of PHASES.all) {
      expect(phase.stages.length, phase.id).toBeGreaterThan(0);
      expect(phase.pointOfNoReturn.length, phase.id).toBeGreaterThan(10);
    }
  });
});
