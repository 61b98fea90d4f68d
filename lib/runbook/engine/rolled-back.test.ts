/**
 * Rolled-back work that meets another transaction's change of the same catalog row is run again
 * (./rolled-back.ts): a page's rehearsal of `CREATE OR REPLACE FUNCTION` while the runner creates
 * the same new function is refused with a duplicate key on pg_proc once the runner commits.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test-support/world-database';
import { inRolledBackTransaction, retryOnConcurrentCatalogUpdate } from './rolled-back';

const CREATE = `create or replace function public.race_probe() returns int language sql as 'select 1'`;

describe('rolled-back work and concurrent catalog changes', () => {
  const test = useTestDatabase();

  async function raceWithCommittedCreate(rehearse: () => Promise<unknown>) {
    const { sql } = test.database;
    const holder = await sql.reserve();
    try {
      await holder`begin`;
      await holder.unsafe(CREATE);
      const rehearsal = rehearse().then(
        () => 'done',
        (error: unknown) => error,
      );
      // Wait until the rehearsal is blocked behind the uncommitted function, then commit it.
      for (;;) {
        const [waiting] = await sql<{ n: number }[]>`
          select count(*)::int as n from pg_locks l
           where not l.granted and l.pid in (select pid from pg_stat_activity where datname = current_database())`;
        if ((waiting?.n ?? 0) > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await holder`commit`;
      return await rehearsal;
    } finally {
      holder.release();
      await sql`drop function if exists public.race_probe()`;
    }
  }

  it('fails once without the retry: the duplicate key on pg_proc this guards against', async () => {
    const outcome = await raceWithCommittedCreate(() =>
      inRolledBackTransaction(test.database.sql, (tx) => tx.unsafe(CREATE)),
    );
    expect(outcome).toMatchObject({ code: '23505', constraint_name: 'pg_proc_proname_args_nsp_index' });
  });

  it('runs the rehearsal again on the catalog as it is now, and leaves nothing behind', async () => {
    const outcome = await raceWithCommittedCreate(() =>
      retryOnConcurrentCatalogUpdate(() => inRolledBackTransaction(test.database.sql, (tx) => tx.unsafe(CREATE))),
    );
    expect(outcome).toBe('done');
  });
});
