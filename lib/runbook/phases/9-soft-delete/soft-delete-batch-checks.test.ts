import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { MINUTE_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { readRestoreCoverage } from '../rollback/restore-coverage';
import { coverageCheck, readSoftDeleteCoverage } from './soft-delete-coverage';
import { changedSinceCheck, recheckSinceBatches } from './soft-delete-recheck';

/**
 * Each soft-delete batch and each restore batch checks itself by key and value before it commits; the verifications
 * then prove only coverage and what changed since. Every one of those checks made to fail: a batch that passes over a
 * minute nothing proves, a batch whose data_bars minute changes before its commit, a minute changed after its batch,
 * a soft-delete without a record, a restored row whose values changed while it was soft-deleted, a restored row
 * soft-deleted again.
 */
describe('phase 9 and the rollback: each batch checked before its commit, the verification by coverage and what changed since', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { stepBudgetMs: 0 }, through: ['1', '2-fix', '3', '4', '5', '6', '7'] },
  );
  const sql = () => test.database.sql;
  let batch: number;
  let migrationRunId: number;
  let planted: { ts_utc: Date; close: number };

  const counts = async () => {
    const [row] = await sql()<{ active: number; tagged: number; deleted: number }[]>`
      select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as active,
             (select count(*)::int from cutover.soft_deleted_rows where restored_at is null) as tagged,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null) as deleted`;
    return row as NonNullable<typeof row>;
  };
  const approved = async (phase: '9' | 'rollback', options?: Record<string, unknown>) => {
    const runId = await test.driver.start(phase, undefined, options);
    const [approval] = await sql()<{ id: number }[]>`select id from cutover.approvals where phase_run_id = ${runId}`;
    if (approval) {
      const result = await test.driver.act(approveRequest, APPROVER, {
        approvalId: approval.id,
        confirm: phase === '9' ? 'DXY' : 'DELETE',
      });
      expect(result.status).toBe('ok');
    }
    return runId;
  };

  beforeAll(async () => {
    for (let i = 0; i < 26 * 12; i++) {
      test.driver.clock.advance(5 * MINUTE_MS);
      await test.driver.tick();
    }
    expect((await readMonitorState(sql(), { now: test.driver.clock.now() })).complete).toBe(true);
    const { active } = await counts();
    batch = Math.ceil(active / 5);
    test.driver.config.softDeleteBatchRows = batch;
    const [run] = await sql()<{ id: number }[]>`select id from cutover.migration_runs where status = 'active'`;
    migrationRunId = Number(run?.id);
    // Phases 1–7 and 26 simulated hours of window, tick by tick.
  }, 420_000);

  it('a batch that passes over a minute nothing proves rolls back whole and stops phase 9, naming the minute', async () => {
    const runId = await approved('9');
    // After the request's proof (the approver saw none), an old minute's data_bars close changes: older than what the
    // execution re-checks, so only the third batch, which reaches it, can see it.
    const [row] = await sql()<{ ts_utc: Date; close: number }[]>`
      select n.ts_utc, n.close from public.data_bars n
        join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.ts_utc = n.ts_utc and d.deleted_at is null
       where n.canonical_symbol = 'DXY' and n.timeframe = '1m'
       order by n.ts_utc offset ${Math.floor(2.5 * batch)} limit 1`;
    planted = row as NonNullable<typeof row>;
    await sql()`update public.data_bars set close = close * 1.01
                 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${planted.ts_utc}`;
    const failed = await test.driver.finish(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Soft-delete batch check failed, the batch rolled back/);
    expect(failed.error).toContain(`${planted.ts_utc.toISOString()} (left active)`);
    // Two batches committed, each with its check; nothing of the third.
    expect(await counts()).toMatchObject({ tagged: 2 * batch, deleted: 2 * batch });
    expect(failed.checkpoint.checked).toMatchObject({ batches: 2, rows: 2 * batch, sameClose: 2 * batch });
    const [still] = await sql()<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${planted.ts_utc} and deleted_at is null`;
    expect(still?.n).toBe(1);
  }, 180_000);

  it('a batch whose data_bars minute changes between its write and its commit rolls back whole', async () => {
    await sql()`update public.data_bars set close = ${planted.close}
                 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${planted.ts_utc}`;
    // Inside the batch's own transaction, after its write: its last minute's data_bars close changes.
    await sql().unsafe(`
      CREATE FUNCTION cutover.test_change_data_bars() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE public.data_bars SET close = close * 1.01
         WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND ts_utc = (SELECT max(ts_utc) FROM batch_rows);
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_change_data_bars AFTER INSERT ON cutover.soft_deleted_rows
        REFERENCING NEW TABLE AS batch_rows FOR EACH STATEMENT EXECUTE FUNCTION cutover.test_change_data_bars();`);
    const before = await counts();
    const failed = await test.driver.finish(await approved('9'));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /Soft-delete batch check failed, the batch rolled back.*1 not in data_bars with the same close and not waived: .* \(close differs\)/,
    );
    expect(await counts()).toEqual(before);
    await sql().unsafe(
      'DROP TRIGGER test_change_data_bars ON cutover.soft_deleted_rows; DROP FUNCTION cutover.test_change_data_bars()',
    );
  }, 180_000);

  it('a re-run soft-deletes the rest; its verification proves coverage by counts over the three attempts', async () => {
    const run = await test.driver.finish(await approved('9'));
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const after = await counts();
    expect(after.active).toBe(0);
    const coverage = run.verification?.checks.find((c) => c.name.startsWith('Every soft-deleted row recorded'));
    expect(coverage?.passed).toBe(true);
    expect(coverage?.detail).toMatch(
      new RegExp(
        `^${after.tagged} rows recorded over 3 attempts .*${after.tagged} checked by key and value in \\d+ batches`,
      ),
    );
    const changed = run.verification?.checks.find((c) => c.name.startsWith('Soft-deleted minutes the live writer'));
    expect(changed?.passed).toBe(true);
    expect(changed?.detail).toMatch(/[1-9]\d* soft-deleted minutes from .* re-checked: none lost/);
  }, 180_000);

  it('the final re-check catches a minute changed after its batch; the coverage, a soft-delete without a record', async () => {
    const coverage = await readSoftDeleteCoverage(sql(), { migrationRunId });
    expect(coverageCheck(coverage, 0).passed).toBe(true);
    const from = coverage.firstBatchAt as Date;
    // A soft-deleted minute the live writer can still reach, but older than the revisions the world makes.
    const [minute] = await sql()<{ ts_utc: Date }[]>`
      select d.ts_utc from public.derived_data_bars d
       where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is not null
         and d.ts_utc >= ${new Date(from.getTime() - 100 * MINUTE_MS)} and d.ts_utc < ${new Date(from.getTime() - 60 * MINUTE_MS)}
       order by d.ts_utc limit 1`;
    const ts = minute?.ts_utc as Date;
    expect(changedSinceCheck(await recheckSinceBatches(sql(), { migrationRunId, from, waived: [] })).passed).toBe(true);
    await sql()`update public.data_bars set close = close * 1.01 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${ts}`;
    const changed = await recheckSinceBatches(sql(), { migrationRunId, from, waived: [] });
    expect(changed.lost).toBe(1);
    const check = changedSinceCheck(changed);
    expect(check.passed).toBe(false);
    expect(check.detail).toContain(`(close differs)`);
    // Waived by the approver, it is no loss.
    expect((await recheckSinceBatches(sql(), { migrationRunId, from, waived: [ts.toISOString()] })).lost).toBe(0);
    await sql()`update public.data_bars set close = close / 1.01 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${ts}`;

    // A legacy row soft-deleted by someone else, with no record for the rollback.
    const [other] = await sql()<{ id: string }[]>`
      insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, is_partial, source,
                                            ingested_at, deleted_at)
      values ('DXY', '1m', '2020-01-06T10:00:00Z', 100, 100, 100, 100, false, 'dxy', '2020-01-06T10:01:02Z',
              '2020-01-07T00:00:00Z') returning id::text`;
    const unrecorded = coverageCheck(await readSoftDeleteCoverage(sql(), { migrationRunId }), 0);
    expect(unrecorded.passed).toBe(false);
    expect(unrecorded.detail).toMatch(/1 soft-deleted without a record/);
    await sql()`delete from public.derived_data_bars where id = ${other?.id as string}`;
  });

  it('a restore batch whose row changed while soft-deleted rolls back whole and stops the rollback, naming the row', async () => {
    const [row] = await sql()<{ id: string; ts_utc: Date }[]>`
      select derived_id::text as id, ts_utc from cutover.soft_deleted_rows order by ts_utc desc limit 1`;
    const target = row as NonNullable<typeof row>;
    await sql()`update public.derived_data_bars set close = close * 1.01 where id = ${target.id}`;
    const before = await counts();
    const failed = await test.driver.finish(await approved('rollback', { data: 'keep', confirm: 'ROLLBACK' }));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Restore batch check failed, the batch rolled back/);
    expect(failed.error).toContain(`(id ${target.id}: values differ from the record`);
    const [left] = await sql()<{ unrestored: number; active: number }[]>`
      select (select count(*)::int from cutover.soft_deleted_rows where restored_at is null) as unrestored,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as active`;
    expect(left).toEqual({ unrestored: before.tagged, active: 0 });
    expect(left?.unrestored).toBeGreaterThan(0);
    await sql()`update public.derived_data_bars set close = close / 1.01 where id = ${target.id}`;
    // Exactly the recorded value again (a double divided back may differ in its last bit).
    await sql()`update public.derived_data_bars d set close = s.close from cutover.soft_deleted_rows s
                 where s.derived_id = d.id and d.id = ${target.id}`;
  }, 180_000);

  it('a re-run restores every row, checked batch by batch; a restored row soft-deleted again fails the re-check', async () => {
    const run = await test.driver.finish(await approved('rollback', { data: 'keep', confirm: 'ROLLBACK' }));
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const restored = run.verification?.checks.find(
      (c) => c.name === 'Soft-deleted rows restored, one active row per key',
    );
    expect(restored?.detail).toMatch(/(\d+) recorded by phase 9, 0 not restored, \1 checked by key and value/);
    const coverage = await readRestoreCoverage(sql(), { migrationRunId });
    expect(coverage).toMatchObject({ unrestored: 0, redeleted: 0 });
    expect(coverage.checkedRows).toBe(coverage.records);
    const [row] = await sql()<{ id: string }[]>`select derived_id::text as id from cutover.soft_deleted_rows limit 1`;
    await sql()`update public.derived_data_bars set deleted_at = now() where id = ${row?.id as string}`;
    expect((await readRestoreCoverage(sql(), { migrationRunId })).redeleted).toBe(1);
  }, 180_000);
});
