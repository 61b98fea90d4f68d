/**
 * How a live view keeps trying while the console does not answer: retry without end, waiting
 * 1 s, 2 s, 4 s … up to 30 s between attempts, so that a restarting console is picked up within
 * half a minute without a page full of clients hammering it. An expired session is never
 * retried: only signing in again helps.
 */
import { isSessionExpired } from './console-fetch';

export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 30_000;

/** react-query's `retry`: every failure but an expired session. */
export function shouldRetry(_failureCount: number, error: unknown): boolean {
  return !isSessionExpired(error);
}

/**
 * react-query's `retryDelay`. It passes the failures before this one (0 after the first failed attempt:
 * see its retryer), so the waits are 1, 2, 4, 8, 16, 30, 30 … seconds.
 */
export function retryDelayMs(failureCount: number): number {
  const doublings = Math.min(Math.max(0, failureCount), 16);
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** doublings);
}
