/**
 * A database of its own for each test file, created on the shared test server, with a
 * non-UTC session TimeZone (+05:45, not a whole hour) so that any SQL relying on UTC sessions
 * or truncating in local time fails loudly (defect 3).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../lib/db/connection';
import { migrateConsoleSchema } from '../lib/db/migrate';

export const TEST_TIME_ZONE = 'Asia/Kathmandu';

export interface TestDatabase {
  database: Database;
  url: string;
  drop(): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.unsafe(`ALTER DATABASE ${name} SET timezone = '${TEST_TIME_ZONE}'`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const database = connectDatabase(url, { max: 6, applicationName: 'dxy-cutover-test' });
  if (options.migrate !== false) await migrateConsoleSchema(database);
  return {
    database,
    url,
    async drop() {
      await database.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
