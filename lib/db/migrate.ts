import { join } from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { readSetting } from '../settings';
import type { Database } from './connection';

/** Serialises concurrent starts (console + separate runner) on the same database. */
const MIGRATION_LOCK_KEY = 0x0d_c7_0001;

/** Applies the console's migrations in `drizzle/`; a no-op when they are already applied. */
export async function migrateConsoleSchema(database: Database): Promise<void> {
  const lockConnection = await database.sql.reserve();
  try {
    await lockConnection`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(database.db, {
      migrationsFolder: readSetting('CUTOVER_MIGRATIONS_DIR') ?? join(process.cwd(), 'drizzle'),
      migrationsSchema: 'cutover',
      migrationsTable: '__drizzle_migrations',
    });
  } finally {
    await lockConnection`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    lockConnection.release();
  }
}
