'use client';

import { createContext, useContext } from 'react';

/**
 * A server action refused as "Not signed in." says the session expired even on a page that polls
 * nothing (approvals): the mutation helper marks it here and the session banner shows it. Provided by
 * components/query-provider.tsx; cleared by the next successful poll (the operator signed in again
 * in another tab).
 */
export interface LiveSession {
  actionSaidExpired: boolean;
  markExpiredByAction: () => void;
}

export const LiveSessionContext = createContext<LiveSession>({
  actionSaidExpired: false,
  markExpiredByAction: () => {},
});

export function useLiveSession(): LiveSession {
  return useContext(LiveSessionContext);
}
