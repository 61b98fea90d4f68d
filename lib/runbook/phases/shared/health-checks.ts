/**
 * Recent-window, market-hours-aware checks shared by phase 6 (before the deployment) and phase 7
 * (proof of the deployment). Each looks at the last few minutes only — a count over all time
 * would pass with the pipeline dead (defect 5).
 */
import type { Sql } from 'postgres';
import { DXY_COMPONENTS, DXY_SANITY_BAND } from '../../../market/dxy';
import { usableCloseSql } from '../../../market/dxy-sql';
import { countOpenMinutes } from '../../../market/market-hours';
import { MINUTE_MS } from '../../../time-units';
import { bound, runBound, type StatementExecutor } from '../../engine/statements';
import type { Check } from '../../engine/verification';
import type { WorkerControl, WorkerMode } from '../../worker-control/worker-control';
import { workerModeVerdict } from '../../worker-control/worker-mode-check';
import { REGENERATE_RANGE_SQL } from './copy-legacy';

function floorTo(ms: number, at: Date): Date {
  return new Date(Math.floor(at.getTime() / ms) * ms);
}

/** Calls calc_dxy_range_1m on the last `minutes` complete minutes and checks what it wrote. */
export async function checkNewFunctionProducesRows(
  sql: Sql,
  params: { now: Date; minutes: number },
  /** Phase 6 passes its run's ctx.exec: the call writes, so it is one of the previewed statements. */
  write: StatementExecutor = runBound,
): Promise<Check> {
  const to = floorTo(MINUTE_MS, new Date(params.now.getTime() - MINUTE_MS));
  const from = new Date(to.getTime() - params.minutes * MINUTE_MS);
  const openMinutes = countOpenMinutes(from, to);
  const { rows: calls } = (await write(sql, bound(REGENERATE_RANGE_SQL, [from, to]))) as {
    rows: { result: { inserted: number; updated: number; skipped: number } }[];
  };
  const call = calls[0] && { r: calls[0].result };
  const [rows] = await sql<{ n: number; min: number | null; max: number | null; complete: number }[]>`
    select count(*)::int as n, min(close) as min, max(close) as max,
           (select count(*)::int from (
              select ts_utc from public.data_bars
               where timeframe = '1m' and canonical_symbol in ${sql([...DXY_COMPONENTS])}
                 and ts_utc >= ${from} and ts_utc < ${to} and ${sql.unsafe(usableCloseSql('close'))}
               group by ts_utc having count(*) = 6) c) as complete
      from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${to}`;
  const n = rows?.n ?? 0;
  const inBand = n === 0 || ((rows?.min ?? 0) >= DXY_SANITY_BAND.min && (rows?.max ?? 0) <= DXY_SANITY_BAND.max);
  const evidence = {
    window: { from, to },
    openMinutes,
    call: call?.r,
    rows: n,
    completeComponentMinutes: rows?.complete,
    min: rows?.min,
    max: rows?.max,
  };
  if (openMinutes === 0) {
    return {
      name: 'New function produces DXY rows',
      passed: true,
      detail: 'market closed for the whole window: no rows expected',
      evidence,
    };
  }
  const passed = n > 0 && n >= (rows?.complete ?? 0) && inBand;
  return {
    name: 'New function produces DXY rows',
    passed,
    detail:
      `${n} DXY rows in data_bars for ${rows?.complete ?? 0} complete component minutes of the last ${params.minutes} (${openMinutes} open); ` +
      `closes ${rows?.min?.toFixed(4) ?? '—'}–${rows?.max?.toFixed(4) ?? '—'} (band ${DXY_SANITY_BAND.min}–${DXY_SANITY_BAND.max})`,
    evidence,
  };
}

/** DXY 5m bars for windows that ended (plus the aggregation delay) within the last `minutes`. */
export async function checkAggregationContinues(
  sql: Sql,
  params: { now: Date; minutes: number; since?: Date },
): Promise<Check> {
  const lastDue = floorTo(5 * MINUTE_MS, new Date(params.now.getTime() - 5 * MINUTE_MS - 60_000));
  const from =
    params.since && params.since > new Date(lastDue.getTime() - params.minutes * MINUTE_MS)
      ? floorTo(5 * MINUTE_MS, params.since)
      : new Date(lastDue.getTime() - params.minutes * MINUTE_MS);
  const expectedWindows: string[] = [];
  for (let t = from.getTime(); t <= lastDue.getTime(); t += 5 * MINUTE_MS) {
    if (countOpenMinutes(new Date(t), new Date(t + 5 * MINUTE_MS)) >= 3)
      expectedWindows.push(new Date(t).toISOString());
  }
  const bars = await sql<{ ts_utc: Date; quality_score: number }[]>`
    select ts_utc, quality_score from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null
       and ts_utc >= ${from} and ts_utc <= ${lastDue} order by ts_utc`;
  const evidence = {
    from,
    lastDue,
    expectedWindows: expectedWindows.length,
    bars: bars.map((b) => ({ ts: b.ts_utc, q: b.quality_score })),
  };
  if (expectedWindows.length === 0) {
    return {
      name: 'DXY 5m aggregation continues',
      passed: true,
      detail: 'no 5m window with open market is due yet',
      evidence,
    };
  }
  const good = bars.filter((b) => b.quality_score >= 1).length;
  return {
    name: 'DXY 5m aggregation continues',
    passed: good > 0 && bars.length >= expectedWindows.length - 1,
    detail: `${bars.length} DXY 5m bars (${good} with quality ≥ 1) for ${expectedWindows.length} due windows since ${from.toISOString()}`,
    evidence,
  };
}

export async function checkWorkers(
  sql: Sql,
  workers: WorkerControl,
  params: { expectedMode: WorkerMode; now: Date; minutes: number },
): Promise<Check> {
  const status = await workers.status();
  const since = new Date(params.now.getTime() - params.minutes * MINUTE_MS);
  const [failures] = await sql<{ n: number; last: string | null }[]>`
    select count(*)::int as n, max(events::text) as last from public.ops_runlog
     where job_name in ('tick_factory', 'aggregator') and status = 'failed' and started_at >= ${since}`.catch(() => [
    { n: 0, last: null },
  ]);
  const mode = workerModeVerdict(status, params.expectedMode);
  return {
    name: 'Workers healthy in the expected mode',
    passed: mode.passed && status.healthy && (failures?.n ?? 0) === 0,
    detail:
      `${workers.kind} workers: ${mode.detail}; ` +
      `${failures?.n ?? 0} failed worker runs in the last ${params.minutes} min`,
    // The status command's summary only: its output is in the runner log (admins only).
    evidence: { status, failures },
  };
}
