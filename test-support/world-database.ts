/**
 * The start most integration tests share: a test database of its own holding a rehearsal world
 * and, for runbook tests, a driver at the world's simulated time that has already run the
 * phases the test builds on — started before the tests of a describe block, dropped after them.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Database } from '../lib/db/connection';
import type { WorldSummary } from '../lib/market/rehearsal/create-world';
import { createDriver, type Driver, type DriverOptions } from './runbook-driver';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestWorld, MIDWEEK_NOW, type TestWorldOptions } from './test-world';

export interface TestWorld {
  readonly database: Database;
  readonly url: string;
  readonly world: WorldSummary;
  readonly driver: Driver;
}

interface StartOptions extends DriverOptions {
  /** Phases the driver runs before the tests; each must succeed. */
  through?: readonly string[];
}

interface Started {
  test: TestDatabase;
  world: WorldSummary;
  driver: Driver;
}

async function startTestWorld(worldOptions: TestWorldOptions, options: StartOptions): Promise<Started> {
  const { through = [], ...driverOptions } = options;
  const test = await createTestDatabase();
  const world = await createTestWorld(test.database, worldOptions);
  // The runner's clock starts where the world's data ends, unless the test moves it.
  const driver = createDriver(test.database, { start: worldOptions.now ?? MIDWEEK_NOW, ...driverOptions });
  await driver.runThrough(through);
  return { test, world, driver };
}

/**
 * Registers the hooks that start the world before the block's tests (before each test, with
 * `perTest`) and drop its database after them. Hooks the block registers later run after the
 * start and, being after-hooks, before the drop (vitest runs after-hooks in reverse order).
 */
export function useTestWorld(
  worldOptions: TestWorldOptions = {},
  options: StartOptions & { perTest?: boolean } = {},
): TestWorld {
  const { perTest = false, ...startOptions } = options;
  let started: Started | null = null;
  const current = (): Started => {
    if (!started) throw new Error('The test world starts in a before-hook: use it in tests and later hooks.');
    return started;
  };
  (perTest ? beforeEach : beforeAll)(async () => {
    started = await startTestWorld(worldOptions, startOptions);
  });
  (perTest ? afterEach : afterAll)(async () => {
    await started?.test.drop();
    started = null;
  });
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
