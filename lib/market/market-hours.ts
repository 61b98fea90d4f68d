/**
 * FX market hours, asked by every freshness or count check, the monitor's window, phase 9's start
 * rule, the rollback's wait, the charts' closed cells, the simulated workers and the rehearsal
 * world's bar generator, so a quiet weekend or holiday is never "stale" and they all agree.
 * The market trades from 17:00 New York time on Sunday to 17:00 New York time on Friday (21:00 UTC
 * in US summer, 22:00 UTC in winter), less the holidays and early closes of the market calendar
 * (lib/market/calendar/, docs/domain.md "Market hours"). New York time comes from Intl with an
 * explicit zone: neither the process's TZ nor a database session's TimeZone ever matters.
 */
import { MINUTE_MS } from '../time-units';
import { activeMarketCalendar } from './calendar/active-calendar';
import { marketOpenSql } from './calendar/calendar-sql';
import { isOpenAt, openIntervals } from './calendar/sessions';

const FOUR_DAYS_MS = 4 * 24 * 60 * MINUTE_MS;

export function isFxOpen(at: Date): boolean {
  return isOpenAt(activeMarketCalendar(), at.getTime());
}

/** Number of open minutes (bar starts) in the half-open range [from, to). */
export function countOpenMinutes(from: Date, to: Date): number {
  const firstStart = Math.ceil(from.getTime() / MINUTE_MS) * MINUTE_MS;
  let count = 0;
  // Interval edges are whole minutes, so each interval holds ceil(length / 1 min) minute starts.
  for (const interval of openIntervals(activeMarketCalendar(), firstStart, to.getTime())) {
    count += Math.ceil((interval.end - interval.start) / MINUTE_MS);
  }
  return count;
}

/** The most recent minute start at or before `at` when the market was open, or null if none in the last 4 days. */
export function lastOpenMinute(at: Date): Date | null {
  const t = floorToMinute(at).getTime();
  const intervals = openIntervals(activeMarketCalendar(), t - FOUR_DAYS_MS + MINUTE_MS, t + MINUTE_MS);
  const last = intervals[intervals.length - 1];
  return last === undefined ? null : new Date(last.end - MINUTE_MS);
}

export function floorToMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * SQL predicate equivalent to isFxOpen for a timestamptz expression, built from the same calendar
 * (New York wall time via `AT TIME ZONE 'America/New_York'`, whatever the session TimeZone is).
 */
export function fxOpenSql(tsExpression: string): string {
  return marketOpenSql(activeMarketCalendar(), tsExpression);
}
