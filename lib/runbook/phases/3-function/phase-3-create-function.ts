/**
 * Phase 3 — create calc_dxy_range_1m. No catch-all exception block (errors reach the caller),
 * SECURITY DEFINER with a pinned search_path, EXECUTE revoked from PUBLIC and granted to the
 * configured worker role, which must exist: without it the workers could not call the function, so
 * its absence is a failing precondition, never a silently skipped GRANT. Then a test on the most recent hour of legacy data,
 * inside a transaction that is rolled back: every minute is compared with the legacy value and
 * with the TypeScript formula.
 */

import type { TransactionSql } from 'postgres';
import { z } from 'zod';
import type { SqlOrTx } from '../../../db/connection';
import { computeDxy, DXY_COMPONENTS, type DxyComponent } from '../../../market/dxy';
import { definePhase } from '../../engine/define-phase';
import { createPhaseRegistry } from '../../engine/phase-registry';
import { requireStepSucceeded } from '../../engine/preconditions';
import { inRolledBackTransaction } from '../../engine/rolled-back';
import { bound, planned, rehearseStatements, type StatementExecutor, type TextRunner } from '../../engine/statements';
import type { PreconditionContext } from '../../engine/types';
import type { Check } from '../../engine/verification';
import { phase2Fix } from '../2-schema/phase-2-fix';
import { phase2SchemaValidation } from '../2-schema/phase-2-schema-validation';
import { readSchemaReport } from '../2-schema/schema-report';
import { REGENERATE_RANGE_SQL } from '../shared/copy-legacy';
import { readFunctionFacts } from '../shared/function-inspection';
import {
  executePrivilegesCheck,
  readExecutePrivileges,
  restrictExecuteStatements,
} from '../shared/function-privileges';
import { readColumns } from '../shared/schema-inspection';
import { CALC_DXY_RANGE_1M_SIGNATURE, calcDxyRange1mSql } from './calc-dxy-range-1m';

const TEST_WINDOW_MINUTES = 60;
/**
 * The runs phase 3 accepts as "phase 2 succeeded": phase 2's report or its fix. A registry of its own,
 * handed to the precondition: importing the plan's (./index.ts) would close a circle through this file.
 */
const PHASE_2_STEP = createPhaseRegistry([phase2SchemaValidation, phase2Fix]);
/** The identity the function is created with (regprocedure form, without the schema). */
const CALC_DXY_RANGE_1M_IDENTITY = 'calc_dxy_range_1m(timestamptz, timestamptz, integer)';
const CALC_DXY_RANGE_1M_IDENTITY_ARGUMENTS =
  'p_from_utc timestamp with time zone, p_to_utc timestamp with time zone, p_derivation_version integer';
const TOLERANCE = 1e-9;

async function functionSql(ctx: Pick<PreconditionContext, 'database'>): Promise<string> {
  const columns = await readColumns(ctx.database.sql, 'data_bars');
  return calcDxyRange1mSql({ setsUpdatedAt: columns.has('updated_at') });
}

async function workerRoleExists(sql: SqlOrTx, role: string): Promise<boolean> {
  const [row] = await sql`select 1 from pg_roles where rolname = ${role}`;
  return Boolean(row);
}

/**
 * Creates the function, grants EXECUTE to the worker role and revokes it from everyone else:
 * revoking from PUBLIC is not enough where default privileges granted EXECUTE to roles directly
 * (Supabase: anon, authenticated). Returns the roles it was revoked from.
 */
export async function createWithGrants(
  tx: TransactionSql,
  params: { definition: string; workerRole: string; run: TextRunner },
): Promise<string[]> {
  await params.run(tx, params.definition);
  await params.run(tx, grantSql(params.workerRole));
  const privileges = await readExecutePrivileges(tx, {
    signature: CALC_DXY_RANGE_1M_IDENTITY,
    workerRole: params.workerRole,
  });
  for (const statement of restrictExecuteStatements(privileges, params.workerRole)) await params.run(tx, statement);
  return privileges.grantees.filter((g) => g !== params.workerRole);
}

function missingRoleMessage(role: string): string {
  return `role ${role} does not exist: the workers could not call calc_dxy_range_1m. Create the role, or set CUTOVER_WORKER_ROLE to the workers' role.`;
}

function grantSql(role: string): string {
  return `GRANT EXECUTE ON FUNCTION ${CALC_DXY_RANGE_1M_SIGNATURE} TO "${role.replace(/"/g, '""')}"`;
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

/**
 * What proves phase 3, run twice: inside the creating transaction before it commits (a failing
 * check rolls the function and its grants back) and on the committed state as the verification.
 */
async function functionChecks(
  sql: SqlOrTx,
  params: { workerRole: string; test: TestResult | undefined },
): Promise<Check[]> {
  const [fn] = await sql<{ secdef: boolean; has_catch_all: boolean }[]>`
    select p.prosecdef as secdef, pg_get_functiondef(p.oid) ~* 'when\\s+others' as has_catch_all
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = 'calc_dxy_range_1m'`;
  const overloads = await readFunctionFacts(sql, ['calc_dxy_range_1m']);
  const privileges = fn
    ? await readExecutePrivileges(sql, { signature: CALC_DXY_RANGE_1M_IDENTITY, workerRole: params.workerRole })
    : null;
  const worker = privileges?.roles.find((r) => r.role === params.workerRole);
  const test = params.test;
  const checks: Check[] = [
    {
      name: 'Function exists, exactly once',
      passed: overloads.length === 1,
      detail:
        overloads.length === 1
          ? `${overloads[0]?.signature} → ${overloads[0]?.resultType}`
          : overloads.length === 0
            ? 'not found'
            : `${overloads.length} overloads (${overloads.map((o) => o.signature).join(', ')}): a named call would be ambiguous`,
    },
    {
      name: 'Errors propagate (no WHEN OTHERS)',
      passed: Boolean(fn && !fn.has_catch_all),
      detail: fn?.has_catch_all ? 'catch-all found' : 'no catch-all',
    },
    privileges
      ? executePrivilegesCheck(privileges, params.workerRole)
      : {
          name: `Only the owner and ${params.workerRole} can execute calc_dxy_range_1m`,
          passed: false,
          detail: 'function not found',
        },
    {
      // executePrivilegesCheck passes an absent role by design (phase 5 keeps what was there); here the workers need it.
      name: `The workers (${params.workerRole}) can execute calc_dxy_range_1m`,
      passed: worker?.canExecute === true,
      detail: !privileges
        ? 'function not found'
        : !worker
          ? missingRoleMessage(params.workerRole)
          : worker.canExecute
            ? `${params.workerRole} may execute it (${worker.reason})`
            : `${params.workerRole} may not execute it`,
    },
    {
      name: 'Test minutes match the legacy values',
      passed: Boolean(
        test && test.minutesCompared > 0 && test.legacyMismatches.length === 0 && test.missingInNew.length === 0,
      ),
      detail: test
        ? `${test.minutesCompared} minutes compared, max relative difference ${Number(test.maxRelativeDiffLegacy ?? Number.NaN).toExponential(2)}, ` +
          `${test.legacyMismatches.length} mismatches, ${test.missingInNew.length} legacy minutes not produced`
        : 'no test result',
      evidence: test,
    },
    {
      name: 'Test minutes match the TypeScript formula',
      passed: Boolean(test && test.minutesCompared > 0 && test.formulaMismatches.length === 0),
      detail: test
        ? `max relative difference ${Number(test.maxRelativeDiffFormula ?? Number.NaN).toExponential(2)}`
        : 'no test result',
    },
    {
      name: 'Test left nothing behind',
      passed: Boolean(test?.rolledBack),
      detail: test?.rolledBack ? 'DXY rows in the window are as before the test' : 'test rows persisted',
    },
  ];
  return checks;
}

export interface TestResult {
  window: { from: string; to: string };
  functionResult: Record<string, unknown>;
  minutesCompared: number;
  skippedIncomplete: number;
  maxRelativeDiffLegacy: number;
  maxRelativeDiffFormula: number;
  legacyMismatches: { ts_utc: string; legacy: number; new: number }[];
  formulaMismatches: { ts_utc: string; formula: number; new: number }[];
  missingInNew: string[];
  /** Legacy minutes in the window whose component bars are gone: holes, reported, not failed. */
  legacyWithoutComponents?: string[];
  rolledBack: boolean;
}

async function testOnRecentWindow(
  sql: SqlOrTx,
  now: Date,
  /** The run's ctx.exec: the call writes (then rolls back), so it is one of the previewed statements. */
  write: StatementExecutor,
): Promise<TestResult> {
  const [last] = await sql<{ ts: Date | null }[]>`
    select max(ts_utc) as ts from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc <= ${now}`;
  if (!last?.ts) throw new Error('No legacy DXY minutes to test against.');
  const to = new Date(last.ts.getTime() + 60_000);
  const from = new Date(to.getTime() - TEST_WINDOW_MINUTES * 60_000);
  const countInWindow = async () => {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${from} and ts_utc < ${to}`;
    return row?.n ?? 0;
  };
  const before = await countInWindow();
  const result: Omit<TestResult, 'rolledBack'> = await inRolledBackTransaction(sql, async (tx) => {
    // Judge only the minutes this call wrote (a new row version): rows already there — an earlier
    // attempt's — are phase 2's and phase 4's to judge.
    const versionsBefore = new Map(
      (
        await tx<{ ts_utc: Date; version: string }[]>`
            select ts_utc, xmin::text || ':' || ctid::text as version from public.data_bars
             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${to}`
      ).map((r) => [r.ts_utc.getTime(), r.version]),
    );
    const { rows: calls } = (await write(tx, bound(REGENERATE_RANGE_SQL, [from, to]))) as {
      rows: { result: Record<string, unknown> }[];
    };
    const call = calls[0] && { r: calls[0].result };
    const rows = (
      await tx<{ ts_utc: Date; new_close: number; legacy_close: number | null; version: string }[]>`
        select n.ts_utc, n.close as new_close, d.close as legacy_close, n.xmin::text || ':' || n.ctid::text as version
          from public.data_bars n
          left join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m'
               and d.ts_utc = n.ts_utc and d.deleted_at is null
         where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= ${from} and n.ts_utc < ${to}`
    ).map((r) => ({ ...r, written: versionsBefore.get(r.ts_utc.getTime()) !== r.version }));
    const components = await tx<{ ts_utc: Date; symbol: DxyComponent; close: number }[]>`
        select ts_utc, canonical_symbol as symbol, close from public.data_bars
         where timeframe = '1m' and canonical_symbol in ${tx([...DXY_COMPONENTS])} and ts_utc >= ${from} and ts_utc < ${to}`;
    const legacyMinutes = await tx<{ ts_utc: Date }[]>`
        select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
           and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}`;
    const closes = new Map<number, Partial<Record<DxyComponent, number>>>();
    for (const c of components)
      closes.set(c.ts_utc.getTime(), { ...closes.get(c.ts_utc.getTime()), [c.symbol]: c.close });
    const produced = new Set(rows.map((r) => r.ts_utc.getTime()));
    let maxLegacy = 0;
    let maxFormula = 0;
    const legacyMismatches: TestResult['legacyMismatches'] = [];
    const formulaMismatches: TestResult['formulaMismatches'] = [];
    for (const row of rows.filter((r) => r.written)) {
      const iso = row.ts_utc.toISOString();
      if (row.legacy_close !== null) {
        const diff = Math.abs(row.new_close - row.legacy_close) / Math.abs(row.legacy_close);
        maxLegacy = Math.max(maxLegacy, diff);
        if (diff > TOLERANCE) legacyMismatches.push({ ts_utc: iso, legacy: row.legacy_close, new: row.new_close });
      }
      const formula = computeDxy(closes.get(row.ts_utc.getTime()) ?? {});
      // Kept finite: the result is stored as JSON, where Infinity would become null.
      const diff = formula === null ? 1 : Math.abs(row.new_close - formula) / formula;
      maxFormula = Math.max(maxFormula, diff);
      if (diff > TOLERANCE) formulaMismatches.push({ ts_utc: iso, formula: formula ?? Number.NaN, new: row.new_close });
    }
    return {
      window: { from: from.toISOString(), to: to.toISOString() },
      functionResult: call?.r ?? {},
      minutesCompared: rows.filter((r) => r.written).length,
      skippedIncomplete: Number(call?.r.skipped ?? 0),
      maxRelativeDiffLegacy: maxLegacy,
      maxRelativeDiffFormula: maxFormula,
      legacyMismatches,
      formulaMismatches,
      // A legacy minute whose components are gone is a hole that predates the migration, not a miss.
      missingInNew: legacyMinutes
        .filter((m) => !produced.has(m.ts_utc.getTime()) && computeDxy(closes.get(m.ts_utc.getTime()) ?? {}) !== null)
        .map((m) => m.ts_utc.toISOString()),
      legacyWithoutComponents: legacyMinutes
        .filter((m) => !produced.has(m.ts_utc.getTime()) && computeDxy(closes.get(m.ts_utc.getTime()) ?? {}) === null)
        .map((m) => m.ts_utc.toISOString()),
    };
  });
  return { ...result, rolledBack: (await countInWindow()) === before };
}
