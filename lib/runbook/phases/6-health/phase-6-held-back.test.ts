/**
 * Phase 6 while a component is held back (staggered ingestion, docs/phases.md phase 6): the
 * recent minutes have no DXY yet, so its data checks are judged up to the data frontier instead of
 * failing on minutes whose data is still on its way; a component late beyond
 * CUTOVER_MONITOR_SETTLE_MAX_MINUTES is not waited for, and the checks fail on now.
 */
import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { TOGETHER_INGESTION } from '../../../db/tables/rehearsal-workers';
import { MINUTE_MS } from '../../../time-units';

describe('phase 6 with USDSEK held back', () => {
  // Staggered, as production ingests (a held-back component is a staggered world's event).
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2, ingestion: { ...TOGETHER_INGESTION, schedule: 'staggered' } },
    { through: ['1', '2-fix', '3', '4', '5'], perTest: true },
  );

  /** USDSEK has not reported its last `minutes` yet, so no DXY (1m or 5m) exists for them anywhere. */
  async function holdBackUsdsek(minutes: number) {
    const since = new Date(test.driver.clock.now().getTime() - minutes * MINUTE_MS);
    const sql = test.database.sql;
    await sql`delete from public.data_bars where canonical_symbol in ('USDSEK', 'DXY') and ts_utc >= ${since}`;
    await sql`delete from public.derived_data_bars where canonical_symbol = 'DXY' and ts_utc >= ${since}`;
    // And it stays held back while the phase runs: the world's tick-factory lands nothing more of it.
    const until = new Date(test.driver.clock.now().getTime() + 6 * 60 * MINUTE_MS);
    // The only hold: the world's own random one gives way.
    await sql`update cutover.rehearsal_ingestion set held_until = null`;
    await sql`update cutover.rehearsal_ingestion set next_minute = ${since}, held_until = ${until} where symbol = 'USDSEK'`;
    return since;
  }

  it('judges the function and the aggregation up to the frontier, 20 minutes back, and passes', async () => {
    const since = await holdBackUsdsek(20);
    const run = await test.driver.run('6');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.result.dataFrontier).toBe(since.toISOString());
    expect(run.result.dataCheckedAt).toBe(since.toISOString());
  });

  it('fails when USDSEK is two hours late: data that late is not waited for', async () => {
    await holdBackUsdsek(120);
    const run = await test.driver.run('6');
    expect(run.status).toBe('failed');
    expect(failedChecks(run)).toContain('New function produces DXY rows');
    expect(run.result.dataCheckedAt).toBe(run.result.checkedAt);
  });
});
