import { describe, expect, it } from 'vitest';
import { useTestWorld } from '../../test-support/world-database';
import { MINUTE_MS } from '../time-units';
import { componentReportedThrough, frontierLateMinutes, laggingSymbols, readDataFrontier } from './data-frontier';
import { judgeFrontierWait, waitForDataFrontier } from './data-frontier-wait';
import { DXY_COMPONENTS } from './dxy';

/** Wednesday mid-session: the world's components are complete up to 14:30 UTC. */
const NOW = new Date('2026-11-25T14:30:00Z');

describe('the data frontier (session TimeZone Asia/Kathmandu)', () => {
  const test = useTestWorld({ now: NOW, days: 1 });
  const sql = () => test.database.sql;

  /** Removes a component's 1m bars from `from` on, as if they had not arrived yet. */
  async function withhold(symbol: string, from: string) {
    await sql()`delete from public.data_bars where canonical_symbol = ${symbol} and timeframe = '1m' and ts_utc >= ${from}`;
  }

  it('is the minute after the last complete minute when every component is in', async () => {
    const [zone] = await sql()<{ tz: string }[]>`select current_setting('TimeZone') as tz`;
    expect(zone?.tz).toBe('Asia/Kathmandu');
    const frontier = await readDataFrontier(sql(), { now: NOW });
    expect(frontier.perSymbol.map((s) => s.symbol)).toEqual(DXY_COMPONENTS);
    const latest = Math.min(...frontier.perSymbol.map((s) => s.latest?.getTime() ?? 0));
    expect(frontier.through.getTime()).toBe(latest + MINUTE_MS);
    expect(frontier.through.getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it('never runs past now, and is floored to the minute', async () => {
    const early = new Date('2026-11-25T14:10:30Z');
    const frontier = await readDataFrontier(sql(), { now: early });
    expect(frontier.through.toISOString()).toBe('2026-11-25T14:10:00.000Z');
  });

  it('is held back by one delayed symbol, and names it', async () => {
    await withhold('USDSEK', '2026-11-25T13:41:00Z');
    const frontier = await readDataFrontier(sql(), { now: NOW });
    expect(frontier.through.toISOString()).toBe('2026-11-25T13:41:00.000Z');
    expect(frontier.perSymbol.find((s) => s.symbol === 'USDSEK')?.latest?.toISOString()).toBe(
      '2026-11-25T13:40:00.000Z',
    );
    expect(laggingSymbols(frontier, NOW)).toEqual(['USDSEK']);
  });

  it('makes a proof wait, naming the late symbol, until it has reported far enough; bounded by how late it is', async () => {
    // USDSEK is held back from 13:41 (the previous test).
    const needed = new Date('2026-11-25T14:05:00Z');
    const wait = await waitForDataFrontier(sql(), { needed, now: NOW, maxLateMinutes: 90 });
    expect(wait).toMatchObject({
      state: 'wait',
      reason: 'waiting for USDSEK data through 14:05 UTC, frontier 13:41 UTC',
    });
    expect(
      (await waitForDataFrontier(sql(), { needed: new Date('2026-11-25T13:30:00Z'), now: NOW, maxLateMinutes: 90 }))
        .state,
    ).toBe('ready');
    // 49 open minutes late: with a bound of 45 it is not waited for any more.
    const gaveUp = await waitForDataFrontier(sql(), { needed, now: NOW, maxLateMinutes: 45 });
    expect(gaveUp.state).toBe('gave up');
    if (gaveUp.state === 'gave up') expect(gaveUp.message).toContain('more than 45 minutes late');
  });

  it('does not wait all weekend for a component whose bar for Friday’s last minute never came', () => {
    // Friday 27 Nov 2026 closes at 22:00 UTC; USDSEK's last bar is 21:58 (the provider had none at 21:59).
    const saturday = new Date('2026-11-28T10:00:00Z');
    const frontier = {
      through: new Date('2026-11-27T21:59:00Z'),
      perSymbol: DXY_COMPONENTS.map((symbol) => ({
        symbol,
        latest: new Date(symbol === 'USDSEK' ? '2026-11-27T21:58:00Z' : '2026-11-27T21:59:00Z'),
      })),
    };
    expect(componentReportedThrough(frontier.perSymbol[0]?.latest ?? null, saturday)).toEqual(saturday);
    expect(laggingSymbols(frontier, saturday)).toEqual(['USDSEK']);
    // One open minute behind, but 12 hours on the clock: not data on its way.
    expect(frontierLateMinutes(frontier.through, saturday)).toBe(12 * 60 + 1);
    const needed = new Date('2026-11-28T10:00:00Z');
    const judged = judgeFrontierWait(frontier, { needed, now: saturday, maxLateMinutes: 90 });
    expect(judged.state).toBe('gave up');
    if (judged.state === 'gave up')
      expect(judged.message).toBe(
        'waiting for USDSEK data through 10:00 UTC, frontier 2026-11-27 21:59 UTC: more than 90 minutes late, not waited for any more',
      );
    // Just after the close the same bar may still be on its way (held back), and is waited for.
    const justAfter = new Date('2026-11-27T22:20:00Z');
    expect(frontierLateMinutes(frontier.through, justAfter)).toBe(21);
    expect(judgeFrontierWait(frontier, { needed: justAfter, now: justAfter, maxLateMinutes: 90 }).state).toBe('wait');
    // At Sunday's open (22:00 UTC) the weekend no longer counts: USDSEK's first minutes of the session are
    // awaited as late as they are (3 open minutes, plus Friday's 21:59), not as two days late.
    const sundayOpen = new Date('2026-11-29T22:03:00Z');
    expect(frontierLateMinutes(frontier.through, sundayOpen)).toBe(4);
    expect(judgeFrontierWait(frontier, { needed: sundayOpen, now: sundayOpen, maxLateMinutes: 90 }).state).toBe('wait');
    // A frontier carried past the close awaits nothing from before it.
    expect(frontierLateMinutes(saturday, saturday)).toBe(0);
  });

  it('is not held back by a weekend: Friday close to Sunday open counts as reported', async () => {
    // Friday 27 Nov 2026 closes at 22:00 UTC (winter); the last bar is 21:59.
    const friday = new Date('2026-11-27T21:59:00Z');
    expect(componentReportedThrough(friday, new Date('2026-11-28T12:00:00Z')).toISOString()).toBe(
      '2026-11-28T12:00:00.000Z',
    );
    // Once the market reopens (Sunday 22:00 UTC), a symbol with nothing since Friday holds it at the open.
    expect(componentReportedThrough(friday, new Date('2026-11-29T22:30:00Z')).toISOString()).toBe(
      '2026-11-29T22:00:00.000Z',
    );
    // A bar one minute before a summer Friday's 21:00 UTC close: reported through the close and beyond.
    expect(
      componentReportedThrough(new Date('2026-07-10T20:59:00Z'), new Date('2026-07-10T21:30:00Z')).toISOString(),
    ).toBe('2026-07-10T21:30:00.000Z');
  });

  it('is not held back by a holiday (Christmas Day is closed)', async () => {
    // Dec 24 2026 closes early (13:00 New York = 18:00 UTC); Dec 25 is closed; the 26th and 27th are a weekend.
    const lastBar = new Date('2026-12-24T17:59:00Z');
    expect(componentReportedThrough(lastBar, new Date('2026-12-25T15:00:00Z')).toISOString()).toBe(
      '2026-12-25T15:00:00.000Z',
    );
    // But a symbol silent since 17:00 on the 24th holds the frontier at 17:00 even on Christmas Day.
    expect(
      componentReportedThrough(new Date('2026-12-24T16:59:00Z'), new Date('2026-12-25T15:00:00Z')).toISOString(),
    ).toBe('2026-12-24T17:00:00.000Z');
  });

  it('holds at the first open minute of its look-back for a symbol with no bars at all', async () => {
    await sql()`delete from public.data_bars where canonical_symbol = 'USDCHF' and timeframe = '1m'`;
    const frontier = await readDataFrontier(sql(), { now: NOW });
    expect(frontier.perSymbol.find((s) => s.symbol === 'USDCHF')?.latest).toBeNull();
    expect(frontier.through.getTime()).toBeLessThan(Date.parse('2026-11-20T00:00:00Z'));
  });
});
