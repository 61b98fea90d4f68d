/**
 * Work against production that must leave nothing behind: probes, rehearsals of a phase's
 * statements, validate's trials, phase 3's test. It runs in a savepoint (inside a transaction) or a
 * transaction of its own that is always rolled back, and its value is returned.
 */
import type { Sql, TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../db/connection';

class RolledBack extends Error {}

export async function inRolledBackTransaction<T>(sql: SqlOrTx, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  let result: { value: T } | null = null;
  const run = async (tx: TransactionSql) => {
    result = { value: await work(tx) };
    throw new RolledBack();
  };
  try {
    if ('savepoint' in sql) await sql.savepoint(run);
    else await (sql as Sql).begin(run);
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
  if (!result) throw new Error('The rolled-back work produced no result.');
  return (result as { value: T }).value;
}

/** Attempts of rolled-back work that met a concurrent change of the same catalog row. */
const CONCURRENT_CATALOG_ATTEMPTS = 3;

/**
 * Rolled-back work (a preview's rehearsal, a replacement trial) whose `CREATE OR REPLACE` waits on
 * another transaction replacing the same function — the runner's real change, another page view's
 * rehearsal — is refused by PostgreSQL once that one commits ("tuple concurrently updated", or a duplicate key
 * on pg_proc when the function is new) instead
 * of being redone. Nothing of the plan is wrong: `attempt` runs again on the catalog as it is now.
 * Only for work that leaves nothing behind, so that running it again is harmless.
 */
export async function retryOnConcurrentCatalogUpdate<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= CONCURRENT_CATALOG_ATTEMPTS || !isConcurrentCatalogUpdate(error)) throw error;
    }
  }
}

/**
 * "tuple concurrently updated" (the same function replaced meanwhile), a deadlock, or a duplicate key in a system
 * catalog's own index (pg_proc_proname_args_nsp_index: the same NEW function created and committed meanwhile).
 */
function isConcurrentCatalogUpdate(error: unknown): boolean {
  const { code, message, constraint_name } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    constraint_name?: unknown;
  };
  return (
    (code === 'XX000' && message === 'tuple concurrently updated') ||
    code === '40P01' ||
    (code === '23505' && typeof constraint_name === 'string' && /^pg_[a-z_]+_index$/.test(constraint_name))
  );
}
