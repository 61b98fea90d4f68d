import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MARKET_CALENDAR, parseMarketCalendar } from '../../market-calendar-format';
import { findSettingProblems } from '../../settings';
import { countOpenMinutes, isFxOpen } from '../market-hours';
import { activeMarketCalendar } from './active-calendar';

const at = (iso: string) => new Date(iso);
const directory = mkdtempSync(join(tmpdir(), 'market-calendar-'));
let files = 0;

function calendarFile(content: unknown): string {
  files += 1;
  const path = join(directory, `calendar-${files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the market calendar file (CUTOVER_MARKET_CALENDAR_FILE)', () => {
  it('is the defaults when unset', () => {
    vi.stubEnv('CUTOVER_MARKET_CALENDAR_FILE', '');
    expect(activeMarketCalendar()).toBe(DEFAULT_MARKET_CALENDAR);
    expect(isFxOpen(at('2026-11-26T15:00:00Z'))).toBe(true);
  });

  it('adds a holiday and an early close, keeping the defaults', () => {
    vi.stubEnv(
      'CUTOVER_MARKET_CALENDAR_FILE',
      calendarFile({
        days: [
          { date: '2026-11-26', closed: true, note: 'Thanksgiving, this year only' },
          { date: '07-03', closesAt: '12:30' },
        ],
      }),
    );
    // Thanksgiving 2026 (a Thursday): the New York day is closed, 05:00 UTC Thursday to 05:00 UTC Friday.
    expect(isFxOpen(at('2026-11-26T04:59:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-11-26T05:00:00Z'))).toBe(false);
    expect(countOpenMinutes(at('2026-11-26T00:00:00Z'), at('2026-11-28T00:00:00Z'))).toBe(5 * 60 + 17 * 60);
    expect(isFxOpen(at('2027-11-25T15:00:00Z'))).toBe(true); // one date, not every year
    // July 3rd every year closes 12:30 New York (EDT) = 16:30 UTC.
    expect(isFxOpen(at('2026-07-03T16:29:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-07-03T16:30:00Z'))).toBe(false);
    expect(isFxOpen(at('2029-07-03T16:30:00Z'))).toBe(false);
    // The defaults still hold.
    expect(isFxOpen(at('2026-12-25T12:00:00Z'))).toBe(false);
  });

  it('can cancel a default for one date, or replace the defaults', () => {
    vi.stubEnv('CUTOVER_MARKET_CALENDAR_FILE', calendarFile({ days: [{ date: '2025-12-31', regular: true }] }));
    expect(isFxOpen(at('2025-12-31T20:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-12-31T20:00:00Z'))).toBe(false);
    vi.stubEnv(
      'CUTOVER_MARKET_CALENDAR_FILE',
      calendarFile({ includeDefaults: false, days: [{ date: '12-25', closed: true }] }),
    );
    expect(isFxOpen(at('2026-12-24T20:00:00Z'))).toBe(true);
    expect(isFxOpen(at('2026-12-25T12:00:00Z'))).toBe(false);
    expect(isFxOpen(at('2027-01-01T12:00:00Z'))).toBe(true);
  });

  it('refuses a malformed or missing file, naming it, and the settings check refuses it at start', () => {
    const bad = [
      calendarFile('{ not json'),
      calendarFile({ days: [{ date: '12/25', closed: true }] }),
      calendarFile({ days: [{ date: '12-25', closed: true, closesAt: '13:00' }] }),
      calendarFile({ days: [{ date: '12-24', closesAt: '25:00' }] }),
      calendarFile({ days: [{ date: '12-24', closesAt: "13:00'; drop table x; --" }] }),
      calendarFile({ holidays: [] }),
      join(directory, 'missing.json'),
    ];
    for (const path of bad) {
      vi.stubEnv('CUTOVER_MARKET_CALENDAR_FILE', path);
      expect(() => isFxOpen(at('2026-11-25T12:00:00Z')), path).toThrow(path);
      expect(
        findSettingProblems({ CUTOVER_MARKET_CALENDAR_FILE: path }).map((p) => p.name),
        path,
      ).toEqual(['CUTOVER_MARKET_CALENDAR_FILE']);
    }
    const good = calendarFile({ days: [] });
    expect(findSettingProblems({ CUTOVER_MARKET_CALENDAR_FILE: good })).toEqual([]);
  });
});

describe('the documented example (docs/operations.md "Market calendar")', () => {
  it('is a valid calendar file', () => {
    const operations = readFileSync('docs/operations.md', 'utf8');
    const section = operations.slice(operations.indexOf('### Market calendar'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const calendar = parseMarketCalendar(example ?? '', 'docs', 'docs/operations.md');
    expect(calendar.oneDate.get('2026-11-26')).toEqual({ kind: 'closed' });
    expect(calendar.everyYear.get('12-25')).toEqual({ kind: 'closed' });
  });
});

describe('a calendar file in a minute-by-minute loop', () => {
  it('is not read again per question, and is re-read once it changes', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const path = calendarFile({ days: [{ date: '2026-11-26', closed: true }] });
      vi.stubEnv('CUTOVER_MARKET_CALENDAR_FILE', path);
      expect(isFxOpen(at('2026-11-26T12:00:00Z'))).toBe(false);
      // Spoiled on disk: the questions asked within the recheck interval still use the table read.
      writeFileSync(path, '{ spoiled');
      let open = 0;
      for (let t = Date.parse('2026-11-23T00:00:00Z'); t < Date.parse('2026-11-30T00:00:00Z'); t += 60_000) {
        if (isFxOpen(new Date(t))) open += 1;
      }
      expect(open).toBe(countOpenMinutes(at('2026-11-23T00:00:00Z'), at('2026-11-30T00:00:00Z')));
      expect(open).toBe(3 * 1440 + 5 * 60 + 17 * 60 + 2 * 60); // Thanksgiving closed, Sunday from 22:00
      vi.advanceTimersByTime(1001);
      expect(() => isFxOpen(at('2026-11-26T12:00:00Z'))).toThrow(path);
    } finally {
      vi.useRealTimers();
    }
  });
});
