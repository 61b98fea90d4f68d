/**
 * Work against production that must leave nothing behind: probes, rehearsals of a phase's
 * statements, validate's trials, phase 3's test. It runs in a savepoint (inside a transaction) or a
 * transaction of its own that is always rolled back, and its value is returned.
 */
import type { Sql, TransactionSql } from 'postgres';
import type { SqlOrTx } from '../db/connection';

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
