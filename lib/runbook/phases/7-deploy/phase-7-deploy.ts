/**
 * Phase 7 — deploy and restart the workers in mode dual (DXY written to both tables, aggregator
 * reading data_bars only), through the worker-control interface. The checkpoint is written
 * before the deploy command runs, so a console killed mid-deploy does not deploy twice: on
 * resume it asks the workers first. Every legacy minute since phase 4's copy that has no data_bars
 * row is then copied across by key (a minute that landed late included), and every row the copy wrote whose values legacy
 * has revised since takes legacy's (other writers' rows are listed, never overwritten: copy-ownership.ts), then the phase
 * waits for the data to prove the deployment: new DXY
 * minutes from calc_dxy_range_1m in data_bars, the same minutes in derived_data_bars, and DXY 5m
 * bars after the deployment. Its verified end starts the 24-hour window.
 */

import { z } from 'zod';
import { waitForDataFrontier } from '../../../market/data-frontier-wait';
import { countOpenMinutes, floorToMinute } from '../../../market/market-hours';
import { defaultMaxSettleMinutes } from '../../../monitor/monitor-window';
import { MINUTE_MS } from '../../../time-units';
import { definePhase } from '../../engine/define-phase';
import { requireSucceeded } from '../../engine/preconditions';
import { bound, planned } from '../../engine/statements';
import type { Check } from '../../engine/verification';
import { workerModeVerdict } from '../../worker-control/worker-mode-check';
import {
  copyMissingLegacyMinutesSql,
  gapFillStart,
  rederiveNewWriterMinutes,
  rederiveNewWriterMinutesSql,
  reviseCopiedLegacyMinutes,
  reviseCopiedLegacyMinutesSql,
} from '../shared/copy-legacy';
import { describeNotOverwritten, readNotOverwritten } from '../shared/copy-ownership';
import { readAndJudgeFiveMinuteAggregator } from '../shared/five-minute-aggregator';
import { checkAggregationContinues } from '../shared/health-checks';

const DEPLOY_CHECKPOINT = z.looseObject({
  stage: z.enum(['deploying', 'deployed', 'restarted', 'proving']).optional(),
  deployedAt: z.string().optional(),
  /** When the proof found its allowance of data spent with the new minutes written but no 5m bar yet. */
  fiveMinuteAllowanceSpentAt: z.string().optional(),
});
type DeployCheckpoint = z.infer<typeof DEPLOY_CHECKPOINT>;

async function proveDualWrites(sql: import('postgres').Sql, since: Date) {
  const [row] = await sql<{ new_path: number; both: number }[]>`
    select count(*)::int as new_path,
           count(*) filter (where exists (
             select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                and d.ts_utc = n.ts_utc and d.deleted_at is null))::int as both
      from public.data_bars n
     where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= ${since}
       and n.source = 'synthetic' and n.raw->>'kind' = 'dxy' and n.raw->>'copied_from' is null`;
  return { newPath: row?.new_path ?? 0, inBoth: row?.both ?? 0 };
}

/**
 * What proves the deployment in the data. The proving stage waits until all of these pass and
 * the verification checks the same ones, so a run never ends its wait on evidence its own
 * verification then rejects (a first 5m bar of quality 0 did exactly that).
 */
async function deploymentProof(sql: import('postgres').Sql, params: { deployedAt: Date; now: Date }) {
  const writes = await proveDualWrites(sql, params.deployedAt);
  const aggregation = await checkAggregationContinues(sql, { now: params.now, minutes: 30, since: params.deployedAt });
  const writeChecks: Check[] = [
    {
      name: 'New DXY minutes from calc_dxy_range_1m in data_bars',
      passed: writes.newPath > 0,
      detail: `${writes.newPath} minutes since ${params.deployedAt.toISOString()}`,
    },
    {
      name: 'Same minutes still written to derived_data_bars (dual)',
      passed: writes.inBoth > 0 && writes.inBoth >= writes.newPath - 1,
      detail: `${writes.inBoth} of ${writes.newPath} minutes in both tables`,
    },
  ];
  const checks: Check[] = [
    ...writeChecks,
    { ...aggregation, name: 'DXY 5m aggregation continues after the deployment' },
  ];
  const hasFiveMinuteBar = (aggregation.evidence as { bars: unknown[] }).bars.length > 0;
  // Both writers write (whatever the 5m bar): what decides how a missing 5m bar is judged in the proving stage.
  const writing = writeChecks.every((c) => c.passed);
  return { checks, proven: hasFiveMinuteBar && checks.every((c) => c.passed), aggregation, writes, writing };
}

export const phase7Deploy = definePhase({
  id: '7',
  number: 7,
  day: 2,
  estimateMinutes: 30,
  pointOfNoReturn:
    'The deploy command: the workers run mode dual from then on, whatever the phase does next. Only the rollback switches them back.',
  stages: [
    { id: 'deploying', title: 'deploy the workers in mode dual' },
    { id: 'deployed', title: 'restart the workers' },
    { id: 'restarted', title: 'copy the legacy minutes written (or revised) since phase 4' },
    { id: 'proving', title: 'wait for the data to prove the deployment' },
  ],
  checkpoint: DEPLOY_CHECKPOINT,
  title: 'Deploy + restart workers',
  intent: 'Ship the switched workers (dual mode) and verify by the data.',
  description:
    'Deploys the workers in mode dual and restarts them (rehearsal workers, or the commands configured in the environment, output ' +
    'captured). Copies every legacy minute since phase 4 that has no data_bars row (by key) and rewrites the copied rows legacy has ' +
    'revised since (never a row another writer owns: those are listed), then waits until the data proves the deployment: new DXY ' +
    'minutes written by calc_dxy_range_1m in data_bars, the same minutes still in derived_data_bars, and DXY 5m bars after the ' +
    'deployment. The verified end starts the 24-hour window.',

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '6', 'Phase 6 (health checks) succeeded')];
  },

  async preview({ config }) {
    return {
      summary: [
        'workers.deploy("dual"), then workers.restart() — shell commands from CUTOVER_WORKER_*_CMD in production.',
        'Copy every legacy minute since phase 4’s copy that has no data_bars row (by key, so late minutes too).',
        'Rewrite the rows the copy wrote whose open, high, low or close legacy has revised since; calc_dxy_range_1m’s own rows ' +
          'that differ are re-derived by calc_dxy_range_1m from the components; rows any other writer owns are never overwritten, ' +
          'only listed with their owner.',
        `Wait (up to ${config.deploymentProofMinutes} open-market minutes) for new DXY minutes in both tables and a new DXY 5m bar.`,
      ],
      sql: [],
      statements: [
        planned('restarted', copyMissingLegacyMinutesSql(), [
          'phase 4’s first copy start, less the 2 h a legacy minute may land late',
          'the deployment time + 1 minute (exclusive)',
        ]),
        planned('restarted', reviseCopiedLegacyMinutesSql(), [
          'phase 4’s first copy start, less the 2 h a legacy minute may land late',
          'the deployment time + 1 minute (exclusive)',
        ]),
        planned('restarted', rederiveNewWriterMinutesSql(), [
          'phase 4’s first copy start, less the 2 h a legacy minute may land late',
          'the deployment time + 1 minute (exclusive)',
        ]),
      ],
      estimates: {},
    };
  },

  changesWhenStarted: 'deployed or tried to deploy the workers in mode dual',
  async execute(ctx) {
    const checkpoint = ctx.run.checkpoint as DeployCheckpoint;
    const now = ctx.clock.now();
    switch (checkpoint.stage) {
      case undefined:
      case 'deploying': {
        if (checkpoint.stage === 'deploying') {
          const status = await ctx.workers.status();
          if (status.mode === 'dual') {
            await ctx.log(
              'Resumed after an interruption: the workers already run in mode dual; not deploying again.',
              {},
              'warn',
            );
            await ctx.commitStep(
              async () => null,
              () => ({ checkpoint: { stage: 'deployed', deployedAt: checkpoint.deployedAt ?? now.toISOString() } }),
            );
            return { state: 'continue' };
          }
        }
        await ctx.commitStep(
          async () => null,
          () => ({ checkpoint: { stage: 'deploying', deployedAt: now.toISOString() } }),
        );
        const output = await ctx.workers.deploy('dual');
        await ctx.log('Deployed workers in mode dual.', output ? { output } : {});
        await ctx.commitStep(
          async () => null,
          () => ({ checkpoint: { stage: 'deployed', deployedAt: now.toISOString() } }),
        );
        return { state: 'continue' };
      }
      case 'deployed': {
        const output = await ctx.workers.restart();
        await ctx.log('Restarted the workers.', output ? { output } : {});
        await ctx.commitStep(
          async () => null,
          () => ({ checkpoint: { ...checkpoint, stage: 'restarted' } }),
        );
        return { state: 'continue' };
      }
      case 'restarted': {
        const deployedAt = new Date(checkpoint.deployedAt as string);
        const filled = await ctx.commitStep(
          async (tx) => {
            const from = await gapFillStart(tx, { migrationRunId: ctx.run.migrationRunId });
            if (!from) return { copied: 0, revised: [], rederived: [], notOverwritten: null };
            const range = { from, to: new Date(deployedAt.getTime() + MINUTE_MS) };
            const copied = (await ctx.exec(tx, bound(copyMissingLegacyMinutesSql(), [range.from, range.to]))).count;
            const revised = await reviseCopiedLegacyMinutes(tx, range, ctx.exec);
            const rederived = await rederiveNewWriterMinutes(tx, range, ctx.exec);
            return { copied, revised, rederived, notOverwritten: await readNotOverwritten(tx, range) };
          },
          ({ copied, revised, rederived, notOverwritten }) => ({
            checkpoint: { ...checkpoint, stage: 'proving' },
            result: {
              gapFilledRows: copied,
              revisedRows: revised.length,
              revisedSamples: revised.slice(0, 20).map((d) => d.toISOString()),
              rederivedRows: rederived.length,
              notOverwritten,
              deployedAt: deployedAt.toISOString(),
            },
          }),
        );
        await ctx.log(
          `Filled the gap before the deployment: ${filled.copied} legacy minutes copied, ${filled.revised.length} copied ` +
            `minutes rewritten with legacy’s revised values${filled.revised[0] ? ` (first: ${filled.revised[0].toISOString()})` : ''}, ` +
            `${filled.rederived.length} of calc_dxy_range_1m’s own minutes re-derived by it.`,
        );
        const notOverwritten = filled.notOverwritten && describeNotOverwritten(filled.notOverwritten);
        if (notOverwritten) await ctx.log(`${notOverwritten}.`, { notOverwritten: filled.notOverwritten }, 'warn');
        return { state: 'continue' };
      }
      case 'proving': {
        const deployedAt = new Date(checkpoint.deployedAt as string);
        const { proven, writes, aggregation, writing } = await deploymentProof(ctx.sql, { deployedAt, now });
        if (proven) return { state: 'done' };
        // Time counts only as far as every component has reported (the data frontier): while one is held
        // back no minute is complete, so neither writer can show anything yet. Bounded by
        // CUTOVER_MONITOR_SETTLE_MAX_MINUTES: data later than that is not waited for.
        const frontier = await waitForDataFrontier(ctx.sql, {
          needed: floorToMinute(now),
          now,
          maxLateMinutes: defaultMaxSettleMinutes(),
        });
        const judgedTo = frontier.state === 'gave up' ? now : frontier.frontier.through;
        const waited = countOpenMinutes(deployedAt, judgedTo);
        if (
          waited > ctx.config.deploymentProofMinutes &&
          aggregation.detail !== 'no 5m window with open market is due yet'
        ) {
          const failure =
            `No proof of the deployment after ${waited} open-market minutes of complete data: ${writes.newPath} new-path DXY minutes, ` +
            `${writes.inBoth} in both tables, 5m: ${aggregation.detail}`;
          if (!writing) throw new Error(`${failure}.`);
          // Both writers write, only the 5m bar is missing: the minutes may have come in one burst (a component held
          // back) just before the aggregator's next run, so it is judged on a run (../shared/five-minute-aggregator.ts).
          const spentAt = checkpoint.fiveMinuteAllowanceSpentAt
            ? new Date(checkpoint.fiveMinuteAllowanceSpentAt)
            : null;
          const verdict = await readAndJudgeFiveMinuteAggregator(ctx.sql, {
            spentAt,
            now,
            allowanceMinutes: ctx.config.deploymentProofMinutes,
          });
          if (verdict.silent)
            throw new Error(`${failure}: the aggregator is not producing ${verdict.why}. ${verdict.task}`);
          if (!spentAt)
            await ctx.commitStep(
              async () => null,
              () => ({ checkpoint: { ...checkpoint, fiveMinuteAllowanceSpentAt: now.toISOString() } }),
            );
        }
        return {
          state: 'wait',
          reason:
            `waiting for new DXY minutes and a DXY 5m bar after ${deployedAt.toISOString()}` +
            (frontier.state === 'wait' ? `; ${frontier.reason}` : ''),
        };
      }
    }
  },

  async verify(ctx) {
    const deployedAt = new Date((ctx.run.checkpoint as DeployCheckpoint).deployedAt as string);
    const { checks: proof } = await deploymentProof(ctx.sql, { deployedAt, now: ctx.clock.now() });
    const status = await ctx.workers.status();
    const checks: Check[] = [...proof, { name: 'Workers report mode dual', ...workerModeVerdict(status, 'dual') }];
    return { passed: checks.every((c) => c.passed), checks };
  },
});
