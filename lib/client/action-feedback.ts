/**
 * What the operator reads after a server action: the wrapper's typed result (lib/auth/action.ts)
 * in words. A refusal because nobody is signed in is the session expiring under an open page: it
 * raises the session banner (components/live-session.tsx) instead of reading like a permission
 * problem.
 */
import type { ActionResult } from '../auth/action';

export interface ActionFeedback {
  tone: 'ok' | 'error';
  text: string;
}

/** The wrapper's refusal when the request carries no valid session (pinned by lib/auth/action.test.ts). */
export const NOT_SIGNED_IN_REASON = 'Not signed in.';

export const SESSION_EXPIRED_ACTION_TEXT = 'Not done: your session has expired. Sign in again, then repeat it.';

/** A server action whose request failed in the network: the console may or may not have acted. */
export const NO_ANSWER_ACTION_TEXT =
  'The console did not answer, so it may or may not have acted. Check the page once it answers again before repeating it.';

export function isSessionExpiredResult(result: ActionResult<unknown>): boolean {
  return result.status === 'refused' && result.reason === NOT_SIGNED_IN_REASON;
}

/** Null when there is nothing to say (an `ok` without a confirmation text). */
export function describeActionResult(result: ActionResult<unknown>, okText?: string): ActionFeedback | null {
  if (isSessionExpiredResult(result)) return { tone: 'error', text: SESSION_EXPIRED_ACTION_TEXT };
  switch (result.status) {
    case 'ok':
      return okText ? { tone: 'ok', text: okText } : null;
    case 'refused':
      return { tone: 'error', text: result.reason };
    case 'invalid':
      return { tone: 'error', text: Object.values(result.fieldErrors).flat().join('; ') };
    case 'failed':
      return { tone: 'error', text: result.message };
  }
}
