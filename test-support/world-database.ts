/**
 * The start most integration tests share: a test database of its own, bare or holding a
 * rehearsal world and, for runbook tests, a driver at the world's simulated time that has
 * already run the phases the test builds on — started before the tests of a describe block,
 * dropped after them.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Database } from '../lib/db/connection';
import type { WorldSummary } from '../lib/market/rehearsal/create-world';
import { createDriver, type Driver, type DriverOptions } from './runbook-driver';
import { createStatementRecorder } from './statement-recorder';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestWorldDatabase, MIDWEEK_NOW, type TestWorldOptions } from './test-world';

/** What the tests of a describe block see of their database. */
export interface DatabaseInUse {
  readonly database: Database;
  readonly url: string;
}

export interface TestWorld extends DatabaseInUse {
  readonly world: WorldSummary;
  readonly driver: Driver;
}

interface PerTest {
  /** Start afresh before each test and drop after it, instead of once for the whole block. */
  perTest?: boolean;
}

/**
 * Registers the hooks that start a database before the block's tests (before each test, with
 * `perTest`) and drop it after them; what `start` returned is there for tests and later hooks.
 * Hooks the block registers later run after the start and, being after-hooks, before the drop
 * (vitest runs after-hooks in reverse order).
 */
function useStarted<Started extends { test: TestDatabase }>(
  start: () => Promise<Started>,
  { perTest = false }: PerTest,
): () => Started {
  let started: Started | null = null;
  (perTest ? beforeEach : beforeAll)(async () => {
    started = await start();
  });
  (perTest ? afterEach : afterAll)(async () => {
    await started?.test.drop();
    started = null;
  });
  return () => {
    if (!started) throw new Error('The test database starts in a before-hook: use it in tests and later hooks.');
    return started;
  };
}

/** A migrated test database (not migrated, with `migrate: false`) and no world in it. */
export function useTestDatabase(options: { migrate?: boolean } & PerTest = {}): DatabaseInUse {
  const { perTest, ...createOptions } = options;
  const current = useStarted(async () => ({ test: await createTestDatabase(createOptions) }), { perTest });
  return {
    get database() {
      return current().test.database;
    },
    get url() {
      return current().test.url;
    },
  };
}

interface StartOptions extends DriverOptions {
  /** Phases the driver runs before the tests; each must succeed. */
  through?: readonly string[];
}

async function startTestWorld(worldOptions: TestWorldOptions, options: StartOptions) {
  const { through = [], ...driverOptions } = options;
  const { test: created, world } = await createTestWorldDatabase(worldOptions);
  // Phase runs advance through a connection that records what they write (test-support/statement-recorder.ts).
  const recorder = createStatementRecorder(created.url, created.database.db);
  const test: TestDatabase = {
    ...created,
    async drop() {
      await recorder.close();
      await created.drop();
    },
  };
  // The runner's clock starts where the world's data ends, unless the test moves it.
  const driver = createDriver(test.database, { start: worldOptions.now ?? MIDWEEK_NOW, recorder, ...driverOptions });
  await driver.runThrough(through);
  return { test, world, driver };
}

/** A test database holding a rehearsal world, and a driver that has run the phases `through` lists. */
export function useTestWorld(worldOptions: TestWorldOptions = {}, options: StartOptions & PerTest = {}): TestWorld {
  const { perTest, ...startOptions } = options;
  const current = useStarted(() => startTestWorld(worldOptions, startOptions), { perTest });
  return {
    get database() {
      return current().test.database;
    },
    get url() {
      return current().test.url;
    },
    get world() {
      return current().world;
    },
    get driver() {
      return current().driver;
    },
  };
}
