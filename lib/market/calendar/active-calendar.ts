/**
 * The calendar in force: the defaults, or CUTOVER_MARKET_CALENDAR_FILE's table (docs/operations.md
 * "Market calendar"). Market-hours questions are asked minute by minute, so the file is read once
 * and then re-read only when its modification time changes (checked at most once a second).
 */
import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_MARKET_CALENDAR, type MarketCalendar, parseMarketCalendar } from '../../market-calendar-format';
import { readSetting } from '../../settings';

type Environment = Record<string, string | undefined>;

interface Loaded {
  path: string;
  mtimeMs: number;
  checkedAt: number;
  calendar: MarketCalendar;
}

let loaded: Loaded | null = null;
const RECHECK_MS = 1000;

/** Reads and parses a calendar file; throws naming the file when it is missing or malformed. */
export function readMarketCalendarFile(path: string): MarketCalendar {
  const mtimeMs = statSync(path).mtimeMs;
  return parseMarketCalendar(readFileSync(path, 'utf8'), `${path}@${mtimeMs}`, `CUTOVER_MARKET_CALENDAR_FILE ${path}`);
}

export function activeMarketCalendar(env: Environment = process.env): MarketCalendar {
  const raw = env.CUTOVER_MARKET_CALENDAR_FILE;
  if (raw === undefined || raw === '') return DEFAULT_MARKET_CALENDAR;
  const wall = Date.now();
  // The hot path: no validation (the setting's check reads and parses the file) while the cache holds.
  if (loaded !== null && loaded.path === raw && wall - loaded.checkedAt < RECHECK_MS) return loaded.calendar;
  const path = readSetting('CUTOVER_MARKET_CALENDAR_FILE', env) ?? raw;
  const mtimeMs = statSync(path).mtimeMs;
  if (loaded === null || loaded.path !== path || loaded.mtimeMs !== mtimeMs) {
    loaded = { path, mtimeMs, checkedAt: wall, calendar: readMarketCalendarFile(path) };
  }
  loaded.checkedAt = wall;
  return loaded.calendar;
}
