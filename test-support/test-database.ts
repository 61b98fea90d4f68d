/**
 * A database of its own for each test file, created on the shared test server, with a
 * non-UTC session TimeZone (+05:45, not a whole hour) so that any SQL relying on UTC sessions
 * or truncating in local time fails loudly (defect 3).
 *
 * A migrated database is a `CREATE DATABASE … TEMPLATE` copy of the one the global setup migrated
 * (test-support/global-setup.ts): a copy takes milliseconds where running the migrations took
 * seconds, and each file still gets a database no other file touches.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../lib/db/connection';

export const TEST_TIME_ZONE = 'Asia/Kathmandu';

export interface TestDatabase {
  database: Database;
  url: string;
  drop(): Promise<void>;
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Runs `work` on a one-connection client to the server's admin database, and closes it. */
export async function withAdmin<T>(work: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Creates database `name` as a copy of `template` (an empty one when null) with the tests' session
 * TimeZone. A database's own settings are not copied with it, so the TimeZone is set on each.
 */
export async function createDatabaseFrom(admin: postgres.Sql, name: string, template: string | null): Promise<void> {
  await admin.unsafe(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await admin.unsafe(`ALTER DATABASE ${name} SET timezone = '${TEST_TIME_ZONE}'`);
}

export async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** A connected test database copied from `template` (empty when null), dropped by `drop()`. */
export async function createTestDatabaseFrom(template: string | null): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => createDatabaseFrom(admin, name, template));
  const url = withDatabaseName(inject('adminDatabaseUrl'), name);
  const database = connectDatabase(url, { max: 6, applicationName: 'dxy-cutover-test' });
  return {
    database,
    url,
    async drop() {
      await database.close();
      await withAdmin((admin) => dropDatabase(admin, name));
    },
  };
}

/** A migrated test database (a copy of the migrated template), or an empty one with `migrate: false`. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  return createTestDatabaseFrom(options.migrate === false ? null : inject('migratedTemplate'));
}
