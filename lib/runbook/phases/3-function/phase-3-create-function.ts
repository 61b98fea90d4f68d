/**
 * Phase 3 — create calc_dxy_range_1m. No catch-all exception block (errors reach the caller),
 * SECURITY DEFINER with a pinned search_path, EXECUTE revoked from PUBLIC and granted to the
 * configured worker role, which must exist: without it the workers could not call the function, so
 * its absence is a failing precondition, never a silently skipped GRANT. Then a test on the most recent hour of legacy data,
 * inside a transaction that is rolled back: every minute is compared with the legacy value and
 * with the TypeScript formula.
 */

import { z } from 'zod';
import { definePhase } from '../../engine/define-phase';
import { createPhaseRegistry } from '../../engine/phase-registry';
import { requireStepSucceeded } from '../../engine/preconditions';
import { bound, planned, rehearseStatements } from '../../engine/statements';
import type { PreconditionContext } from '../../engine/types';
import { phase2Fix } from '../2-schema/phase-2-fix';
import { phase2SchemaValidation } from '../2-schema/phase-2-schema-validation';
import { readSchemaReport } from '../2-schema/schema-report';
import { REGENERATE_RANGE_SQL } from '../shared/copy-legacy';
import { readFunctionFacts } from '../shared/function-inspection';
import { readColumns } from '../shared/schema-inspection';
import { calcDxyRange1mSql } from './calc-dxy-range-1m';
import { functionChecks } from './function-checks';
import {
  CALC_DXY_RANGE_1M_IDENTITY_ARGUMENTS,
  createWithGrants,
  missingRoleMessage,
  workerRoleExists,
} from './function-grants';
import { TEST_WINDOW_MINUTES, type TestResult, testOnRecentWindow } from './try-on-recent-window';

/**
 * The runs phase 3 accepts as "phase 2 succeeded": phase 2's report or its fix. A registry of its own,
 * handed to the precondition: importing the plan's (./index.ts) would close a circle through this file.
 */
const PHASE_2_STEP = createPhaseRegistry([phase2SchemaValidation, phase2Fix]);
async function functionSql(ctx: Pick<PreconditionContext, 'database'>): Promise<string> {
  const columns = await readColumns(ctx.database.sql, 'data_bars');
  return calcDxyRange1mSql({ setsUpdatedAt: columns.has('updated_at') });
}

export const phase3CreateFunction = definePhase({
  id: '3',
  number: 3,
  day: 1,
  estimateMinutes: 15,
  pointOfNoReturn:
    'The creating transaction’s commit: the function, its grants, its test on recent data (rolled back to a savepoint) and its checks run in one transaction that commits only when they pass. Nothing calls the function before phase 5.',
  stages: [
    { id: 'create', title: 'create the function and its grants, test it (rolled back) and check it, then commit' },
    { id: 'created', title: 'test it on recent legacy data (rolled back; runs created before the commit tested)' },
    { id: 'tested', title: 'tested' },
  ],
  checkpoint: z.looseObject({ stage: z.enum(['create', 'created', 'tested']).optional() }),
  title: 'Create calc_dxy_range_1m()',
  intent: 'Create the new function and test it on a recent window.',
  description:
    "Creates the new path's function (DXY 1m from the six component closes, upserted into data_bars with source 'synthetic'), " +
    'revokes EXECUTE from PUBLIC, grants it to the worker role, then tests it on the last hour of legacy data inside a ' +
    'transaction that is rolled back, comparing every minute with the legacy value and the TypeScript formula.',

  async preconditions(ctx) {
    const report = await readSchemaReport(ctx.database.sql);
    const phase2 = await requireStepSucceeded(
      ctx,
      PHASE_2_STEP,
      phase2SchemaValidation.id,
      'Phase 2 (or its fix) succeeded',
    );
    const existing = await readFunctionFacts(ctx.database.sql, ['calc_dxy_range_1m']);
    const foreign = existing.filter(
      (f) => f.identityArguments !== CALC_DXY_RANGE_1M_IDENTITY_ARGUMENTS || f.resultType !== 'jsonb',
    );
    const roleExists = await workerRoleExists(ctx.database.sql, ctx.config.workerRole);
    return [
      phase2,
      {
        name: `Worker role ${ctx.config.workerRole} exists`,
        passed: roleExists,
        detail: roleExists ? 'EXECUTE will be granted to it' : missingRoleMessage(ctx.config.workerRole),
      },
      {
        name: 'Schema ready now',
        passed: report.passed,
        detail: report.passed
          ? 'phase 2 report passes'
          : report.checks
              .filter((c) => !c.passed)
              .map((c) => c.name)
              .join(', '),
      },
      {
        name: 'No other calc_dxy_range_1m in the way',
        passed: foreign.length === 0,
        detail:
          foreign.length === 0
            ? existing.length === 0
              ? 'none exists yet'
              : 'the existing one has the same signature and is replaced'
            : `found ${foreign.map((f) => `${f.signature} → ${f.resultType}`).join(', ')}: CREATE OR REPLACE would add an overload ` +
              '(or fail on the result type) and make the workers’ named call ambiguous. Find out who created it ' +
              '(an earlier attempt?), then DROP FUNCTION it by that exact signature and re-check.',
        evidence: foreign.map(({ definition: _definition, ...facts }) => facts),
      },
    ];
  },

  async preview(ctx) {
    const role = await workerRoleExists(ctx.database.sql, ctx.config.workerRole);
    return {
      summary: [
        'CREATE OR REPLACE the function (SECURITY DEFINER, search_path pinned, errors propagate).',
        'REVOKE EXECUTE FROM PUBLIC and from every other role the default privileges granted it to (e.g. anon, authenticated).',
        role ? `GRANT EXECUTE TO ${ctx.config.workerRole}.` : `Refused: ${missingRoleMessage(ctx.config.workerRole)}`,
        `Test: call it on the last ${TEST_WINDOW_MINUTES} minutes of legacy data inside a transaction that is rolled back.`,
      ],
      sql: [],
      // What creating it would run now: the revokes depend on the grants default privileges give a new function.
      statements: role
        ? [
            ...(
              await rehearseStatements(ctx.database.sql, async (tx, run) =>
                createWithGrants(tx, { definition: await functionSql(ctx), workerRole: ctx.config.workerRole, run }),
              )
            ).map((text) => planned('create', text)),
            planned('create', REGENERATE_RANGE_SQL, [
              `the start of the last ${TEST_WINDOW_MINUTES} minutes of legacy data`,
              'the end of the newest legacy minute (exclusive)',
            ]),
          ]
        : [],
      estimates: { 'test window (minutes)': TEST_WINDOW_MINUTES },
    };
  },

  async execute(ctx) {
    const { config } = ctx;
    const stage = ctx.run.checkpoint.stage as string | undefined;
    if (stage === 'created') {
      // A run whose creation committed before its test (an attempt from before the test moved into the
      // creating transaction): test it now, as that attempt would have.
      const test = await testOnRecentWindow(ctx.sql, ctx.clock.now(), ctx.exec);
      await ctx.commitStep(
        async () => test,
        (value) => ({ checkpoint: { stage: 'tested' }, result: { ...ctx.run.result, test: value } }),
      );
      return { state: 'done' };
    }
    const definition = await functionSql(ctx);
    const created = await ctx.commitStep(
      async (tx) => {
        // Checked again here: the role may have gone since the start; nothing commits without the grant.
        if (!(await workerRoleExists(tx, config.workerRole))) throw new Error(missingRoleMessage(config.workerRole));
        const revokedFrom = await createWithGrants(tx, {
          definition,
          workerRole: config.workerRole,
          run: (t, text) => ctx.exec(t, bound(text)),
        });
        // Know before committing: the test (in a savepoint, rolled back) and the verification's own checks
        // see the new function in this transaction; a failing one rolls the function and its grants back.
        const test = await testOnRecentWindow(tx, ctx.clock.now(), ctx.exec);
        const failing = (await functionChecks(tx, { workerRole: config.workerRole, test })).filter((c) => !c.passed);
        if (failing.length > 0)
          throw new Error(
            `calc_dxy_range_1m failed its checks before commit, so nothing was created: ${failing.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
          );
        return { revokedFrom, test };
      },
      (value) => ({
        checkpoint: { stage: 'tested' },
        result: { created: true, grantedTo: config.workerRole, revokedFrom: value.revokedFrom, test: value.test },
      }),
    );
    await ctx.log(
      `Function created, EXECUTE granted to ${config.workerRole} and revoked from PUBLIC` +
        `${created.revokedFrom.length > 0 ? ` and from ${created.revokedFrom.join(', ')}` : ''}; ` +
        `tested on ${created.test.minutesCompared} minutes before the commit (rolled back).`,
      { window: created.test.window },
    );
    return { state: 'done' };
  },

  async verify({ sql, run, config }) {
    const checks = await functionChecks(sql, {
      workerRole: config.workerRole,
      test: run.result.test as TestResult | undefined,
    });
    return { passed: checks.every((c) => c.passed), checks };
  },
});
