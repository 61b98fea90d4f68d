/**
 * What the import makes of each statement of a dump, as text: whether its failure must fail the import, how its
 * session settings become transaction-local, which public table a COPY fills, and how it is named in the report.
 */
import { PIPELINE_TABLES } from '../../db/pipeline-tables';
import { PIPELINE_FUNCTION_NAMES } from '../pipeline/function-names';
import type { DumpEntry } from './dump-reader';

/** Tables whose rows `--days` filters, and the column it filters on. */
export const TIME_FILTERED: Record<string, string> = {
  data_bars: 'ts_utc',
  derived_data_bars: 'ts_utc',
  ops_runlog: 'started_at',
};

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function tableRef(name: string): string {
  return `(?:(?:public|"public")\\s*\\.\\s*)?"?${name}"?(?![\\w$])`;
}

const TABLES_ALT = PIPELINE_TABLES.join('|');
const CRITICAL_TABLE_STATEMENT = new RegExp(
  [
    `^CREATE\\s+(?:UNLOGGED\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${tableRef(`(?:${TABLES_ALT})`)}`,
    `^ALTER\\s+TABLE\\s+(?:ONLY\\s+)?${tableRef(`(?:${TABLES_ALT})`)}`,
    `^CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?\\S+\\s+ON\\s+(?:ONLY\\s+)?${tableRef(`(?:${TABLES_ALT})`)}`,
    `^COPY\\s+${tableRef(`(?:${TABLES_ALT})`)}`,
    `^ALTER\\s+SEQUENCE\\s+\\S+\\s+OWNED\\s+BY\\s+${tableRef(`(?:${TABLES_ALT})`)}`,
  ].join('|'),
  'i',
);
const CRITICAL_FUNCTION_STATEMENT = new RegExp(
  `^CREATE\\s+(?:OR\\s+REPLACE\\s+)?FUNCTION\\s+${tableRef(`(?:${PIPELINE_FUNCTION_NAMES.join('|')})`)}\\s*\\(`,
  'i',
);
/** Ownership, grants, comments, policies, RLS switches, triggers and foreign keys never fail an import. */
const NEVER_CRITICAL =
  /^(?:GRANT|REVOKE|COMMENT|SECURITY\s+LABEL|CREATE\s+POLICY|ALTER\s+POLICY|CREATE\s+(?:CONSTRAINT\s+)?TRIGGER|CREATE\s+RULE|ALTER\s+DEFAULT\s+PRIVILEGES)\b|\sOWNER\s+TO\s|\s(?:ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY|\sFOREIGN\s+KEY\s/i;

/** Whether a failure of this statement must fail the whole import. */
export function isCriticalStatement(statement: string): boolean {
  const text = statement.trim();
  if (NEVER_CRITICAL.test(text)) return false;
  return CRITICAL_TABLE_STATEMENT.test(text) || CRITICAL_FUNCTION_STATEMENT.test(text);
}

/**
 * Session settings of the dump become transaction-local: the import's connection goes back to the
 * pool afterwards and must not keep an empty search_path.
 */
export function localizeSettings(statement: string): string {
  if (/^SET\s+LOCAL\s/i.test(statement)) return statement;
  if (/^SET\s+SESSION\s+AUTHORIZATION\s/i.test(statement))
    return statement.replace(/^SET\s+SESSION\s+/i, 'SET LOCAL SESSION ');
  if (/^SET\s+SESSION\s/i.test(statement)) return statement.replace(/^SET\s+SESSION\s+/i, 'SET LOCAL ');
  if (/^SET\s/i.test(statement)) return statement.replace(/^SET\s+/i, 'SET LOCAL ');
  const setConfig = /^SELECT\s+pg_catalog\.set_config\(([\s\S]*),\s*false\s*\)\s*;$/i.exec(statement);
  if (setConfig) return `SELECT pg_catalog.set_config(${setConfig[1]}, true);`;
  // pg_dump 15+ writes the public schema too; here it exists already.
  if (/^CREATE\s+SCHEMA\s+(?:public|"public")\s*;$/i.test(statement)) return 'CREATE SCHEMA IF NOT EXISTS public;';
  return statement;
}

export function excerpt(statement: string, length = 300): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

export function describeEntry(entry: DumpEntry | null, statement: string): string {
  if (entry) return `${entry.type} ${entry.schema && entry.schema !== '-' ? `${entry.schema}.` : ''}${entry.name}`;
  return excerpt(statement, 80);
}

interface CopyTarget {
  /** Unqualified name when the target is in schema public (or unqualified), else null. */
  publicTable: string | null;
  columns: string | null;
}

export function parseCopyTarget(statement: string): CopyTarget {
  const match = /^COPY\s+((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)\s*(\(([\s\S]*?)\))?\s+FROM\s+stdin/i.exec(
    statement,
  );
  if (!match) return { publicTable: null, columns: null };
  const parts = (match[1] as string).split('.').map((p) => p.trim().replace(/^"|"$/g, ''));
  const schema = parts.length === 2 ? parts[0] : 'public';
  return { publicTable: schema === 'public' ? (parts.at(-1) ?? null) : null, columns: match[3] ?? null };
}
