import { beforeAll, describe, expect, it } from 'vitest';
import { expectExactCopy } from '../../../test-support/expect-exact-copy';
import { failedChecks } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';

describe('a copy batch that hits the statement timeout is retried smaller, never skipped', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { copyBatchRows: 400, batchStatementTimeoutMs: 400 }, through: ['1', '2-fix', '3'] },
  );
  beforeAll(async () => {
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

  it('halves the batch until it fits, logs each timeout, and copies every legacy minute exactly once', async () => {
    const run = await test.driver.run('4');
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
