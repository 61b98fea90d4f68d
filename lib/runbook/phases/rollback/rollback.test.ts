import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, failedChecks, testUser } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import type { PipelineVariant } from '../../../market/pipeline/variant';
import { approveRequest } from '../../actions/decide-approval';
import { startPhaseRun } from '../../actions/start-phase-run';
import { backupTableName } from '../shared/backup';

/** An operator who is also an approver: the two-person rule must still stop them approving themselves. */
const OPERATOR_APPROVER = testUser('opal', ['operator', 'approver']);

describe.each<{ variant: PipelineVariant; data: 'keep' | 'delete' }>([
  { variant: 'production', data: 'keep' },
  { variant: 'plan', data: 'delete' },
])('rollback after phase 7 ($variant schema, $data the DXY rows in data_bars)', ({ variant, data }) => {
  const test = useTestWorld(
    { variant, now: MIDWEEK_NOW, days: 2 },
    { through: ['1', '2-fix', '3', '4', '5', '6', '7'] },
  );
  let migrationRunId: number;
  let gapMinutes: Date[];

  beforeAll(async () => {
    test.driver.clock.advance(10 * 60_000);
    await test.driver.tick();
    // Minutes that reached only data_bars (a legacy write lost during the window): the rollback must refill them.
    gapMinutes = (
      await test.database.sql<{ ts_utc: Date }[]>`
        delete from public.derived_data_bars where id in (
          select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
             and ts_utc > ${MIDWEEK_NOW} order by ts_utc desc limit 3 offset 2)
        returning ts_utc`
    ).map((r) => r.ts_utc);
    expect(gapMinutes).toHaveLength(3);
    const [run] = await test.database.sql`select migration_run_id from cutover.phase_runs limit 1`;
    migrationRunId = Number(run?.migration_run_id);
  });

  it('runs (with a second person’s approval when deleting) and verifies', async () => {
    const requester = data === 'delete' ? OPERATOR_APPROVER : undefined;
    const runId = await test.driver.start('rollback', requester, { data, confirm: 'ROLLBACK' });
    if (data === 'delete') {
      const [approval] = await test.database.sql`select id from cutover.approvals where phase_run_id = ${runId}`;
      const own = await test.driver.act(approveRequest, OPERATOR_APPROVER, {
        approvalId: approval?.id,
        confirm: 'DELETE',
      });
      expect(own).toEqual({
        status: 'refused',
        reason: 'Two-person rule: you requested this, so someone else must approve it.',
      });
      const unconfirmed = await test.driver.act(approveRequest, APPROVER, {
        approvalId: approval?.id,
        confirm: 'delete',
      });
      expect(unconfirmed.status).toBe('refused');
      // Nothing runs before the approval.
      await test.driver.tick();
      const [waiting] = await test.database.sql`select status from cutover.phase_runs where id = ${runId}`;
      expect(waiting?.status).toBe('awaiting-approval');
      expect(
        (await test.driver.act(approveRequest, APPROVER, { approvalId: approval?.id, confirm: 'DELETE' })).status,
      ).toBe('ok');
    }
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
  });

  it('leaves the legacy table with every minute up to now, including the ones only data_bars had', async () => {
    const rows = await test.database.sql<{ ts_utc: Date }[]>`
      select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
         and ts_utc in ${test.database.sql(gapMinutes)}`;
    expect(rows).toHaveLength(3);
    const [gap] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from (
        select ts_utc from public.data_bars where timeframe = '1m'
           and canonical_symbol in ('EURUSD','USDJPY','GBPUSD','USDCAD','USDSEK','USDCHF') and close > 0
         group by ts_utc having count(*) = 6) complete
       where not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                           and d.ts_utc = complete.ts_utc and d.deleted_at is null)`;
    expect(gap?.n).toBe(0);
  });

  it(`${data === 'keep' ? 'keeps' : 'deletes'} the DXY rows in data_bars and changes nothing else (checked against the backup)`, async () => {
    const { sql } = test.database;
    const [dxy] = await sql<
      { n: number }[]
    >`select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY'`;
    if (data === 'keep') expect(dxy?.n).toBeGreaterThan(2000);
    else expect(dxy?.n).toBe(0);
    const [changed] = await sql.unsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM cutover.${backupTableName(migrationRunId, 'derived_data_bars')} b
         LEFT JOIN public.derived_data_bars d ON d.id = b.id
        WHERE d.id IS NULL OR (b.ts_utc, b.close, b.timeframe, b.deleted_at, b.source) IS DISTINCT FROM (d.ts_utc, d.close, d.timeframe, d.deleted_at, d.source)`,
    );
    expect(changed?.n).toBe(0);
    const [registry] = await sql`select metadata from public.core_asset_registry_all where canonical_symbol = 'DXY'`;
    expect(registry?.metadata).toEqual({});
    const [workers] = await sql`select mode from cutover.rehearsal_workers`;
    expect(workers?.mode).toBe('legacy');
    const [migration] = await sql`select status from cutover.migration_runs where id = ${migrationRunId}`;
    expect(migration?.status).toBe('rolled_back');
  });

  it('closes the migration run: a new one starts at phase 1', async () => {
    const result = await test.driver.act(startPhaseRun, testUser('otto', ['operator']), { phase: '3' });
    expect(result.status).toBe('refused');
  });
});
