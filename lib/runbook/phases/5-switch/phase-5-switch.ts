/**
 * Phase 5 — the switch, in one transaction: DXY's registry metadata (exactly the four keys),
 * the aggregator's 1m→5m function the workers call — found in pg_proc — replaced by production's own
 * definition from phase 1's backup with only its 1m source changed to data_bars (same signature,
 * result, owner, SET and grants; refused when not understood), probed in the same transaction so a
 * failing probe commits nothing (docs/phases.md, phase 5), and a catch-up copy of the legacy minutes written since
 * phase 4, so the data_bars-only aggregator has every DXY minute. Until phase 7 deploys the new
 * writer, the runner keeps copying new legacy minutes across (the bridge). The worker deployment
 * (mode dual) is prepared and recorded for phase 7.
 */
import { z } from 'zod';
import type { SqlOrTx } from '../../../db/connection';
import { definePhase } from '../../engine/define-phase';
import { requireSucceeded } from '../../engine/preconditions';
import { bound, planned, type StatementExecutor } from '../../engine/statements';
import type { Check } from '../../engine/verification';
import { backedUpFunction, backedUpOverloads, getBackup } from '../shared/backup';
import {
  copyMissingLegacyMinutesSql,
  gapFillStart,
  rederiveNewWriterMinutesSql,
  reviseCopiedLegacyMinutesSql,
} from '../shared/copy-legacy';
import { type FunctionFacts, functionAttributeDifferences, readFunctionFacts } from '../shared/function-inspection';
import { executePrivilegesCheck, readExecutePrivileges } from '../shared/function-privileges';
import { readColumns } from '../shared/schema-inspection';
import { AGGREGATOR_5M, planAggregatorReplacement, type ReplacementPlan } from './aggregator-function';
import { probeAggregatorInput, probeFailure, probeStatementTexts } from './aggregator-probe';
import { DXY_REGISTRY_METADATA, REGISTRY_UPDATE_SQL } from './registry-metadata';

const PROBE_CHECK = 'Aggregator reads data_bars only';

export const phase5Switch = definePhase({
  id: '5',
  number: 5,
  day: 2,
  estimateMinutes: 30,
  pointOfNoReturn:
    "The switch's commit: the registry metadata, the aggregator's replacement, its probe and the catch-up copy run in one transaction that commits only when the probe passes. A failure before it leaves production exactly as it was; after it, only the rollback undoes the switch.",
  stages: [{ id: 'switch', title: 'registry, aggregator, probe and catch-up copy in one transaction' }],
  checkpoint: z.looseObject({}),
  title: 'Update tick-factory, aggregator, registry',
  intent: 'New RPC in tick-factory, aggregator reads data_bars only, registry metadata.',
  description:
    "Writes DXY's registry metadata (is_synthetic, base_timeframe, components, derived_timeframes — nothing more), replaces " +
    'aggregate_1m_to_5m_window with a version reading data_bars only, copies the legacy minutes written since phase 4, and ' +
    'prepares the workers’ dual-mode deployment for phase 7. One transaction.',

  async preconditions(ctx) {
    const columns = await readColumns(ctx.database.sql, 'core_asset_registry_all');
    const checks: Check[] = [
      await requireSucceeded(ctx, '4', 'Phase 4 (copy) succeeded'),
      {
        name: 'Registry has a metadata column',
        passed: columns.has('metadata'),
        detail: columns.has('metadata') ? 'present' : 'missing: run phase 2 "Apply fix" first',
      },
    ];
    const plan = await planAggregatorReplacement(ctx.database.sql, process.env, { migrationRunId: ctx.migrationRunId });
    checks.push({
      name: 'The aggregator the workers call is understood',
      passed: plan.ok,
      detail: plan.ok
        ? `${describeAggregator(plan.current)}; replaced by ${plan.candidate.label} (from ${plan.source.label}), keeping signature, result type, owner, SET and grants${plan.note ? `; ${plan.note}` : ''}`
        : plan.reason,
      evidence: plan.ok
        ? { function: withoutDefinition(plan.current), diff: plan.diff }
        : plan.found.map(withoutDefinition),
    });
    if (ctx.migrationRunId !== null) {
      const backup = await getBackup(ctx.database.sql, { migrationRunId: ctx.migrationRunId });
      const saved = backup ? backedUpFunction(backup, AGGREGATOR_5M) : undefined;
      const live = plan.ok ? plan.current : undefined;
      checks.push({
        name: 'Old aggregator definition backed up',
        passed: Boolean(saved) && (!live || saved?.signature === live.signature),
        detail: saved
          ? live && saved.signature !== live.signature
            ? `the backup holds ${saved.signature}, the database ${live.signature}: the function changed since phase 1`
            : `${saved.signature} in backup #${backup?.id}`
          : backup && backedUpOverloads(backup, AGGREGATOR_5M).length > 1
            ? 'the backup holds several overloads: a rollback could not tell which to restore'
            : 'not in the backup: a rollback could not restore it',
      });
    }
    return checks;
  },

  async preview({ database, migrationRunId }) {
    const plan = await planAggregatorReplacement(database.sql, process.env, { migrationRunId });
    const statements = [
      planned('switch', REGISTRY_UPDATE_SQL),
      ...(plan.ok ? plan.statements.map((statement) => planned('switch', statement)) : []),
      // Refused, it runs nothing: no probe texts to read (the tables may not even be there).
      ...(plan.ok
        ? (await probeStatementTexts(database.sql)).map((text) => planned('switch', text, probeParameters(text)))
        : []),
      planned('switch', copyMissingLegacyMinutesSql(), [
        'phase 4’s first start less the lateness margin',
        'the clock’s minute after now',
      ]),
      // The bridge's other two statements (bridge.ts): run by the runner every tick from this phase's
      // success to phase 7's, not by this run; listed here so the person who starts the switch sees them.
      planned('switch', reviseCopiedLegacyMinutesSql(), [
        'the bridge: the later of phase 4’s first start less the lateness margin and 6 hours ago',
        'the clock’s minute after now',
      ]),
      planned('switch', rederiveNewWriterMinutesSql(), [
        'the bridge: the later of phase 4’s first start less the lateness margin and 6 hours ago',
        'the clock’s minute after now',
      ]),
    ];
    return {
      summary: [
        `Merge into DXY's metadata: ${JSON.stringify(DXY_REGISTRY_METADATA)}.`,
        plan.ok
          ? `Replace ${describeAggregator(plan.current)} with ${plan.candidate.label} (from ${plan.source.label}; the diff below), then give back its SECURITY DEFINER and SET; owner and grants stay.`
          : `Refused: ${plan.reason}`,
        'Before committing, probe it in the same transaction (rows for DXY and a component, before their history, rolled back): bars only in derived_data_bars must produce nothing, bars only in data_bars a 5m bar. A failing probe rolls the whole switch back.',
        'Copy legacy DXY minutes written since phase 4 into data_bars (by key; never overwriting another writer’s row).',
        'Then, every runner tick until phase 7 (the bridge): the same copy, a rewrite of the copy’s own rows whose values legacy ' +
          'revised in the last 6 hours, and calc_dxy_range_1m re-deriving its own rows the revised components now give legacy’s value for.',
        'Record the deployment target (workers in mode dual) for phase 7.',
      ],
      // Every text the run sends, the probe's rolled-back rows included ($n bound while running).
      sql: statements.map((statement) => statement.text),
      statements,
      estimates: {},
      ...(plan.ok ? { diff: { title: `${AGGREGATOR_5M}: what the replacement changes`, text: plan.diff } } : {}),
    };
  },

  async execute(ctx) {
    const now = ctx.clock.now();
    const outcome = await ctx.commitStep(
      async (tx) => {
        const [before] = await tx<
          { metadata: unknown }[]
        >`select metadata from public.core_asset_registry_all where canonical_symbol = 'DXY'`;
        if (!before) throw new Error('DXY is not in core_asset_registry_all.');
        await ctx.exec(tx, bound(REGISTRY_UPDATE_SQL));
        const plan: ReplacementPlan = await planAggregatorReplacement(tx, process.env, {
          migrationRunId: ctx.run.migrationRunId,
        });
        if (!plan.ok) throw new Error(plan.reason);
        for (const statement of plan.statements) await ctx.exec(tx, bound(statement));
        const after = await readFunctionFacts(tx, [AGGREGATOR_5M]);
        const differences =
          after.length === 1
            ? functionAttributeDifferences(plan.current, after[0] as FunctionFacts)
            : ['overloads added'];
        if (differences.length > 0)
          throw new Error(`Replacing ${plan.current.signature} changed ${differences.join('; ')}: rolled back.`);
        // Verify before commit: the verification's own checks, the probe among them (rolled back to a
        // savepoint), see the switch in this transaction; a failing one rolls the whole switch back.
        const checks = await switchChecks(tx, {
          migrationRunId: ctx.run.migrationRunId,
          workerRole: ctx.config.workerRole,
          write: ctx.exec,
        });
        const failing = checks.filter((c) => !c.passed);
        if (failing.length > 0)
          throw new Error(
            `The switch failed its checks before commit, so nothing was committed: ${failing.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
          );
        const probe = (checks.find((c) => c.name === PROBE_CHECK)?.evidence as { results?: unknown } | undefined)
          ?.results;
        // By key since phase 4's copy: a legacy minute that landed late is carried across too.
        const from = (await gapFillStart(tx, { migrationRunId: ctx.run.migrationRunId })) ?? now;
        const { count: caughtUp } = await ctx.exec(
          tx,
          bound(copyMissingLegacyMinutesSql(), [from, new Date(now.getTime() + 60_000)]),
        );
        return { metadataBefore: before.metadata, caughtUp, from, probe };
      },
      (value) => ({
        result: {
          metadataBefore: value.metadataBefore,
          metadataWritten: DXY_REGISTRY_METADATA,
          aggregatorReplaced: true,
          catchUpRows: value.caughtUp,
          probeBeforeCommit: value.probe,
          workerDeploymentPrepared: 'dual',
        },
      }),
    );
    await ctx.log(
      `Registry and aggregator switched; ${outcome.caughtUp} legacy minutes copied since ${outcome.from.toISOString()}.`,
    );
    return { state: 'done' };
  },

  async verify({ sql, run, config, exec }) {
    const checks = await switchChecks(sql, {
      migrationRunId: run.migrationRunId,
      workerRole: config.workerRole,
      write: exec,
    });
    return { passed: checks.every((c) => c.passed), checks };
  },
});

/**
 * What proves the switch, run twice: inside its transaction before it commits (a failure rolls the
 * whole switch back) and again on the committed state as the phase's verification. The registry's four
 * keys, one aggregator with everything the backup recorded (owner, SET, grants as well as signature
 * and result: a change since phase 1 refuses the switch), and the behavioural probe.
 */
async function switchChecks(
  sql: SqlOrTx,
  params: { migrationRunId: number; workerRole: string; write: StatementExecutor },
): Promise<Check[]> {
  const [registry] = await sql<{ metadata: Record<string, unknown> }[]>`
    select metadata from public.core_asset_registry_all where canonical_symbol = 'DXY'`;
  const metadata = registry?.metadata ?? {};
  const expected = DXY_REGISTRY_METADATA as Record<string, unknown>;
  const wrongKeys = Object.keys(expected).filter((k) => JSON.stringify(metadata[k]) !== JSON.stringify(expected[k]));
  const live = await readFunctionFacts(sql, [AGGREGATOR_5M]);
  const backup = await getBackup(sql, { migrationRunId: params.migrationRunId });
  const saved = backup ? backedUpFunction(backup, AGGREGATOR_5M) : undefined;
  const kept = live.length === 1 && saved ? functionAttributeDifferences(saved, live[0] as FunctionFacts) : null;
  const privileges =
    live.length === 1
      ? await readExecutePrivileges(sql, {
          signature: (live[0] as FunctionFacts).signature,
          workerRole: params.workerRole,
        })
      : null;
  let probe: Awaited<ReturnType<typeof probeAggregatorInput>> | null = null;
  let probeError: string | null = null;
  try {
    probe = await probeAggregatorInput(sql, params.write);
  } catch (error) {
    probeError = error instanceof Error ? error.message : String(error);
  }
  const checks: Check[] = [
    {
      name: 'Registry metadata has the four keys',
      passed: wrongKeys.length === 0,
      detail: wrongKeys.length === 0 ? JSON.stringify(metadata) : `wrong or missing: ${wrongKeys.join(', ')}`,
      evidence: metadata,
    },
    {
      name: 'One aggregator, with the signature, result, owner, SET and grants it had',
      passed: kept !== null && kept.length === 0,
      detail:
        live.length !== 1
          ? `${live.length} overloads of ${AGGREGATOR_5M}: ${live.map((f) => f.signature).join('; ')}`
          : !saved
            ? 'no single backed-up definition to compare with'
            : kept && kept.length > 0
              ? `differs from the backup: ${kept.join('; ')}`
              : describeAggregator(live[0] as FunctionFacts),
      evidence: live.map(({ definition: _definition, ...facts }) => facts),
    },
    {
      name: 'Aggregator reads data_bars only',
      passed: probe !== null && probeFailure(probe) === null,
      detail: probeError
        ? `the probe call failed: ${probeError}`
        : ((probe && probeFailure(probe)) ??
          'called by name with named arguments as the workers do: bars only in data_bars aggregated, bars only in derived_data_bars ignored (probe with registered symbols before their history, rolled back)'),
      evidence: probe ? { results: probe.results, probes: probe.probes } : undefined,
    },
  ];
  if (privileges) {
    // The replacement keeps the grants it found (checked above); who else may call a SECURITY
    // DEFINER writer is reported so that it is seen, not silently carried along.
    const report = executePrivilegesCheck(privileges, params.workerRole);
    checks.push({
      ...report,
      name: `Who can execute ${AGGREGATOR_5M} (kept as it was)`,
      kind: 'finding',
      passed: true,
      detail: report.passed
        ? report.detail
        : `${report.detail} — as before the migration; revoke separately if unintended`,
    });
  }
  return checks;
}

/**
 * What each $n of a probe statement is: a column of the probe row (registered symbols, a window
 * before their history, rolled back), or an argument of the probe's call of the aggregator.
 */
function probeParameters(text: string): string[] {
  const columns = /^INSERT INTO \S+ \(([^)]*)\)/.exec(text)?.[1];
  if (columns) return columns.split(',').map((c) => `${c.trim().replace(/^"|"$/g, '')} of the probe row (rolled back)`);
  return [...text.matchAll(/(\w+) => \$\d+/g)].map((m) => `${m[1]} of the probe's call (rolled back)`);
}

function withoutDefinition({ definition: _definition, ...facts }: FunctionFacts): Omit<FunctionFacts, 'definition'> {
  return facts;
}

function describeAggregator(f: FunctionFacts): string {
  return (
    `${f.signature} → ${f.resultType} (owner ${f.owner}${f.securityDefiner ? ', SECURITY DEFINER' : ''}` +
    `${f.config?.length ? `, SET ${f.config.join(' ')}` : ''})`
  );
}
