/**
 * Brings a database to the state the console needs at start: its own schema migrated, and —
 * only in a database the console owns (the embedded one, or one it created a world in) — the
 * rehearsal world and demo users. Never creates pipeline tables in a foreign database.
 */
import { seedDemoUsers } from '../auth/demo-users';
import { rehearsalSpeedFromEnv } from '../market/clock';
import { isFxOpen } from '../market/market-hours';
import { createRehearsalWorld, type WorldSummary } from '../market/rehearsal/create-world';
import type { SchemaVariant } from '../market/rehearsal/schema-sql';
import { readSetting } from '../settings';
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
  now: Date;
  leftovers: boolean;
} {
  // Validated by lib/settings.ts: a bad value throws with the variable's name and what is allowed.
  return {
    variant: readSetting('REHEARSAL_SCHEMA', env),
    days: readSetting('REHEARSAL_DAYS', env),
    now: readSetting('REHEARSAL_START', env) ?? defaultRehearsalStart(new Date()),
    leftovers: readSetting('REHEARSAL_LEFTOVERS', env),
  };
}

/**
 * Rehearsal time starts at wall time when the FX market is open. When it is closed (a weekend),
 * it starts at the previous Thursday 14:00 UTC instead, so a team rehearsing on a Saturday
 * gets open market hours to run the plan in rather than a day and a half of silence.
 */
export function defaultRehearsalStart(wallNow: Date): Date {
  if (isFxOpen(wallNow)) return wallNow;
  const thursday = new Date(wallNow);
  thursday.setUTCHours(14, 0, 0, 0);
  while (thursday.getUTCDay() !== 4 || thursday.getTime() > wallNow.getTime()) {
    thursday.setUTCDate(thursday.getUTCDate() - 1);
  }
  return thursday;
}

export async function prepareDatabase(
  database: Database,
  options: {
    ownsDatabase: boolean;
    log?: (line: string) => void;
    /** Where the REHEARSAL_* settings are read from (the benchmark passes its own world size). */
    env?: Record<string, string | undefined>;
  },
): Promise<PreparedDatabase> {
  await migrateConsoleSchema(database);
  const isRehearsal = await hasRehearsalWorld(database);
  let worldCreated: WorldSummary | null = null;
  const missingBefore = await findMissingPipelineTables(database.sql);
  if (options.ownsDatabase && !isRehearsal && missingBefore.length === 5) {
    const { variant, days, now, leftovers } = rehearsalOptionsFromEnv(options.env);
    worldCreated = await createRehearsalWorld(database, {
      variant,
      days,
      now,
      leftovers,
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
