'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/auth/action';
import {
  type ActionFeedback,
  describeActionResult,
  isSessionExpiredResult,
  NO_ANSWER_ACTION_TEXT,
} from '@/lib/client/action-feedback';
import { useLiveSession } from './live-session';

interface ConsoleMutation<I, T> {
  /** The server action (lib/server-actions/*), which answers with the wrapper's typed result. */
  action: (input: I) => Promise<ActionResult<T>>;
  /** Query keys it makes stale (lib/client/mutation-invalidations.ts). */
  invalidates: readonly (readonly unknown[])[];
  /** Said after an `ok` (nothing is said otherwise: the page's new state shows it). */
  okText?: string;
  /** After an `ok`, e.g. to clear the form. */
  onOk?: (data: T) => void;
}

/**
 * The one way a client component changes something: call the server action, say its refusal or
 * failure in the server's words (components/action-message.tsx), invalidate the live queries it
 * affects so they show the change at once, and re-render the server-rendered parts. "Not signed in."
 * raises the session banner and leaves the page as it is (a refresh would leave for the sign-in page
 * and lose what was typed).
 */
export function useConsoleMutation<I, T>({ action, invalidates, okText, onOk }: ConsoleMutation<I, T>) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const session = useLiveSession();
  const [pending, startTransition] = useTransition();
  const [feedback, setFeedback] = useState<ActionFeedback | null>(null);

  const run = (input: I) =>
    startTransition(async () => {
      let result: ActionResult<T>;
      try {
        result = await action(input);
      } catch {
        setFeedback({ tone: 'error', text: NO_ANSWER_ACTION_TEXT });
        return;
      }
      setFeedback(describeActionResult(result, okText));
      if (isSessionExpiredResult(result)) {
        session.markExpiredByAction();
        return;
      }
      if (result.status === 'ok') onOk?.(result.data);
      await Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      router.refresh();
    });

  return { run, pending, feedback };
}
