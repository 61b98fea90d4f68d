/**
 * The data frontier (docs/phases.md "Monitoring"): the minute up to which every DXY component has
 * reported, so a check that looks at a minute before it is judging data that is complete, and a
 * check that looks past it would judge data that may still arrive. In production the six
 * components of a minute land minutes apart (the tick-factory fetches a few assets per run), so a
 * fixed "now − 2 min" both judges too early (a late symbol) and waits for nothing (a weekend).
 *
 * Per component: its latest 1m bar in public.data_bars (one index probe on
 * (canonical_symbol, timeframe, ts_utc)); it has reported through `latest + 1 min`, extended over
 * any closed market minutes after that (up to the next open minute, or to `now` when the market has
 * been closed ever since), because no bar is expected for a closed minute. `through` (exclusive) is
 * the minimum over the components, never after `now`, floored to the minute.
 */
import type { SqlOrTx } from '../db/connection';
import { DAY_MS, MINUTE_MS } from '../time-units';
import { activeMarketCalendar } from './calendar/active-calendar';
import { openIntervals } from './calendar/sessions';
import { DXY_COMPONENTS } from './dxy';
import { countOpenMinutes, isFxOpen, lastOpenMinute } from './market-hours';

export interface DataFrontier {
  through: Date;
  perSymbol: { symbol: string; latest: Date | null }[];
}

/**
 * How far back a component's latest bar is looked for. The longest closed stretch of the calendar
 * (a weekend joined to a holiday) is under four days, so a symbol with nothing in a week has not
 * reported; it then holds the frontier at the first open minute of the look-back.
 */
export const FRONTIER_LOOKBACK_MS = 7 * DAY_MS;

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The first open minute at or after `fromMs`, or `capMs` when the market is closed all the way to it. */
function firstOpenAtOrAfter(fromMs: number, capMs: number): number {
  if (fromMs >= capMs) return capMs;
  const first = openIntervals(activeMarketCalendar(), fromMs, capMs)[0];
  return first === undefined ? capMs : first.start;
}

/** How far one component has reported, given its latest bar (null: none in the look-back). */
export function componentReportedThrough(latest: Date | null, now: Date): Date {
  const nowMs = floorMinute(now.getTime());
  const from = latest === null ? nowMs - FRONTIER_LOOKBACK_MS : latest.getTime() + MINUTE_MS;
  return new Date(Math.min(firstOpenAtOrAfter(from, nowMs), nowMs));
}

export async function readDataFrontier(sql: SqlOrTx, params: { now: Date }): Promise<DataFrontier> {
  const { now } = params;
  const since = new Date(now.getTime() - FRONTIER_LOOKBACK_MS);
  // One backward index probe per symbol (LATERAL … order by ts_utc desc limit 1), not a max over a scan.
  const rows = await sql<{ symbol: string; latest: Date | null }[]>`
    select s.symbol, b.ts_utc as latest
    from unnest(${DXY_COMPONENTS as string[]}::text[]) with ordinality as s(symbol, position)
    left join lateral (
      select d.ts_utc from public.data_bars d
      where d.canonical_symbol = s.symbol and d.timeframe = '1m'
        and d.ts_utc >= ${since} and d.ts_utc < ${now}
      order by d.ts_utc desc
      limit 1
    ) b on true
    order by s.position`;
  const perSymbol = rows.map((row) => ({
    symbol: row.symbol,
    latest: row.latest === null ? null : new Date(row.latest),
  }));
  let through = floorMinute(now.getTime());
  for (const { latest } of perSymbol) {
    through = Math.min(through, componentReportedThrough(latest, now).getTime());
  }
  return { through: new Date(through), perSymbol };
}

/**
 * How late data at the frontier is: the open-market minutes from it to now and, while the market is
 * closed, the minutes since it closed. The frontier is carried over closed minutes already
 * (componentReportedThrough), so it stops before a close only when a component lacks a bar for the
 * last minutes before it: a provider gap (thin pairs have them at the close) or a component that went
 * silent. Neither is data on its way once the close is long past; counted in open minutes alone it
 * stayed "one minute late" until Sunday's open and held every proof waiting for it all weekend. A
 * closure that has ended does not count: at Sunday's open the minutes still awaited are the session's
 * first ones, as late as the open minutes since.
 */
export function frontierLateMinutes(through: Date, now: Date): number {
  const open = countOpenMinutes(through, now);
  if (isFxOpen(now)) return open;
  const lastOpen = lastOpenMinute(now);
  // The frontier already past the last open minute: nothing before the close is awaited.
  if (lastOpen === null || lastOpen.getTime() < through.getTime()) return open;
  const closedAt = lastOpen.getTime() + MINUTE_MS;
  return open + Math.floor((now.getTime() - closedAt) / MINUTE_MS);
}

/** The component(s) holding the frontier back, for messages like "waiting for USDSEK data through 14:05". */
export function laggingSymbols(frontier: DataFrontier, now: Date): string[] {
  return frontier.perSymbol
    .filter((entry) => componentReportedThrough(entry.latest, now).getTime() === frontier.through.getTime())
    .map((entry) => entry.symbol);
}
