/**
 * Brings a database to the state the console needs at start: its own schema migrated, and —
 * only in a database the console owns (the embedded one, or one it created a world in) — the
 * rehearsal world and demo users. Never creates pipeline tables in a foreign database.
 */
import { seedDemoUsers } from '../auth/demo-users';
import { rehearsalSpeedFromEnv } from '../market/clock';
import { createRehearsalWorld, type WorldSummary } from '../market/rehearsal/create-world';
import type { SchemaVariant } from '../market/rehearsal/schema-sql';
import type { Database } from './connection';
import { migrateConsoleSchema } from './migrate';
import { findMissingPipelineTables, type PipelineTable } from './pipeline-tables';

export interface PreparedDatabase {
  worldCreated: WorldSummary | null;
  isRehearsal: boolean;
  missingTables: PipelineTable[];
}

export function rehearsalOptionsFromEnv(env: Record<string, string | undefined> = process.env): {
  variant: SchemaVariant;
  days: number;
} {
  const variant = env.REHEARSAL_SCHEMA ?? 'production';
  if (variant !== 'production' && variant !== 'plan') {
    throw new Error(`REHEARSAL_SCHEMA must be "production" or "plan" (got "${variant}")`);
  }
  const days = Number(env.REHEARSAL_DAYS ?? '14');
  if (!Number.isInteger(days) || days < 1 || days > 1000) {
    throw new Error(`REHEARSAL_DAYS must be a whole number of days between 1 and 1000 (got "${env.REHEARSAL_DAYS}")`);
  }
  return { variant, days };
}

export async function prepareDatabase(
  database: Database,
  options: { ownsDatabase: boolean; log?: (line: string) => void },
): Promise<PreparedDatabase> {
  await migrateConsoleSchema(database);
  const isRehearsal = await hasRehearsalWorld(database);
  let worldCreated: WorldSummary | null = null;
  const missingBefore = await findMissingPipelineTables(database.sql);
  if (options.ownsDatabase && !isRehearsal && missingBefore.length === 5) {
    const { variant, days } = rehearsalOptionsFromEnv();
    worldCreated = await createRehearsalWorld(database, {
      variant,
      days,
      speed: rehearsalSpeedFromEnv() ?? 1,
      log: options.log,
    });
    await seedDemoUsers(database.db);
  }
  return {
    worldCreated,
    isRehearsal: isRehearsal || worldCreated !== null,
    missingTables: await findMissingPipelineTables(database.sql),
  };
}

export async function hasRehearsalWorld(database: Database): Promise<boolean> {
  const [row] = await database.sql`select 1 from cutover.rehearsal_world where id = 1`;
  return Boolean(row);
}
