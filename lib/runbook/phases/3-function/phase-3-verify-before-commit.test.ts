/**
 * Phase 3 checks before it commits (docs/phases.md, phase 3): the function, its grants, its test on
 * recent legacy data and its checks run in one transaction, so a function whose test fails is never
 * left behind for phase 5 to find.
 */
import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';

describe('phase 3 whose test fails creates nothing', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 }, { through: ['1', '2-fix'] });

  const functionExists = async () => {
    const [row] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' and p.proname = 'calc_dxy_range_1m'`;
    return (row?.n ?? 0) > 0;
  };

  it('a legacy minute that differs from its components fails the test before the commit: no function, no grants', async () => {
    await test.database.sql`update cutover.rehearsal_workers set paused = true`;
    // The newest legacy minute, in the test's window, made to disagree with what its components give.
    const [changed] = await test.database.sql<{ id: string; close: number }[]>`
      update public.derived_data_bars set close = close * 1.01
       where id = (select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                     and deleted_at is null order by ts_utc desc limit 1)
      returning id::text, close`;
    expect(changed).toBeDefined();
    const run = await test.driver.run('3');
    expect(run.status).toBe('failed');
    expect(failedChecks(run)).toMatch(
      /calc_dxy_range_1m failed its checks before commit, so nothing was created: Test minutes match the legacy values: \d+ minutes compared, .* 1 mismatches/,
    );
    expect(await functionExists()).toBe(false);
    // Put right, a new attempt creates it and commits.
    await test.database.sql`update public.derived_data_bars set close = close / 1.01 where id = ${changed?.id ?? '0'}`;
    const again = await test.driver.run('3');
    expect(again.status, failedChecks(again)).toBe('succeeded');
    expect(await functionExists()).toBe(true);
  });
});
