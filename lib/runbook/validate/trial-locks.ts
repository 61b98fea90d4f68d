/**
 * What a write trial held back (docs/phases.md "Validate — before the night"): the locks its
 * transaction holds on the pipeline's tables that make a live writer's INSERT or UPDATE wait (any
 * mode that conflicts with ROW EXCLUSIVE), read from pg_locks just before the rollback, and for how
 * long at most — the trial's first statement to the end of its rollback, since such a lock is taken
 * by one of its statements and kept until the rollback.
 */
import type { TransactionSql } from 'postgres';

/** Lock modes a writer's ROW EXCLUSIVE waits for (the query's list), weakest first. */
const HOLDS_WRITERS = ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
const STRENGTH = new Map(HOLDS_WRITERS.map((mode, index) => [mode, index]));

export interface HeldLock {
  table: string;
  /** The strongest writer-blocking mode the trial holds on it. */
  mode: string;
}

/** This transaction's writer-blocking locks on tables in public, the strongest mode per table. */
export async function writerBlockingLocks(tx: TransactionSql): Promise<HeldLock[]> {
  const rows = await tx<{ table: string; mode: string }[]>`
    select c.relname as table, l.mode from pg_locks l join pg_class c on c.oid = l.relation
     where l.pid = pg_backend_pid() and l.granted and l.locktype = 'relation'
       and c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
     order by 1`;
  const strongest = new Map<string, string>();
  for (const { table, mode } of rows) {
    const held = strongest.get(table);
    if (!held || (STRENGTH.get(mode) ?? 0) > (STRENGTH.get(held) ?? 0)) strongest.set(table, mode);
  }
  return [...strongest].map(([table, mode]) => ({ table, mode }));
}

/** The sentence a trial's verdict ends with: which writers it held back, and at most how long. */
export function describeHold(locks: readonly HeldLock[], heldMs: number): string {
  if (locks.length === 0) return `held no lock that makes a writer wait (${heldMs} ms until the rollback)`;
  const tables = locks.map((l) => `${l.table} (${l.mode})`).join(', ');
  return `held writers of ${tables} back for at most ${heldMs} ms, until the rollback`;
}
