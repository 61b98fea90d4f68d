/**
 * Abort against a runner finishing at the same moment (docs/phases.md "Abort"), with a phase of
 * this file's own (as lib/runbook/engine/phase-registry.test.ts registers one): an abort asked while the
 * runner verifies wins over the outcome; a run that finished first is not aborted; many real races
 * each end one way only — aborted with the abort accepted, or succeeded with it refused. A run
 * awaiting approval ends at once and its approval request is rejected.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPERATOR, OPERATOR_2 } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { createAbortPhaseRun } from '../actions/abort-phase-run';
import { PHASES } from '../phases';
import { abortRecordOf } from './abort-run';
import { definePhase } from './define-phase';
import { createPhaseRegistry } from './phase-registry';
import { getPhaseRun } from './run-state';
import type { PhaseDefinition } from './types';

/** Called by the race phase's verification, when a test sets it. */
let beforeVerify: (() => Promise<void>) | null = null;

/** One committed step, then a verification that passes. */
const racePhase = definePhase({
  id: 'race',
  number: 11,
  day: 3,
  estimateMinutes: 1,
  title: 'Race',
  intent: 'Exists only in abort-race.test.ts.',
  pointOfNoReturn: 'None: its step writes only its checkpoint.',
  stages: [{ id: 'step', title: 'one committed step' }],
  checkpoint: z.looseObject({}),
  opensMigrationRun: true,
  options: [
    {
      name: 'mode',
      label: 'Mode',
      choices: [
        { value: 'direct', label: 'no approval' },
        { value: 'approved', label: 'needs an approval' },
      ],
      default: 'direct',
    },
  ],
  approval: { kind: 'race-approved', word: 'RACE', when: { option: 'mode', value: 'approved' }, summary: 'Race' },
  description: 'Commits one step and verifies it.',
  preconditions: async () => [{ name: 'Nothing to wait for', passed: true, detail: 'a test phase' }],
  preview: async () => ({ summary: ['One step'], sql: ['SELECT 1'], estimates: {} }),
  async execute(ctx) {
    if (ctx.run.checkpoint.step === 1) return { state: 'done' };
    await ctx.commitStep(
      async () => null,
      () => ({ checkpoint: { step: 1 } }),
    );
    return { state: 'continue' };
  },
  async verify(ctx) {
    await beforeVerify?.();
    const passed = ctx.run.checkpoint.step === 1;
    return { passed, checks: [{ name: 'Stepped once', passed, detail: `step ${String(ctx.run.checkpoint.step)}` }] };
  },
});

const registry = createPhaseRegistry<PhaseDefinition>([...PHASES.all, racePhase]);
const abortRun = createAbortPhaseRun(registry);

describe('abort against the runner finishing', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 }, { phases: registry });
  const statusOf = async (id: number) => (await getPhaseRun(test.database.sql, { id }))?.status;

  it('an abort asked while the runner verifies wins: the outcome is not recorded, the run is aborted', async () => {
    const runId = await test.driver.start('race');
    let asked: unknown = null;
    beforeVerify = async () => {
      asked = await test.driver.act(abortRun, OPERATOR, { confirm: 'ABORT', runId });
    };
    try {
      await test.driver.tick();
    } finally {
      beforeVerify = null;
    }
    expect(asked).toEqual({ status: 'ok', data: { runId, phase: 'race', status: 'aborting', changed: true } });
    const run = await getPhaseRun(test.database.sql, { id: runId });
    expect(run?.status).toBe('aborted');
    expect(run?.verification).toBeNull();
    expect(run?.checkpoint).toEqual({ step: 1 });
    expect(run && abortRecordOf(run)?.inFlight).toBe(
      'No step was in flight: every step had committed and the verification passed, but the abort was asked before the outcome was recorded.',
    );
    const [runlog] = await test.database.sql<{ status: string }[]>`
      select status from public.ops_runlog where id = ${run?.opsRunlogId ?? 0}`;
    expect(runlog?.status).toBe('failed');
  });

  it('a run that finished first is not aborted: the refusal says how it ended', async () => {
    const runId = await test.driver.start('race');
    expect((await test.driver.finish(runId)).status).toBe('succeeded');
    const late = await test.driver.act(abortRun, OPERATOR, { confirm: 'ABORT', runId });
    expect(late).toEqual({
      status: 'refused',
      reason: `Run #${runId} (${registry.label('race')}) already succeeded: nothing to abort.`,
    });
    expect(await statusOf(runId)).toBe('succeeded');
  });

  it('in real races with the runner and a second operator, each run ends one way only', async () => {
    for (let round = 0; round < 6; round++) {
      const runId = await test.driver.start('race');
      const [, first, second] = await Promise.all([
        test.driver.tick(),
        test.driver.act(abortRun, OPERATOR, { confirm: 'ABORT', runId }),
        test.driver.act(abortRun, OPERATOR_2, { confirm: 'ABORT', runId }),
      ]);
      // A request the runner had not yet seen is honoured at its next check.
      await test.driver.tick();
      const status = await statusOf(runId);
      const accepted = [first, second].filter((r) => r.status === 'ok');
      const refused = [first, second].filter((r) => r.status === 'refused');
      if (status === 'aborted') {
        expect(accepted.length, JSON.stringify({ first, second })).toBeGreaterThan(0);
        // At most one of the two changed anything; the other saw it done or asked.
        expect(accepted.filter((r) => r.status === 'ok' && r.data.changed)).toHaveLength(1);
        expect(refused).toEqual([]);
      } else {
        expect(status).toBe('succeeded');
        expect(accepted).toEqual([]);
      }
    }
  });

  it('ends a run awaiting approval at once and rejects its approval request', async () => {
    const runId = await test.driver.start('race', OPERATOR, { mode: 'approved' });
    expect(await statusOf(runId)).toBe('awaiting-approval');
    const result = await test.driver.act(abortRun, OPERATOR, { confirm: 'ABORT', phase: 'race' });
    expect(result).toEqual({ status: 'ok', data: { runId, phase: 'race', status: 'aborted', changed: true } });
    const [approval] = await test.database.sql<{ status: string; decided_by: string; reason: string }[]>`
      select status, decided_by, reason from cutover.approvals where phase_run_id = ${runId}`;
    expect(approval).toEqual({ status: 'rejected', decided_by: 'olivia', reason: 'The run was aborted by olivia' });
    const run = await getPhaseRun(test.database.sql, { id: runId });
    expect(run && abortRecordOf(run)?.from).toBe('awaiting-approval');
  });
});
