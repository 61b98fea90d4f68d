/**
 * The writers' freshness read from the data itself, not from what a worker says about itself: the
 * latest 1m bar of each DXY component in data_bars (the tick-factory's ingest), the latest DXY 1m in
 * data_bars (the new path, the bridge) and in derived_data_bars (the legacy path), and the latest
 * DXY 5m and 1h aggregates (the aggregator). Market-calendar aware: a series that stopped at the
 * close is "market closed", not stale (lib/monitor/freshness.ts).
 */
import type { SqlOrTx } from '../db/connection';
import type { DataFrontier } from '../market/data-frontier';
import { DXY_SYMBOL } from '../market/dxy';
import { countOpenMinutes, isFxOpen } from '../market/market-hours';
import { MINUTE_MS } from '../time-units';
import { assessFreshness, type FreshnessState } from './freshness';

export interface WriterFreshness {
  label: string;
  /** Who writes it, in words (the operator's question is "which worker is late?"). */
  writer: string;
  table: 'data_bars' | 'derived_data_bars';
  timeframe: '1m' | '5m' | '1h';
  latest: Date | null;
  /** Open-market minutes between the end of the latest bar's expected successor and now. */
  minutesBehind: number | null;
  state: FreshnessState;
}

/**
 * An aggregate bar [t, t+T) exists once its window ended and its task ran: fresh while the open
 * minutes since the end of the latest bar stay within the cursor allowance (one window, one run
 * interval, the delay and the tolerance).
 */
export function assessAggregateFreshness(params: {
  latest: Date | null;
  now: Date;
  windowMinutes: number;
  allowedMinutes: number;
}): { state: FreshnessState; minutesBehind: number | null } {
  const { latest, now } = params;
  if (!latest) return { state: 'no-data', minutesBehind: null };
  const end = new Date(latest.getTime() + params.windowMinutes * MINUTE_MS);
  const behind = end >= now ? 0 : countOpenMinutes(end, now);
  if (behind > params.allowedMinutes) return { state: 'stale', minutesBehind: behind };
  return { state: isFxOpen(now) ? 'fresh' : 'market-closed', minutesBehind: behind };
}

async function latestBar(
  sql: SqlOrTx,
  params: { table: 'data_bars' | 'derived_data_bars'; timeframe: string; now: Date },
): Promise<Date | null> {
  // A backward index probe on (canonical_symbol, timeframe, ts_utc), bounded by the clock's now.
  const [row] =
    params.table === 'data_bars'
      ? await sql<{ ts_utc: Date }[]>`
          select ts_utc from public.data_bars
           where canonical_symbol = ${DXY_SYMBOL} and timeframe = ${params.timeframe} and ts_utc <= ${params.now}
           order by ts_utc desc limit 1`
      : await sql<{ ts_utc: Date }[]>`
          select ts_utc from public.derived_data_bars
           where canonical_symbol = ${DXY_SYMBOL} and timeframe = ${params.timeframe} and deleted_at is null
             and ts_utc <= ${params.now}
           order by ts_utc desc limit 1`;
  return row?.ts_utc ?? null;
}

export async function readWriterFreshness(
  sql: SqlOrTx,
  params: {
    now: Date;
    frontier: DataFrontier;
    /** Allowed lag of the DXY 5m and 1h aggregates (pipeline-signals-cursors.ts allowedCursorLag). */
    allowed5m: number;
    allowed1h: number;
    slackMinutes?: number;
  },
): Promise<WriterFreshness[]> {
  const { now, slackMinutes } = params;
  const oneMinute = (label: string, writer: string, table: WriterFreshness['table'], latest: Date | null) => {
    const assessed = assessFreshness({ latest, now, slackMinutes });
    return {
      label,
      writer,
      table,
      timeframe: '1m' as const,
      latest,
      minutesBehind: assessed.minutesBehind,
      state: assessed.state,
    };
  };
  const rows: WriterFreshness[] = params.frontier.perSymbol.map((entry) =>
    oneMinute(entry.symbol, 'tick-factory (ingest)', 'data_bars', entry.latest),
  );
  rows.push(
    oneMinute(
      'DXY 1m',
      'new path / bridge',
      'data_bars',
      await latestBar(sql, { table: 'data_bars', timeframe: '1m', now }),
    ),
  );
  rows.push(
    oneMinute(
      'DXY 1m',
      'legacy path',
      'derived_data_bars',
      await latestBar(sql, { table: 'derived_data_bars', timeframe: '1m', now }),
    ),
  );
  for (const [timeframe, windowMinutes, allowed] of [
    ['5m', 5, params.allowed5m],
    ['1h', 60, params.allowed1h],
  ] as const) {
    const latest = await latestBar(sql, { table: 'derived_data_bars', timeframe, now });
    rows.push({
      label: `DXY ${timeframe}`,
      writer: 'aggregator',
      table: 'derived_data_bars',
      timeframe,
      latest,
      ...assessAggregateFreshness({ latest, now, windowMinutes, allowedMinutes: allowed }),
    });
  }
  return rows;
}
