'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import type { ActionResult } from '@/lib/auth/action';
import { phaseQuery } from '@/lib/client/console-queries';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { useConsoleMutation } from './use-console-mutation';

/**
 * A phase's live state (lib/client/console-queries.ts `phaseQuery`) and `act`, which runs one of its
 * server actions through the shared mutation helper.
 */
export function usePhaseLive(phase: string, initial: PhaseLiveJson) {
  const router = useRouter();
  const { data } = useQuery({ ...phaseQuery(phase), initialData: initial });
  const live = data ?? initial;

  // When the active run finishes, re-render the server parts (preconditions, preview).
  const lastActive = useRef(live.activeRun?.id ?? null);
  useEffect(() => {
    if (lastActive.current !== null && live.activeRun === null) router.refresh();
    lastActive.current = live.activeRun?.id ?? null;
  }, [live.activeRun, router]);

  const { run, pending, feedback } = useConsoleMutation({
    action: (call: () => Promise<ActionResult<unknown>>) => call(),
    invalidates: invalidatedBy.phaseRun(phase),
  });

  return { live, pending, message: feedback, act: run };
}
