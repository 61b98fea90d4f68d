/**
 * Waiting for the data frontier (./data-frontier.ts) instead of a fixed "now − N min": a proof
 * that judges complete component minutes up to some time must wait until every component has
 * reported that far, or it judges minutes whose late data is still on its way. The wait is bounded:
 * once the frontier trails now by more than `maxLateMinutes` minutes, data that late is not waited
 * for any more (the monitor settles an hour after as long: CUTOVER_MONITOR_SETTLE_MAX_MINUTES), and
 * the caller judges what has arrived, saying so. How late counts the time since a close too
 * (frontierLateMinutes): a component missing Friday's last minute is not on its way all weekend.
 */
import type { SqlOrTx } from '../db/connection';
import { type DataFrontier, frontierLateMinutes, laggingSymbols, readDataFrontier } from './data-frontier';

export type FrontierWait =
  | { state: 'ready'; frontier: DataFrontier }
  | { state: 'wait'; frontier: DataFrontier; reason: string }
  | { state: 'gave up'; frontier: DataFrontier; message: string };

/**
 * HH:MM UTC, as the operator reads it next to the clock; with the date when it is not today's (a
 * frontier held before Friday's close, read on Saturday).
 */
function clockTime(at: Date, now: Date): string {
  const iso = at.toISOString();
  return iso.slice(0, 10) === now.toISOString().slice(0, 10)
    ? iso.slice(11, 16)
    : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Why the frontier is behind `needed`: "waiting for USDSEK data through 14:05 UTC, frontier 13:41 UTC". */
export function describeFrontierWait(frontier: DataFrontier, needed: Date, now: Date): string {
  const lagging = laggingSymbols(frontier, now);
  return (
    `waiting for ${lagging.join(', ') || 'component'} data through ${clockTime(needed, now)} UTC, ` +
    `frontier ${clockTime(frontier.through, now)} UTC`
  );
}

interface FrontierNeed {
  needed: Date;
  now: Date;
  maxLateMinutes: number;
}

/** Whether `frontier` is far enough for `needed`, still worth waiting for, or too late to wait for. */
export function judgeFrontierWait(frontier: DataFrontier, params: FrontierNeed): FrontierWait {
  if (frontier.through >= params.needed) return { state: 'ready', frontier };
  const reason = describeFrontierWait(frontier, params.needed, params.now);
  // Bounded by how late the data is, not by how long this waited.
  if (frontierLateMinutes(frontier.through, params.now) > params.maxLateMinutes) {
    return {
      state: 'gave up',
      frontier,
      message: `${reason}: more than ${params.maxLateMinutes} minutes late, not waited for any more`,
    };
  }
  return { state: 'wait', frontier, reason };
}

export async function waitForDataFrontier(sql: SqlOrTx, params: FrontierNeed): Promise<FrontierWait> {
  return judgeFrontierWait(await readDataFrontier(sql, { now: params.now }), params);
}
