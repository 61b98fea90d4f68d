/**
 * FX sessions (docs/domain.md "Market hours"): from 17:00 New York time on Sunday to 17:00 New York
 * time on Friday, continuous in between, less the calendar's closed days and early closes. A closed
 * day is the whole New York calendar day; an early close closes the market from that time to the
 * end of that New York day. Everything is computed in UTC milliseconds from New York wall time.
 */

import type { DayRule, MarketCalendar } from '../../market-calendar-format';
import { DAY_MS, MINUTE_MS } from '../../time-units';
import { newYorkDayNumber, newYorkWallToUtc } from './new-york-time';

/** A half-open interval [start, end) of UTC milliseconds when the market is open. */
export interface OpenInterval {
  start: number;
  end: number;
}

const SESSION_EDGE_MINUTE = 17 * 60;
const DAY_MINUTES = 24 * 60;

function ruleFor(calendar: MarketCalendar, dayNumber: number): DayRule | undefined {
  const date = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
  return calendar.oneDate.get(date) ?? calendar.everyYear.get(date.slice(5));
}

/** The open part of one New York calendar day in wall minutes [from, to), or null. */
export function openWallMinutes(calendar: MarketCalendar, dayNumber: number): [number, number] | null {
  const weekday = new Date(dayNumber * DAY_MS).getUTCDay();
  if (weekday === 6) return null;
  const from = weekday === 0 ? SESSION_EDGE_MINUTE : 0;
  let to = weekday === 5 ? SESSION_EDGE_MINUTE : DAY_MINUTES;
  const rule = ruleFor(calendar, dayNumber);
  if (rule?.kind === 'closed') return null;
  if (rule?.kind === 'early-close') to = Math.min(to, rule.closesAtMinute);
  if (to <= from) return null;
  return [from, to];
}

const dayCache = new Map<string, OpenInterval | null>();

/** The open interval of one New York calendar day, in UTC. */
export function dayOpenInterval(calendar: MarketCalendar, dayNumber: number): OpenInterval | null {
  const key = `${calendar.key}|${dayNumber}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  const wall = openWallMinutes(calendar, dayNumber);
  const interval =
    wall === null
      ? null
      : {
          start: newYorkWallToUtc(dayNumber * DAY_MS + wall[0] * MINUTE_MS),
          end: newYorkWallToUtc(dayNumber * DAY_MS + wall[1] * MINUTE_MS),
        };
  if (dayCache.size > 100_000) dayCache.clear();
  dayCache.set(key, interval);
  return interval;
}

export function isOpenAt(calendar: MarketCalendar, utcMs: number): boolean {
  const interval = dayOpenInterval(calendar, newYorkDayNumber(utcMs));
  return interval !== null && utcMs >= interval.start && utcMs < interval.end;
}

/** Open intervals overlapping [fromMs, toMs), clipped to it; adjacent days are merged. */
export function openIntervals(calendar: MarketCalendar, fromMs: number, toMs: number): OpenInterval[] {
  const result: OpenInterval[] = [];
  if (toMs <= fromMs) return result;
  const lastDay = newYorkDayNumber(toMs);
  for (let day = newYorkDayNumber(fromMs); day <= lastDay; day++) {
    const interval = dayOpenInterval(calendar, day);
    if (interval === null) continue;
    const start = Math.max(interval.start, fromMs);
    const end = Math.min(interval.end, toMs);
    if (end <= start) continue;
    const previous = result[result.length - 1];
    if (previous !== undefined && previous.end === start) previous.end = end;
    else result.push({ start, end });
  }
  return result;
}
