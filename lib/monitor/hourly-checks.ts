/**
 * The checks of one hourly snapshot (docs/domain.md, the plan's defects 4 and 5): every query is bounded to the
 * hour, every expectation knows FX market hours (a weekend hour expects zero bars and passes), and
 * the thresholds are part of the result so the monitor can draw them.
 */
import type { Sql } from 'postgres';
import type { SnapshotCheck, SnapshotVerdict as Verdict } from '../db/console-schema';
import { DXY_CLOSE_TOLERANCE, DXY_COMPONENTS } from '../market/dxy';
import { countOpenMinutes, isFxOpen } from '../market/market-hours';
import { HOUR_MS, MINUTE_MS } from '../time-units';
import { computeWorkerErrorCheck } from './worker-error-check';

// Declared with the table that stores them (cutover.monitor_snapshots.checks).
export type { SnapshotCheck, SnapshotVerdict as Verdict } from '../db/console-schema';

function worst(verdicts: Verdict[]): Verdict {
  return verdicts.includes('FAIL') ? 'FAIL' : verdicts.includes('WARN') ? 'WARN' : 'PASS';
}

export function overallVerdict(checks: SnapshotCheck[]): Verdict {
  return worst(checks.map((c) => c.verdict));
}

/** Longest run of consecutive open-market minutes in [from, to) without a bar. */
export function worstLagMinutes(params: { from: Date; to: Date; minutesWithBars: Set<number> }): number {
  let worstRun = 0;
  let run = 0;
  for (let t = params.from.getTime(); t < params.to.getTime(); t += MINUTE_MS) {
    if (!isFxOpen(new Date(t))) continue;
    run = params.minutesWithBars.has(t) ? 0 : run + 1;
    worstRun = Math.max(worstRun, run);
  }
  return worstRun;
}

export async function computeHourlyChecks(
  sql: Sql,
  params: { hourStart: Date; dual: boolean },
): Promise<SnapshotCheck[]> {
  const from = params.hourStart;
  const to = new Date(from.getTime() + HOUR_MS);
  const openMinutes = countOpenMinutes(from, to);

  const dxyMinutes = await sql<{ ts_utc: Date }[]>`
    select ts_utc from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${to}`;
  const withBars = new Set(dxyMinutes.map((m) => m.ts_utc.getTime()));
  const [complete] = await sql<{ minutes: number; buckets: number }[]>`
    with complete as (
      select ts_utc from public.data_bars
       where timeframe = '1m' and canonical_symbol in ${sql([...DXY_COMPONENTS])} and ts_utc >= ${from} and ts_utc < ${to}
         -- What calc_dxy_range_1m accepts: NaN and Infinity sort above every number, so "> 0" alone lets them in.
         and close > 0 and close < 'Infinity'
       group by ts_utc having count(*) = 6)
    select (select count(*)::int from complete) as minutes,
           (select count(*)::int from (
              select floor(extract(epoch from ts_utc) / 300) from complete group by 1 having count(*) >= 3) b) as buckets`;
  const completeMinutes = complete?.minutes ?? 0;
  const expected5m = complete?.buckets ?? 0;

  const lag = worstLagMinutes({ from, to, minutesWithBars: withBars });
  const freshness: SnapshotCheck = {
    key: 'freshness',
    name: 'DXY 1m freshness in data_bars (worst lag in the hour)',
    value: lag,
    threshold: '≤ 2 min PASS, ≤ 10 min WARN, more FAIL; closed market passes',
    warnAt: 3,
    failAt: 11,
    verdict: lag <= 2 ? 'PASS' : lag <= 10 ? 'WARN' : 'FAIL',
    detail: openMinutes === 0 ? 'market closed all hour' : `longest run of open minutes without a DXY bar: ${lag} min`,
  };

  const count = withBars.size;
  const bars1mVerdict: Verdict =
    openMinutes === 0
      ? count === 0
        ? 'PASS'
        : 'WARN'
      : count < completeMinutes - 1 || count < 0.9 * openMinutes
        ? 'FAIL'
        : count < 0.95 * openMinutes
          ? 'WARN'
          : 'PASS';
  const bars1m: SnapshotCheck = {
    key: 'bars_1m',
    name: 'DXY 1m bars in the hour',
    value: count,
    threshold: `expected ${completeMinutes} (minutes with all six components) of ${openMinutes} open minutes; WARN below 95 %, FAIL below 90 % of open`,
    warnAt: openMinutes === 0 ? null : Math.ceil(0.95 * openMinutes),
    failAt: openMinutes === 0 ? null : Math.ceil(0.9 * openMinutes),
    verdict: bars1mVerdict,
    detail: `${count} DXY minutes; ${completeMinutes} complete component minutes; ${openMinutes} open minutes`,
  };

  const [fiveMinute] = await sql<{ n: number; last: Date | null }[]>`
    select count(*)::int as n, max(ts_utc) as last from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}`;
  const bars5 = fiveMinute?.n ?? 0;
  const bars5m: SnapshotCheck = {
    key: 'bars_5m',
    name: 'DXY 5m bars in the hour',
    value: bars5,
    threshold: `expected ${expected5m} (5m windows with ≥ 3 complete minutes); one missing WARN, more FAIL`,
    warnAt: expected5m === 0 ? null : expected5m - 1,
    failAt: expected5m === 0 ? null : expected5m - 2,
    verdict: bars5 >= expected5m ? 'PASS' : bars5 === expected5m - 1 ? 'WARN' : 'FAIL',
    detail: `${bars5} of ${expected5m} expected; latest ${fiveMinute?.last?.toISOString() ?? 'none'}`,
  };

  const previous = new Date(from.getTime() - HOUR_MS);
  const [hourBar] = await sql<{ bar: number; fives: number }[]>`
    select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1h'
              and deleted_at is null and ts_utc = ${previous}) as bar,
           (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m'
              and deleted_at is null and ts_utc >= ${previous} and ts_utc < ${from}) as fives`;
  const hourExpected = (hourBar?.fives ?? 0) >= 7;
  const bar1h: SnapshotCheck = {
    key: 'bar_1h',
    name: 'DXY 1h bar for the previous hour',
    value: hourBar?.bar ?? 0,
    threshold: hourExpected
      ? `expected 1 (${hourBar?.fives} 5m bars in ${previous.toISOString().slice(11, 16)})`
      : 'not expected (fewer than 7 5m bars)',
    warnAt: null,
    failAt: hourExpected ? 1 : null,
    verdict: !hourExpected || (hourBar?.bar ?? 0) > 0 ? 'PASS' : 'FAIL',
    detail: hourExpected ? ((hourBar?.bar ?? 0) > 0 ? 'present' : 'missing') : 'no 1h bar expected',
  };

  const [parityRow] = await sql<{ compared: number; differing: number; sample: string | null }[]>`
    select count(*)::int as compared,
           count(*) filter (where abs(n.close - o.close) > ${DXY_CLOSE_TOLERANCE} * abs(o.close))::int as differing,
           min(n.ts_utc::text) filter (where abs(n.close - o.close) > ${DXY_CLOSE_TOLERANCE} * abs(o.close)) as sample
      from public.data_bars n
      join public.derived_data_bars o on o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.ts_utc = n.ts_utc and o.deleted_at is null
     where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= ${from} and n.ts_utc < ${to}`;
  const differing = parityRow?.differing ?? 0;
  const parity: SnapshotCheck = {
    key: 'parity',
    name: 'Parity: same close in both tables',
    value: differing,
    threshold: `relative difference ≤ ${DXY_CLOSE_TOLERANCE}; any differing minute FAILs`,
    warnAt: null,
    failAt: 1,
    verdict: differing === 0 ? 'PASS' : 'FAIL',
    detail: params.dual
      ? `${differing} of ${parityRow?.compared ?? 0} shared minutes differ${parityRow?.sample ? `, first ${parityRow.sample}` : ''}`
      : `not in dual mode; ${parityRow?.compared ?? 0} shared minutes compared`,
  };

  // Only sources production really has, and says so when ops_runlog holds none (./worker-error-check.ts).
  const workerErrors = await computeWorkerErrorCheck(sql, { from, to });

  return [freshness, bars1m, bars5m, bar1h, parity, workerErrors];
}
