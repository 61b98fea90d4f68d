/**
 * The rollback's last step: the legacy path writes again — new legacy DXY minutes, and DXY 5m bars aggregated
 * from them for windows after the switch back — or, with the market closed, that proof recorded as pending until
 * the open (the runner checks it then; ../shared/legacy-path-proof.ts).
 */
import type { SqlOrTx } from '../../../db/connection';
import { waitForDataFrontier } from '../../../market/data-frontier-wait';
import { countOpenMinutes, floorToMinute, isFxOpen } from '../../../market/market-hours';
import { defaultMaxSettleMinutes } from '../../../monitor/monitor-window';
import { MINUTE_MS } from '../../../time-units';
import type { PhaseContext, StepOutcome } from '../../engine/types';
import { readAndJudgeFiveMinuteAggregator } from '../shared/five-minute-aggregator';
import { countLegacyFiveMinuteBarsSince, type LegacyPathProof, nextFxOpen } from '../shared/legacy-path-proof';
import type { RollbackCheckpoint } from './rollback-checkpoint';

/** Legacy DXY minutes written by the legacy writer itself (not back-filled) since the switch back. */
export async function countLegacyMinutesSince(sql: SqlOrTx, since: Date): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and source = 'dxy'
       and ts_utc >= ${since} and (raw->>'backfilled_from') is null`;
  return row?.n ?? 0;
}

/** One try of the proof at `now`: done (proven or pending), waiting for data, or an error once the wait is over. */
export async function proveLegacyPathWritesAgain(
  ctx: PhaseContext,
  checkpoint: RollbackCheckpoint,
  now: Date,
): Promise<StepOutcome> {
  const deployedAt = new Date(checkpoint.deployedAt as string);
  // The legacy-gap check (verify) judges complete component minutes up to the data frontier:
  // it waits until every component has reported past the switch back (late data, not a gap).
  const frontierWait = await waitForDataFrontier(ctx.sql, {
    needed: new Date(floorToMinute(deployedAt).getTime() + MINUTE_MS),
    now,
    maxLateMinutes: defaultMaxSettleMinutes(),
  });
  if (frontierWait.state === 'wait')
    return {
      state: 'wait',
      reason: `${frontierWait.reason} (the legacy-gap check needs data past the switch back)`,
    };
  const written = await countLegacyMinutesSince(ctx.sql, deployedAt);
  // DXY 5m must come back too: legacy minutes with the aggregator dead is not a working legacy path.
  const fiveMinute = await countLegacyFiveMinuteBarsSince(ctx.sql, deployedAt);
  const proof: LegacyPathProof | null =
    written > 0 && fiveMinute.bars > 0
      ? {
          state: 'proven',
          switchedAt: deployedAt.toISOString(),
          provenAt: now.toISOString(),
          minutes: written,
          fiveMinuteBars: fiveMinute.bars,
        }
      : !isFxOpen(now)
        ? {
            state: 'pending',
            switchedAt: deployedAt.toISOString(),
            expectedFrom: nextFxOpen(now).toISOString(),
          }
        : null;
  if (proof) {
    if (frontierWait.state === 'gave up')
      await ctx.log(`${frontierWait.message}; the legacy-gap check judges the minutes that arrived.`, {}, 'warn');
    await ctx.commitStep(
      async () => null,
      () => ({ checkpoint: { ...checkpoint, legacyProof: proof }, result: { legacyPathProof: proof } }),
    );
    if (proof.state === 'pending')
      await ctx.log(
        `The market is closed: the data steps are done; the proof that the legacy path writes again is pending until ${proof.expectedFrom} (checked automatically then; alert if silent).`,
      );
    return { state: 'done' };
  }
  // Open minutes are counted only as far as every component has reported (the data frontier): while one is held
  // back no legacy minute is complete, and at high rehearsal speed the clock can run ahead of the workers.
  const dataThrough = frontierWait.state === 'gave up' ? now : frontierWait.frontier.through;
  if (written === 0) {
    if (countOpenMinutes(deployedAt, dataThrough) > ctx.config.deploymentProofMinutes)
      throw new Error(
        `The legacy path wrote no DXY minute in the ${ctx.config.deploymentProofMinutes} open-market minutes after the switch back.`,
      );
  } else {
    // The aggregator's allowance starts where the data stood when legacy minutes were first seen, not at the switch:
    // a component held back past the switch releases many minutes at once, and the aggregator only runs every few minutes.
    const seenAt = checkpoint.legacyMinutesSeenAt ? new Date(checkpoint.legacyMinutesSeenAt) : null;
    if (!seenAt) {
      await ctx.commitStep(
        async () => null,
        () => ({ checkpoint: { ...checkpoint, legacyMinutesSeenAt: dataThrough.toISOString() } }),
      );
    } else if (countOpenMinutes(seenAt, dataThrough) > ctx.config.deploymentProofMinutes) {
      await judgeSilentAggregator(ctx, checkpoint, { now, seenAt, written });
    }
  }
  return {
    state: 'wait',
    reason: `waiting for a legacy DXY minute and a DXY 5m bar aggregated from them after ${deployedAt.toISOString()}`,
  };
}

/** The allowance in data is spent: the aggregator is judged on a run after that (../shared/five-minute-aggregator.ts). */
async function judgeSilentAggregator(
  ctx: PhaseContext,
  checkpoint: RollbackCheckpoint,
  params: { now: Date; seenAt: Date; written: number },
): Promise<void> {
  const { now, seenAt, written } = params;
  const allowance = ctx.config.deploymentProofMinutes;
  const spentAt = checkpoint.fiveMinuteAllowanceSpentAt ? new Date(checkpoint.fiveMinuteAllowanceSpentAt) : null;
  const verdict = await readAndJudgeFiveMinuteAggregator(ctx.sql, { spentAt, now, allowanceMinutes: allowance });
  if (!verdict.silent) {
    if (!spentAt)
      await ctx.commitStep(
        async () => null,
        () => ({ checkpoint: { ...checkpoint, fiveMinuteAllowanceSpentAt: now.toISOString() } }),
      );
    return;
  }
  throw new Error(
    `The legacy path wrote ${written} DXY minutes after the switch back, but no DXY 5m bar was aggregated from them in ` +
      `the ${allowance} open-market minutes of data since ${seenAt.toISOString()}: the aggregator is not producing ` +
      `${verdict.why}. ${verdict.task}`,
  );
}
