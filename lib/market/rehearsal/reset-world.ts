/**
 * `npm run rehearsal:reset`: rebuilds the rehearsal world. Allowed only in a database that is
 * empty of pipeline tables or holds a world the console created; a database with pipeline
 * tables the console did not create (production, staging) is refused and left untouched.
 */

import type { Database } from '../../db/connection';
import { findMissingPipelineTables, PIPELINE_TABLES } from '../../db/pipeline-tables';
import { deleteRehearsalClock } from '../../db/tables/rehearsal-clock';
import { deleteRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import { deleteRehearsalWorld, readRehearsalWorld, rehearsalWorldTableExists } from '../../db/tables/rehearsal-world';
import { type CreateWorldOptions, createRehearsalWorld, type WorldSummary } from './create-world';
import { dropImportedObjects } from './imported-objects';
import { DROP_PIPELINE_SQL } from './schema-sql';
import { WORKERS_LOCK_KEY } from './simulated-workers';

export type WorldOwnership = 'empty' | 'rehearsal' | 'foreign';

export async function inspectWorldOwnership(database: Database): Promise<WorldOwnership> {
  if ((await rehearsalWorldTableExists(database.sql)) && (await readRehearsalWorld(database.sql))) {
    return 'rehearsal';
  }
  const missing = await findMissingPipelineTables(database.sql);
  return missing.length === PIPELINE_TABLES.length ? 'empty' : 'foreign';
}

export class ResetRefused extends Error {}

export async function resetRehearsalWorld(database: Database, options: CreateWorldOptions): Promise<WorldSummary> {
  const ownership = await inspectWorldOwnership(database);
  if (ownership === 'foreign') {
    throw new ResetRefused(
      'Refused: this database holds pipeline tables that the console did not create (not a rehearsal world). ' +
        'rehearsal:reset only runs in an empty database or in a rehearsal world.',
    );
  }
  const reserved = await database.sql.reserve();
  try {
    // Keep the simulated workers of a running console out while the world is rebuilt.
    await reserved`select pg_advisory_lock(${WORKERS_LOCK_KEY})`;
    // A world imported from a pg_dump (rehearsal:import) may hold more than the generated one.
    await dropImportedObjects(database.sql);
    await database.sql.unsafe(DROP_PIPELINE_SQL);
    await deleteRehearsalWorkers(database.sql);
    await deleteRehearsalClock(database.sql);
    await deleteRehearsalWorld(database.sql);
    const summary = await createRehearsalWorld(database, options);
    return summary;
  } finally {
    await reserved`select pg_advisory_unlock(${WORKERS_LOCK_KEY})`;
    reserved.release();
  }
}
