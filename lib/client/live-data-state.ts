/**
 * Whether what a page shows is live, from the state of the queries it polls: the one rule behind the
 * banner of every live page (components/live-data-status.tsx).
 */
import { isSessionExpired } from './console-fetch';

/** The parts of a react-query `Query` the rule reads. */
export interface LiveQuerySnapshot {
  /** Some mounted component uses it (a query left behind by another page does not count). */
  active: boolean;
  /** When its data last arrived (ms since the epoch; 0 when never). */
  dataUpdatedAt: number;
  /** The error its last fetch ended with, if that fetch failed for good. */
  error: unknown;
  /** The failure of the attempt being retried right now, if any. */
  fetchFailureReason: unknown;
}

/** `asOf`: when the oldest data the page shows arrived (null when unknown, e.g. a page that polls nothing). */
export type LiveDataState =
  | { kind: 'live' }
  | { kind: 'session-expired'; asOf: number | null }
  | { kind: 'unreachable'; asOf: number | null };

/**
 * An expired session wins (from any query, or from a server action refused as "Not signed in.": only
 * signing in helps, and retrying cannot); otherwise any active query failing makes the page stale.
 */
export function liveDataState(queries: readonly LiveQuerySnapshot[], actionSaidSessionExpired: boolean): LiveDataState {
  const active = queries.filter((q) => q.active);
  if (
    actionSaidSessionExpired ||
    active.some((q) => isSessionExpired(q.error) || isSessionExpired(q.fetchFailureReason))
  )
    return { kind: 'session-expired', asOf: oldest(active) };
  const failing = active.filter((q) => q.error != null || q.fetchFailureReason != null);
  if (failing.length === 0) return { kind: 'live' };
  return { kind: 'unreachable', asOf: oldest(failing) };
}

function oldest(queries: readonly LiveQuerySnapshot[]): number | null {
  const times = queries.map((q) => q.dataUpdatedAt).filter((t) => t > 0);
  return times.length > 0 ? Math.min(...times) : null;
}

export function sameLiveDataState(a: LiveDataState, b: LiveDataState): boolean {
  if (a.kind === 'live' || b.kind === 'live') return a.kind === b.kind;
  return a.kind === b.kind && a.asOf === b.asOf;
}

/** "03:12:05 UTC": the wall-clock time of the last answer, always in UTC (the operator's zone must not matter). */
export function formatAsOf(ms: number | null): string {
  if (ms === null) return 'an unknown time';
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}
