'use client';

import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { retryDelayMs, shouldRetry } from '@/lib/client/poll-backoff';
import { LiveDataStatus } from './live-data-status';
import { LiveSessionContext } from './live-session';

/**
 * The browser's one query client (docs/architecture.md, "How the client fetches and mutates"): a
 * failed poll is retried without end with backoff unless the session expired, and the banner that
 * says so sits above every page.
 */
export function QueryProvider({ children }: { children: ReactNode }) {
  const [actionSaidExpired, setActionSaidExpired] = useState(false);
  const [client] = useState(
    () =>
      new QueryClient({
        // A successful poll proves the session is valid again (signed in in another tab).
        queryCache: new QueryCache({ onSuccess: () => setActionSaidExpired(false) }),
        defaultOptions: {
          queries: { staleTime: 1000, refetchOnWindowFocus: true, retry: shouldRetry, retryDelay: retryDelayMs },
        },
      }),
  );
  const session = useMemo(
    () => ({ actionSaidExpired, markExpiredByAction: () => setActionSaidExpired(true) }),
    [actionSaidExpired],
  );
  return (
    <QueryClientProvider client={client}>
      <LiveSessionContext.Provider value={session}>
        <LiveDataStatus />
        {children}
      </LiveSessionContext.Provider>
    </QueryClientProvider>
  );
}
