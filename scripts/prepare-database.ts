/**
 * Start-up composition (docs/architecture.md "The parts"): brings a database to the state the
 * console needs — its own schema migrated, and, only in a database the console owns (the
 * embedded one, or one it created a world in), the rehearsal world and its demo users. Never
 * creates pipeline tables in a foreign database. It lives with the entry points because it
 * composes layers (db, market, auth) that must not know one another.
 */
import { seedDemoUsers } from '../lib/auth/demo-users';
import type { Database } from '../lib/db/connection';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { findMissingPipelineTables, type PipelineTable } from '../lib/db/pipeline-tables';
import { rehearsalSpeedFromEnv } from '../lib/market/clock';
import { createRehearsalWorld, type WorldSummary } from '../lib/market/rehearsal/create-world';
import { hasRehearsalWorld, rehearsalOptionsFromEnv } from '../lib/market/rehearsal/rehearsal-options';

export interface PreparedDatabase {
  worldCreated: WorldSummary | null;
  isRehearsal: boolean;
  missingTables: PipelineTable[];
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
    const { variant, days, now, leftovers, ingestion } = rehearsalOptionsFromEnv(options.env);
    worldCreated = await createRehearsalWorld(database, {
      variant,
      days,
      now,
      leftovers,
      ingestion,
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
