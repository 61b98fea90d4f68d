import { describe, expect, it } from 'vitest';
import { countOpenMinutes, isFxOpen, lastOpenMinute } from './market-hours';

const at = (iso: string) => new Date(iso);

describe('FX market hours (Sunday 22:00 UTC to Friday 22:00 UTC)', () => {
  it('is closed on Saturday and open mid-week', () => {
    expect(isFxOpen(at('2026-11-28T12:00:00Z'))).toBe(false); // Saturday
    expect(isFxOpen(at('2026-11-25T12:00:00Z'))).toBe(true); // Wednesday
  });

  it('opens on Sunday at 22:00 and closes on Friday at 22:00', () => {
    expect(isFxOpen(at('2026-11-29T21:59:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-11-29T22:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-11-27T21:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-11-27T22:00:00Z'))).toBe(false);
  });

  it('counts open minutes in half-open ranges across the weekend', () => {
    expect(countOpenMinutes(at('2026-11-27T21:00:00Z'), at('2026-11-29T23:00:00Z'))).toBe(60 + 60);
    expect(countOpenMinutes(at('2026-11-25T10:00:00Z'), at('2026-11-25T11:00:00Z'))).toBe(60);
    expect(countOpenMinutes(at('2026-11-28T10:00:00Z'), at('2026-11-28T11:00:00Z'))).toBe(0);
  });

  it('finds the last open minute before a weekend instant', () => {
    expect(lastOpenMinute(at('2026-11-28T12:00:00Z'))?.toISOString()).toBe('2026-11-27T21:59:00.000Z');
    expect(lastOpenMinute(at('2026-11-25T12:00:30Z'))?.toISOString()).toBe('2026-11-25T12:00:00.000Z');
  });
});
