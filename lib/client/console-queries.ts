/**
 * One `queryOptions` per JSON route the live views poll: its key, how it is fetched and how often.
 * Components spread them into `useQuery` (adding the page's server-rendered `initialData`), and the
 * mutation helper invalidates by the same keys (lib/client/mutation-invalidations.ts).
 * Retries with backoff are the query client's defaults (components/query-provider.tsx).
 */
import { type Query, queryOptions } from '@tanstack/react-query';
import { fetchConsoleJson, isSessionExpired } from './console-fetch';
import type {
  ConsoleStatusJson,
  DxyMinutesJson,
  MonitorStateJson,
  PhaseLiveJson,
  PipelineSignalsJson,
} from './wire-types';

export const queryKeys = {
  status: ['status'],
  monitor: ['monitor'],
  pipelineSignals: ['monitor', 'signals'],
  /** The prefix of every phase's key: invalidating it refreshes whichever phase page is open. */
  phases: ['phase'],
  phase: (phase: string) => ['phase', phase],
  dxyMinutesPerHour: ['dxy-minutes-per-hour'],
} as const;

/**
 * A poll interval that stops for good once the session has expired (polling cannot bring it back;
 * the banner asks the operator to sign in again). A refetch on window focus still runs, so a page
 * whose session was renewed in another tab comes back by itself.
 */
export function livePoll<T>(every: (data: T | undefined) => number | false) {
  return (query: Query<T, Error, T, readonly unknown[]>): number | false =>
    isSessionExpired(query.state.error) ? false : every(query.state.data);
}

export const STATUS_POLL_MS = 5000;

export function statusQuery() {
  return queryOptions({
    queryKey: queryKeys.status,
    queryFn: () => fetchConsoleJson<ConsoleStatusJson>('/api/status'),
    refetchInterval: livePoll<ConsoleStatusJson>(() => STATUS_POLL_MS),
  });
}

export function dxyMinutesPerHourQuery() {
  return queryOptions({
    queryKey: queryKeys.dxyMinutesPerHour,
    queryFn: () => fetchConsoleJson<DxyMinutesJson>('/api/dxy-minutes-per-hour'),
    refetchInterval: livePoll<DxyMinutesJson>(() => 30_000),
  });
}

/**
 * Every 5 s while the window is open; every 30 s otherwise, so that a window that starts, a waiver
 * another approver records on a finished window, or an expired session still shows up.
 */
export function monitorQuery() {
  return queryOptions({
    queryKey: queryKeys.monitor,
    queryFn: () => fetchConsoleJson<MonitorStateJson>('/api/monitor'),
    refetchInterval: livePoll<MonitorStateJson>((data) => (data?.window && !data.complete ? 5000 : 30_000)),
  });
}

/** The pipeline's own signals: every 15 s (cursors and writers move by the minute). */
export function pipelineSignalsQuery() {
  return queryOptions({
    queryKey: queryKeys.pipelineSignals,
    queryFn: () => fetchConsoleJson<PipelineSignalsJson>('/api/monitor/signals'),
    refetchInterval: livePoll<PipelineSignalsJson>(() => 15_000),
  });
}

/** Every 1.5 s while anything runs, every 10 s otherwise (a run started from another screen or the CLI shows up). */
export function phaseQuery(phase: string) {
  return queryOptions({
    queryKey: queryKeys.phase(phase),
    queryFn: () => fetchConsoleJson<PhaseLiveJson>(`/api/phases/${encodeURIComponent(phase)}`),
    refetchInterval: livePoll<PhaseLiveJson>((data) => (data?.activeRun ? 1500 : 10_000)),
  });
}
