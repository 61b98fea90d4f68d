/**
 * Rows of the console's tables as their drizzle schema describes them (lib/db/console-schema.ts).
 * The table modules query through postgres.js (see `SqlOrTx` in ../connection.ts), so they select
 * the columns by their SQL names and map each value the way drizzle itself does
 * (`mapFromDriverValue`): a bigint comes back as a number, a timestamptz as a Date, a jsonb as its
 * parsed value — whatever the connection's own parsers did. A row therefore has exactly the type
 * `typeof table.$inferSelect`, and no module writes a row type by hand.
 */
import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SqlOrTx } from '../connection';

const columnLists = new WeakMap<PgTable, string>();

/** `"a", "b", …`: every column of the table, for `select ${columnsOf(sql, table)} from …`. */
export function columnsOf(sql: SqlOrTx, table: PgTable) {
  let list = columnLists.get(table);
  if (!list) {
    list = Object.values(getTableColumns(table))
      .map((column) => `"${column.name}"`)
      .join(', ');
    columnLists.set(table, list);
  }
  return sql.unsafe(list);
}

/** One row as selected by `columnsOf`, mapped to the table's inferred row type. */
export function rowOf<T extends PgTable>(table: T, raw: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}

export function rowsOf<T extends PgTable>(table: T, raws: readonly Record<string, unknown>[]): T['$inferSelect'][] {
  return raws.map((raw) => rowOf(table, raw));
}
