/**
 * A preview's rehearsal meets the runner (or another page view) replacing the same function: it
 * waits, PostgreSQL refuses the waiting update once the other commits ("tuple concurrently
 * updated"), and the rehearsal runs again on the catalog as it is now instead of failing the page.
 */
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test-support/world-database';
import { connectionUrlOf } from '../../db/connection';
import { rehearseStatements } from './statements';

const REPLACE = (body: number) =>
  `CREATE OR REPLACE FUNCTION public.rehearsal_probe() RETURNS int LANGUAGE sql AS 'SELECT ${body}'`;

describe('rehearseStatements while another transaction replaces the same function', () => {
  const test = useTestDatabase({ migrate: false });

  it('waits, is refused when the other commits, and rehearses again', async () => {
    const { sql } = test.database;
    await sql.unsafe(REPLACE(1));
    const other = postgres(connectionUrlOf(sql), { max: 1, onnotice: () => {} });
    const runner = await other.reserve();
    try {
      await runner`begin`;
      await runner.unsafe(REPLACE(2));
      const rehearsal = rehearseStatements(sql, (tx, run) => run(tx, REPLACE(3)));
      // The rehearsal is queued behind the runner's uncommitted replacement.
      await expect
        .poll(
          async () =>
            (
              await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
                 where wait_event_type = 'Lock' and query like 'CREATE OR REPLACE FUNCTION public.rehearsal_probe%'`
            )[0]?.n,
          { timeout: 10_000 },
        )
        .toBe(1);
      await runner`commit`;
      expect(await rehearsal).toEqual([REPLACE(3)]);
      const [body] = await sql<{ src: string }[]>`select prosrc as src from pg_proc where proname = 'rehearsal_probe'`;
      expect(body?.src).toBe('SELECT 2');
    } finally {
      runner.release();
      await other.end();
    }
  });
});
