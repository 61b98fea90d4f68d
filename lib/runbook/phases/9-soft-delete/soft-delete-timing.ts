/**
 * Phase 9's times: how long the legacy writer must be silent, how long zero active legacy rows must hold, and the
 * open market a start needs for both (the FX calendar decides what is open).
 */
import { isFxOpen } from '../../../market/market-hours';
import { MINUTE_MS } from '../../../time-units';
import { nextFxOpen } from '../shared/legacy-path-proof';

/** How long the legacy writer must have been silent (while components arrive) before deleting. */
export const STOP_PROOF_MINUTES = 3;
export const HOLD_MINUTES = 10;
/** The market must stay open this long after a start: the stop proof and the hold need arriving components. */
const OPEN_MARKET_NEEDED_MINUTES = 30;

/** Market-hours condition of a start: open now and for the next half hour. */
export function marketOpenForPhase9(now: Date): { open: boolean; detail: string } {
  const until = new Date(now.getTime() + OPEN_MARKET_NEEDED_MINUTES * MINUTE_MS);
  if (isFxOpen(now) && isFxOpen(until)) return { open: true, detail: `open at ${now.toISOString()}` };
  const nextOpen = nextFxOpen(isFxOpen(now) ? until : now);
  return {
    open: false,
    detail:
      `the FX market is closed or closes within ${OPEN_MARKET_NEEDED_MINUTES} minutes; proving the legacy writer stopped needs ` +
      `component minutes arriving. Start after ${nextOpen.toISOString()}`,
  };
}
