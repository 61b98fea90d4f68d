/**
 * The runbook against production as it really is (docs/domain.md): a Supabase-like world with
 * production's function signatures, an earlier aborted attempt's rows and holes in the legacy
 * history, driven by simulated workers that call the functions by name with named arguments.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPROVER, createDriver, failedChecks, OPERATOR } from '../../../test-support/runbook-driver';
import type { TestDatabase } from '../../../test-support/test-database';
import { createTestWorldDatabase, MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { loadClock } from '../../market/clock';
import { aggregate1mTo5mWindowSql } from '../../market/pipeline/aggregator-sql';
import { requestAbandonMigrationRun } from '../actions/abandon-migration-run';
import { approveRequest } from '../actions/decide-approval';
import type { LegacyHoles } from '../phases/1-preflight/legacy-holes';
import { planAggregatorReplacement } from '../phases/5-switch/aggregator-function';
import { probeAggregatorInput } from '../phases/5-switch/aggregator-probe';
import { phase5Switch } from '../phases/5-switch/phase-5-switch';
import { backupTableName, getBackup } from '../phases/shared/backup';
import type { ExistingDxyGroup } from '../phases/shared/earlier-attempt';

const PRODUCTION_AGGREGATOR_ARGUMENTS =
  'p_symbol text, p_from_utc timestamp with time zone, p_to_utc timestamp with time zone, p_derivation_version integer';

async function aggregatorOverloads(test: Pick<TestDatabase, 'database'>) {
  return test.database.sql<{ args: string; result: string; secdef: boolean; config: string[] | null }[]>`
    select pg_get_function_identity_arguments(p.oid) as args, pg_get_function_result(p.oid) as result,
           p.prosecdef as secdef, p.proconfig as config
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = 'aggregate_1m_to_5m_window'`;
}

/** The oracle: every DXY 1m row in data_bars is synthetic, raw.kind dxy, and has the legacy close where legacy has the minute. */
async function rowsBreakingTheOracle(test: Pick<TestDatabase, 'database'>): Promise<number> {
  const [row] = await test.database.sql<{ n: number }[]>`
    select count(*)::int as n from public.data_bars n
      left join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m'
           and d.ts_utc = n.ts_utc and d.deleted_at is null
     where n.canonical_symbol = 'DXY' and n.timeframe = '1m'
       and (n.source <> 'synthetic' or n.raw->>'kind' is distinct from 'dxy'
            or (d.id is not null and abs(n.close - d.close) > 1e-9 * abs(d.close)))`;
  return row?.n ?? -1;
}

describe('a production world with an earlier attempt’s leftovers (session TimeZone +05:45)', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, leftovers: true });

  it('phase 1 reports the earlier attempt’s rows against legacy and the holes in history, as findings', async () => {
    const leftovers = test.world.leftovers;
    expect(leftovers?.earlierAttemptRows).toBeGreaterThan(100);
    const run = await test.driver.run('1');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const checks = run.verification?.checks ?? [];
    const earlier = checks.find((c) => c.name.startsWith('DXY rows already in data_bars'));
    expect(earlier?.kind).toBe('finding');
    const group = ((earlier?.evidence ?? []) as ExistingDxyGroup[]).find((g) => g.source === 'migrated_from_derived');
    expect(group).toMatchObject({
      rows: leftovers?.earlierAttemptRows,
      differentClose: leftovers?.earlierAttemptDifferentClose,
      noLegacyRow: leftovers?.earlierAttemptWithoutLegacy,
      notFinalForm: leftovers?.earlierAttemptRows,
    });
    const holes = checks.find((c) => c.name === 'Holes in the legacy history');
    const evidence = holes?.evidence as LegacyHoles;
    expect(evidence.legacyWithoutComponents).toBe(leftovers?.legacyWithoutComponents);
    expect(evidence.completeWithoutLegacy).toBeGreaterThanOrEqual(leftovers?.missingLegacyDayMinutes ?? 1);
    expect(evidence.days.map((d) => d.day)).toContain(leftovers?.missingLegacyDay);
    const backup = await getBackup(test.database.sql, { migrationRunId: run.migrationRunId });
    const aggregator = backup?.functions.filter((f) => f.name === 'aggregate_1m_to_5m_window') ?? [];
    expect(aggregator.map((f) => [f.identityArguments, f.resultType, f.securityDefiner])).toEqual([
      [PRODUCTION_AGGREGATOR_ARGUMENTS, 'jsonb', true],
    ]);
    expect(aggregator[0]?.acl?.some((item) => item.startsWith('anon='))).toBe(true);
  });

  it('phase 2 lists them; "Apply fix" previews and normalizes them to the final form, keeping what they were', async () => {
    const report = await test.driver.run('2');
    expect(report.status).toBe('failed');
    const finding = report.verification?.checks.find((c) => c.name.startsWith('DXY rows already in data_bars'));
    expect(finding?.passed).toBe(false);
    expect(finding?.detail).toContain(
      `${test.world.leftovers?.earlierAttemptRows} DXY 1m rows from an earlier attempt`,
    );
    const clock = await loadClock(test.database.sql);
    const { phase2Fix } = await import('../phases/2-schema/phase-2-fix');
    const preview = await phase2Fix.preview({
      database: test.database,
      clock,
      config: test.driver.config,
      migrationRunId: report.migrationRunId,
      options: {},
    });
    expect(preview.summary.join('\n')).toContain(
      `${test.world.leftovers?.earlierAttemptDifferentClose} take the legacy close where it differs`,
    );
    expect(preview.summary.join('\n')).toMatch(/close [\d.]+ → legacy [\d.]+/);
    const fix = await test.driver.run('2-fix');
    expect(fix.status, failedChecks(fix)).toBe('succeeded');
    expect(await rowsBreakingTheOracle(test)).toBe(0);
    const [kept] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars
       where canonical_symbol = 'DXY' and raw->'normalized_from'->>'source' = 'migrated_from_derived'`;
    expect(kept?.n).toBe(test.world.leftovers?.earlierAttemptRows);
    const again = await test.driver.run('2');
    expect(again.status, failedChecks(again)).toBe('succeeded');
  });

  it('phase 3 leaves calc_dxy_range_1m executable by the worker role only, not by anon or authenticated', async () => {
    const run = await test.driver.run('3');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const [privileges] = await test.database.sql`
      select has_function_privilege('anon', 'public.calc_dxy_range_1m(timestamptz, timestamptz, integer)', 'EXECUTE') as anon,
             has_function_privilege('authenticated', 'public.calc_dxy_range_1m(timestamptz, timestamptz, integer)', 'EXECUTE') as authenticated,
             has_function_privilege('service_role', 'public.calc_dxy_range_1m(timestamptz, timestamptz, integer)', 'EXECUTE') as worker`;
    expect(privileges).toEqual({ anon: false, authenticated: false, worker: true });
    expect(run.result.revokedFrom).toEqual(expect.arrayContaining(['anon', 'authenticated']));
  });

  it('phase 4 copies; every DXY row in data_bars is then synthetic with raw.kind dxy and the legacy close', async () => {
    const run = await test.driver.run('4');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(await rowsBreakingTheOracle(test)).toBe(0);
  });

  it('phase 5 replaces production’s four-argument aggregator in place; the workers keep aggregating from data_bars only', async () => {
    const before = await aggregatorOverloads(test);
    const run = await test.driver.run('5');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const after = await aggregatorOverloads(test);
    expect(after).toEqual(before);
    expect(after).toEqual([
      { args: PRODUCTION_AGGREGATOR_ARGUMENTS, result: 'jsonb', secdef: true, config: before[0]?.config ?? null },
    ]);
    const switchedAt = test.driver.clock.now();
    // The simulated workers (legacy writer + the bridge, aggregator through catchup_aggregation_range) run on.
    for (let i = 0; i < 30; i++) {
      test.driver.clock.advance(60_000);
      await test.driver.tick();
    }
    const [bars] = await test.database.sql<{ n: number; max_candles: number | null }[]>`
      select count(*)::int as n, max(source_candles) as max_candles from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null and ts_utc >= ${switchedAt}`;
    expect(bars?.n).toBeGreaterThan(3);
    // Read twice (data_bars and derived_data_bars) a window would hold up to ten source bars.
    expect(bars?.max_candles).toBeLessThanOrEqual(5);
    const [errors] = await test.database.sql`select last_error from cutover.rehearsal_workers`;
    expect(errors?.last_error ?? null).toBeNull();
  });

  it('a rollback with "delete" puts back the original aggregator and exactly the DXY rows the backup holds', async () => {
    await test.driver.runThrough(['6', '7']);
    const runId = await test.driver.start('rollback', OPERATOR, { data: 'delete', confirm: 'ROLLBACK' });
    const [approval] = await test.database.sql`select id from cutover.approvals where phase_run_id = ${runId}`;
    const approved = await test.driver.act(approveRequest, APPROVER, { approvalId: approval?.id, confirm: 'DELETE' });
    expect(approved.status).toBe('ok');
    const rollback = await test.driver.finish(runId);
    expect(rollback.status, failedChecks(rollback)).toBe('succeeded');
    const backup = await getBackup(test.database.sql, { migrationRunId: rollback.migrationRunId });
    const saved = backup?.functions.find((f) => f.name === 'aggregate_1m_to_5m_window');
    const [live] = await test.database.sql<{ definition: string }[]>`
      select pg_get_functiondef(p.oid) as definition from pg_proc p where p.proname = 'aggregate_1m_to_5m_window'`;
    expect(live?.definition).toBe(saved?.definition);
    expect(await aggregatorOverloads(test)).toHaveLength(1);
    const copy = `cutover.${backupTableName(rollback.migrationRunId, 'data_bars')}`;
    const [difference] = await test.database.sql.unsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (
         (SELECT id, source, close, raw FROM public.data_bars WHERE canonical_symbol = 'DXY'
          EXCEPT SELECT id, source, close, raw FROM ${copy})
         UNION ALL
         (SELECT id, source, close, raw FROM ${copy}
          EXCEPT SELECT id, source, close, raw FROM public.data_bars WHERE canonical_symbol = 'DXY')) x`,
    );
    expect(difference?.n).toBe(0);
  });
});

describe('phase 5 refuses an aggregator it does not understand', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });

  it('finds production’s function and a replacement keeping everything but the body', async () => {
    const plan = await planAggregatorReplacement(test.database.sql, {});
    expect(plan.ok).toBe(true);
    if (plan.ok) expect(plan.current.identityArguments).toBe(PRODUCTION_AGGREGATOR_ARGUMENTS);
    const probe = await probeAggregatorInput(test.database.sql);
    expect(probe).toMatchObject({ readsDerived: true, readsDataBars: true });
  });

  it('refuses a replacement file with another signature, naming what it would change', async () => {
    const file = join(tmpdir(), `aggregator-${process.pid}-plan.sql`);
    writeFileSync(file, aggregate1mTo5mWindowSql('plan', 'data_bars_only'));
    const plan = await planAggregatorReplacement(test.database.sql, { CUTOVER_AGGREGATOR_5M_SQL_FILE: file });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reason).toMatch(/would leave 2 overloads/);
    expect(await aggregatorOverloads(test)).toHaveLength(1);
  });

  it('refuses, with what it found and what to do, when an extra overload exists', async () => {
    await test.database.sql.unsafe(aggregate1mTo5mWindowSql('plan', 'union'));
    const plan = await planAggregatorReplacement(test.database.sql, {});
    expect(plan.ok).toBe(false);
    if (!plan.ok) {
      expect(plan.reason).toContain('2 overloads of aggregate_1m_to_5m_window exist');
      expect(plan.reason).toContain('DROP FUNCTION');
    }
    const checks = await phase5Switch.preconditions({
      database: test.database,
      clock: await loadClock(test.database.sql),
      config: createDriver(test.database).config,
      migrationRunId: null,
    });
    expect(checks.find((c) => c.name === 'The aggregator the workers call is understood')?.passed).toBe(false);
  });
});

describe('a wedged migration run: phase 1 failing, then re-run or abandoned', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });

  it('phase 1 fails while the aggregator is missing and succeeds on a re-run once it is back', async () => {
    const [definition] = await test.database.sql<{ def: string }[]>`
      select pg_get_functiondef(p.oid) as def from pg_proc p where p.proname = 'aggregate_1m_to_5m_window'`;
    await test.database.sql.unsafe(
      'DROP FUNCTION public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer)',
    );
    const failed = await test.driver.run('1');
    expect(failed.status).toBe('failed');
    expect(failed.verification?.checks.find((c) => c.name === 'Aggregator definition saved')?.passed).toBe(false);
    await test.database.sql.unsafe(definition?.def ?? '');
    const again = await test.driver.run('1');
    expect(again.status, failedChecks(again)).toBe('succeeded');
    expect(again.result.backupId).not.toBe(failed.result.backupId);
  });

  it('abandon: refused once phase 4 copied rows, allowed after a failed phase 1, and only with a second person', async () => {
    // A legacy minute in phase 3's test window whose component was lost since: a hole, reported, not failed.
    const [lost] = await test.database.sql<{ ts_utc: Date }[]>`
      delete from public.data_bars where id = (
        select c.id from public.data_bars c
          join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.ts_utc = c.ts_utc
         where c.canonical_symbol = 'USDJPY' and c.timeframe = '1m' and c.ts_utc < ${MIDWEEK_NOW}
         order by c.ts_utc desc offset 10 limit 1)
      returning ts_utc`;
    for (const phase of ['2-fix', '3', '4']) {
      const run = await test.driver.run(phase);
      expect(run.status, `phase ${phase}: ${failedChecks(run)}`).toBe('succeeded');
      if (phase === '3')
        expect((run.result.test as { legacyWithoutComponents: string[] }).legacyWithoutComponents).toEqual([
          lost?.ts_utc.toISOString(),
        ]);
    }
    const refused = await test.driver.act(requestAbandonMigrationRun, OPERATOR, {
      confirm: 'ABANDON',
      reason: 'try again',
    });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') expect(refused.reason).toMatch(/DXY rows were added to data_bars/);

    // A fresh world whose phase 1 failed: nothing to undo.
    const { test: fresh } = await createTestWorldDatabase({ variant: 'production', now: MIDWEEK_NOW, days: 1 });
    try {
      const freshDriver = createDriver(fresh.database);
      await fresh.database.sql.unsafe(
        'DROP FUNCTION public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer)',
      );
      const failed = await freshDriver.run('1');
      expect(failed.status).toBe('failed');
      const unconfirmed = await freshDriver.act(requestAbandonMigrationRun, OPERATOR, {
        confirm: 'abandon',
        reason: 'x y z',
      });
      expect(unconfirmed.status).toBe('refused');
      const requested = await freshDriver.act(requestAbandonMigrationRun, OPERATOR, {
        confirm: 'ABANDON',
        reason: 'phase 1 failed on a missing function; starting over',
      });
      expect(requested.status).toBe('ok');
      const approvalId = requested.status === 'ok' ? requested.data.approvalId : 0;
      const self = await freshDriver.act(
        approveRequest,
        { ...OPERATOR, roles: ['operator', 'approver'] },
        {
          approvalId,
          confirm: 'ABANDON',
        },
      );
      expect(self).toEqual({
        status: 'refused',
        reason: 'Two-person rule: you requested this, so someone else must approve it.',
      });
      const [stillActive] = await fresh.database.sql`select status from cutover.migration_runs`;
      expect(stillActive?.status).toBe('active');
      const approved = await freshDriver.act(approveRequest, APPROVER, { approvalId, confirm: 'ABANDON' });
      expect(approved.status).toBe('ok');
      const [closed] = await fresh.database.sql`select status, closed_at from cutover.migration_runs`;
      expect(closed?.status).toBe('abandoned');
      expect(closed?.closed_at).not.toBeNull();
      const audited = await fresh.database.sql`
        select action, outcome from cutover.audit_events where action in ('runbook.request_abandon', 'approvals.approve') order by id`;
      expect(audited.map((a) => `${a.action}:${a.outcome}`)).toEqual([
        'runbook.request_abandon:refused',
        'runbook.request_abandon:ok',
        'approvals.approve:refused',
        'approvals.approve:ok',
      ]);
      // A fresh phase 1 starts a new migration run.
      const restarted = await freshDriver.start('1');
      const [runs] = await fresh.database.sql`select count(*)::int as n from cutover.migration_runs`;
      expect(runs?.n).toBe(2);
      expect(restarted).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  });
});
