import type { TransactionSql } from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, failedChecks, OPERATOR } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { executeAction } from '../../../auth/action';
import { floorToMinute } from '../../../market/market-hours';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { MINUTE_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { startPhaseRun } from '../../actions/start-phase-run';
import { getPhaseRun } from '../../engine/run-state';
import { runBound } from '../../engine/statements';
import { readPhaseDetail } from '../../read/read-phase-detail';
import { FENCE_FUNCTION, FENCE_TRIGGER, installFence, tryFence } from './legacy-fence';
import { fenceProblems, noFenceCheck, readFenceState, readLegacyFencePanel } from './legacy-fence-state';

/**
 * Phase 9's fence on legacy DXY writes (docs/phases.md "The fence on legacy writes"): from the
 * switch to mode final, writers the deployment does not control — a direct INSERT, a second
 * tick-factory calling calc_dxy_range_derived, as service_role with their own application names —
 * re-create no active legacy row and are listed; phase 9 passes while one keeps trying; aggregates
 * and other symbols are untouched; a foreign trigger of the fence's name is refused and the retry
 * resumes; the rollback takes the fence down before restoring and back-filling.
 */
describe('the fence on legacy DXY writes', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });
  const sql = () => test.database.sql;
  let fencedRunId: number;
  let rogueMinute: Date;

  beforeAll(async () => {
    for (let i = 0; i < 26 * 12; i++) {
      test.driver.clock.advance(5 * MINUTE_MS);
      await test.driver.tick();
    }
    expect((await readMonitorState(sql(), { now: test.driver.clock.now() })).complete).toBe(true);
    // Production's Supabase grants the workers' role the pipeline tables directly (docs/domain.md).
    await sql().unsafe('GRANT ALL ON public.derived_data_bars, public.data_bars TO service_role');
    await sql().unsafe('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO service_role');
  }, 420_000);

  /** A writer the console does not control: its own role and application name, its own transaction. */
  const asWriter = <T>(application: string, work: (tx: TransactionSql) => Promise<T>) =>
    sql().begin(async (tx) => {
      await tx.unsafe('SET LOCAL ROLE service_role');
      await tx.unsafe(`SET LOCAL application_name = '${application}'`);
      return work(tx);
    }) as Promise<T>;
  const insertLegacy = (tx: TransactionSql, minute: Date) =>
    tx`insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial, source, ingested_at)
       values ('DXY', '1m', ${minute}, 100, 100, 100, 100, 0, false, 'dxy', now()) returning id`;
  const secondTickFactory = (from: Date, to: Date) =>
    asWriter('tick-factory-2', async (tx) => {
      const [row] = await tx<{ r: { success: boolean; inserted: number; updated: number } }[]>`
        select public.calc_dxy_range_derived(p_from_utc => ${from}, p_to_utc => ${to}) as r`;
      return row?.r;
    });
  const activeLegacy = async () => {
    const [row] = await sql()<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    return row?.n ?? 0;
  };
  const approve = async (runId: number) => {
    const [approval] = await sql()`select id from cutover.approvals where phase_run_id = ${runId}`;
    const approved = await executeAction(approveRequest, {
      database: test.database,
      user: APPROVER,
      rawInput: { approvalId: Number(approval?.id), confirm: 'DXY' },
    });
    expect(approved.status).toBe('ok');
  };

  it('refuses to install over a trigger of its name that is not the fence — at the start, and before the switch — and a retry resumes', async () => {
    const runId = await test.driver.start('9');
    await approve(runId);
    // One step per tick: the final proof, then the trigger appears before the deploy stage (after the claim's re-check).
    const budget = test.driver.config.stepBudgetMs;
    test.driver.config.stepBudgetMs = 0;
    await test.driver.tick();
    test.driver.config.stepBudgetMs = budget;
    expect((await getPhaseRun(sql(), { id: runId }))?.checkpoint.stage).toBe('deploying');
    await sql().unsafe(`
      CREATE FUNCTION public.audit_bars() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER ${FENCE_TRIGGER} BEFORE INSERT ON public.derived_data_bars FOR EACH ROW EXECUTE FUNCTION public.audit_bars();`);
    const failed = await test.driver.finish(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /already has a trigger named cutover_legacy_dxy_fence that calls audit_bars\(\).*not the console's.*Nothing was changed/,
    );
    // Found before the switch: the workers stay dual, nothing is half done.
    expect(failed.checkpoint.stage).toBe('deploying');
    const [workers] = await sql()`select mode from cutover.rehearsal_workers`;
    expect(workers?.mode).toBe('dual');
    const refused = await test.driver.act(startPhaseRun, OPERATOR, { phase: '9' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused')
      expect(refused.reason).toMatch(/The console can fence legacy DXY writes .*audit_bars\(\)/);
    expect((await readFenceState(sql())).trigger?.callsFence).toBe(false);
    await sql().unsafe(`DROP TRIGGER ${FENCE_TRIGGER} ON public.derived_data_bars; DROP FUNCTION public.audit_bars()`);
  }, 120_000);

  it('after the switch, a direct insert and a second tick-factory create no active legacy row and are listed', async () => {
    fencedRunId = await test.driver.start('9');
    await approve(fencedRunId);
    for (let i = 0; i < 20; i++) {
      const run = await getPhaseRun(sql(), { id: fencedRunId });
      if (run?.checkpoint.stage === 'proving-stop') break;
      await test.driver.tick('runner-A');
    }
    const run = await getPhaseRun(sql(), { id: fencedRunId });
    expect(run?.checkpoint.stage).toBe('proving-stop');
    expect(run?.checkpoint.fenceInstalledAtDb).toEqual(expect.any(String));
    // Runner A dies here (its lease is expired below): what it committed is consistent — workers final, fence up.
    const [workers] = await sql()`select mode from cutover.rehearsal_workers`;
    expect(workers?.mode).toBe('final');
    expect(fenceProblems(await readFenceState(sql()))).toEqual([]);
    await sql()`update cutover.phase_runs set lease_expires_at = now() - interval '1 second' where id = ${fencedRunId}`;
    const before = await activeLegacy();

    // Far ahead of the clock: no writer reaches this minute before the rollback writes it.
    rogueMinute = new Date(floorToMinute(test.driver.clock.now()).getTime() + 24 * 60 * MINUTE_MS);
    const inserted = await asWriter('rogue-cron', (tx) => insertLegacy(tx, rogueMinute));
    expect(inserted).toHaveLength(0);
    // An existing active legacy row revised in place is refused too.
    const [latest] = await sql()<{ ts_utc: Date }[]>`
      select max(ts_utc) as ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    const newest = latest?.ts_utc as Date;
    const revised = await asWriter(
      'rogue-cron',
      (tx) =>
        tx`update public.derived_data_bars set close = close + 1 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${newest} and deleted_at is null`,
    );
    expect(revised.count).toBe(0);
    // Re-deriving minutes that have no legacy row any more: the second writer's upsert inserts nothing.
    const hourAgo = new Date(newest.getTime() - 60 * MINUTE_MS);
    // Minutes with a legacy row have all six components, so the legacy function would derive each of them again.
    const removed = await sql()<{ ts_utc: Date }[]>`
      delete from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
         and ts_utc >= ${hourAgo} and ts_utc < ${new Date(hourAgo.getTime() + 5 * MINUTE_MS)} returning ts_utc`;
    expect(removed.length).toBeGreaterThan(0);
    const derived = await secondTickFactory(hourAgo, new Date(hourAgo.getTime() + 5 * MINUTE_MS));
    expect(derived).toMatchObject({ success: true, inserted: 0 });
    expect(await activeLegacy()).toBe(before - removed.length);

    const panel = await readLegacyFencePanel(sql(), { migrationRunId: run?.migrationRunId ?? null });
    expect(panel?.present).toBe(true);
    expect(panel?.problems).toEqual([]);
    const writes = panel?.refusals.map((r) => `${r.role} ${r.application} ${r.op} ${r.minute}`) ?? [];
    expect(writes).toContain(`service_role rogue-cron INSERT ${rogueMinute.toISOString()}`);
    expect(writes).toContain(`service_role rogue-cron UPDATE ${newest.toISOString()}`);
    for (const { ts_utc } of removed)
      expect(writes).toContain(`service_role tick-factory-2 INSERT ${ts_utc.toISOString()}`);
    expect(writes.filter((w) => /rogue-cron|tick-factory-2/.test(w))).toHaveLength(2 + removed.length);
    expect(panel?.total).toBeGreaterThanOrEqual(2 + removed.length);
  }, 120_000);

  it('leaves 5m/1h aggregates and other symbols writable', async () => {
    const minute = new Date(floorToMinute(test.driver.clock.now()).getTime() + 120 * MINUTE_MS);
    const written = await asWriter('aggregator', async (tx) => {
      const rows = [];
      for (const [symbol, tf] of [
        ['DXY', '5m'],
        ['DXY', '1h'],
        ['EURUSD', '1m'],
      ] as const)
        rows.push(
          ...(await tx`insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial, source, ingested_at)
                       values (${symbol}, ${tf}, ${minute}, 1, 1, 1, 1, 0, false, 'agg', now()) returning id`),
        );
      // A soft-deleted legacy row (deleted_at set) passes: the fence guards active rows only.
      rows.push(
        ...(await tx`insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial, source, ingested_at, deleted_at)
                     values ('DXY', '1m', ${minute}, 1, 1, 1, 1, 0, false, 'dxy', now(), now()) returning id`),
      );
      throw Object.assign(new Error('roll back'), { rows: rows.length });
    }).catch((error: { rows?: number }) => error.rows);
    expect(written).toBe(4);
  });

  it('phase 9, taken over by another runner, soft-deletes and holds zero while the second writer keeps trying, and shows what it refused', async () => {
    let tries = 0;
    for (let i = 0; i < 200; i++) {
      const run = await getPhaseRun(sql(), { id: fencedRunId });
      if (run && ['succeeded', 'failed'].includes(run.status)) break;
      await test.driver.tick('runner-B');
      test.driver.clock.advance(MINUTE_MS);
      if (i % 3 === 0) {
        const now = floorToMinute(test.driver.clock.now());
        const result = await secondTickFactory(new Date(now.getTime() - 10 * MINUTE_MS), now);
        expect(result?.inserted).toBe(0);
        tries++;
      }
    }
    const run = await test.driver.finish(fencedRunId, { owner: 'runner-B' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(tries).toBeGreaterThan(3);
    const [takeover] =
      await sql()`select message from cutover.phase_run_events where phase_run_id = ${fencedRunId} and message like 'Taken over%'`;
    expect(takeover?.message).toMatch(/runner-A/);
    expect(await activeLegacy()).toBe(0);
    const fence = run.verification?.checks.find((c) => c.name.startsWith('Fence on legacy DXY writes'));
    expect(fence?.passed).toBe(true);
    expect(fence?.detail).toMatch(/trigger enabled ALWAYS.*a trial legacy insert \(rolled back\) wrote 0 rows/);
    const finding = run.verification?.checks.find((c) => c.name === 'Legacy DXY writes the fence refused');
    expect(finding?.kind).toBe('finding');
    expect(finding?.detail).toMatch(/^\d+ since .* tick-factory-2/);
    // The aggregator kept writing DXY 5m into derived_data_bars behind the fence.
    const [fiveMinute] = await sql()<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m'
         and created_at >= ${new Date(run.checkpoint.fenceInstalledAtDb as string)}`;
    expect(fiveMinute?.n).toBeGreaterThan(0);

    const detail = await readPhaseDetail(test.database, { phaseId: '9' });
    expect(detail.legacyFence?.present).toBe(true);
    expect(detail.legacyFence?.total).toBeGreaterThan(tries);
    expect(detail.legacyFence?.installedAt).toBe(run.checkpoint.fenceInstalledAt);
  }, 300_000);

  it('its checks fail when the fence is disabled, executable by others, or left out of the trigger', async () => {
    const trial = () => tryFence(sql(), runBound, test.driver.clock.now());
    expect(fenceProblems(await readFenceState(sql()))).toEqual([]);
    expect(await trial()).toMatchObject({ refused: true, recorded: true });
    await sql().unsafe(`ALTER TABLE public.derived_data_bars DISABLE TRIGGER ${FENCE_TRIGGER}`);
    expect(fenceProblems(await readFenceState(sql()))).toEqual([`trigger ${FENCE_TRIGGER} is DISABLED`]);
    expect(await trial()).toMatchObject({ refused: false, recorded: false });
    // Enabled on origin only: a session with session_replication_role = replica would write past it.
    await sql().unsafe(`ALTER TABLE public.derived_data_bars ENABLE TRIGGER ${FENCE_TRIGGER}`);
    expect(fenceProblems(await readFenceState(sql()))).toEqual([
      `trigger ${FENCE_TRIGGER} is enabled as 'O', not ALWAYS`,
    ]);
    await sql().unsafe(`ALTER TABLE public.derived_data_bars ENABLE ALWAYS TRIGGER ${FENCE_TRIGGER}`);
    await sql().unsafe(`GRANT EXECUTE ON FUNCTION ${FENCE_FUNCTION}() TO anon`);
    expect(fenceProblems(await readFenceState(sql()))).toEqual([`${FENCE_FUNCTION}() is executable by anon`]);
    await sql().unsafe(`REVOKE EXECUTE ON FUNCTION ${FENCE_FUNCTION}() FROM anon`);
    expect(fenceProblems(await readFenceState(sql()))).toEqual([]);
    // The rollback's check fails while the fence is up.
    const up = noFenceCheck(await readFenceState(sql()), undefined);
    expect(up.passed).toBe(false);
    expect(up.detail).toMatch(/^still there: trigger CREATE TRIGGER cutover_legacy_dxy_fence .* and function/);
  });

  it('the rollback takes the fence down first, restores the soft-deleted rows and back-fills', async () => {
    const run = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const state = await readFenceState(sql());
    expect(state.trigger).toBeNull();
    expect(state.functionPresent).toBe(false);
    const check = run.verification?.checks.find((c) => c.name.startsWith('No fence on legacy DXY writes'));
    expect(check?.passed).toBe(true);
    expect(check?.detail).toMatch(/removed at .*before the first legacy row was restored/);
    expect(run.checkpoint.restored).toBeGreaterThan(1000);
    expect(await activeLegacy()).toBeGreaterThan(1000);
    const events = (
      await sql()<
        { message: string }[]
      >`select message from cutover.phase_run_events where phase_run_id = ${run.id} order by id`
    ).map((e) => e.message);
    const at = (pattern: RegExp) => events.findIndex((m) => pattern.test(m));
    expect(at(/^Removed the fence/)).toBeGreaterThanOrEqual(0);
    expect(at(/^Restored \d+ soft-deleted/)).toBeGreaterThan(at(/^Removed the fence/));
    // Legacy writes work again: the rogue minute can be written now.
    const inserted = await asWriter('rogue-cron', (tx) => insertLegacy(tx, rogueMinute));
    expect(inserted).toHaveLength(1);
    // The page still shows what the fence refused, and that it came down.
    const panel = await readLegacyFencePanel(sql(), { migrationRunId: run.migrationRunId });
    expect(panel?.present).toBe(false);
    expect(panel?.removedAt).toBe(run.checkpoint.fenceRemovedAt);
  }, 300_000);

  /** Work in a transaction that is always rolled back, returning its value. */
  const rolledBack = <T>(work: (tx: TransactionSql) => Promise<T>) =>
    sql()
      .begin(async (tx) => {
        throw Object.assign(new Error('roll back'), { value: await work(tx) });
      })
      .catch((error: { value?: T; message: string }) => {
        if (!('value' in error)) throw error;
        return error.value as T;
      });

  it('is refused by a role that does not own derived_data_bars', async () => {
    const refused = await rolledBack(async (tx) => {
      await tx.unsafe('SET LOCAL ROLE service_role');
      return installFence(tx, runBound, { at: test.driver.clock.now() }).then(
        () => 'installed',
        (error: Error) => error.message,
      );
    });
    expect(refused).toMatch(
      /role service_role does not own public\.derived_data_bars \(owner .*\).*Nothing was changed/,
    );
  });

  it('is not committed when its trial is not refused (an earlier trigger soft-deletes the row before the fence sees it)', async () => {
    await sql().unsafe(`
      CREATE FUNCTION public.a_mark_trial() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.ts_utc < '1971-01-01' THEN NEW.deleted_at := now(); END IF; RETURN NEW; END $$;
      CREATE TRIGGER a_mark_trial BEFORE INSERT ON public.derived_data_bars FOR EACH ROW EXECUTE FUNCTION public.a_mark_trial();`);
    try {
      await expect(sql().begin((tx) => installFence(tx, runBound, { at: test.driver.clock.now() }))).rejects.toThrow(
        /did not hold before its commit \(a trial legacy insert \(rolled back\) wrote 1 rows and left 0 refusal records/,
      );
      const state = await readFenceState(sql());
      expect(state.trigger).toBeNull();
      expect(state.functionPresent).toBe(false);
    } finally {
      await sql().unsafe('DROP TRIGGER a_mark_trial ON public.derived_data_bars; DROP FUNCTION public.a_mark_trial()');
    }
  });

  it('works for an owner that is no superuser: installed, proven, and recording a service_role write', async () => {
    const role = `fence_owner_${Date.now().toString(36)}`;
    const seen = await rolledBack(async (tx) => {
      await tx.unsafe(`CREATE ROLE ${role} NOLOGIN NOSUPERUSER`);
      await tx.unsafe(`ALTER TABLE public.derived_data_bars OWNER TO ${role}`);
      await tx.unsafe(`GRANT USAGE, CREATE ON SCHEMA cutover TO ${role}`);
      await tx.unsafe(`GRANT SELECT, INSERT ON cutover.legacy_fence_refusals TO ${role}`);
      await tx.unsafe(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA cutover TO ${role}`);
      await tx.unsafe(`SET LOCAL ROLE ${role}`);
      await installFence(tx, runBound, { at: test.driver.clock.now() });
      const [owner] = await tx<{ owner: string; superuser: boolean }[]>`
        select pg_get_userbyid(p.proowner) as owner, r.rolsuper as superuser
          from pg_proc p join pg_roles r on r.oid = p.proowner where p.oid = to_regprocedure(${`${FENCE_FUNCTION}()`})`;
      await tx.unsafe('SET LOCAL ROLE service_role');
      await tx.unsafe(`SET LOCAL application_name = 'owner-test'`);
      const inserted = await insertLegacy(tx, rogueMinute);
      await tx.unsafe('RESET ROLE');
      const [refusal] = await tx<{ writer_role: string }[]>`
        select writer_role from cutover.legacy_fence_refusals where application_name = 'owner-test'`;
      return { owner, inserted: inserted.length, refusal: refusal?.writer_role };
    });
    expect(seen).toEqual({ owner: { owner: role, superuser: false }, inserted: 0, refusal: 'service_role' });
  });
});
