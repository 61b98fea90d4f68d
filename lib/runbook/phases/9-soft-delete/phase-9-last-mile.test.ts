import type { TransactionSql } from 'postgres';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APPROVER, APPROVER_2, failedChecks, OPERATOR } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { anchorRehearsalClock } from '../../../market/clock';
import { floorToMinute } from '../../../market/market-hours';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { MINUTE_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { startPhaseRun } from '../../actions/start-phase-run';
import { getPhaseRun } from '../../engine/run-state';
import { copyMissingLegacyMinutes } from '../shared/copy-legacy';

/**
 * Phase 9 as the last mile: refused on a closed market; the final key-and-value proof lists a
 * legacy-only minute in the deploy hour, waivable only by typing its count, and blocks until it is
 * copied; the legacy writer proven stopped by write time; an attempt failing after two of five
 * batches, re-run and verified over the whole migration run; then a rollback with a duplicate-key
 * soft-deleted pair and a concurrent legacy insert.
 */
describe('phase 9: final proof, write-time stop proof, re-runs, and the rollback after it', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });
  let deployedAt: Date;
  let planted: Date;

  const sql = () => test.database.sql;
  const approvalOf = async (runId: number) => {
    const [row] = await sql()<{ id: number; summary: string; reason: string | null }[]>`
      select id, summary, reason from cutover.approvals where phase_run_id = ${runId}`;
    if (!row) throw new Error(`no approval for run #${runId}`);
    return row;
  };
  const counts = async () => {
    const [row] = await sql()<{ active: number; tagged: number; deleted: number }[]>`
      select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as active,
             (select count(*)::int from cutover.soft_deleted_rows) as tagged,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null) as deleted`;
    return row as NonNullable<typeof row>;
  };

  beforeAll(async () => {
    const deploy = await test.driver.run('7');
    expect(deploy.status, failedChecks(deploy)).toBe('succeeded');
    deployedAt = new Date(deploy.checkpoint.deployedAt as string);
    for (let i = 0; i < 26 * 12; i++) {
      test.driver.clock.advance(5 * MINUTE_MS);
      await test.driver.tick();
    }
    expect((await readMonitorState(sql(), { now: test.driver.clock.now() })).complete).toBe(true);
    // Phases 1–7 and 26 simulated hours of window, tick by tick.
  }, 420_000);

  it('is refused on a closed market, saying when it can start', async () => {
    await anchorRehearsalClock(test.database.sql, { simStart: new Date('2026-11-28T12:00:00Z'), speed: 1 });
    const refused = await test.driver.act(startPhaseRun, OPERATOR, { phase: '9' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused')
      expect(refused.reason).toMatch(/Market open \(the FX market is closed.*2026-11-29T22:00/);
    await anchorRehearsalClock(test.database.sql, { simStart: test.driver.clock.now(), speed: 1 });
  });

  it('lists a legacy-only minute of the deploy hour with the request; the approver waives it only by typing its count', async () => {
    // A minute both tables hold, early in the deploy hour (the provider misses a minute now and then, at random).
    const [both] = await sql()<{ ts_utc: Date }[]>`
      select n.ts_utc from public.data_bars n
       where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= ${floorToMinute(new Date(deployedAt.getTime() + 2 * MINUTE_MS))}
         and exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                       and d.ts_utc = n.ts_utc and d.deleted_at is null)
       order by n.ts_utc limit 1`;
    planted = both?.ts_utc ?? new Date(0);
    expect(planted.getTime() - deployedAt.getTime()).toBeLessThan(20 * MINUTE_MS);
    const removed =
      await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${planted}`;
    expect(removed.count).toBe(1);
    const runId = await test.driver.start('9');
    const approval = await approvalOf(runId);
    expect(approval.summary).toContain(
      `FINAL PROOF: 1 legacy minutes are not in data_bars with the same close: ${planted.toISOString()}`,
    );
    const approve = (extra: Record<string, unknown>) =>
      test.driver.act(approveRequest, APPROVER, { approvalId: approval.id, confirm: 'DXY', ...extra });
    const plain = await approve({});
    expect(plain.status).toBe('refused');
    if (plain.status === 'refused') expect(plain.reason).toMatch(/Type 1 to waive them/);
    expect((await approve({ waiveCount: 2 })).status).toBe('refused');
    expect((await approve({ waiveCount: 1 })).status).toBe('ok');
    expect((await approvalOf(runId)).reason).toBe(`Waived 1 listed differences: ${planted.toISOString()}`);
    const run = await getPhaseRun(sql(), { id: runId });
    expect(run?.options.waiver).toEqual({ count: 1, minutes: [planted.toISOString()], by: APPROVER.username });

    // The final proof passes on the waiver; the workers go final. While the stop is being proven, a straggling
    // legacy writer derives a minute of three hours ago (its bar time is old; its write time is now).
    let quiet = false;
    for (let i = 0; i < 30 && !quiet; i++) {
      await test.driver.tick();
      test.driver.clock.advance(MINUTE_MS);
      const now = await getPhaseRun(sql(), { id: runId });
      quiet = now?.checkpoint.stage === 'proving-stop' && Boolean(now.checkpoint.quietFrom);
    }
    expect(quiet).toBe(true);
    // A minute that has a legacy row, so its components are complete (the world has random provider gaps).
    const [legacyRow] = await sql()<{ ts_utc: Date }[]>`
      select max(ts_utc) as ts_utc from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
         and ts_utc <= ${new Date(test.driver.clock.now().getTime() - 3 * 60 * MINUTE_MS)}`;
    const old = legacyRow?.ts_utc as Date;
    await sql()`delete from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${old}`;
    const derive = (tx: TransactionSql) => tx<{ r: { inserted?: number } }[]>`
      select public.calc_dxy_range_derived(p_from_utc => ${old}, p_to_utc => ${new Date(old.getTime() + MINUTE_MS)}) as r`;
    // The fence phase 9 put up with the switch skips it (lib/runbook/phases/shared/legacy-fence.test.ts) …
    const [fenced] = await sql().begin(derive);
    expect(fenced?.r.inserted).toBe(0);
    // … so this straggler goes around it, as only the table's owner can; the write-time proof still catches it.
    const [straggler] = await sql().begin(async (tx) => {
      await tx.unsafe('ALTER TABLE public.derived_data_bars DISABLE TRIGGER cutover_legacy_dxy_fence');
      const rows = await derive(tx);
      await tx.unsafe('ALTER TABLE public.derived_data_bars ENABLE ALWAYS TRIGGER cutover_legacy_dxy_fence');
      return rows;
    });
    expect(straggler?.r.inserted).toBe(1);
    const failed = await test.driver.finish(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/legacy writer is still on: 1 legacy DXY rows written since .*Nothing was deleted/);
    expect((await counts()).tagged).toBe(0);
    const [proofEvent] = await sql()`select message from cutover.phase_run_events
                                      where phase_run_id = ${runId} and message like 'Final proof:%'`;
    expect(proofEvent?.message).toMatch(/1 differ, each waived by ava/);
  });

  it('blocks until the minute is copied; an attempt then fails after two of five batches', async () => {
    expect(await copyMissingLegacyMinutes(sql(), { from: planted, to: new Date(planted.getTime() + MINUTE_MS) })).toBe(
      1,
    );
    const { active } = await counts();
    const batch = Math.ceil(active / 5);
    test.driver.config.softDeleteBatchRows = batch;
    test.driver.config.stepBudgetMs = 0;
    // A fault planted in the database: the third batch fails (a disk full, a lost replica …).
    await sql().unsafe(`
      CREATE FUNCTION cutover.test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM cutover.soft_deleted_rows) >= ${2 * batch} THEN RAISE EXCEPTION 'planted fault: disk full'; END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_fault BEFORE INSERT ON cutover.soft_deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION cutover.test_fault();`);
    const runId = await test.driver.start('9');
    const approval = await approvalOf(runId);
    expect(approval.summary).toMatch(/Final proof: all \d+ active legacy minutes are in data_bars with the same close/);
    expect(
      (await test.driver.act(approveRequest, APPROVER_2, { approvalId: approval.id, confirm: 'DXY' })).status,
    ).toBe('ok');
    const failed = await test.driver.finish(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/planted fault/);
    expect(await counts()).toMatchObject({ tagged: 2 * batch, deleted: 2 * batch, active: active - 2 * batch });
  });

  it('a re-run continues where the failed attempt stopped and verifies over the whole migration run', async () => {
    await sql().unsafe('DROP TRIGGER test_fault ON cutover.soft_deleted_rows; DROP FUNCTION cutover.test_fault()');
    const before = await counts();
    const runId = await test.driver.start('9');
    const approval = await approvalOf(runId);
    expect((await test.driver.act(approveRequest, APPROVER, { approvalId: approval.id, confirm: 'DXY' })).status).toBe(
      'ok',
    );
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const recorded = run.verification?.checks.find((c) => c.name.startsWith('Every soft-deleted row recorded'));
    expect(recorded?.detail).toMatch(/over 3 attempts/);
    expect(run.progress).toMatchObject({
      rowsDone: before.active + before.tagged,
      rowsTotal: before.active + before.tagged,
    });
    const after = await counts();
    expect(after.active).toBe(0);
    expect(after.tagged).toBe(before.active + before.tagged);
    expect(after.deleted).toBe(after.tagged);
  });

  it('a rollback restores one active row per key despite a duplicate-key pair and a concurrent legacy insert, and switches the workers last', async () => {
    const [first, second] = await sql()<{ id: string; ts_utc: Date; migration_run_id: number }[]>`
      select derived_id::text as id, ts_utc, migration_run_id from cutover.soft_deleted_rows order by ts_utc desc limit 2`;
    if (!first || !second) throw new Error('no soft-deleted rows');
    // A pair: the straggling writer re-created first's minute and a later batch soft-deleted that copy too.
    const [copy] = await sql()<{ id: string }[]>`
      insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial,
                                            source, ingested_at, deleted_at)
      select canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, false, source, now(), deleted_at
        from public.derived_data_bars where id = ${first.id} returning id::text`;
    await sql()`insert into cutover.soft_deleted_rows (migration_run_id, derived_id, ts_utc)
                values (${first.migration_run_id}, ${copy?.id as string}, ${first.ts_utc})`;
    // The rollback's first step takes phase 9's fence down (one step per tick since the test above); until then
    // a legacy insert is skipped by the fence (lib/runbook/phases/shared/legacy-fence.test.ts).
    const runId = await test.driver.start('rollback', undefined, { data: 'keep', confirm: 'ROLLBACK' });
    for (
      let i = 0;
      i < 5 && (await getPhaseRun(sql(), { id: runId }))?.checkpoint.stage !== 'restore-soft-deleted';
      i++
    )
      await test.driver.tick();
    expect((await getPhaseRun(sql(), { id: runId }))?.checkpoint.stage).toBe('restore-soft-deleted');
    // A legacy writer inserts second's minute in a transaction still open when the rollback reaches the rows.
    const writer = await sql().reserve();
    await writer`begin`;
    const [inserted] = await writer<{ id: string }[]>`
      insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial,
                                            source, ingested_at)
      select canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, false, source, now()
        from public.derived_data_bars where id = ${second.id}
      returning id::text`;
    expect(inserted?.id).toEqual(expect.any(String));
    const finishing = test.driver.finish(runId);
    await vi.waitFor(
      async () => {
        const [waiting] = await sql()<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
        expect(waiting?.n).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 50 },
    );
    await writer`commit`;
    writer.release();
    const run = await finishing;
    expect(run.status, failedChecks(run)).toBe('succeeded');

    const [dupes] = await sql()<{ n: number }[]>`
      select count(*)::int as n from (select 1 from public.derived_data_bars where canonical_symbol = 'DXY' and deleted_at is null
                                       group by timeframe, ts_utc having count(*) > 1) k`;
    expect(dupes?.n).toBe(0);
    const active = async (ts: Date) =>
      (
        await sql()<{ id: string }[]>`
          select id::text from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${ts} and deleted_at is null`
      ).map((r) => r.id);
    expect(await active(first.ts_utc)).toHaveLength(1);
    expect(await active(second.ts_utc)).toEqual([inserted?.id]);
    expect(run.checkpoint.skipped).toBe(2);
    expect(JSON.stringify(run.checkpoint.skippedSamples)).toContain(second.ts_utc.toISOString());

    const events = (
      await sql()<
        { message: string }[]
      >`select message from cutover.phase_run_events where phase_run_id = ${runId} order by id`
    ).map((e) => e.message);
    const at = (pattern: RegExp) => events.findIndex((m) => pattern.test(m));
    expect(at(/^Restored the pipeline functions/)).toBeGreaterThanOrEqual(0);
    expect(at(/^Restored \d+ soft-deleted/)).toBeGreaterThan(at(/^Restored the pipeline functions/));
    expect(at(/^Back-filled \d+ minutes into derived_data_bars/)).toBeGreaterThan(at(/^Restored \d+ soft-deleted/));
    expect(at(/^Deployed workers in mode legacy/)).toBeGreaterThan(
      at(/^Back-filled \d+ minutes into derived_data_bars/),
    );
    const [workers] = await sql()`select mode from cutover.rehearsal_workers`;
    expect(workers?.mode).toBe('legacy');
  }, 180_000);
});
