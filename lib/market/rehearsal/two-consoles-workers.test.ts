/**
 * Two consoles on one rehearsal database each run a runner, and each runner ticks the simulated workers
 * (docs/operations.md "More than one console"): the ticks take turns under an advisory lock, so the simulated
 * pipeline produces each minute once, however the two runners' ticks fall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { connectDatabase, type Database } from '../../db/connection';
import { MINUTE_MS } from '../../time-units';
import { fixedClock } from '../clock';
import { tickSimulatedWorkers } from './simulated-workers';

describe('the simulated workers under two consoles’ runners', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW });
  const clock = fixedClock(MIDWEEK_NOW);
  let other: Database;

  beforeAll(() => {
    // The second console: its own pool on the same database.
    other = connectDatabase(test.url, { max: 4, applicationName: 'second-console' });
  });
  afterAll(async () => {
    await other.close();
  });

  it('produces each minute once when both runners tick at the same moment', async () => {
    const from = clock.now();
    for (let round = 0; round < 4; round++) {
      clock.advance(5 * MINUTE_MS);
      const ticks = await Promise.all(
        [test.database, other].map((database) => tickSimulatedWorkers(database.sql, { now: clock.now() })),
      );
      expect(ticks.flatMap((tick) => tick.errors)).toEqual([]);
      // One of the two did the round's five minutes; the other found the workers busy and did none.
      expect(ticks.map((tick) => tick.minutesProduced).sort()).toEqual([0, 5]);
    }
    const [bars] = await test.database.sql<{ rows: number; keys: number; minutes: number }[]>`
      select count(*)::int as rows, count(distinct (canonical_symbol, timeframe, ts_utc))::int as keys,
             count(distinct ts_utc)::int as minutes
        from public.data_bars where timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${clock.now()}`;
    expect(bars?.rows).toBe(bars?.keys);
    expect(bars?.minutes).toBeGreaterThanOrEqual(18);
  });
});
