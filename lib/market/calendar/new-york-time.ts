/**
 * New York wall time from UTC instants and back, with daylight saving, through Intl with an explicit
 * time zone: neither the Node process's TZ nor a database session's TimeZone plays any part.
 */
import { DAY_MS, HOUR_MS } from '../../time-units';

export const NEW_YORK = 'America/New_York';

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
});

// New York's offset changes only on whole UTC hours (02:00 local), so one lookup per UTC hour is exact.
const offsetByUtcHour = new Map<number, number>();

/** New York wall time minus UTC, in ms, at the instant `utcMs` (−4 h in summer, −5 h in winter). */
export function newYorkOffsetMs(utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR_MS);
  const cached = offsetByUtcHour.get(hour);
  if (cached !== undefined) return cached;
  const parts = Object.fromEntries(
    formatter.formatToParts(new Date(hour * HOUR_MS)).map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
  const offset = wall - hour * HOUR_MS;
  if (offsetByUtcHour.size > 200_000) offsetByUtcHour.clear();
  offsetByUtcHour.set(hour, offset);
  return offset;
}

/** New York wall time of `utcMs`, expressed as if it were UTC milliseconds (for date arithmetic). */
export function newYorkWallMs(utcMs: number): number {
  return utcMs + newYorkOffsetMs(utcMs);
}

/** The New York calendar day of `utcMs`, as whole days since 1970-01-01. */
export function newYorkDayNumber(utcMs: number): number {
  return Math.floor(newYorkWallMs(utcMs) / DAY_MS);
}

/**
 * The UTC instant of a New York wall time (given as UTC-style ms). Only used at midnight, 17:00
 * and early closes, none of which falls in the skipped or repeated hour of a change (02:00).
 */
export function newYorkWallToUtc(wallMs: number): number {
  const first = wallMs - newYorkOffsetMs(wallMs);
  return wallMs - newYorkOffsetMs(first);
}
