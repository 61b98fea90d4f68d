/**
 * cutover.rehearsal_world: present (one row, id 1) only in a database the console created as a
 * rehearsal world — the reset and import guards read it. How a world is built lives in
 * lib/market/rehearsal/.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { rehearsalWorld } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type RehearsalWorld = typeof rehearsalWorld.$inferSelect;

/** True when the table exists at all (a database the console never migrated has no schema `cutover`). */
export async function rehearsalWorldTableExists(sql: SqlOrTx): Promise<boolean> {
  const [row] = await sql`
    select 1 from information_schema.tables where table_schema = 'cutover' and table_name = 'rehearsal_world'`;
  return Boolean(row);
}

/** The world's row, or null when this database is not a rehearsal world. */
export async function readRehearsalWorld(sql: SqlOrTx): Promise<RehearsalWorld | null> {
  const [row] = await sql`select ${columnsOf(sql, rehearsalWorld)} from cutover.rehearsal_world where id = 1`;
  return row ? rowOf(rehearsalWorld, row) : null;
}

export async function insertRehearsalWorld(
  sql: SqlOrTx,
  values: Pick<RehearsalWorld, 'schemaVariant' | 'days' | 'historyFrom' | 'historyTo'> & {
    importReport: object | null;
  },
): Promise<void> {
  await sql`
    insert into cutover.rehearsal_world (id, schema_variant, days, history_from, history_to, import_report)
    values (1, ${values.schemaVariant}, ${values.days}, ${values.historyFrom}, ${values.historyTo},
            ${values.importReport ? sql.json(toJsonValue(values.importReport)) : null})`;
}

export async function setRehearsalWorldImportReport(sql: SqlOrTx, report: object): Promise<void> {
  await sql`update cutover.rehearsal_world set import_report = ${sql.json(toJsonValue(report))} where id = 1`;
}

export async function deleteRehearsalWorld(sql: SqlOrTx): Promise<void> {
  await sql`delete from cutover.rehearsal_world`;
}
