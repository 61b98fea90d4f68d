/**
 * Phase 9's proof that the legacy writer stopped: after a minute of grace, no legacy row written (by write time,
 * updated_at/created_at) while complete component minutes keep arriving; the fence's refusals are reported.
 */
import { waitForDataFrontier } from '../../../market/data-frontier-wait';
import { DXY_COMPONENTS } from '../../../market/dxy';
import { countOpenMinutes, floorToMinute, isFxOpen } from '../../../market/market-hours';
import { defaultMaxSettleMinutes } from '../../../monitor/monitor-window';
import { MINUTE_MS } from '../../../time-units';
import type { PhaseContext, StepOutcome } from '../../engine/types';
import { describeWriters, readFenceRefusals } from '../shared/legacy-fence-state';
import { nextFxOpen } from '../shared/legacy-path-proof';
import { readColumns } from '../shared/schema-inspection';
import type { SoftDeleteCheckpoint } from './soft-delete-checkpoint';
import { STOP_PROOF_MINUTES } from './soft-delete-timing';

/** Legacy rows written (by write time) since `since`, except the rollback's own back-fills. */
async function legacyWritesSince(ctx: PhaseContext, since: Date): Promise<{ n: number; samples: string[] }> {
  const columns = await readColumns(ctx.sql, 'derived_data_bars');
  const written = ['updated_at', 'created_at'].filter((c) => columns.has(c));
  if (written.length === 0)
    throw new Error(
      'derived_data_bars has neither updated_at nor created_at: the legacy writer cannot be proven stopped by write time.',
    );
  const writtenAt = written.length === 2 ? 'greatest(updated_at, created_at)' : written[0];
  const [row] = await ctx.sql.unsafe<{ n: number; samples: string[] | null }[]>(
    `SELECT count(*)::int AS n,
            (array_agg(ts_utc::text || ' written ' || (${writtenAt})::text ORDER BY ${writtenAt}))[1:5] AS samples
       FROM public.derived_data_bars
      WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL
        AND raw->>'backfilled_from' IS NULL AND ${writtenAt} >= $1`,
    [since],
  );
  return { n: row?.n ?? 0, samples: row?.samples ?? [] };
}

/** Complete component minutes (all six) ingested since `since` (by ingested_at, their write time). */
async function componentMinutesIngestedSince(ctx: PhaseContext, since: Date): Promise<number> {
  const [row] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from (
      select ts_utc from public.data_bars
       where timeframe = '1m' and canonical_symbol in ${ctx.sql([...DXY_COMPONENTS])}
         and ts_utc >= ${new Date(since.getTime() - 10 * MINUTE_MS)} and ingested_at >= ${since}
       group by ts_utc having count(*) = 6) m`;
  return row?.n ?? 0;
}

/** On-time component bars land within this of their minute's end: a frontier further back is late data. */
const INGEST_LAG_MS = 2 * MINUTE_MS;

/** One try of the proof at `now`: on to soft-deleting once proven, waiting for component minutes, or an error. */
export async function proveLegacyWriterStopped(
  ctx: PhaseContext,
  checkpoint: SoftDeleteCheckpoint,
  now: Date,
): Promise<StepOutcome> {
  const deployedAt = new Date(checkpoint.deployedAt as string);
  if (!checkpoint.quietFrom) {
    // A worker run that started before the deployment may still finish its minute: one minute of grace.
    if (now.getTime() < deployedAt.getTime() + MINUTE_MS)
      return { state: 'wait', reason: 'letting in-flight legacy writes finish' };
    const [db] = await ctx.sql<{ now: Date }[]>`select now() as now`;
    await ctx.commitStep(
      async () => null,
      () => ({
        checkpoint: {
          ...checkpoint,
          quietFrom: now.toISOString(),
          quietFromDb: (db?.now ?? new Date()).toISOString(),
        },
      }),
    );
    return { state: 'continue' };
  }
  const quietFrom = new Date(checkpoint.quietFrom);
  const writes = await legacyWritesSince(ctx, new Date(checkpoint.quietFromDb as string));
  if (writes.n > 0) {
    throw new Error(
      `The legacy writer is still on: ${writes.n} legacy DXY rows written since ${quietFrom.toISOString()} ` +
        `(by write time: ${writes.samples.join('; ')}). Nothing was deleted.`,
    );
  }
  const components = await componentMinutesIngestedSince(ctx, quietFrom);
  if (components < STOP_PROOF_MINUTES) {
    if (!isFxOpen(now))
      return {
        state: 'wait',
        reason: `the market is closed: the proof that the legacy writer stopped needs arriving component minutes; waiting for the open at ${nextFxOpen(now).toISOString()}`,
      };
    // Component minutes are judged as far as every component has reported (the data frontier), not
    // up to now: a late symbol makes the phase wait, bounded by CUTOVER_MONITOR_SETTLE_MAX_MINUTES.
    const frontier = await waitForDataFrontier(ctx.sql, {
      needed: new Date(floorToMinute(now).getTime() - INGEST_LAG_MS),
      now,
      maxLateMinutes: defaultMaxSettleMinutes(),
    });
    const judgedTo = frontier.state === 'gave up' ? now : frontier.frontier.through;
    if (countOpenMinutes(quietFrom, judgedTo) > ctx.config.deploymentProofMinutes)
      throw new Error(
        `Only ${components} complete component minutes arrived in the ${ctx.config.deploymentProofMinutes} open-market minutes after ` +
          `${quietFrom.toISOString()}: the silence of the legacy writer proves nothing. Nothing was deleted.`,
      );
    return {
      state: 'wait',
      reason:
        `proving the legacy writer stopped: ${components} of ${STOP_PROOF_MINUTES} complete component minutes arrived since ${quietFrom.toISOString()}, no legacy write` +
        (frontier.state === 'wait' ? `; ${frontier.reason}` : ''),
    };
  }
  await ctx.log(
    `Legacy writer stopped: no legacy row written since ${quietFrom.toISOString()} (by updated_at/created_at) while ` +
      `${components} complete component minutes were ingested.`,
  );
  if (checkpoint.fenceInstalledAtDb) {
    const refused = await readFenceRefusals(ctx.sql, { since: new Date(checkpoint.fenceInstalledAtDb) });
    if (refused.total > 0)
      await ctx.log(
        `The fence refused ${refused.total} legacy DXY writes since it was installed: a writer the deployment does not ` +
          `control keeps trying (${describeWriters(refused.rows)}). Nothing it sent reached derived_data_bars.`,
        {},
        'warn',
      );
  }
  await ctx.commitStep(
    async () => null,
    () => ({ checkpoint: { ...checkpoint, stage: 'soft-deleting' } }),
  );
  return { state: 'continue' };
}
