/**
 * FX trades from Sunday 22:00 UTC to Friday 22:00 UTC (docs/domain.md "The workers"). Every freshness or count
 * check asks this module whether bars were expected, so a quiet weekend is never "stale".
 * All arithmetic is in UTC milliseconds: the host's or the session's time zone never matters.
 */
import { MINUTE_MS } from '../time-units';

export function isFxOpen(at: Date): boolean {
  const day = at.getUTCDay();
  const hour = at.getUTCHours();
  if (day === 6) return false;
  if (day === 0) return hour >= 22;
  if (day === 5) return hour < 22;
  return true;
}

/** Number of open minutes (bar starts) in the half-open range [from, to). */
export function countOpenMinutes(from: Date, to: Date): number {
  let count = 0;
  for (let t = floorToMinute(from).getTime(); t < to.getTime(); t += MINUTE_MS) {
    if (t >= from.getTime() && isFxOpen(new Date(t))) count += 1;
  }
  return count;
}

/** The most recent minute start at or before `at` when the market was open, or null if none in the last 4 days. */
export function lastOpenMinute(at: Date): Date | null {
  let t = floorToMinute(at).getTime();
  const limit = t - 4 * 24 * 60 * MINUTE_MS;
  while (t > limit) {
    if (isFxOpen(new Date(t))) return new Date(t);
    t -= MINUTE_MS;
  }
  return null;
}

export function floorToMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * SQL predicate equivalent to isFxOpen for a timestamptz expression. `AT TIME ZONE 'UTC'` turns
 * the instant into UTC wall time whatever the session TimeZone is.
 */
export function fxOpenSql(tsExpression: string): string {
  const utc = `(${tsExpression} AT TIME ZONE 'UTC')`;
  return `(CASE extract(isodow FROM ${utc})::int
    WHEN 6 THEN false
    WHEN 7 THEN extract(hour FROM ${utc}) >= 22
    WHEN 5 THEN extract(hour FROM ${utc}) < 22
    ELSE true END)`;
}
