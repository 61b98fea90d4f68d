/**
 * Phase 7 when a DXY component is held back from the deployment on: no minute is complete, so neither
 * writer can show anything; then half an hour of bars lands at once, both writers derive it, and the
 * aggregator's next run is minutes away. The proof waits for that run instead of failing on the data
 * allowance the burst spent in one tick.
 */
import { describe, expect, it } from 'vitest';
import { holdUsdsekFrom, releaseUsdsek } from '../../../../test-support/hold-component';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { MINUTE_MS } from '../../../time-units';
import { getPhaseRun } from '../../engine/run-state';

describe('phase 7 with USDSEK held back for 30 minutes from the deployment', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });

  it('waits for the aggregator’s first run after the burst, and proves the deployment', async () => {
    const sql = test.database.sql;
    const holdFrom = new Date(Math.ceil(test.driver.clock.now().getTime() / MINUTE_MS) * MINUTE_MS);
    await holdUsdsekFrom(sql, holdFrom);
    // The aggregator stays away until the test lets it run.
    const later = new Date(test.driver.clock.now().getTime() + 3 * 60 * MINUTE_MS);
    await sql`update public.data_agg_state set next_run_at = ${later} where canonical_symbol = 'DXY' and timeframe = '5m'`;
    const runId = await test.driver.start('7');
    for (let i = 0; i < 30; i++) {
      await test.driver.tick();
      test.driver.clock.advance(MINUTE_MS);
      const run = await getPhaseRun(sql, { id: runId });
      expect(run?.status, JSON.stringify(run?.error ?? null)).toBe('running');
    }
    const now = test.driver.clock.now();
    expect(await releaseUsdsek(sql, { from: holdFrom, now, mode: 'dual' })).toBeGreaterThanOrEqual(25);
    await sql`update public.data_agg_state set next_run_at = ${new Date(now.getTime() + 3 * MINUTE_MS)}
               where canonical_symbol = 'DXY' and timeframe = '5m'`;
    await test.driver.tick();
    test.driver.clock.advance(MINUTE_MS);
    const waiting = await getPhaseRun(sql, { id: runId });
    expect(waiting?.status, JSON.stringify(waiting?.error ?? null)).toBe('running');
    expect((waiting?.checkpoint ?? {}) as { fiveMinuteAllowanceSpentAt?: string }).toHaveProperty(
      'fiveMinuteAllowanceSpentAt',
    );
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
  });
});
