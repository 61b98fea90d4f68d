/**
 * The e2e fixture: every spec file runs against a world of its own — its own database copied from
 * the template of its WorldOptions, its own rehearsal clock starting at the chosen time, its own
 * console — so no spec depends on which specs ran before it or for how long. Specs import `test`
 * and `expect` from here instead of @playwright/test; `baseURL` and e2eDatabase() are the world's.
 *
 *   import { DEFAULT_WORLD, expect, test } from './support/fixtures';
 *   test.use({ worldOptions: { ...DEFAULT_WORLD, speed: 1200 } });   // optional
 *
 * The tests of one file share their file's world (they run one after another in one worker); a
 * failed test ends its worker, and the file's remaining tests then get a new world.
 */
import { test as base } from '@playwright/test';
import { type ConsoleWorld, startConsoleWorld } from './console-world';
import { setWorldDatabase } from './database';
import { DEFAULT_WORLD, type WorldOptions } from './world-options';

export { expect } from '@playwright/test';
export { DEFAULT_WORLD } from './world-options';

/** The world of the spec file the worker is running, replaced when a test of another file comes. */
class WorldKeeper {
  private current: { file: string; key: string; world: ConsoleWorld } | null = null;

  async forSpec(file: string, options: WorldOptions): Promise<ConsoleWorld> {
    const key = JSON.stringify(options);
    if (this.current && this.current.file === file && this.current.key === key) return this.current.world;
    await this.stop();
    const world = await startConsoleWorld(options, (line) => console.log(`[e2e] ${line}`));
    this.current = { file, key, world };
    return world;
  }

  async stop(): Promise<void> {
    const world = this.current?.world;
    this.current = null;
    setWorldDatabase(undefined);
    await world?.stop();
  }
}

interface WorldFixtures {
  /** The world a spec file starts in (DEFAULT_WORLD unless the file says otherwise with test.use). */
  worldOptions: WorldOptions;
  world: ConsoleWorld;
}

interface WorkerFixtures {
  worlds: WorldKeeper;
}

export const test = base.extend<WorldFixtures, WorkerFixtures>({
  worldOptions: [DEFAULT_WORLD, { option: true }],
  worlds: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from its destructuring.
    async ({}, use) => {
      const keeper = new WorldKeeper();
      await use(keeper);
      await keeper.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  world: [
    async ({ worldOptions, worlds }, use, testInfo) => {
      const world = await worlds.forSpec(testInfo.file, worldOptions);
      setWorldDatabase(world.sql);
      await use(world);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('console.log', { body: world.log(), contentType: 'text/plain' });
      }
    },
    // Starting a world (copy, console start-up; the first of new options also builds its template)
    // has a budget of its own, apart from the test's.
    { auto: true, timeout: 180_000 },
  ],
  baseURL: async ({ world }, use) => {
    await use(world.baseURL);
  },
});
