import { describe, expect, it } from 'vitest';
import { countOpenMinutes, isFxOpen, lastOpenMinute } from './market-hours';

const at = (iso: string) => new Date(iso);
const MINUTE_MS = 60_000;

/** The slow, obvious count: every minute start asked one by one. */
function bruteForceCount(from: Date, to: Date): number {
  let count = 0;
  for (let t = Math.ceil(from.getTime() / MINUTE_MS) * MINUTE_MS; t < to.getTime(); t += MINUTE_MS) {
    if (isFxOpen(new Date(t))) count += 1;
  }
  return count;
}

describe('FX market hours (Sunday 17:00 to Friday 17:00 New York time)', () => {
  it('is closed on Saturday and open mid-week', () => {
    expect(isFxOpen(at('2026-11-28T12:00:00Z'))).toBe(false); // Saturday
    expect(isFxOpen(at('2026-11-25T12:00:00Z'))).toBe(true); // Wednesday
  });

  it('in winter (EST) opens on Sunday at 22:00 UTC and closes on Friday at 22:00 UTC', () => {
    expect(isFxOpen(at('2026-11-29T21:59:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-11-29T22:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-11-27T21:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-11-27T21:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-11-27T22:00:00Z'))).toBe(false);
  });

  it('in summer (EDT) opens on Sunday at 21:00 UTC and closes on Friday at 21:00 UTC', () => {
    expect(isFxOpen(at('2026-07-12T20:59:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-07-12T21:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-07-10T20:59:00Z'))).toBe(true);
    // The summer Friday 21:00–22:00 UTC hour is closed (the old UTC-only rule called it open).
    expect(isFxOpen(at('2026-07-10T21:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-07-10T21:59:00Z'))).toBe(false);
    expect(countOpenMinutes(at('2026-07-10T21:00:00Z'), at('2026-07-10T22:00:00Z'))).toBe(0);
    expect(countOpenMinutes(at('2026-11-27T21:00:00Z'), at('2026-11-27T22:00:00Z'))).toBe(60);
  });

  it('follows the daylight-saving change days themselves (Sunday 2026-03-08 and Sunday 2026-11-01)', () => {
    // Spring forward at 02:00 New York on Sunday: the Friday before closes in winter time, Sunday opens in summer time.
    expect(isFxOpen(at('2026-03-06T21:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-03-06T22:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-03-08T20:59:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-03-08T21:00:00Z'))).toBe(true);
    // Fall back: Friday closes in summer time, Sunday opens in winter time.
    expect(isFxOpen(at('2026-10-30T20:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-10-30T21:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-11-01T21:59:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-11-01T22:00:00Z'))).toBe(true);
  });

  it('counts open minutes across a daylight-saving change', () => {
    // Friday 00:00–21:00 UTC (EDT close) and Sunday 22:00–24:00 UTC (EST open).
    expect(countOpenMinutes(at('2026-10-30T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toBe(21 * 60 + 2 * 60);
    // A 24-hour window over the spring change: open from Sunday 21:00 UTC.
    expect(countOpenMinutes(at('2026-03-08T12:00:00Z'), at('2026-03-09T12:00:00Z'))).toBe(15 * 60);
    // A 24-hour window over the autumn change: open from Sunday 22:00 UTC.
    expect(countOpenMinutes(at('2026-11-01T12:00:00Z'), at('2026-11-02T12:00:00Z'))).toBe(14 * 60);
    // A mid-week window over a change is a full day: the 02:00 New York jump does not close anything.
    expect(countOpenMinutes(at('2027-03-15T00:00:00Z'), at('2027-03-16T00:00:00Z'))).toBe(24 * 60);
  });

  it('counts open minutes in half-open ranges across the weekend', () => {
    expect(countOpenMinutes(at('2026-11-27T21:00:00Z'), at('2026-11-29T23:00:00Z'))).toBe(60 + 60);
    expect(countOpenMinutes(at('2026-11-25T10:00:00Z'), at('2026-11-25T11:00:00Z'))).toBe(60);
    expect(countOpenMinutes(at('2026-11-28T10:00:00Z'), at('2026-11-28T11:00:00Z'))).toBe(0);
    // Bar starts only: 10:00:30 is not one, 10:01 is; an open end counts the minute it cuts into.
    expect(countOpenMinutes(at('2026-11-25T10:00:30Z'), at('2026-11-25T10:03:00Z'))).toBe(2);
    expect(countOpenMinutes(at('2026-11-25T10:00:00Z'), at('2026-11-25T10:02:30Z'))).toBe(3);
    expect(countOpenMinutes(at('2026-11-25T10:00:00Z'), at('2026-11-25T10:00:00Z'))).toBe(0);
  });

  it('counts exactly what asking minute by minute counts, over DST changes, Christmas and New Year', () => {
    for (const [from, to] of [
      ['2026-03-05T07:13:20Z', '2026-03-10T03:00:00Z'],
      ['2026-10-29T11:00:00Z', '2026-11-03T00:00:45Z'],
      ['2026-12-22T00:00:00Z', '2027-01-05T00:00:00Z'],
      ['2025-12-23T00:00:00Z', '2026-01-03T00:00:00Z'],
    ] as const) {
      expect(countOpenMinutes(at(from), at(to)), `${from} → ${to}`).toBe(bruteForceCount(at(from), at(to)));
    }
  });

  it('closes early on Dec 24 and Dec 31 (13:00 New York) and all day on Dec 25 and Jan 1', () => {
    // 2026: Thursday Dec 24 closes 13:00 EST = 18:00 UTC; Friday Dec 25 closed; the market reopens Sunday Dec 27.
    expect(isFxOpen(at('2026-12-24T17:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-12-24T18:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-12-24T23:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-12-25T12:00:00Z'))).toBe(false);
    expect(countOpenMinutes(at('2026-12-24T18:00:00Z'), at('2026-12-27T22:00:00Z'))).toBe(0);
    expect(isFxOpen(at('2026-12-27T22:00:00Z'))).toBe(true);
    // 2025: Wednesday Dec 24 closes early, Thursday Dec 25 is closed, Friday Dec 26 opens at 00:00 New York.
    expect(isFxOpen(at('2025-12-24T18:00:00Z'))).toBe(false);
    expect(countOpenMinutes(at('2025-12-25T00:00:00Z'), at('2025-12-26T00:00:00Z'))).toBe(0);
    expect(isFxOpen(at('2025-12-26T04:59:00Z'))).toBe(false);
    expect(isFxOpen(at('2025-12-26T05:00:00Z'))).toBe(true);
    // New Year: Dec 31 closes 18:00 UTC, Jan 1 (a Thursday in 2026) is closed.
    expect(isFxOpen(at('2025-12-31T17:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2025-12-31T18:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2026-01-01T12:00:00Z'))).toBe(false);
    expect(countOpenMinutes(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(0);
    expect(isFxOpen(at('2026-01-02T05:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2027-01-01T12:00:00Z'))).toBe(false);
  });

  it('finds the last open minute before a weekend or holiday instant', () => {
    expect(lastOpenMinute(at('2026-11-28T12:00:00Z'))?.toISOString()).toBe('2026-11-27T21:59:00.000Z');
    expect(lastOpenMinute(at('2026-07-11T12:00:00Z'))?.toISOString()).toBe('2026-07-10T20:59:00.000Z');
    expect(lastOpenMinute(at('2026-11-25T12:00:30Z'))?.toISOString()).toBe('2026-11-25T12:00:00.000Z');
    expect(lastOpenMinute(at('2026-12-26T12:00:00Z'))?.toISOString()).toBe('2026-12-24T17:59:00.000Z');
  });

  it("does not depend on the Node process's TZ", () => {
    const instants = ['2026-07-10T20:59:00Z', '2026-07-10T21:00:00Z', '2026-03-08T21:00:00Z', '2026-12-24T18:00:00Z'];
    const expected = instants.map((i) => isFxOpen(at(i)));
    const counted = countOpenMinutes(at('2027-10-29T00:00:00Z'), at('2027-11-09T00:00:00Z'));
    const saved = process.env.TZ;
    try {
      for (const zone of ['Pacific/Chatham', 'America/Los_Angeles', 'Asia/Kathmandu']) {
        process.env.TZ = zone;
        expect(
          instants.map((i) => isFxOpen(at(i))),
          zone,
        ).toEqual(expected);
        expect(countOpenMinutes(at('2027-10-29T00:00:00Z'), at('2027-11-09T00:00:00Z')), zone).toBe(counted);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(expected).toEqual([true, false, true, false]);
  });
});
