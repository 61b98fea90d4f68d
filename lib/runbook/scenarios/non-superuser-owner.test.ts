/**
 * The console as production runs it (docs/operations.md "Running against a real database"): connected
 * as a role that owns the pipeline's tables and functions but is no superuser, on a world shaped like
 * production — data_bars without defaults and with its foreign key to the registry, aggregators that
 * call production's _upsert_derived_bar positionally, Supabase's roles and default privileges, an
 * earlier attempt's rows. Validate says GO, phases 1–7 and a rollback pass, and every run wrote only
 * what its preview listed (the driver's recording connection checks each run).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDriver, type Driver, failedChecks } from '../../../test-support/runbook-driver';
import { createStatementRecorder, type StatementRecorder } from '../../../test-support/statement-recorder';
import { TEST_TIME_ZONE } from '../../../test-support/test-database';
import { createTestWorld, MIDWEEK_NOW } from '../../../test-support/test-world';
import { connectDatabase, type Database } from '../../db/connection';
import { migrateConsoleSchema } from '../../db/migrate';
import { SUPABASE_ROLES } from '../../market/rehearsal/schema-sql';

function withCredentials(url: string, params: { user: string; password: string; database: string }): string {
  const parsed = new URL(url);
  parsed.username = params.user;
  parsed.password = params.password;
  parsed.pathname = `/${params.database}`;
  return parsed.toString();
}

describe('the console as a non-superuser owner of a production-shaped world', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `console_owner_${suffix}`;
  const password = randomBytes(12).toString('hex');
  const name = `t_owner_${suffix}`;
  let admin: postgres.Sql;
  let database: Database;
  let recorder: StatementRecorder;
  let driver: Driver;

  beforeAll(async () => {
    admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
    // Roles are cluster-wide: Supabase's exist once (NOLOGIN), the owner is this file's own.
    for (const role of SUPABASE_ROLES) {
      await admin
        .unsafe(`CREATE ROLE ${role} NOLOGIN`)
        .catch((error: { code?: string }) =>
          error.code === '42710' || error.code === '23505' ? null : Promise.reject(error),
        );
    }
    await admin.unsafe(`CREATE ROLE ${owner} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '${password}'`);
    await admin.unsafe(`CREATE DATABASE ${name} OWNER ${owner}`);
    await admin.unsafe(`ALTER DATABASE ${name} SET timezone = '${TEST_TIME_ZONE}'`);
    const url = withCredentials(inject('adminDatabaseUrl'), { user: owner, password, database: name });
    database = connectDatabase(url, { max: 6, applicationName: 'dxy-cutover-test' });
    const [me] = await database.sql<
      { superuser: boolean }[]
    >`select rolsuper as superuser from pg_roles where rolname = current_user`;
    expect(me?.superuser).toBe(false);
    await migrateConsoleSchema(database);
    await createTestWorld(database, { variant: 'production', now: MIDWEEK_NOW, leftovers: true });
    recorder = createStatementRecorder(url, database.db);
    driver = createDriver(database, { start: MIDWEEK_NOW, recorder });
  });

  afterAll(async () => {
    await recorder?.close();
    await database?.close();
    if (admin) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.unsafe(`DROP ROLE IF EXISTS ${owner}`);
      await admin.end();
    }
  });

  it('owns the pipeline and is no superuser', async () => {
    const [row] = await database.sql<{ tables: number; functions: number }[]>`
      select (select count(*)::int from pg_tables where schemaname = 'public' and tableowner = current_user) as tables,
             (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
               where n.nspname = 'public' and pg_get_userbyid(p.proowner) = current_user) as functions`;
    expect(row?.tables).toBeGreaterThanOrEqual(5);
    expect(row?.functions).toBeGreaterThanOrEqual(5);
  });

  it('gets a GO from validate, naming what the plan itself will handle as findings', async () => {
    const result = await driver.validate();
    expect(
      result.items.filter((i) => i.status === 'no-go').map((i) => `${i.name}: ${i.reason}`),
      'NO-GO items',
    ).toEqual([]);
    expect(result.verdict).toBe('go');
  });

  it('runs phases 1–7 and writes only what each preview listed', async () => {
    for (const phase of ['1', '2-fix', '2', '3', '4', '5', '6', '7']) {
      const run = await driver.run(phase);
      expect(run.status, `phase ${phase}: ${failedChecks(run)}`).toBe('succeeded');
    }
  }, 300_000);

  it('rolls back, keeping the DXY rows in data_bars', async () => {
    const run = await driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
  }, 300_000);
});
