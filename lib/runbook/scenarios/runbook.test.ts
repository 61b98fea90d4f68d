import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../test-support/runbook-driver';
import type { TestDatabase } from '../../../test-support/test-database';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import type { PipelineVariant } from '../../market/pipeline/variant';

/** Whatever a phase could change, minus what the live workers keep adding. */
async function fingerprint(test: Pick<TestDatabase, 'database'>) {
  const { sql } = test.database;
  const [row] = await sql`
    select (select count(*)::int from public.data_bars where canonical_symbol = 'DXY' and ts_utc < ${MIDWEEK_NOW}) as dxy_new,
           (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and ts_utc < ${MIDWEEK_NOW}) as dxy_legacy,
           (select string_agg(conname || pg_get_constraintdef(oid), ',' order by conname) from pg_constraint
              where conrelid = 'public.data_bars'::regclass) as constraints,
           (select string_agg(indexdef, ',' order by indexname) from pg_indexes where tablename = 'data_bars') as indexes,
           (select md5(string_agg(pg_get_functiondef(p.oid), ',' order by p.proname)) from pg_proc p
              join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public') as functions,
           (select to_jsonb(r) - 'updated_at' from public.core_asset_registry_all r where canonical_symbol = 'DXY') as registry,
           (select count(*)::int from cutover.backups) as backups`;
  return row;
}

describe.each<PipelineVariant>(['production', 'plan'])(
  'the runbook on the %s schema (session TimeZone +05:45)',
  (variant) => {
    const test = useTestWorld({ variant, now: MIDWEEK_NOW });

    /** Runs a phase, expects success, re-runs it and expects nothing to have changed. */
    async function runTwice(phase: string) {
      const first = await test.driver.run(phase);
      expect(first.status, `phase ${phase}: ${failedChecks(first)}`).toBe('succeeded');
      const before = await fingerprint(test);
      const second = await test.driver.run(phase);
      expect(second.status, `phase ${phase} re-run: ${failedChecks(second)}`).toBe('succeeded');
      expect(await fingerprint(test)).toEqual(before);
      return { first, second };
    }

    it('phase 1 takes a verified backup; a re-run keeps it', async () => {
      const { first, second } = await runTwice('1');
      expect(first.result.backupId).toBe(second.result.backupId);
      expect(second.result.alreadyDone).toBe(true);
      const [ops] = await test.database
        .sql`select status, trigger from public.ops_runlog where job_name = 'dxy_cutover.phase_1' order by id limit 1`;
      expect(ops).toEqual({ status: 'success', trigger: 'manual' });
    });

    it('phase 2 reports what is missing; the fix applies it; then both re-run clean', async () => {
      const report = await test.driver.run('2');
      expect(report.status).toBe('failed');
      const failing = report.verification?.checks.filter((c) => !c.passed).map((c) => c.name) ?? [];
      expect(failing).toContain('Columns raw, created_at, updated_at on data_bars');
      expect(failing).toContain('Registry column metadata');
      expect(failing).toContain('Comparison indexes on DXY 1m');
      if (variant === 'plan') expect(failing).toContain("source allows 'synthetic'");
      else expect(failing).not.toContain("source allows 'synthetic'");
      await runTwice('2-fix');
      await runTwice('2');
      const indexes = await test.database.sql<{ name: string; valid: boolean; partial: boolean }[]>`
        select c.relname as name, i.indisvalid as valid, i.indpred is not null as partial
          from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname like '%dxy_1m%compare_idx' order by 1`;
      expect(indexes).toEqual([
        { name: 'data_bars_dxy_1m_compare_idx', valid: true, partial: true },
        { name: 'derived_data_bars_dxy_1m_active_compare_idx', valid: true, partial: true },
        { name: 'derived_data_bars_dxy_1m_deleted_compare_idx', valid: true, partial: true },
      ]);
      if (variant === 'plan') {
        const [check] = await test.database.sql`select pg_get_constraintdef(oid) as def from pg_constraint
                                               where conname = 'data_bars_source_check_synthetic'`;
        expect(check?.def).toBe("CHECK ((source = ANY (ARRAY['massive_api'::text, 'synthetic'::text])))");
      }
    });

    it('phase 3 creates the function, not executable by PUBLIC, and tests it without leaving rows', async () => {
      const { first } = await runTwice('3');
      const test3 = first.result.test as { minutesCompared: number; rolledBack: boolean };
      const privileges = first.verification?.checks.find((c) => c.name.startsWith('Only the owner and service_role'));
      expect(privileges?.passed, JSON.stringify(first.verification)).toBe(true);
      expect(privileges?.detail).toContain('service_role (worker role)');
      expect(privileges?.detail).toContain('PUBLIC may not');
      expect(test3.minutesCompared).toBeGreaterThan(50);
      const [row] = await test.database
        .sql`select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY'`;
      expect(row?.n).toBe(0);
    });

    it('phase 4 copies every legacy minute, verified by key and value; a re-run copies only newer minutes', async () => {
      const { first, second } = await runTwice('4');
      // The live legacy writer keeps adding minutes; the re-run copies those and rewrites nothing else.
      const [newer] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${new Date(first.checkpoint.cursor as string)} and ts_utc < ${new Date(second.checkpoint.cursor as string)}`;
      expect(second.progress.rowsWritten).toBe(newer?.n);
      expect(Number(second.progress.rowsWritten)).toBeLessThan(5);
      const [row] = await test.database.sql<{ legacy: number; copied: number }[]>`
      select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as legacy,
             (select count(*)::int from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') as copied`;
      expect(row?.copied).toBe(row?.legacy);
    });

    it('phase 5 writes exactly the four registry keys and switches the aggregator to data_bars', async () => {
      await runTwice('5');
      const [registry] = await test.database
        .sql`select metadata from public.core_asset_registry_all where canonical_symbol = 'DXY'`;
      expect(Object.keys(registry?.metadata ?? {}).sort()).toEqual([
        'base_timeframe',
        'components',
        'derived_timeframes',
        'is_synthetic',
      ]);
    });

    it('phases 6 and 7 check and deploy; the deployment is proven by the data', async () => {
      await runTwice('6');
      const deploy = await test.driver.run('7');
      expect(deploy.status, failedChecks(deploy)).toBe('succeeded');
      const again = await test.driver.run('7');
      expect(again.status, failedChecks(again)).toBe('succeeded');
      const [workers] = await test.database.sql`select mode from cutover.rehearsal_workers`;
      expect(workers?.mode).toBe('dual');
      const jobs = await test.database
        .sql`select distinct job_name from public.ops_runlog where trigger = 'manual' order by 1`;
      expect(jobs.map((j) => j.job_name)).toEqual([
        'dxy_cutover.phase_1',
        'dxy_cutover.phase_2',
        'dxy_cutover.phase_2_fix',
        'dxy_cutover.phase_3',
        'dxy_cutover.phase_4',
        'dxy_cutover.phase_5',
        'dxy_cutover.phase_6',
        'dxy_cutover.phase_7',
      ]);
    });
  },
);
