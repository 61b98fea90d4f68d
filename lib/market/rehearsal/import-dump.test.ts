/**
 * rehearsal:import on a dump taken by phase 1's own pg_dump from a rehearsal world on a
 * PostgreSQL 15 server (pg_dump must be at least as new as its server; the embedded server is
 * 17 and ships no pg_dump): the imported world has exactly the source's functions, constraints,
 * indexes, triggers and grants, `--days` keeps only the last days, what cannot be imported is
 * reported, a failing pipeline function changes nothing, and the whole plan runs on the result.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDriver, failedChecks } from '../../../test-support/runbook-driver';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../../test-support/throwaway-postgres';
import { connectDatabase, type Database, type SqlOrTx } from '../../db/connection';
import { migrateConsoleSchema } from '../../db/migrate';
import { dumpTouchedTables } from '../../runbook/phases/1-preflight/pg-dump';
import { createRehearsalWorld } from './create-world';
import { importDump } from './import-dump';
import { ImportFailed } from './import-errors';
import { type ImportReport, readImportReport } from './import-report';

/** What must be identical between the source and the imported world, read from the catalogs. */
async function definitions(sql: SqlOrTx) {
  const functions = await sql`
    select p.proname as name, pg_get_function_identity_arguments(p.oid) as identity,
           pg_get_function_result(p.oid) as result, p.prosecdef as security_definer, p.proconfig as config,
           pg_get_userbyid(p.proowner) as owner, p.proacl::text[] as acl, pg_get_functiondef(p.oid) as definition
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' order by 1, 2`;
  const constraints = await sql`
    select conrelid::regclass::text as relation, conname as name, pg_get_constraintdef(oid) as definition
      from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`;
  const indexes = await sql`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`;
  const triggers = await sql`
    select tgrelid::regclass::text as relation, tgname as name, pg_get_triggerdef(oid) as definition
      from pg_trigger where not tgisinternal and tgrelid::regclass::text like 'public.%' order by 1, 2`;
  // PostgreSQL 17 gives table owners the MAINTAIN privilege ('m') that 15 does not have: the
  // source's owner entry lacks it by version, not by a difference the import made.
  const tables = await sql`
    select c.relname as name, c.relkind as kind, pg_get_userbyid(c.relowner) as owner,
           (select array_agg(regexp_replace(item, '^(.*=[a-zA-Z*]*?)m([a-zA-Z*]*/)', '\\1\\2') order by ord)
              from unnest(c.relacl::text[]) with ordinality as a(item, ord)) as acl
      from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'S', 'v') order by 1`;
  const columns = await sql`
    select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
     where table_schema = 'public' order by 1, ordinal_position`;
  // Supabase's default privileges on schema public (anon and authenticated get EXECUTE on new functions).
  // An ACL is a set: its items in grant order, which a restore need not keep (PostgreSQL 15's does not).
  const defaultPrivileges = await sql`
    select pg_get_userbyid(defaclrole) as role, defaclnamespace::regnamespace::text as schema,
           defaclobjtype as kind, array(select unnest(defaclacl::text[]) order by 1) as acl
      from pg_default_acl where defaclnamespace = 'public'::regnamespace order by 1, 3`;
  return { functions, constraints, indexes, triggers, tables, columns, defaultPrivileges };
}

async function rowCounts(sql: SqlOrTx) {
  const [row] = await sql`
    select (select count(*)::int from public.data_bars) as data_bars,
           (select count(*)::int from public.derived_data_bars) as derived_data_bars,
           (select count(*)::int from public.core_asset_registry_all) as registry,
           (select count(*)::int from public.data_agg_state) as agg_state,
           (select count(*)::int from public.ops_runlog) as runlog`;
  return row;
}

describe('rehearsal:import of a pg_dump taken from a PostgreSQL 15 rehearsal world', () => {
  let source: ThrowawayPostgres;
  let sourceDb: Database;
  let work: string;
  let dumpFile: string;
  let full: TestDatabase;
  let scratch: TestDatabase;
  let fullReport: ImportReport;
  // A role only the source cluster has: the import must create it (NOLOGIN) to keep its grant.
  const probeRole = `import_probe_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    source = await startThrowawayPostgres(15);
    work = mkdtempSync(join(tmpdir(), 'dxy-import-'));
    sourceDb = connectDatabase(source.url, { max: 4, applicationName: 'dxy-cutover-test-source' });
    await migrateConsoleSchema(sourceDb);
    await createRehearsalWorld(sourceDb, { variant: 'production', days: 3, now: MIDWEEK_NOW, speed: 1 });
    await sourceDb.sql.unsafe(`CREATE ROLE ${probeRole} NOLOGIN`);
    await sourceDb.sql.unsafe(`GRANT SELECT ON public.data_bars TO ${probeRole}`);
    // A table of production's own that is not part of the pipeline: its definition is dumped, its data not.
    await sourceDb.sql.unsafe(`CREATE TABLE public.app_profiles (id int PRIMARY KEY, name text);
                               INSERT INTO public.app_profiles VALUES (1, 'kept out of the dump')`);
    const dump = await dumpTouchedTables({
      databaseUrl: source.url,
      serverMajorVersion: 15,
      directory: work,
      label: 'production',
    });
    expect(dump.file, dump.note).not.toBeNull();
    dumpFile = dump.file as string;
    full = await createTestDatabase();
    scratch = await createTestDatabase();
    fullReport = await importDump(full.database, { file: dumpFile });
    console.log(
      `rehearsal:import of a 3-day world: ${fullReport.durationMs} ms ` +
        `(${fullReport.rows.data_bars?.kept} data_bars rows, ${fullReport.rows.derived_data_bars?.kept} derived rows, ` +
        `${fullReport.statements.executed} statements)`,
    );
  });

  afterAll(async () => {
    await full?.drop();
    await scratch?.drop();
    await sourceDb?.close();
    source?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`DROP ROLE IF EXISTS ${probeRole}`);
    } finally {
      await admin.end();
    }
  });

  it('phase 1 dumps schema public with the pipeline tables data and only the definitions of other tables', () => {
    const listing = execFileSync('pg_restore', ['--list', dumpFile], { encoding: 'utf8' });
    for (const table of ['data_bars', 'derived_data_bars', 'core_asset_registry_all', 'data_agg_state', 'ops_runlog']) {
      expect(listing).toMatch(new RegExp(`TABLE DATA public ${table} `));
    }
    expect(listing).toMatch(/FUNCTION public calc_dxy_range_derived\(/);
    expect(listing).toMatch(/FUNCTION public aggregate_1m_to_5m_window\(/);
    expect(listing).toMatch(/TABLE public app_profiles /);
    expect(listing).not.toMatch(/TABLE DATA public app_profiles /);
  });

  it('reproduces functions, constraints, indexes, triggers, grants and rows exactly', async () => {
    const [expected, actual] = await Promise.all([definitions(sourceDb.sql), definitions(full.database.sql)]);
    expect(actual.functions.length).toBeGreaterThanOrEqual(4);
    expect(actual.functions).toEqual(expected.functions);
    expect(actual.constraints).toEqual(expected.constraints);
    expect(actual.indexes).toEqual(expected.indexes);
    expect(actual.triggers).toEqual(expected.triggers);
    expect(actual.tables).toEqual(expected.tables);
    expect(actual.columns).toEqual(expected.columns);
    expect(actual.defaultPrivileges).toEqual(expected.defaultPrivileges);
    expect(await rowCounts(full.database.sql)).toEqual(await rowCounts(sourceDb.sql));
    const [app] = await full.database.sql`select count(*)::int as n from public.app_profiles`;
    expect(app?.n).toBe(0);
  });

  it('creates the roles the dump refers to as NOLOGIN, and says so', async () => {
    expect(fullReport.createdRoles).toContain(probeRole);
    const [role] = await full.database.sql`select rolcanlogin from pg_roles where rolname = ${probeRole}`;
    expect(role?.rolcanlogin).toBe(false);
    const [grant] = await full.database
      .sql`select has_table_privilege(${probeRole}, 'public.data_bars', 'SELECT') as ok`;
    expect(grant?.ok).toBe(true);
    expect(fullReport.skipped).toEqual([]);
  });

  it('records a rehearsal world whose workers continue from the newest component bar', async () => {
    const [newest] = await full.database.sql<{ minute: Date }[]>`
      select max(ts_utc) as minute from public.data_bars
       where timeframe = '1m' and canonical_symbol in ('EURUSD','USDJPY','GBPUSD','USDCAD','USDSEK','USDCHF')`;
    if (!newest) throw new Error('no component bars');
    const next = new Date(newest.minute.getTime() + 60_000);
    const [world] = await full.database.sql`
      select w.schema_variant, w.history_to, k.mode, k.next_minute, c.anchor_sim
        from cutover.rehearsal_world w, cutover.rehearsal_workers k, cutover.rehearsal_clock c`;
    expect(world).toEqual({
      schema_variant: 'production',
      history_to: next,
      mode: 'legacy',
      next_minute: next,
      anchor_sim: next,
    });
    const stored = await readImportReport(full.database.sql);
    expect(stored?.newestComponentMinute).toBe(newest.minute.toISOString());
    expect(stored?.objects.map((o) => o.identity)).toContain('public.data_bars');
  });

  it('--days 1 keeps only the last day of bars, replacing a generated world, then an imported one', async () => {
    await createRehearsalWorld(scratch.database, { variant: 'production', days: 1, now: MIDWEEK_NOW, speed: 1 });
    await importDump(scratch.database, { file: dumpFile });
    const report = await importDump(scratch.database, { file: dumpFile, days: 1 });
    const { sql } = scratch.database;
    const [span] = await sql<{ first: Date; last: Date; derived_first: Date }[]>`
      select (select min(ts_utc) from public.data_bars) as first, (select max(ts_utc) from public.data_bars) as last,
             (select min(ts_utc) from public.derived_data_bars) as derived_first`;
    if (!span) throw new Error('no bars');
    const dayBefore = span.last.getTime() + 60_000 - 24 * 60 * 60_000;
    expect(span.first.getTime()).toBeGreaterThanOrEqual(dayBefore);
    expect(span.derived_first.getTime()).toBeGreaterThanOrEqual(dayBefore);
    expect(span.first.getTime()).toBeLessThan(dayBefore + 60 * 60_000);
    expect(report.rows.data_bars?.kept).toBeLessThan(report.rows.data_bars?.read ?? 0);
    expect(report.rows.data_bars?.read).toBe(fullReport.rows.data_bars?.read);
    // The second import replaced the first: the same definitions, not two of each.
    expect((await definitions(sql)).functions).toEqual((await definitions(sourceDb.sql)).functions);
  });

  it('reports what it cannot import and imports the rest', async () => {
    const plain = join(work, 'hand-made.sql');
    execFileSync('pg_restore', ['-f', plain, dumpFile]);
    appendFileSync(
      plain,
      [
        '',
        'CREATE EXTENSION IF NOT EXISTS pg_net_not_available_here;',
        'CREATE POLICY read_own ON public.data_bars FOR SELECT USING (auth.uid() IS NOT NULL);',
        "CREATE TRIGGER notify_webhook AFTER INSERT ON public.data_bars FOR EACH ROW EXECUTE FUNCTION supabase_functions.http_request('https://example.invalid');",
        '\\connect other_database',
        '',
      ].join('\n'),
    );
    const report = await importDump(scratch.database, { file: plain });
    expect(report.format).toBe('plain');
    const skipped = report.skipped.map((issue) => `${issue.statement} → ${issue.error}`);
    expect(skipped).toEqual([
      expect.stringMatching(/pg_net_not_available_here.*→ .*(is not available|could not open extension control file)/),
      expect.stringMatching(/CREATE POLICY read_own .*→ schema "auth" does not exist/),
      expect.stringMatching(/CREATE TRIGGER notify_webhook .*→ schema "supabase_functions" does not exist/),
    ]);
    expect(report.metaCommands).toEqual(['\\connect other_database']);
    expect((await readImportReport(scratch.database.sql))?.skipped).toHaveLength(3);
    expect(await rowCounts(scratch.database.sql)).toEqual(await rowCounts(sourceDb.sql));
  });

  it('fails and changes nothing when a pipeline function cannot be imported', async () => {
    const before = await rowCounts(scratch.database.sql);
    const reportBefore = await readImportReport(scratch.database.sql);
    const broken = join(work, 'broken.sql');
    const text = readFileSync(join(work, 'hand-made.sql'), 'utf8');
    writeFileSync(
      broken,
      text.replace(
        'CREATE FUNCTION public.calc_dxy_range_derived(',
        () =>
          'CREATE FUNCTION public.catchup_aggregation_range(p integer) RETURNS integer LANGUAGE plv8 AS $$ return 1 $$;\n' +
          'CREATE FUNCTION public.calc_dxy_range_derived(',
      ),
    );
    const failure = importDump(scratch.database, { file: broken, days: 1 });
    await expect(failure).rejects.toThrow(ImportFailed);
    await expect(failure).rejects.toThrow(/nothing was imported: language "plv8" does not exist/);
    expect(await rowCounts(scratch.database.sql)).toEqual(before);
    expect((await readImportReport(scratch.database.sql))?.importedAt).toBe(reportBefore?.importedAt);
  });

  it('runs the whole plan on the imported world', async () => {
    const start = new Date(new Date(fullReport.newestComponentMinute).getTime() + 60_000);
    const driver = createDriver(full.database, { start });
    const phases = ['1', '2', '2-fix', '2', '3', '4', '5', '6', '7'];
    for (const [index, phase] of phases.entries()) {
      const run = await driver.run(phase);
      // The first phase-2 run reports what the fix must add (a failed report); every other run succeeds.
      if (index !== 1) expect(run.status, `phase ${phase}: ${failedChecks(run)}`).toBe('succeeded');
    }
    const [workers] = await full.database.sql`select mode from cutover.rehearsal_workers`;
    expect(workers?.mode).toBe('dual');
  });
});
