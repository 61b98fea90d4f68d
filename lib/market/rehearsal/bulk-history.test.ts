import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { DAY_MS } from '../../time-units';
import { deriveLegacyHistory, generateProviderHistory, historyChunks } from './bulk-history';
import { REHEARSAL_SYMBOLS } from './symbols';

describe('historyChunks', () => {
  it('cuts a range into consecutive chunks of at most the given days, the last one short', () => {
    const from = new Date('2020-01-01T00:00:00Z');
    const to = new Date(from.getTime() + 2.5 * DAY_MS);
    expect(historyChunks(from, to, 1).map((c) => [c.from.toISOString(), c.to.toISOString()])).toEqual([
      ['2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z'],
      ['2020-01-02T00:00:00.000Z', '2020-01-03T00:00:00.000Z'],
      ['2020-01-03T00:00:00.000Z', '2020-01-03T12:00:00.000Z'],
    ]);
    expect(historyChunks(from, from)).toEqual([]);
  });
});

describe('a history generated in chunks (3 midweek days, one statement per day)', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 3 });
  const to = new Date(Math.floor(MIDWEEK_NOW.getTime() / 60_000) * 60_000);
  const from = new Date(to.getTime() - 3 * DAY_MS);
  const symbols = REHEARSAL_SYMBOLS.map((s) => s.symbol);

  async function regenerate(): Promise<number> {
    const { sql } = test.database;
    await sql`delete from public.derived_data_bars`;
    await sql`delete from public.data_bars`;
    return generateProviderHistory(sql, { from, to, source: 'massive', symbols, log: () => {}, chunkDays: 1 });
  }

  it('continues every walk across the chunk boundaries: the first bar of a chunk opens at the close before it', async () => {
    const bars = await regenerate();
    expect(bars).toBeGreaterThan(3 * 24 * 60 * 6);
    const seams = await test.database.sql<{ symbol: string; boundary: Date; open: number; previous: number }[]>`
      select s.symbol, k.boundary, b.open::float8 as open, p.close::float8 as previous
        from unnest(${[1, 2].map((d) => new Date(from.getTime() + d * DAY_MS).toISOString())}::timestamptz[]) as k(boundary)
        cross join unnest(${symbols}::text[]) as s(symbol)
        cross join lateral (select open, ts_utc from public.data_bars where canonical_symbol = s.symbol and timeframe = '1m'
                             and ts_utc >= k.boundary order by ts_utc limit 1) b
        cross join lateral (select close from public.data_bars where canonical_symbol = s.symbol and timeframe = '1m'
                             and ts_utc < k.boundary order by ts_utc desc limit 1) p`;
    expect(seams).toHaveLength(2 * symbols.length);
    // A walk that started again would open its first bar at its own close, a step away from the one before.
    for (const seam of seams)
      expect(seam.open, `${seam.symbol} at ${seam.boundary.toISOString()}`).toBeCloseTo(seam.previous, 9);
  });

  it('derives the same legacy DXY minutes in chunks as in one call', async () => {
    await regenerate();
    const { sql } = test.database;
    const chunked = await deriveLegacyHistory(sql, { from, to, chunkDays: 1 });
    const inChunks = await sql<{ ts_utc: Date; close: number }[]>`
      select ts_utc, close::float8 as close from public.derived_data_bars where canonical_symbol = 'DXY' order by ts_utc`;
    await sql`delete from public.derived_data_bars`;
    const whole = await deriveLegacyHistory(sql, { from, to, chunkDays: 3 });
    const inOne = await sql<{ ts_utc: Date; close: number }[]>`
      select ts_utc, close::float8 as close from public.derived_data_bars where canonical_symbol = 'DXY' order by ts_utc`;
    expect(chunked).toBeGreaterThan(0);
    expect(chunked).toBe(whole);
    expect(inChunks).toEqual(inOne);
  });
});
