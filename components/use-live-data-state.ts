'use client';

import { type Query, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { type LiveDataState, liveDataState, sameLiveDataState } from '@/lib/client/live-data-state';
import { useLiveSession } from './live-session';

function snapshot(query: Query) {
  return {
    active: query.isActive(),
    dataUpdatedAt: query.state.dataUpdatedAt,
    error: query.state.error,
    fetchFailureReason: query.state.fetchFailureReason,
  };
}

/**
 * Whether the page's data is live, from every query a mounted component polls (no page wires its
 * queries in: a new live view is covered by using the shared query options).
 */
export function useLiveDataState(): LiveDataState {
  const cache = useQueryClient().getQueryCache();
  const { actionSaidExpired } = useLiveSession();
  const [state, setState] = useState<LiveDataState>({ kind: 'live' });
  useEffect(() => {
    const update = () => {
      const next = liveDataState(cache.getAll().map(snapshot), actionSaidExpired);
      setState((previous) => (sameLiveDataState(previous, next) ? previous : next));
    };
    update();
    return cache.subscribe(update);
  }, [cache, actionSaidExpired]);
  return state;
}
