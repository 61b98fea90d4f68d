import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectExactCopy } from '../../../test-support/expect-exact-copy';
import { createDriver, type Driver, failedChecks } from '../../../test-support/runbook-driver';
import { TEST_TIME_ZONE } from '../../../test-support/test-database';
import { createTestWorld, MIDWEEK_NOW } from '../../../test-support/test-world';
import { connectDatabase, type Database } from '../../db/connection';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../../db/embedded';
import { migrateConsoleSchema } from '../../db/migrate';
import { getPhaseRun } from './run-state';

/**
 * A PostgreSQL server of this file's own (not the shared test server), so that it can be
 * stopped and started again while a copy is in flight.
 */
describe('the database restarted in the middle of the copy', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dxy-cutover-restart-'));
  let server: EmbeddedDatabase;
  let database: Database;
  let driver: Driver;
  beforeAll(async () => {
    server = await startEmbeddedDatabase({ dataDir });
    const setup = connectDatabase(server.url, { max: 1 });
    await setup.sql.unsafe(`ALTER DATABASE cutover SET timezone = '${TEST_TIME_ZONE}'`);
    await setup.close();
    database = connectDatabase(server.url, { max: 4, applicationName: 'dxy-cutover-test' });
    await migrateConsoleSchema(database);
    await createTestWorld(database, { now: MIDWEEK_NOW, days: 2 });
    driver = createDriver(database, { config: { copyBatchRows: 250, stepBudgetMs: 0 } });
    for (const phase of ['1', '2-fix', '3']) expect((await driver.run(phase)).status).toBe('succeeded');
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rolls the interrupted batch back, retries from the checkpoint once the server is back, and copies exact rows', async () => {
    const runId = await driver.start('4');
    for (let i = 0; i < 4; i++) await driver.tick();
    // The next batch's INSERT is made slow, so the restart lands in the middle of it.
    await database.sql.unsafe(`
      create function public.slow_insert() returns trigger language plpgsql as $$
      begin perform pg_sleep(30); return null; end $$;
      create trigger slow_insert after insert on public.data_bars for each statement execute function public.slow_insert();`);
    const inFlight = driver.tick().then(
      () => 'completed',
      (error: unknown) => `tick failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    await vi.waitFor(
      async () => {
        const [sleeping] = await database.sql`select 1 from pg_stat_activity where wait_event = 'PgSleep'`;
        if (!sleeping) throw new Error('the batch has not reached its INSERT yet');
      },
      { timeout: 10_000, interval: 50 },
    );
    const beforeRestart = await getPhaseRun(database.sql, { id: runId });
    await server.stop();
    // The step's connection dropped: the run is neither failed nor advanced.
    expect(await inFlight).toBe('completed');
    server = await startEmbeddedDatabase({ dataDir });
    // The pool's idle connections died with the server: the test's own first queries may meet one of them
    // ("terminating connection due to administrator command") before the pool reconnects, as the runner's
    // next tick does in production.
    await vi.waitFor(() => database.sql`drop trigger if exists slow_insert on public.data_bars`, {
      timeout: 10_000,
      interval: 100,
    });
    const afterRestart = await vi.waitFor(() => getPhaseRun(database.sql, { id: runId }), {
      timeout: 10_000,
      interval: 100,
    });
    expect(afterRestart?.status).toBe('running');
    expect(afterRestart?.checkpoint.cursor).toBe(beforeRestart?.checkpoint.cursor);
    expect(afterRestart?.checkpoint.batches).toBe(beforeRestart?.checkpoint.batches);

    const run = await driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    await expectExactCopy(database, run);
  }, 120_000);
});
