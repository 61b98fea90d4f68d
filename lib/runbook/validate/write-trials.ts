/**
 * Validate's write trials of the forward plan (docs/phases.md "Validate — before the night"): every
 * stage that writes runs against a handful of real keys, each in a transaction of its own that is
 * always rolled back, with the same statements the phases run (their builders and previews, never a
 * copy of their SQL). A trial first applies, inside its transaction, what the plan's earlier steps
 * would have done (phase 2's schema fix), so it sees the database as its phase will. A failing
 * statement (a constraint, a missing column, a function nobody understands) is a NO-GO naming it.
 * The rollback's trials are in ./rollback-trials.ts.
 */
import { MINUTE_MS } from '../../time-units';
import { readSchemaReport } from '../phases/2-schema/schema-report';
import { CALC_DXY_RANGE_1M_SIGNATURE, calcDxyRange1mSql } from '../phases/3-function/calc-dxy-range-1m';
import { createWithGrants } from '../phases/3-function/function-grants';
import { AGGREGATOR_5M, planAggregatorReplacement } from '../phases/5-switch/aggregator-function';
import { probeAggregatorInput, probeFailure } from '../phases/5-switch/aggregator-probe';
import { REGISTRY_UPDATE_SQL } from '../phases/5-switch/registry-metadata';
import { COMPARISON_INDEXES } from '../phases/shared/comparison-indexes';
import { copyLegacyIntoEmptyRange } from '../phases/shared/copy-legacy';
import { NOT_FINAL_FORM_SQL, normalizeEarlierAttemptSql } from '../phases/shared/earlier-attempt';
import {
  type FunctionFacts,
  functionAttributeDifferences,
  readFunctionFacts,
} from '../phases/shared/function-inspection';
import { executePrivilegesCheck, readExecutePrivileges } from '../phases/shared/function-privileges';
import { readColumns } from '../phases/shared/schema-inspection';
import { backfillTrial, functionRestoreTrial, restoreSoftDeletedTrial } from './rollback-trials';
import {
  applySchemaFix,
  copyRange,
  notCopied,
  TRIAL_KEYS,
  TRIAL_MIGRATION_RUN,
  TRIAL_RANGE_SCAN,
  type TrialContext,
  trial,
  trialAfterSoftDelete,
  trialRange,
} from './trial-support';
import { finding, go, noGo, type ValidationItem } from './verdict';

export type { TrialContext };

async function schemaFixTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Phase 2 · Apply fix (schema)';
  return trial(name, ctx.database.sql, ctx.config, async (tx) => {
    const { ran, skipped, notValidated } = await applySchemaFix(tx);
    const report = await readSchemaReport(tx);
    // The comparison indexes are built on the night, and the earlier attempt's rows are the normalization trial's.
    const failing = report.checks.filter((c) => !c.passed && !isComparisonCheck(c.name) && !/final form/i.test(c.name));
    if (failing.length > 0)
      return noGo(
        'write-trial',
        name,
        `after its ${ran.length} statements the schema report still fails: ${failing.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
      );
    // Said, not hidden: the night validates what the trial left NOT VALID (trial-support.ts applySchemaFix).
    const left =
      notValidated.length === 0
        ? ''
        : `; not run here: ${notValidated.join('; ')} — the new CHECK stays NOT VALID in the trial (it still checks the rows the trials write; the night validates it without holding writers)`;
    return ran.length === 0 && notValidated.length === 0
      ? go('write-trial', name, 'the schema already passes: nothing for the fix to do', { skipped })
      : finding(
          'write-trial',
          name,
          `phase 2’s fix will run ${ran.length + notValidated.length} statements (tried here, rolled back): ${ran.map((s) => s.split('\n')[0]).join('; ')}${left}`,
          { ran, skipped, notValidated },
        );
  });
}

function isComparisonCheck(name: string): boolean {
  return COMPARISON_INDEXES.some((index) => name.includes(index.name)) || /comparison/i.test(name);
}

async function normalizationTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Phase 2 · normalization of the earlier attempt’s rows';
  return trial(name, ctx.database.sql, ctx.config, async (tx) => {
    await applySchemaFix(tx);
    const notFinal = async () => {
      const [row] = await tx.unsafe<{ n: number }[]>(
        `SELECT count(*) AS n FROM public.data_bars n WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND ${NOT_FINAL_FORM_SQL}`,
      );
      return row?.n ?? 0;
    };
    const before = await notFinal();
    if (before === 0) return go('write-trial', name, 'data_bars holds no DXY row outside the final form');
    const setsUpdatedAt = (await readColumns(tx, 'data_bars')).has('updated_at');
    const changed = await tx.unsafe(normalizeEarlierAttemptSql({ setsUpdatedAt, batchRows: TRIAL_KEYS }));
    const after = await notFinal();
    if (changed.count === 0 || before - after !== changed.count)
      return noGo(
        'write-trial',
        name,
        `a batch of ${TRIAL_KEYS} changed ${changed.count} rows, but ${before - after} left the non-final form`,
      );
    return finding(
      'write-trial',
      name,
      `${before} DXY rows from an earlier attempt are not in the final form; phase 2’s fix normalizes them (a batch of ${changed.count} tried, rolled back)`,
    );
  });
}

async function copyTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Phase 4 · copy of legacy minutes';
  return trial(name, ctx.database.sql, ctx.config, async (tx) => {
    await applySchemaFix(tx);
    const range = await trialRange(tx);
    if (!range)
      return go(
        'write-trial',
        name,
        `the oldest and the newest ${TRIAL_RANGE_SCAN} legacy minutes are all in data_bars already: nothing there to copy`,
      );
    // Both of phase 4's copy statements: the plain INSERT of a range data_bars holds no DXY minute of (the
    // range's first minute: trialRange chose it as missing there), then the revising upsert over the whole
    // range, which by then holds one.
    const firstMinute = { from: range.from, to: new Date(range.from.getTime() + MINUTE_MS) };
    const plain = await copyLegacyIntoEmptyRange(tx, firstMinute);
    if (plain?.copied !== 1)
      return noGo(
        'write-trial',
        name,
        plain
          ? `the plain INSERT of the legacy minute ${range.from.toISOString()} wrote ${plain.copied} rows, not 1`
          : `the plain INSERT of the legacy minute ${range.from.toISOString()} found its key taken in data_bars`,
      );
    const copied = plain.copied + (await copyRange(tx, range));
    const missing = await notCopied(tx, range);
    if (missing > 0)
      return noGo(
        'write-trial',
        name,
        `copying ${range.from.toISOString()}–${range.to.toISOString()} wrote ${copied} rows; ${missing} legacy minutes are still not in data_bars with the same close`,
      );
    return go(
      'write-trial',
      name,
      `${copied} legacy minutes from ${range.from.toISOString()} copied (the first by the plain INSERT of an empty range, ` +
        'the rest by the revising one) and compared by key and close (rolled back)',
    );
  });
}

async function functionTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Phase 3 · create calc_dxy_range_1m, grants and a call';
  const signature = CALC_DXY_RANGE_1M_SIGNATURE.replace(/^public\./, '');
  return trial(name, ctx.database.sql, ctx.config, async (tx) => {
    await applySchemaFix(tx);
    const [role] = await tx`select 1 from pg_roles where rolname = ${ctx.config.workerRole}`;
    if (!role)
      return noGo('write-trial', name, `role ${ctx.config.workerRole} does not exist: phase 3 refuses to create it`);
    // Phase 3's own create, grant and revokes, on the schema as phase 2's fix leaves it.
    const definition = calcDxyRange1mSql({ setsUpdatedAt: (await readColumns(tx, 'data_bars')).has('updated_at') });
    await createWithGrants(tx, { definition, workerRole: ctx.config.workerRole, run: (t, text) => t.unsafe(text) });
    const overloads = await readFunctionFacts(tx, ['calc_dxy_range_1m']);
    if (overloads.length !== 1)
      return noGo(
        'write-trial',
        name,
        `${overloads.length} overloads of calc_dxy_range_1m after the CREATE: ${overloads.map((f) => f.signature).join('; ')}`,
      );
    const access = executePrivilegesCheck(
      await readExecutePrivileges(tx, { signature, workerRole: ctx.config.workerRole }),
      ctx.config.workerRole,
    );
    if (!access.passed) return noGo('write-trial', name, `after the grants: ${access.detail}`);
    const [last] = await tx<{ ts: Date | null }[]>`
      select max(ts_utc) as ts from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    if (!last?.ts) return finding('write-trial', name, 'created and granted; no legacy minute to call it on');
    const to = new Date(last.ts.getTime() + MINUTE_MS);
    const from = new Date(to.getTime() - TRIAL_KEYS * MINUTE_MS);
    const [call] = await tx<{ r: Record<string, unknown> }[]>`select public.calc_dxy_range_1m(${from}, ${to}) as r`;
    return go(
      'write-trial',
      name,
      `created, EXECUTE for ${ctx.config.workerRole} only; called on ${from.toISOString()}–${to.toISOString()}: ${JSON.stringify(call?.r ?? {})} (rolled back)`,
    );
  });
}

async function aggregatorTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = `Phase 5 · registry update, ${AGGREGATOR_5M} replacement and probe`;
  return trial(name, ctx.database.sql, ctx.config, async (tx) => {
    await applySchemaFix(tx);
    await tx.unsafe(REGISTRY_UPDATE_SQL);
    const plan = await planAggregatorReplacement(tx, process.env, { migrationRunId: ctx.migrationRunId });
    if (!plan.ok) return noGo('write-trial', name, plan.reason);
    for (const statement of plan.statements) await tx.unsafe(statement);
    const after = await readFunctionFacts(tx, [AGGREGATOR_5M]);
    const differences =
      after.length === 1 ? functionAttributeDifferences(plan.current, after[0] as FunctionFacts) : ['overloads added'];
    if (differences.length > 0) return noGo('write-trial', name, `the replacement changed ${differences.join('; ')}`);
    // Phase 5's own probe, in this transaction: registered symbols before their history, rolled back.
    const probe = await probeAggregatorInput(tx);
    const failure = probeFailure(probe);
    if (failure) return noGo('write-trial', name, failure, probe.results);
    return go(
      'write-trial',
      name,
      `replaced ${plan.current.signature} keeping signature, owner, SET and grants; the probe aggregated data_bars only (rolled back)`,
      probe.results,
    );
  });
}

async function softDeleteTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Phase 9 · soft-delete batch';
  return trialAfterSoftDelete(ctx, { name, purpose: 'to try' }, async (tx, deleted) => {
    const [recorded] = await tx<{ n: number; active: number }[]>`
      select count(*)::int as n,
             count(*) filter (where d.deleted_at is null)::int as active
        from cutover.soft_deleted_rows s join public.derived_data_bars d on d.id = s.derived_id
       where s.migration_run_id = ${TRIAL_MIGRATION_RUN}`;
    if (deleted === 0)
      return noGo('write-trial', name, 'a batch soft-deleted nothing, though legacy minutes are in data_bars');
    if ((recorded?.n ?? 0) !== deleted || (recorded?.active ?? 0) > 0)
      return noGo(
        'write-trial',
        name,
        `${deleted} rows soft-deleted, ${recorded?.n ?? 0} recorded for the rollback, ${recorded?.active ?? 0} recorded but active`,
      );
    return go('write-trial', name, `${deleted} legacy rows soft-deleted and recorded for the rollback (rolled back)`);
  });
}

export async function runWriteTrials(ctx: TrialContext): Promise<ValidationItem[]> {
  const trials = [
    schemaFixTrial,
    normalizationTrial,
    functionTrial,
    copyTrial,
    aggregatorTrial,
    softDeleteTrial,
    restoreSoftDeletedTrial,
    backfillTrial,
    functionRestoreTrial,
  ];
  const items: ValidationItem[] = [];
  // One after another: each holds its locks until its rollback, and this runs against production.
  for (const run of trials) items.push(await run(ctx));
  return items;
}
