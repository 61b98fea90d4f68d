'use client';

import type { ReactNode } from 'react';
import { useLiveDataState } from './use-live-data-state';

/**
 * Keeps the page's data on screen but visibly stale while it is not live (the banner above says why):
 * greyed, and marked `data-stale` for the e2e tests. Wraps the console's main area once
 * (app/(console)/layout.tsx).
 */
export function LiveDataFrame({ children }: { children: ReactNode }) {
  const state = useLiveDataState();
  const stale = state.kind !== 'live';
  return (
    <div
      data-testid="live-data-frame"
      data-stale={stale ? 'true' : 'false'}
      className={stale ? 'opacity-60 grayscale transition-opacity' : undefined}
    >
      {children}
    </div>
  );
}
