/**
 * The phase registry is the one source of phase identity (docs/phases.md "Adding a phase"). The
 * proof: a throw-away phase 10 and an action of it, each declared in one `definePhase` as a phase
 * file declares it, defined only in this file, registered in a
 * test world's registry, show up in the plan checklist, the page routes, the start action's
 * schema and the CLI's usage lines, and are started and run to success by the real runner — while
 * the console's own registry never hears of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APPROVER, createDriver, type Driver, OPERATOR } from '../../../test-support/runbook-driver';
import type { TestDatabase } from '../../../test-support/test-database';
import { createTestWorldDatabase, MIDWEEK_NOW } from '../../../test-support/test-world';
import { executeAction } from '../../auth/action';
import { createApproveRequest } from '../actions/decide-approval';
import { createStartPhaseRun, startPhaseRun } from '../actions/start-phase-run';
import { PHASE_CATALOG, PHASES, phaseIdentities } from '../phases';
import { planSteps } from '../read/plan';
import { readPhaseDetail } from '../read/read-phase-detail';
import { readRunbookState } from '../read/read-runbook-state';
import { definePhase } from './define-phase';
import { createPhaseRegistry, definePhaseIdentity, identityOf } from './phase-registry';
import { phaseUsageLines } from './phase-usage-lines';
import type { PhaseDefinition } from './types';

/** Two committed steps, one wait for the clock, and a verification that reads what the steps stored. */
const phase10 = definePhase({
  id: '10',
  number: 10,
  day: 3,
  estimateMinutes: 5,
  title: 'Throw-away check',
  intent: 'Exists only in phase-registry.test.ts.',
  pointOfNoReturn: 'Its first step: each step commits with its checkpoint.',
  stages: [{ id: 'count', title: 'count, one committed step at a time' }],
  checkpoint: z.looseObject({ steps: z.number().optional(), waited: z.boolean().optional() }),
  // It opens the migration run itself, so the test world needs no phase 1 first.
  opensMigrationRun: true,
  options: [
    {
      name: 'depth',
      label: 'Depth',
      choices: [
        { value: 'shallow', label: 'one step' },
        { value: 'deep', label: 'two steps' },
      ],
    },
  ],
  confirmation: 'PROBE',
  // The shallow probe needs a second person, as the rollback's delete does.
  approval: {
    kind: 'probe-shallow',
    word: 'SHALLOW',
    when: { option: 'depth', value: 'shallow' },
    summary: 'Run the throw-away check one step deep',
  },
  description: 'Counts to its depth, one committed step at a time.',
  async preconditions() {
    return [{ name: 'Nothing to wait for', passed: true, detail: 'a test phase' }];
  },
  async preview({ options }) {
    return { summary: [`Count to ${options.depth === 'deep' ? 2 : 1}`], sql: ['SELECT 1'], estimates: {} };
  },
  async execute(ctx) {
    const steps = Number(ctx.run.checkpoint.steps ?? 0);
    const target = ctx.run.options.depth === 'deep' ? 2 : 1;
    if (steps >= target) return { state: 'done' };
    // The first step waits for the clock once: the runner must come back to it on a later tick.
    if (steps === 0 && !ctx.run.checkpoint.waited) {
      await ctx.commitStep(
        async () => null,
        () => ({ checkpoint: { steps: 0, waited: true } }),
      );
      return { state: 'wait', reason: 'a minute of clock time' };
    }
    await ctx.commitStep(
      async (tx) => (await tx<{ n: number }[]>`select ${steps + 1}::int as n`)[0]?.n ?? 0,
      (n) => ({ checkpoint: { steps: n, waited: true }, progress: { percent: (100 * n) / target } }),
    );
    return { state: 'continue' };
  },
  async verify(ctx) {
    const steps = Number(ctx.run.checkpoint.steps);
    const passed = steps === (ctx.run.options.depth === 'deep' ? 2 : 1);
    return { passed, checks: [{ name: 'Counted to its depth', passed, detail: `${steps} steps` }] };
  },
});

/** An action of phase 10 (as "Apply fix" is of phase 2): no page, no checklist row of its own. */
const phase10Redo = definePhase({
  id: '10-redo',
  number: 10,
  day: 3,
  estimateMinutes: null,
  title: 'Redo the check',
  intent: 'An action of the throw-away phase.',
  pointOfNoReturn: 'None: it writes nothing.',
  stages: [{ id: 'redo', title: 'redo' }],
  checkpoint: z.looseObject({}),
  actionOf: { phase: '10', label: 'Redo', previewHeading: 'what it would redo' },
  description: 'Does nothing, successfully.',
  preconditions: async () => [],
  preview: async () => ({ summary: ['Nothing'], sql: ['SELECT 2'], estimates: {} }),
  execute: async () => ({ state: 'done' }),
  verify: async () => ({ passed: true, checks: [] }),
});

const registry = createPhaseRegistry<PhaseDefinition>([...PHASES.all, phase10, phase10Redo]);

describe('the console’s phase registry', () => {
  it('lists the plan once: nine phases, Reconcile and the rollback, phase 2’s fix as its action, phase 8 the monitor’s', () => {
    expect(PHASE_CATALOG.steps.map((p) => p.id)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      'reconcile',
      'rollback',
    ]);
    expect(PHASE_CATALOG.actionsOf('2').map((p) => p.id)).toEqual(['2-fix']);
    expect(PHASE_CATALOG.label('2-fix')).toBe('Phase 2 · Apply fix');
    expect(PHASE_CATALOG.route('2-fix')).toBe('/phases/2');
    expect(PHASE_CATALOG.route('8')).toBe('/monitor');
    expect(PHASE_CATALOG.route('rollback')).toBe('/rollback');
    expect(PHASE_CATALOG.route('reconcile')).toBe('/reconcile');
    expect(PHASE_CATALOG.pagePhase('2-fix')).toBeNull();
    expect(PHASE_CATALOG.pagePhase('8')).toBeNull();
    // Only the phases the runner executes have an executor, and the two lists agree.
    expect(PHASES.all.map((p) => p.id)).toEqual([
      '1',
      '2',
      '2-fix',
      '3',
      '4',
      '5',
      '6',
      '7',
      '9',
      'reconcile',
      'rollback',
    ]);
    expect(PHASES.isId('8')).toBe(false);
  });

  it('hands client components plain data: identities without executors that rebuild the same registry', () => {
    const identities = phaseIdentities();
    expect(JSON.parse(JSON.stringify(identities))).toEqual(identities);
    expect(identities.filter((p) => 'execute' in p || 'preview' in p)).toEqual([]);
    const rebuilt = createPhaseRegistry(identities);
    expect(rebuilt.all.map((p) => rebuilt.label(p.id))).toEqual(
      PHASE_CATALOG.all.map((p) => PHASE_CATALOG.label(p.id)),
    );
    expect(rebuilt.routes()).toEqual(PHASE_CATALOG.routes());
    expect(rebuilt.approvalWords()).toEqual(PHASE_CATALOG.approvalWords());
    // Every identity field survives the trip: one the identity gains is not silently dropped.
    const bare = definePhaseIdentity({
      id: 'x',
      number: null,
      title: 'x',
      intent: 'x',
      pointOfNoReturn: 'x',
      stages: [{ id: 'x', title: 'x' }],
      day: null,
      estimateMinutes: null,
    });
    expect(Object.keys(identityOf(phase10)).sort()).toEqual(Object.keys(bare).sort());
  });

  it('refuses a phase registered twice, an action of nothing, an option named like a request field', () => {
    expect(() => createPhaseRegistry([phase10, phase10])).toThrow(/registered twice/);
    expect(() => createPhaseRegistry([phase10Redo, phase10])).toThrow(/not a phase before it/);
    const clash = { ...phase10, id: '11', route: '/phases/11', options: [{ ...phase10.options[0], name: 'phase' }] };
    expect(() => createPhaseRegistry([clash as PhaseDefinition])).toThrow(/a field of the start request/);
    expect(() => createPhaseRegistry([phase10, { ...phase10, id: '11' }])).toThrow(/Two phases have the page/);
  });

  it('derives the approval words of the two-person rule from the phases', () => {
    expect(PHASE_CATALOG.approvalWords()).toEqual({
      'soft-delete': 'DXY',
      reconcile: 'RECONCILE',
      'rollback-delete': 'DELETE',
    });
    expect(PHASE_CATALOG.needsApproval('reconcile', {})).toBe(true);
    expect(PHASE_CATALOG.needsApproval('rollback', { data: 'keep' })).toBe(false);
    expect(PHASE_CATALOG.needsApproval('rollback', { data: 'delete' })).toBe(true);
    expect(PHASE_CATALOG.needsApproval('9', {})).toBe(true);
    expect(PHASE_CATALOG.needsApproval('4', { method: 'copy' })).toBe(false);
  });
});

describe('an option typed as a minute (Reconcile’s range)', () => {
  it('takes whole UTC minutes only, and says so', () => {
    const errors = (input: Record<string, unknown>) => {
      const result = PHASE_CATALOG.startInput.safeParse({ phase: 'reconcile', confirm: 'RECONCILE', ...input });
      return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
    };
    expect(errors({ from: '2026-12-07T10:00Z', to: '2026-12-07T11:00:00.000Z' })).toEqual({});
    expect(errors({ from: '2026-12-07T10:00:30Z', to: '2026-02-30T10:00Z' })).toEqual({
      from: 'From (UTC minute): a UTC minute such as 2026-12-07T10:00Z',
      to: 'To (UTC minute, exclusive): a UTC minute such as 2026-12-07T10:00Z',
    });
    expect(errors({ from: '2026-12-07T10:00+01:00', to: '2026-12-07T11:00Z' })).toHaveProperty('from');
    expect(errors({ to: '2026-12-07T11:00Z' })).toEqual({ from: 'Give from: a UTC minute' });
    expect(PHASE_CATALOG.optionsSchema('reconcile').safeParse({ from: 'today', to: '2026-12-07T11:00Z' }).success).toBe(
      false,
    );
    expect(phaseUsageLines(PHASE_CATALOG)).toContainEqual(
      expect.stringMatching(
        /^run reconcile --from MINUTE --to MINUTE --confirm RECONCILE +Reconcile; then an approver types RECONCILE$/,
      ),
    );
  });
});

describe('a throw-away phase registered in a test world', () => {
  it('is a line of the plan checklist, after phase 9', () => {
    const steps = planSteps(registry);
    expect(steps.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '9', 'reconcile', 'rollback', '10']);
    expect(steps.at(-1)).toEqual({
      id: '10',
      number: 10,
      title: 'Throw-away check',
      intent: 'Exists only in phase-registry.test.ts.',
      day: 3,
      estimateMinutes: 5,
      route: '/phases/10',
      window: false,
    });
  });

  it('has a page route; its action has none of its own', () => {
    expect(registry.routes()).toContain('/phases/10');
    expect(registry.pagePhase('10')?.id).toBe('10');
    expect(registry.pagePhase('10-redo')).toBeNull();
    expect(registry.route('10-redo')).toBe('/phases/10');
    expect(registry.label('10-redo')).toBe('Phase 10 · Redo');
    expect(registry.runIdsOf('10')).toEqual(['10', '10-redo']);
    expect(PHASE_CATALOG.routes()).not.toContain('/phases/10');
  });

  it('gets the start action’s schema from its options and confirmation word', () => {
    const parse = (input: Record<string, unknown>) => registry.startInput.safeParse(input);
    expect(parse({ phase: '10', depth: 'deep', confirm: 'PROBE' }).success).toBe(true);
    const errors = (input: Record<string, unknown>) => {
      const result = parse(input);
      return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
    };
    expect(errors({ phase: '10', confirm: 'PROBE' })).toEqual({ depth: 'Choose shallow or deep' });
    expect(registry.needsApproval('10', { depth: 'shallow' })).toBe(true);
    expect(registry.needsApproval('10', { depth: 'deep' })).toBe(false);
    expect(errors({ phase: '10', depth: 'bottomless', confirm: 'PROBE' })).toEqual({
      depth: 'Depth: one of shallow, deep',
    });
    expect(errors({ phase: '10', depth: 'deep' })).toEqual({ confirm: 'Type PROBE to confirm' });
    // Phase 4's option is not the throw-away phase's, nor the other way round.
    expect(errors({ phase: '10', depth: 'deep', confirm: 'PROBE', method: 'copy' })).toEqual({
      method: 'Phase 10 takes no method',
    });
    expect(errors({ phase: '4', depth: 'deep' })).toEqual({ depth: 'Phase 4 takes no depth' });
    expect(registry.optionsSchema('10').parse({ phase: '10', depth: 'deep' })).toEqual({ depth: 'deep' });
    // The console's own schema does not know it.
    expect(startPhaseRun.input.safeParse({ phase: '10', depth: 'deep', confirm: 'PROBE' }).success).toBe(false);
  });

  it('is in the CLI’s usage lines, with its option, confirmation word and action', () => {
    const lines = phaseUsageLines(registry);
    expect(lines[0]).toMatch(
      /^preview PHASE .*\(PHASE: 1, 2, 2-fix, 3, 4, 5, 6, 7, 9, reconcile, rollback, 10, 10-redo\)$/,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^run 10 --depth shallow\|deep --confirm PROBE +Phase 10: Throw-away check; with --depth shallow, then an approver types SHALLOW$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^run 10-redo +Phase 10 · Redo: Redo the check$/));
    expect(phaseUsageLines(PHASE_CATALOG).join('\n')).not.toContain('run 10');
  });

  describe('on a test database, with the real runner and a hand-moved clock', () => {
    let test: TestDatabase;
    let driver: Driver;

    beforeAll(async () => {
      ({ test } = await createTestWorldDatabase({ variant: 'plan', now: MIDWEEK_NOW }));
      driver = createDriver(test.database, { phases: registry });
    });
    afterAll(async () => {
      await test.drop();
    });

    it('is refused by the console’s own start action, audited as invalid', async () => {
      const result = await executeAction(startPhaseRun, {
        database: test.database,
        user: OPERATOR,
        rawInput: { phase: '10', depth: 'deep', confirm: 'PROBE' },
      });
      expect(result).toMatchObject({ status: 'invalid', fieldErrors: { phase: ['Unknown phase'] } });
    });

    it('is started through the action wrapper and run to success by the runner, then its action too', async () => {
      const invalid = await executeAction(createStartPhaseRun(registry), {
        database: test.database,
        user: OPERATOR,
        rawInput: { phase: '10', depth: 'deep', confirm: 'NOPE' },
      });
      expect(invalid).toMatchObject({ status: 'invalid', fieldErrors: { confirm: ['Type PROBE to confirm'] } });

      const clockBefore = driver.clock.now().getTime();
      const run = await driver.run('10', { depth: 'deep', confirm: 'PROBE' });
      // (the deep probe needs no approver)
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run.options).toEqual({ depth: 'deep' });
      expect(run.checkpoint).toEqual({ steps: 2, waited: true });
      expect(run.verification?.checks).toEqual([{ name: 'Counted to its depth', passed: true, detail: '2 steps' }]);
      // It waited a tick for the clock, which the driver moved by hand.
      expect(driver.clock.now().getTime()).toBeGreaterThan(clockBefore);
      const redo = await driver.run('10-redo');
      expect(redo.status).toBe('succeeded');

      // The read models group both runs under phase 10, from the same registry.
      const state = await readRunbookState(test.database.sql, { now: driver.clock.now(), registry });
      const step = state.steps.find((s) => s.id === '10');
      expect(step).toMatchObject({ state: 'succeeded', runs: 2, route: '/phases/10' });
      expect(step?.latest?.phase).toBe('10-redo');
      const detail = await readPhaseDetail(test.database, { phaseId: '10', registry, options: { depth: 'deep' } });
      expect(detail.runs.map((r) => r.phase)).toEqual(['10-redo', '10']);
      expect(detail.preview.summary).toEqual(['Count to 2']);
      expect(detail.actions).toEqual([
        {
          id: '10-redo',
          label: 'Redo',
          previewHeading: 'what it would redo',
          preconditions: [],
          preview: {
            summary: ['Nothing'],
            sql: ['SELECT 2'],
            estimates: {},
            pointOfNoReturn: 'None: it writes nothing.',
          },
        },
      ]);
    });

    it('waits for an approver who is not the requester, with the word it declares, then runs', async () => {
      const runId = await driver.start('10', OPERATOR, { depth: 'shallow', confirm: 'PROBE' });
      expect((await driver.finish(runId)).status).toBe('awaiting-approval');
      const [request] = await test.database.sql<{ id: number; summary: string }[]>`
        select id, summary from cutover.approvals where phase_run_id = ${runId}`;
      expect(request?.summary).toBe('Run the throw-away check one step deep');
      const approve = createApproveRequest(registry);
      const bySelf = await driver.act(
        approve,
        { ...OPERATOR, roles: ['operator', 'approver'] },
        {
          approvalId: request?.id,
          confirm: 'SHALLOW',
        },
      );
      expect(bySelf).toMatchObject({ status: 'refused', reason: expect.stringMatching(/Two-person rule/) });
      const wrongWord = await driver.act(approve, APPROVER, { approvalId: request?.id, confirm: 'DXY' });
      expect(wrongWord).toMatchObject({ status: 'refused', reason: 'Type SHALLOW to confirm the approval.' });
      expect((await driver.act(approve, APPROVER, { approvalId: request?.id, confirm: 'SHALLOW' })).status).toBe('ok');
      const run = await driver.finish(runId);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run.checkpoint).toMatchObject({ steps: 1 });
    });
  });
});
