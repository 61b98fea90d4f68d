'use client';

import type { ReactNode } from 'react';
import { formatAsOf } from '@/lib/client/live-data-state';
import { useLiveDataState } from './use-live-data-state';

/**
 * The one banner every live page shows when what it displays stopped being live (rendered once, above
 * the page, by components/query-provider.tsx): an expired session — only signing in again helps, and
 * polling has stopped — or a console that does not answer — the page keeps retrying and catches up by
 * itself. Worded for someone woken at 3 a.m.: what happened, how old the data is, what to do.
 */
export function LiveDataStatus() {
  const state = useLiveDataState();
  if (state.kind === 'live') return null;
  if (state.kind === 'session-expired') {
    return (
      <Banner state="session-expired" colors="border-red-800 bg-red-700 text-white">
        <p className="font-semibold">Your session has expired — sign in again</p>
        <p className="text-sm text-red-50">
          This page stopped updating{state.asOf ? ` and shows data as of ${formatAsOf(state.asOf)}` : ''}.
        </p>
        {/* A full page load, not a client navigation: the signed-out page's cached data goes with it. */}
        <a
          href="/login"
          className="rounded bg-white px-3 py-1 text-sm font-semibold text-red-800 hover:bg-red-50 sm:ml-auto"
        >
          Sign in again
        </a>
      </Banner>
    );
  }
  return (
    <Banner state="unreachable" colors="border-amber-500 bg-amber-100 text-amber-950">
      <p className="font-semibold">Data as of {formatAsOf(state.asOf)} — the console is not answering, retrying…</p>
      <p className="text-sm">The page below may be out of date; it catches up by itself once the console answers.</p>
    </Banner>
  );
}

/** The banner's frame, stuck to the top above everything; `colors` says how bad it is. */
function Banner({ state, colors, children }: { state: string; colors: string; children: ReactNode }) {
  return (
    <div
      role="alert"
      data-testid="live-data-status"
      data-state={state}
      className={`sticky top-0 z-50 border-b-2 ${colors} shadow`}
    >
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2.5 sm:px-6">
        {children}
      </div>
    </div>
  );
}
