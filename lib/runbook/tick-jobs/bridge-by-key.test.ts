import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { floorToMinute } from '../../market/market-hours';
import { MINUTE_MS } from '../../time-units';

/**
 * The bridge (phase 5 → 7) and phase 7's gap fill find the legacy minutes without a data_bars row
 * by key, so a legacy minute that lands late — behind minutes already carried across — still is.
 */
describe('bridge and phase 7 gap fill by key', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5'] });

  /** Takes one minute out of both tables, as if its legacy row had not been written yet. */
  const unwrite = async (minute: Date) => {
    const { sql } = test.database;
    await sql`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute}`;
    await sql`delete from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute}`;
  };
  /** The legacy writer derives the minute now, as production's workers call it: by name, named arguments. */
  const writeLegacyLate = async (minute: Date) => {
    const [row] = await test.database.sql<{ result: { inserted: number } }[]>`
      select public.calc_dxy_range_derived(p_from_utc => ${minute}, p_to_utc => ${new Date(minute.getTime() + MINUTE_MS)}) as result`;
    expect(row?.result.inserted).toBe(1);
  };
  /** The newest legacy minute at least 40 minutes old: one the legacy writer can derive again (no provider gap). */
  const minuteFortyMinutesAgo = async () => {
    const [row] = await test.database.sql<{ ts: Date }[]>`
      select max(ts_utc) as ts from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
         and ts_utc <= ${floorToMinute(new Date(test.driver.clock.now().getTime() - 40 * MINUTE_MS))}`;
    if (!row?.ts) throw new Error('no legacy minute 40 minutes back');
    return row.ts;
  };
  const inDataBars = async (minute: Date) => {
    const [row] = await test.database.sql<{ close: number | null; legacy: number | null }[]>`
      select (select close from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute}) as close,
             (select close from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                 and ts_utc = ${minute} and deleted_at is null) as legacy`;
    return row;
  };

  it('carries across a legacy minute written 40 minutes late after phase 5', async () => {
    for (let i = 0; i < 5; i++) {
      test.driver.clock.advance(MINUTE_MS);
      await test.driver.tick();
    }
    const late = await minuteFortyMinutesAgo();
    await unwrite(late);
    // The bridge keeps copying the minutes around it; this one is not there yet.
    test.driver.clock.advance(MINUTE_MS);
    await test.driver.tick();
    expect((await inDataBars(late))?.close ?? null).toBeNull();
    await writeLegacyLate(late);
    test.driver.clock.advance(MINUTE_MS);
    await test.driver.tick();
    const row = await inDataBars(late);
    expect(row?.legacy).not.toBeNull();
    expect(row?.close).toBe(row?.legacy);
  });

  it('phase 7 fills a late legacy minute by key while the bridge is off for its run', async () => {
    const run6 = await test.driver.run('6');
    expect(run6.status, failedChecks(run6)).toBe('succeeded');
    const late = await minuteFortyMinutesAgo();
    await unwrite(late);
    const runId = await test.driver.start('7');
    // Phase 7 pending: the bridge stands aside; the legacy minute lands now, 40 minutes late.
    await writeLegacyLate(late);
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const row = await inDataBars(late);
    expect(row?.close).toBe(row?.legacy);
    expect(Number(run.result.gapFilledRows)).toBeGreaterThanOrEqual(1);
  });
});
