/** A small rehearsal world at a fixed simulated time, for integration tests. */
import { createHash } from 'node:crypto';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../lib/db/connection';
import { TOGETHER_INGESTION, type WorldIngestion } from '../lib/db/tables/rehearsal-workers';
import { anchorRehearsalClock } from '../lib/market/clock';
import type { PipelineVariant } from '../lib/market/pipeline/variant';
import { createRehearsalWorld, type WorldSummary } from '../lib/market/rehearsal/create-world';
import {
  createDatabaseFrom,
  createTestDatabaseFrom,
  dropDatabase,
  type TestDatabase,
  withAdmin,
  withDatabaseName,
} from './test-database';

/** A Wednesday mid-session: the market is open and the last 3 days hold no weekend. */
export const MIDWEEK_NOW = new Date('2026-11-25T14:30:00Z');
/** A Monday morning: the last 3 days span a full FX weekend. */
export const AFTER_WEEKEND_NOW = new Date('2026-11-30T06:00:00Z');

export interface TestWorldOptions {
  variant?: PipelineVariant;
  days?: number;
  now?: Date;
  leftovers?: boolean;
  /**
   * How the simulated provider and writers behave. Unset: all six components of a minute at once,
   * no revisions, no second writer (TOGETHER_INGESTION), so tests stay deterministic; a test of
   * late or revised data opts in.
   */
  ingestion?: Partial<WorldIngestion>;
  /** The history's seed as setseed() takes it; unset: the run's (test-support/global-setup.ts). */
  seed?: number;
}

function worldOptions(options: TestWorldOptions) {
  return {
    variant: options.variant ?? 'production',
    days: options.days ?? 3,
    now: options.now ?? MIDWEEK_NOW,
    leftovers: options.leftovers ?? false,
    ingestion: { ...TOGETHER_INGESTION, ...options.ingestion },
    seed: options.seed ?? inject('worldSeed') / 1_000_000,
  } satisfies Partial<Parameters<typeof createRehearsalWorld>[1]>;
}

/** Builds the world in `database` itself (a test with a server of its own, or a world on top of its own setup). */
export async function createTestWorld(database: Database, options: TestWorldOptions = {}): Promise<WorldSummary> {
  return createRehearsalWorld(database, { ...worldOptions(options), speed: 1 });
}

/**
 * A test database holding the world `options` describe: a `CREATE DATABASE … TEMPLATE` copy of a
 * world built once per test run for those options (by whichever test process asked first), so a
 * file pays milliseconds for its world instead of seconds. The copy is the file's own, as before;
 * what a copy cannot carry is set afresh on it (the clock's wall-time anchor; the session TimeZone).
 */
export async function createTestWorldDatabase(
  options: TestWorldOptions = {},
): Promise<{ test: TestDatabase; world: WorldSummary }> {
  const resolved = worldOptions(options);
  const template = await worldTemplate(resolved);
  const test = await createTestDatabaseFrom(template.name);
  try {
    // The template's anchor holds the wall time it was built at: anchored now, simulated time
    // starts where the world's data ends, as on a world created for this file.
    await anchorRehearsalClock(test.database.sql, { simStart: template.world.historyTo, speed: 1 });
  } catch (error) {
    await test.drop();
    throw error;
  }
  return { test, world: template.world };
}

interface WorldTemplate {
  name: string;
  world: WorldSummary;
}

/** Templates this process has built or found, by name. */
const knownTemplates = new Map<string, WorldTemplate>();

/**
 * The template database of a world, built on first use. Built under a name of its own and renamed
 * when complete, so a template under its final name is always whole; an advisory lock per template
 * lets the second process that asks wait for the first one's build instead of building it twice.
 * The world's summary travels as the database's comment.
 */
async function worldTemplate(options: ReturnType<typeof worldOptions>): Promise<WorldTemplate> {
  const key = JSON.stringify({ ...options, now: options.now.toISOString() });
  const name = `${inject('templatePrefix')}_w${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  const known = knownTemplates.get(name);
  if (known) return known;
  const template = await withAdmin(async (admin) => {
    await admin`select pg_advisory_lock(hashtextextended(${name}, 0))`;
    try {
      const [existing] = await admin<{ summary: string }[]>`
        select shobj_description(oid, 'pg_database') as summary from pg_database where datname = ${name}`;
      if (existing) return { name, world: parseSummary(existing.summary) };
      const building = `${name}_b`;
      // What a process that died mid-build left.
      await dropDatabase(admin, building);
      await createDatabaseFrom(admin, building, inject('migratedTemplate'));
      const database = connectDatabase(withDatabaseName(inject('adminDatabaseUrl'), building), { max: 2 });
      let world: WorldSummary;
      try {
        world = await createRehearsalWorld(database, { ...options, speed: 1 });
      } finally {
        // A database is copied only while nobody is connected to it.
        await database.close();
      }
      await admin.unsafe(`COMMENT ON DATABASE ${building} IS ${quoteLiteral(JSON.stringify(world))}`);
      await admin.unsafe(`ALTER DATABASE ${building} RENAME TO ${name}`);
      return { name, world };
    } finally {
      await admin`select pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
  });
  knownTemplates.set(name, template);
  return template;
}

function parseSummary(text: string): WorldSummary {
  const parsed = JSON.parse(text) as Omit<WorldSummary, 'historyFrom' | 'historyTo'> & {
    historyFrom: string;
    historyTo: string;
  };
  return { ...parsed, historyFrom: new Date(parsed.historyFrom), historyTo: new Date(parsed.historyTo) };
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
