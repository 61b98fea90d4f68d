/**
 * One PostgreSQL server for the whole test run: TEST_DATABASE_URL when given (e.g. a
 * PostgreSQL 15 cluster for the compatibility run), else an embedded server in a fresh data
 * directory. Each test file then creates a database of its own (test-support/test-database.ts)
 * as a copy of the database migrated here once, instead of migrating its own.
 *
 * Template databases are named with this run's prefix so that runs sharing a TEST_DATABASE_URL
 * server never copy each other's; the teardown drops them there (an embedded server goes whole).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../lib/db/connection';
import { startEmbeddedDatabase } from '../lib/db/embedded';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { createDatabaseFrom, withDatabaseName } from './test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    /** The migrated database every test database is copied from (test-support/test-database.ts). */
    migratedTemplate: string;
    /** The prefix of this run's template databases (test-support/test-world.ts names worlds with it). */
    templatePrefix: string;
    /** This run's seed for the worlds' random histories (test-support/test-world.ts). */
    worldSeed: number;
  }
}

/** The variable that repeats a run's world histories: its value is printed at the start of every run. */
const WORLD_SEED_VARIABLE = 'CUTOVER_TEST_WORLD_SEED';

/**
 * The seed of this run's world histories (provider gaps, random walks): new each run, so the suite
 * keeps meeting histories nobody chose — a gap at Friday's last minute found a defect — and printed,
 * so a failure that depends on one is repeated with `CUTOVER_TEST_WORLD_SEED=<n> npx vitest run <file>`.
 */
function worldSeed(): number {
  const given = process.env[WORLD_SEED_VARIABLE];
  const seed = given === undefined || given === '' ? 1 + Math.floor(Math.random() * 999_999) : Number(given);
  if (!Number.isInteger(seed) || seed < 1 || seed > 999_999)
    throw new Error(`${WORLD_SEED_VARIABLE} must be a whole number from 1 to 999999 (got ${given})`);
  console.log(`Test worlds' histories: seed ${seed} (${WORLD_SEED_VARIABLE}=${seed} repeats them).`);
  return seed;
}

/**
 * Durability the throwaway test server does not need: a test that restarts PostgreSQL stops the
 * server, never the machine, so no write is lost without fsync. On two cores the flushes of
 * ~150 files' databases, worlds and phase runs are a large share of the suite's wall time.
 */
const NO_DURABILITY = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'dxy-cutover-test-'));
  const server = await startEmbeddedDatabase({ dataDir });
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    for (const setting of NO_DURABILITY) await admin.unsafe(`ALTER SYSTEM SET ${setting}`);
    await admin`select pg_reload_conf()`;
  } finally {
    await admin.end();
  }
  return {
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  const server = await startServer();
  const prefix = `tpl_${randomBytes(4).toString('hex')}`;
  const migratedTemplate = `${prefix}_migrated`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    // Migrated under the tests' TimeZone, as each file's database was before it was a copy.
    await createDatabaseFrom(admin, migratedTemplate, null);
    const database = connectDatabase(withDatabaseName(server.url, migratedTemplate), { max: 2 });
    try {
      await migrateConsoleSchema(database);
    } finally {
      // A database is copied only while nobody is connected to it.
      await database.close();
    }
  } finally {
    await admin.end();
  }
  project.provide('adminDatabaseUrl', server.url);
  project.provide('migratedTemplate', migratedTemplate);
  project.provide('templatePrefix', prefix);
  project.provide('worldSeed', worldSeed());
  return async () => {
    if (process.env.TEST_DATABASE_URL) {
      const cleanup = postgres(server.url, { max: 1, onnotice: () => {} });
      try {
        const templates = await cleanup<{ datname: string }[]>`
          select datname from pg_database where datname like ${`${prefix}\\_%`}`;
        for (const { datname } of templates) await cleanup.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    }
    await server.stop();
  };
}
