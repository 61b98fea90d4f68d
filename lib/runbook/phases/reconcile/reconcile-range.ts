/**
 * Reconcile's range: two whole UTC minutes, from before to, the end not after the clock (a minute
 * still to come has nothing to reconcile). Pure, so the request, the preview and the run refuse
 * the same ranges with the same words.
 */
import { parseOptionMinute } from '../../engine/phase-registry';

export type ReconcileRange = { ok: true; from: Date; to: Date } | { ok: false; problem: string };

export function reconcileRangeOf(options: Readonly<Record<string, unknown>>, now: Date): ReconcileRange {
  if (options.from === undefined || options.to === undefined)
    return { ok: false, problem: 'Give the range to reconcile: from and to, UTC minutes such as 2026-12-07T10:00Z.' };
  const from = parseOptionMinute(options.from);
  const to = parseOptionMinute(options.to);
  if (!from || !to)
    return {
      ok: false,
      problem: `The range ${String(options.from)} – ${String(options.to)} is not two UTC minutes such as 2026-12-07T10:00Z.`,
    };
  if (from.getTime() >= to.getTime())
    return {
      ok: false,
      problem: `The range is empty: from (${from.toISOString()}) must be before to (${to.toISOString()}); to is exclusive.`,
    };
  if (to.getTime() > now.getTime())
    return {
      ok: false,
      problem: `The range ends in the future: to (${to.toISOString()}) is after the clock (${now.toISOString()}).`,
    };
  return { ok: true, from, to };
}

/**
 * The Reconcile page for [from, to), the end capped at the clock's minute: where the compare page
 * sends an operator who found minutes missing or differing.
 */
export function reconcileHref(range: { from: Date; to: Date }, now: Date): string {
  const minute = (at: Date) => `${at.toISOString().slice(0, 16)}Z`;
  const end = new Date(Math.min(range.to.getTime(), Math.floor(now.getTime() / 60_000) * 60_000));
  return `/reconcile?${new URLSearchParams({ from: minute(range.from), to: minute(end) })}`;
}
