import { describe, expect, it } from 'vitest';
import { type DatabaseInUse, useTestDatabase } from '../../test-support/world-database';
import { migrateConsoleSchema } from './migrate';

/** Everything the console's schema defines, read from the catalog. */
async function snapshotConsoleSchema(test: DatabaseInUse): Promise<string> {
  const { sql } = test.database;
  const columns = await sql`
    select table_name, column_name, data_type, is_nullable, column_default
      from information_schema.columns where table_schema = 'cutover' order by 1, 2`;
  const indexes = await sql`select indexname, indexdef from pg_indexes where schemaname = 'cutover' order by 1`;
  const constraints = await sql`
    select conname, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where n.nspname = 'cutover' order by 1`;
  const migrations = await sql`select hash from cutover.__drizzle_migrations order by id`;
  return JSON.stringify({ columns, indexes, constraints, migrations });
}

describe('console migrations', () => {
  const test = useTestDatabase({ migrate: false });

  it('create the cutover schema and apply twice without change', async () => {
    await migrateConsoleSchema(test.database);
    const first = await snapshotConsoleSchema(test);
    expect(first).toContain('audit_events');
    expect(first).toContain('sessions');
    await migrateConsoleSchema(test.database);
    expect(await snapshotConsoleSchema(test)).toBe(first);
  });

  it('serialise concurrent starts (two processes migrating at once)', async () => {
    await Promise.all([migrateConsoleSchema(test.database), migrateConsoleSchema(test.database)]);
    const [row] = await test.database.sql<{ n: number }[]>`select count(*)::int as n from cutover.__drizzle_migrations`;
    expect(row?.n).toBeGreaterThan(0);
  });

  it('never create pipeline tables', async () => {
    const [row] = await test.database.sql`select to_regclass('public.data_bars') as t`;
    expect(row?.t).toBeNull();
  });
});
