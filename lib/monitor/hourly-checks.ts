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

/**
 * Longest run of consecutive open-market minutes in [from, to) without a DXY bar, judged only where
 * DXY could be derived: a minute with all six components and no DXY counts (the new path missed
 * it), and so does a minute with no component at all (the pipeline was silent); a minute with some
 * but not all components is excused — a symbol late or missing at the provider, and DXY is never
 * derived without all six — and neither lengthens nor breaks a run. Without `components` every
 * minute counts (the judgement before component minutes were read).
 */
export function worstLagMinutes(params: {
  from: Date;
  to: Date;
  minutesWithBars: Set<number>;
  /** Per minute: how many of the six components are in (0 when absent from the map). */
  components?: ReadonlyMap<number, { any: number; valid: number }>;
}): number {
  let worstRun = 0;
  let run = 0;
  for (let t = params.from.getTime(); t < params.to.getTime(); t += MINUTE_MS) {
    if (!isFxOpen(new Date(t))) continue;
    if (params.minutesWithBars.has(t)) {
      run = 0;
      continue;
    }
    const present = params.components?.get(t);
    const partial = present !== undefined && present.any > 0 && present.valid < DXY_COMPONENTS.length;
    if (partial) continue;
    run += 1;
    worstRun = Math.max(worstRun, run);
  }
  return worstRun;
}

/** The freshness thresholds (worst lag in minutes), stored with each result. */
export const FRESHNESS_PASS_MAX = 2;
export const FRESHNESS_WARN_MAX = 10;

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
  // Per minute of the hour: components present, and those calc_dxy_range_1m accepts (NaN and
  // Infinity sort above every number, so "> 0" alone would let them in).
  const componentRows = await sql<{ ts_utc: Date; any: number; valid: number }[]>`
    select ts_utc, count(*)::int as any, count(*) filter (where close > 0 and close < 'Infinity')::int as valid
      from public.data_bars
     where timeframe = '1m' and canonical_symbol in ${sql([...DXY_COMPONENTS])} and ts_utc >= ${from} and ts_utc < ${to}
     group by ts_utc`;
  const components = new Map(componentRows.map((r) => [r.ts_utc.getTime(), { any: r.any, valid: r.valid }]));
  const completeMinutes = componentRows.filter((r) => r.valid === DXY_COMPONENTS.length).map((r) => r.ts_utc.getTime());
  const partialMinutes = componentRows.filter((r) => r.valid < DXY_COMPONENTS.length).length;
  // 5m windows with at least 3 complete minutes: those the aggregator makes a bar of.
  const buckets = new Map<number, number>();
  for (const t of completeMinutes) {
    const bucket = Math.floor(t / (5 * MINUTE_MS));
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  const expected5m = [...buckets.values()].filter((n) => n >= 3).length;

  const lag = worstLagMinutes({ from, to, minutesWithBars: withBars, components });
  const excused = partialMinutes > 0 ? `; ${partialMinutes} minutes missing a component excused` : '';
  const freshness: SnapshotCheck = {
    key: 'freshness',
    name: 'DXY 1m freshness in data_bars (worst lag in the hour)',
    value: lag,
    threshold: `≤ ${FRESHNESS_PASS_MAX} min PASS, ≤ ${FRESHNESS_WARN_MAX} min WARN, more FAIL; minutes missing a component (but not all) and a closed market do not count`,
    warnAt: FRESHNESS_PASS_MAX + 1,
    failAt: FRESHNESS_WARN_MAX + 1,
    verdict: lag <= FRESHNESS_PASS_MAX ? 'PASS' : lag <= FRESHNESS_WARN_MAX ? 'WARN' : 'FAIL',
    detail:
      openMinutes === 0
        ? 'market closed all hour'
        : `longest run of open minutes without a DXY bar (all six components in, or none): ${lag} min${excused}`,
  };

  // Judged against complete-component minutes only: DXY exists exactly where all six do.
  const expected1m = completeMinutes.length;
  const count = completeMinutes.filter((t) => withBars.has(t)).length;
  const missing1m = expected1m - count;
  const bars1m: SnapshotCheck = {
    key: 'bars_1m',
    name: 'DXY 1m bars in the hour',
    value: count,
    threshold: `expected ${expected1m} (minutes with all six components) of ${openMinutes} open minutes; one missing WARN, more FAIL`,
    warnAt: expected1m === 0 ? null : expected1m - 1,
    failAt: expected1m === 0 ? null : expected1m - 2,
    verdict: missing1m <= 0 ? 'PASS' : missing1m === 1 ? 'WARN' : 'FAIL',
    detail: `${count} of ${expected1m} complete component minutes have a DXY bar (${withBars.size} DXY minutes in all; ${openMinutes} open minutes${excused})`,
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
