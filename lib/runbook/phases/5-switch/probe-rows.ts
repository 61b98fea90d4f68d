/**
 * Rows a probe writes inside production's tables, inside a transaction that is rolled back
 * (docs/phases.md, phase 5). Production's data_bars has no column default but its id's, so a probe
 * never relies on one: every column is read from pg_attribute and given a value — the probe's own
 * where it names one, a neutral value of the column's type where it is NOT NULL, NULL otherwise.
 * Only a serial/identity id or a generated column is left to the table.
 */

import type { SqlOrTx } from '../../../db/connection';
import { bound, runBound, type StatementExecutor } from '../../engine/statements';

export interface ProbeColumn {
  name: string;
  /** `format_type`, e.g. `timestamp with time zone`: safe to use as a cast, it comes from the catalog. */
  type: string;
  notNull: boolean;
  /** A sequence-backed or identity column (the id): the only default a probe relies on. */
  generatedKey: boolean;
}

export async function readProbeColumns(sql: SqlOrTx, table: string): Promise<ProbeColumn[]> {
  const columns = await sql<ProbeColumn[]>`
    select a.attname as name,
           format_type(a.atttypid, a.atttypmod) as type,
           a.attnotnull as "notNull",
           (a.attidentity <> '' or a.attgenerated <> ''
            or coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false)) as "generatedKey"
      from pg_attribute a
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where a.attrelid = ${`public.${table}`}::regclass and a.attnum > 0 and not a.attisdropped
     order by a.attnum`;
  if (columns.length === 0) throw new Error(`public.${table} has no columns to probe.`);
  return columns;
}

/** A neutral value of a NOT NULL column the probe does not name, as text cast to the column's type. */
function neutralValue(column: ProbeColumn, at: Date): string {
  const type = column.type.replace(/\(.*\)$/, '');
  if (['text', 'character varying', 'character', 'name', 'citext'].includes(type)) return 'probe';
  if (['integer', 'bigint', 'smallint', 'numeric', 'double precision', 'real'].includes(type)) return '0';
  if (type === 'boolean') return 'false';
  if (type === 'timestamp with time zone' || type === 'timestamp without time zone') return at.toISOString();
  if (type === 'date') return at.toISOString().slice(0, 10);
  if (type === 'jsonb' || type === 'json') return '{}';
  if (type.endsWith('[]')) return '{}';
  throw new Error(
    `The probe cannot fill NOT NULL column ${column.name} (${column.type}) with a neutral value: it names no value for it.`,
  );
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Inserts one row into public.<table> with every column given explicitly: `values` (as text, cast
 * to each column's type; null for SQL NULL), neutral values for the other NOT NULL columns, NULL for
 * the rest. A value for a column the table does not have is an error, not silently dropped.
 */
export async function insertProbeRow(
  sql: SqlOrTx,
  params: { table: string; columns: ProbeColumn[]; values: Record<string, string | null>; at: Date },
  /** A phase passes its run's ctx.exec: the insert is one of its previewed statements. */
  write: StatementExecutor = runBound,
): Promise<void> {
  const known = new Set(params.columns.map((c) => c.name));
  const unknown = Object.keys(params.values).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`public.${params.table} has no column ${unknown.join(', ')} for the probe.`);
  const filled = params.columns.filter((c) => !c.generatedKey);
  const values = filled.map((c) =>
    c.name in params.values ? (params.values[c.name] ?? null) : c.notNull ? neutralValue(c, params.at) : null,
  );
  const missing = filled.filter((c, index) => c.notNull && values[index] === null).map((c) => c.name);
  if (missing.length > 0) throw new Error(`The probe gives NULL to NOT NULL ${missing.join(', ')} of ${params.table}.`);
  await write(sql, bound(probeInsertSql(params.table, params.columns), values));
}

/**
 * The text of a probe's INSERT into public.<table>: every column but a generated key, each bound as
 * text $n and cast to its type (so the driver sends the text as it is, never re-encoding it as JSON). The same for every probe row of one schema, so a preview can list it.
 */
export function probeInsertSql(table: string, columns: ProbeColumn[]): string {
  const filled = columns.filter((c) => !c.generatedKey);
  return `INSERT INTO public.${ident(table)} (${filled.map((c) => ident(c.name)).join(', ')})
VALUES (${filled.map((c, index) => `$${index + 1}::text::${c.type}`).join(', ')})`;
}
