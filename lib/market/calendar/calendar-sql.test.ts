import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '../../../test-support/world-database';
import { fxOpenSql, isFxOpen } from '../market-hours';

const MINUTE_MS = 60_000;

/** Ranges around both 2026 daylight-saving changes, Christmas and New Year (two years each). */
const RANGES = [
  ['2026-03-06T00:00:00Z', '2026-03-09T12:00:00Z'],
  ['2026-10-30T00:00:00Z', '2026-11-02T12:00:00Z'],
  ['2025-12-23T00:00:00Z', '2026-01-03T00:00:00Z'],
  ['2026-12-23T00:00:00Z', '2027-01-04T00:00:00Z'],
  ['2026-07-02T00:00:00Z', '2026-07-06T00:00:00Z'],
] as const;

function openMinutesInTypeScript(from: string, to: string): number[] {
  const open: number[] = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += MINUTE_MS) if (isFxOpen(new Date(t))) open.push(t);
  return open;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the calendar in SQL (session TimeZone Asia/Kathmandu)', () => {
  const test = useTestDatabase({ migrate: false });

  async function openMinutesInSql(from: string, to: string): Promise<number[]> {
    const rows = await test.database.sql<{ ts: Date }[]>`
      select m.ts from generate_series(${from}::timestamptz, ${to}::timestamptz - interval '1 minute',
                                       interval '1 minute') as m(ts)
       where ${test.database.sql.unsafe(fxOpenSql('m.ts'))}
       order by m.ts`;
    return rows.map((r) => r.ts.getTime());
  }

  it('selects exactly the minutes the TypeScript calendar calls open', async () => {
    const [zone] = await test.database.sql<{ tz: string }[]>`select current_setting('TimeZone') as tz`;
    expect(zone?.tz).toBe('Asia/Kathmandu');
    for (const [from, to] of RANGES) {
      const expected = openMinutesInTypeScript(from, to);
      expect(expected.length, `${from} has open minutes`).toBeGreaterThan(0);
      expect(await openMinutesInSql(from, to), `${from} → ${to}`).toEqual(expected);
    }
  });

  it('follows a calendar file too (one-date closures, early closes, a cancelled default)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'market-calendar-sql-')), 'calendar.json');
    writeFileSync(
      path,
      JSON.stringify({
        days: [
          { date: '2026-03-09', closed: true },
          { date: '07-03', closesAt: '12:30' },
          { date: '2026-12-24', regular: true },
        ],
      }),
    );
    vi.stubEnv('CUTOVER_MARKET_CALENDAR_FILE', path);
    expect(isFxOpen(new Date('2026-03-09T06:00:00Z'))).toBe(false);
    for (const [from, to] of RANGES) {
      expect(await openMinutesInSql(from, to), `${from} → ${to}`).toEqual(openMinutesInTypeScript(from, to));
    }
  });
});
