/**
 * Phase 6 — three health checks before the deployment, on the recent window only and aware of
 * market hours: the new function produces DXY rows in the sanity band; DXY 5m aggregation
 * continues; the workers are healthy in the mode they should be in (legacy until phase 7).
 */

import { z } from 'zod';
import { laggingSymbols } from '../../../market/data-frontier';
import { waitForDataFrontier } from '../../../market/data-frontier-wait';
import { DXY_COMPONENTS } from '../../../market/dxy';
import { countOpenMinutes, floorToMinute, lastOpenMinute } from '../../../market/market-hours';
import { defaultMaxSettleMinutes } from '../../../monitor/monitor-window';
import { MINUTE_MS } from '../../../time-units';
import { definePhase } from '../../engine/define-phase';
import { requireSucceeded } from '../../engine/preconditions';
import { planned } from '../../engine/statements';
import type { Check } from '../../engine/verification';
import { REGENERATE_RANGE_SQL } from '../shared/copy-legacy';
import { checkAggregationContinues, checkNewFunctionProducesRows, checkWorkers } from '../shared/health-checks';

const WINDOW_MINUTES = 15;

/**
 * The time the data checks are judged at: now while the market was open in the last
 * WINDOW_MINUTES; on a closed market, just after its last open minute (the aggregator's delay
 * included), so the function and the aggregation are proven on the session's last minutes instead
 * of passing with nothing expected. Null when the market has not been open for 4 days.
 */
function dataCheckTime(now: Date): Date | null {
  if (countOpenMinutes(new Date(now.getTime() - (WINDOW_MINUTES + 1) * MINUTE_MS), now) > 0) return now;
  const last = lastOpenMinute(now);
  return last && new Date(last.getTime() + 2 * MINUTE_MS);
}

export const phase6HealthChecks = definePhase({
  id: '6',
  number: 6,
  day: 2,
  estimateMinutes: 20,
  pointOfNoReturn:
    'Its call of calc_dxy_range_1m, which commits the DXY minutes of the recent window into data_bars: rows the new path writes anyway (phase 4 already holds their legacy copies). Nothing else changes.',
  stages: [{ id: 'checks', title: 'health checks on the recent window' }],
  checkpoint: z.looseObject({}),
  title: 'Three health checks',
  intent: 'New function produces rows; aggregation continues; workers healthy.',
  description:
    `On the last ${WINDOW_MINUTES} minutes only, market-hours aware: (1) calc_dxy_range_1m produces DXY rows in data_bars for every ` +
    'complete component minute, closes within 80–120; (2) DXY 5m bars keep being produced; (3) the workers are healthy in legacy ' +
    'mode with no failed runs.',

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '5', 'Phase 5 (switch) succeeded')];
  },

  async preview() {
    return {
      summary: [
        `Call calc_dxy_range_1m on the last ${WINDOW_MINUTES} complete minutes and read back what it wrote.`,
        `Count DXY 5m bars for the 5m windows due in the last ${WINDOW_MINUTES} minutes.`,
        'Ask the workers for their status; count failed worker runs in ops_runlog.',
      ],
      sql: [],
      statements: [
        planned('checks', REGENERATE_RANGE_SQL, [
          `the start of the last ${WINDOW_MINUTES} complete minutes`,
          'the end of the last complete minute (exclusive)',
        ]),
      ],
      estimates: { 'window (minutes)': WINDOW_MINUTES },
    };
  },

  async execute(ctx) {
    const now = ctx.clock.now();
    // Complete component minutes only: while a component is held back (staggered ingestion) the
    // recent minutes have no DXY yet, so the data checks are judged up to the data frontier — unless
    // it trails by more than CUTOVER_MONITOR_SETTLE_MAX_MINUTES, or every component stopped at once,
    // when they are judged at now and fail.
    const frontier = await waitForDataFrontier(ctx.sql, {
      needed: floorToMinute(now),
      now,
      maxLateMinutes: defaultMaxSettleMinutes(),
    });
    // Some components ahead of the frontier: late data. All of them stopped together is a stopped feed: judged at now.
    const heldBack = frontier.state === 'wait' && laggingSymbols(frontier.frontier, now).length < DXY_COMPONENTS.length;
    const dataNow = heldBack ? frontier.frontier.through : now;
    if (frontier.state !== 'ready') {
      await ctx.log(
        heldBack
          ? `Data checks judged up to the data frontier ${dataNow.toISOString()}: ${frontier.state === 'wait' ? frontier.reason : ''}.`
          : frontier.state === 'gave up'
            ? `Data checks judged at now: ${frontier.message}.`
            : `Data checks judged at now: no component has reported since ${frontier.frontier.through.toISOString()} (a stopped feed, not late data).`,
        { frontier: frontier.frontier.through.toISOString() },
        heldBack ? 'info' : 'warn',
      );
    }
    const judgedAt = dataCheckTime(dataNow);
    if (!judgedAt)
      throw new Error(
        'No open FX market in the last 4 days: there are no recent minutes to check the new function on.',
      );
    if (judgedAt !== dataNow)
      await ctx.log(
        `The market is closed: the function and the aggregation are checked on the last ${WINDOW_MINUTES} open-market minutes, ` +
          `before the close at ${new Date(judgedAt.getTime() - MINUTE_MS).toISOString()}.`,
      );
    const checks: Check[] = [
      await checkNewFunctionProducesRows(ctx.sql, { now: judgedAt, minutes: WINDOW_MINUTES }, ctx.exec),
      await checkAggregationContinues(ctx.sql, { now: judgedAt, minutes: WINDOW_MINUTES }),
      await checkWorkers(ctx.sql, ctx.workers, { expectedMode: 'legacy', now, minutes: WINDOW_MINUTES }),
    ];
    await ctx.commitStep(
      async () => null,
      () => ({
        result: {
          checkedAt: now.toISOString(),
          dataCheckedAt: judgedAt.toISOString(),
          dataFrontier: frontier.frontier.through.toISOString(),
          checks,
        },
      }),
    );
    return { state: 'done' };
  },

  async verify({ run }) {
    const checks = (run.result.checks ?? []) as Check[];
    return { passed: checks.length === 3 && checks.every((c) => c.passed), checks };
  },
});
