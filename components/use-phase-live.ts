'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/auth/action';
import type { Jsonified } from '@/lib/json';
import type { PhaseLive } from '@/lib/runbook/read-phase-detail';

export type PhaseLiveJson = Jsonified<PhaseLive>;

async function fetchPhase(phase: string): Promise<PhaseLiveJson> {
  const response = await fetch(`/api/phases/${phase}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /api/phases/${phase} answered ${response.status}`);
  return (await response.json()) as PhaseLiveJson;
}

export function describeResult(result: ActionResult<unknown>): string | null {
  if (result.status === 'ok') return null;
  if (result.status === 'refused') return result.reason;
  if (result.status === 'invalid') return Object.values(result.fieldErrors).flat().join('; ');
  return result.message;
}

/**
 * A phase's live state (polled every 1.5 s while anything runs, every 10 s otherwise so that a run
 * started from another screen or the CLI shows up) and a helper to call a server action and show
 * its refusal or failure.
 */
export function usePhaseLive(phase: string, initial: PhaseLiveJson) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const { data } = useQuery({
    queryKey: ['phase', phase],
    queryFn: () => fetchPhase(phase),
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.activeRun ? 1500 : 10_000),
  });
  const live = data ?? initial;

  // When the active run finishes, re-render the server parts (preconditions, preview).
  const lastActive = useRef(live.activeRun?.id ?? null);
  useEffect(() => {
    if (lastActive.current !== null && live.activeRun === null) router.refresh();
    lastActive.current = live.activeRun?.id ?? null;
  }, [live.activeRun, router]);

  const act = (action: () => Promise<ActionResult<unknown>>) =>
    startTransition(async () => {
      const result = await action();
      setMessage(describeResult(result));
      await queryClient.invalidateQueries({ queryKey: ['phase', phase] });
      await queryClient.invalidateQueries({ queryKey: ['status'] });
      router.refresh();
    });

  return { live, pending, message, act };
}
