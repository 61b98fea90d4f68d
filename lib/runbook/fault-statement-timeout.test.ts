import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactCopy } from '../../test-support/expect-exact-copy';
import { createDriver, type Driver, failedChecks } from '../../test-support/runbook-driver';
import { createTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { createTestWorld, MIDWEEK_NOW } from '../../test-support/test-world';

describe('a copy batch that hits the statement timeout is retried smaller, never skipped', () => {
  let test: TestDatabase;
  let driver: Driver;
  beforeAll(async () => {
    test = await createTestDatabase();
    await createTestWorld(test.database, { now: MIDWEEK_NOW, days: 2 });
    driver = createDriver(test.database, { config: { copyBatchRows: 400, batchStatementTimeoutMs: 400 } });
    for (const phase of ['1', '2-fix', '3']) expect((await driver.run(phase)).status).toBe('succeeded');
    // A slow table: any INSERT of more than 150 DXY rows into data_bars takes 2 s, past the 400 ms timeout.
    await test.database.sql.unsafe(`
      create function public.slow_large_inserts() returns trigger language plpgsql as $$
      begin
        if (select count(*) from inserted) > 150 then perform pg_sleep(2); end if;
        return null;
      end $$;
      create trigger slow_large_inserts after insert on public.data_bars
        referencing new table as inserted for each statement execute function public.slow_large_inserts();`);
  });
  afterAll(async () => {
    await test.drop();
  });

  it('halves the batch until it fits, logs each timeout, and copies every legacy minute exactly once', async () => {
    const run = await driver.run('4');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.checkpoint.batchRows).toBe(100);
    const timeouts = await test.database.sql<{ level: string; message: string }[]>`
      select level, message from cutover.phase_run_events
       where phase_run_id = ${run.id} and message like '%statement timeout%' order by id`;
    expect(timeouts.map((t) => t.level)).toEqual(['warn', 'warn']);
    expect(timeouts[0]?.message).toMatch(/A batch of 400 rows .* retrying that range with 200 rows per batch/);
    expect(timeouts[1]?.message).toMatch(/A batch of 200 rows .* retrying that range with 100 rows per batch/);
    await expectExactCopy(test.database, run);
  });
});
