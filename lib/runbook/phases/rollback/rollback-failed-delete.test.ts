import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { MINUTE_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { backupTableName } from '../shared/backup';

/**
 * A "delete" rollback between phases 5 and 7, in a world with an earlier attempt's DXY rows in
 * data_bars (normalized by phase 2's fix). Its data steps return data_bars' DXY rows to exactly the
 * phase 1 backup — the earlier attempt's rows with their original values — and then it fails (the
 * legacy path stays silent). The bridge must stay off: nothing is copied back afterwards.
 */
describe('a failed "delete" rollback between phases 5 and 7', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2, leftovers: true }, { through: ['1', '2-fix', '3', '4', '5'] });
  let migrationRunId: number;

  /** data_bars' DXY rows against the backup, by whole row (the backup's columns). */
  const differencesFromBackup = async () => {
    const table = `cutover.${backupTableName(migrationRunId, 'data_bars')}`;
    const [row] = await test.database.sql.unsafe<{ added: number; changed: number; gone: number; backed_up: number }[]>(
      `SELECT count(*) FILTER (WHERE b.id IS NULL)::int AS added,
              count(*) FILTER (WHERE d.id IS NULL)::int AS gone,
              count(*) FILTER (WHERE b.id IS NOT NULL AND d.id IS NOT NULL AND to_jsonb(b) <> (
                SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(d)) e(k, v) WHERE to_jsonb(b) ? k))::int AS changed,
              count(b.id)::int AS backed_up
         FROM (SELECT * FROM public.data_bars WHERE canonical_symbol = 'DXY') d
         FULL JOIN ${table} b ON b.id = d.id`,
    );
    return row;
  };

  beforeAll(async () => {
    const healthChecks = await test.driver.run('6');
    expect(healthChecks.status, failedChecks(healthChecks)).toBe('succeeded');
    migrationRunId = healthChecks.migrationRunId;
    // The earlier attempt's rows were normalized by phase 2's fix: they differ from the backup now.
    expect((await differencesFromBackup())?.changed).toBeGreaterThan(0);
  });

  it('returns data_bars to the backup, fails on the silent legacy path, and the bridge copies nothing back', async () => {
    const { sql } = test.database;
    // The legacy path will not come back: the provider stops delivering EURUSD, so no DXY minute can be derived
    // (a planted fault; a worker restart does not cure it).
    await sql.unsafe(`
      CREATE FUNCTION cutover.test_drop_eurusd() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.canonical_symbol = 'EURUSD' THEN RETURN NULL; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_drop_eurusd BEFORE INSERT ON public.data_bars FOR EACH ROW EXECUTE FUNCTION cutover.test_drop_eurusd();`);
    const runId = await test.driver.start('rollback', undefined, { data: 'delete', confirm: 'ROLLBACK' });
    const [approval] = await sql`select id from cutover.approvals where phase_run_id = ${runId}`;
    expect(
      (await test.driver.act(approveRequest, APPROVER, { approvalId: approval?.id, confirm: 'DELETE' })).status,
    ).toBe('ok');
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/legacy path wrote no DXY minute/);
    const restored = await differencesFromBackup();
    expect(restored).toMatchObject({ added: 0, changed: 0, gone: 0 });
    expect(restored?.backed_up).toBeGreaterThan(0);

    // EURUSD comes back; the runner goes on ticking. Legacy minutes arrive, none reach data_bars.
    await sql.unsafe('DROP TRIGGER test_drop_eurusd ON public.data_bars; DROP FUNCTION cutover.test_drop_eurusd()');
    const [before] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    for (let i = 0; i < 15; i++) {
      test.driver.clock.advance(MINUTE_MS);
      await test.driver.tick();
    }
    const [after] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(after?.n).toBeGreaterThan(before?.n ?? 0);
    expect(await differencesFromBackup()).toMatchObject({ added: 0, changed: 0, gone: 0 });
  });
});
