import { describe, expect, it } from 'vitest';
// The phase registry first: the phase modules reach each other through it.
import '../../runbook/phases';
import { marketOpenForPhase9 } from '../../runbook/phases/9-soft-delete/soft-delete-timing';
import { nextFxOpen } from '../../runbook/phases/shared/legacy-path-proof';

const at = (iso: string) => new Date(iso);

describe('the callers follow the one calendar', () => {
  it("phase 9 never starts within 30 minutes of the real close (a summer Friday, Dec 24's early close)", () => {
    expect(marketOpenForPhase9(at('2026-07-10T20:29:00Z')).open).toBe(true);
    // The old UTC rule allowed this until 21:30 UTC; the market closes at 21:00 UTC in summer.
    const summerFriday = marketOpenForPhase9(at('2026-07-10T20:40:00Z'));
    expect(summerFriday.open).toBe(false);
    expect(summerFriday.detail).toMatch(/Start after 2026-07-12T21:00:00.000Z/);
    expect(marketOpenForPhase9(at('2026-11-27T21:20:00Z')).open).toBe(true);
    const christmasEve = marketOpenForPhase9(at('2026-12-24T17:40:00Z'));
    expect(christmasEve.open).toBe(false);
    expect(christmasEve.detail).toMatch(/Start after 2026-12-27T22:00:00.000Z/);
    expect(marketOpenForPhase9(at('2026-12-25T12:00:00Z')).open).toBe(false);
  });

  it("the rollback waits for the real open: a summer Friday at 21:10 UTC, Christmas, New Year's Day", () => {
    expect(nextFxOpen(at('2026-07-10T21:10:00Z')).toISOString()).toBe('2026-07-12T21:00:00.000Z');
    expect(nextFxOpen(at('2026-11-27T22:10:00Z')).toISOString()).toBe('2026-11-29T22:00:00.000Z');
    expect(nextFxOpen(at('2025-12-24T19:00:00Z')).toISOString()).toBe('2025-12-26T05:00:00.000Z');
    expect(nextFxOpen(at('2026-01-01T10:00:00Z')).toISOString()).toBe('2026-01-02T05:00:00.000Z');
    expect(nextFxOpen(at('2026-11-25T10:00:30Z')).toISOString()).toBe('2026-11-25T10:01:00.000Z');
  });
});
