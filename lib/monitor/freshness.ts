/**
 * Freshness of a 1m series, market-hours aware: outside FX hours a series that stopped at the
 * close is "market closed", not stale. A minute's bar can only exist once the minute is over,
 * so the expected latest bar is the last open minute that ended before `now`.
 */
import { isFxOpen, lastOpenMinute } from '../market/market-hours';

export type FreshnessState = 'fresh' | 'lagging' | 'stale' | 'market-closed' | 'no-data';

export interface Freshness {
  state: FreshnessState;
  latest: Date | null;
  /** Whole minutes between the expected latest bar and the latest bar present. */
  minutesBehind: number | null;
  marketOpen: boolean;
}

export const FRESH_MAX_MINUTES_BEHIND = 2;
export const LAGGING_MAX_MINUTES_BEHIND = 10;

/**
 * `slackMinutes` widens the fresh band when one runner tick covers several simulated minutes
 * (a rehearsal at high REHEARSAL_SPEED), so a fast rehearsal does not look permanently late.
 */
export function assessFreshness(params: {
  latest: Date | null;
  now: Date;
  calendar?: 'fx' | '24x7';
  slackMinutes?: number;
}): Freshness {
  const { latest, now } = params;
  const marketOpen = params.calendar === '24x7' || isFxOpen(now);
  const minuteEnded = new Date(now.getTime() - 60_000);
  const expected =
    params.calendar === '24x7'
      ? new Date(Math.floor(minuteEnded.getTime() / 60_000) * 60_000)
      : lastOpenMinute(minuteEnded);
  if (!latest) return { state: 'no-data', latest, minutesBehind: null, marketOpen };
  if (!expected) return { state: 'market-closed', latest, minutesBehind: 0, marketOpen };
  const minutesBehind = Math.max(0, Math.round((expected.getTime() - latest.getTime()) / 60_000));
  let state: FreshnessState;
  const slack = params.slackMinutes ?? 0;
  if (minutesBehind <= FRESH_MAX_MINUTES_BEHIND + slack) state = marketOpen ? 'fresh' : 'market-closed';
  else if (minutesBehind <= LAGGING_MAX_MINUTES_BEHIND + slack) state = 'lagging';
  else state = 'stale';
  return { state, latest, minutesBehind, marketOpen };
}
