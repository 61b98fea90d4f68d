/**
 * `npm run rehearsal:import -- FILE [--days N]`: builds the rehearsal world from a `pg_dump` of
 * production's pipeline (the dump phase 1 writes, or one taken with the README's command), so a
 * team rehearses on production's own functions, constraints, indexes, triggers and grants rather
 * than on the console's model of them (docs: README, "Rehearsing on a production dump").
 *
 * - Only in a database that is empty of pipeline tables or holds a world the console created
 *   (the same guard as rehearsal:reset); the previous world is dropped first.
 * - One transaction: every statement runs in a savepoint. A statement that fails is reported
 *   (printed and stored in `cutover.rehearsal_world.import_report`) and skipped — an extension
 *   that is not available, a policy calling `auth.uid()`, a trigger calling a missing schema — but
 *   when a pipeline table, its data, its keys and indexes, or a pipeline function fails, the
 *   whole import rolls back and nothing has changed.
 * - Roles the dump refers to (owners, grantees) that do not exist are created NOLOGIN, and listed.
 * - `--days N` keeps only the last N days (to the hour) of `data_bars`, `derived_data_bars` and
 *   `ops_runlog`, counted back from the newest bar: COPY data goes to a temporary table first.
 * - Then the world is recorded as a rehearsal world: workers in mode `legacy` at the minute after
 *   the newest component bar, the clock anchored there, so the simulated workers continue from
 *   production's last data through production's own functions.
 */
import { existsSync } from 'node:fs';
import type { TransactionSql } from 'postgres';
import type { Database, SqlOrTx } from '../../db/connection';
import { findMissingPipelineTables, PIPELINE_TABLES } from '../../db/pipeline-tables';
import { deleteRehearsalClock, writeRehearsalClock } from '../../db/tables/rehearsal-clock';
import { deleteRehearsalWorkers, insertRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import {
  deleteRehearsalWorld,
  insertRehearsalWorld,
  readRehearsalWorld,
  setRehearsalWorldImportReport,
} from '../../db/tables/rehearsal-world';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../time-units';
import { DXY_COMPONENTS } from '../dxy';
import { PIPELINE_FUNCTION_NAMES } from '../pipeline/function-names';
import { type DumpEntry, type DumpFormat, openDump } from './dump-reader';
import { dropImportedObjects, type ImportedObject } from './imported-objects';
import { inspectWorldOwnership } from './reset-world';
import { DROP_PIPELINE_SQL } from './schema-sql';
import { WORKERS_LOCK_KEY } from './simulated-workers';

/** Without these the simulated workers cannot run: a dump lacking them is refused. */
const REQUIRED_FUNCTIONS = ['calc_dxy_range_derived', 'aggregate_1m_to_5m_window', 'aggregate_5m_to_1h_window'];

/** Tables whose rows `--days` filters, and the column it filters on. */
const TIME_FILTERED: Record<string, string> = {
  data_bars: 'ts_utc',
  derived_data_bars: 'ts_utc',
  ops_runlog: 'started_at',
};

export interface ImportIssue {
  /** The dump's own name for the object ("POLICY data_bars read_own"), or the statement's start. */
  object: string;
  statement: string;
  error: string;
  code: string | null;
}

export interface ImportReport {
  file: string;
  format: DumpFormat;
  dumpedFrom: string | null;
  dumpedBy: string | null;
  importedAt: string;
  durationMs: number;
  /** `--days`, or null for all data. */
  days: number | null;
  /** With `--days`: rows before this time were left out. */
  cutoff: string | null;
  rows: Record<string, { read: number; kept: number }>;
  statements: { executed: number; skipped: number };
  /** Roles the dump referred to that did not exist here: created NOLOGIN. */
  createdRoles: string[];
  /** What did not import (and why): reported, never silently dropped. */
  skipped: ImportIssue[];
  /** psql meta-commands of the dump that were not executed (`\restrict` keys are expected and not listed). */
  metaCommands: string[];
  newestComponentMinute: string;
  /** Everything the import created, so that the next import or reset drops exactly that. */
  objects: ImportedObject[];
}

export interface ImportOptions {
  file: string;
  days?: number | null;
  speed?: number;
  log?: (line: string) => void;
}

export class ImportRefused extends Error {}
export class ImportFailed extends Error {}

function ident(name: string): string {
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

function excerpt(statement: string, length = 300): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

function describeEntry(entry: DumpEntry | null, statement: string): string {
  if (entry) return `${entry.type} ${entry.schema && entry.schema !== '-' ? `${entry.schema}.` : ''}${entry.name}`;
  return excerpt(statement, 80);
}

interface PgError {
  message: string;
  code?: string;
}

function asPgError(error: unknown): PgError {
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { message: string; code?: unknown };
    return { message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
  }
  return { message: String(error) };
}

/** Objects of the database outside the system and console schemas, as (catalog, oid) keys. */
async function catalogObjects(tx: TransactionSql): Promise<Set<string>> {
  const rows = await tx<{ key: string }[]>`
    with user_namespaces as (
      select oid from pg_catalog.pg_namespace
       where nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'cutover')
         and nspname not like 'pg_temp%' and nspname not like 'pg_toast_temp%')
    select 'pg_namespace:' || n.oid as key from pg_catalog.pg_namespace n where n.oid in (select oid from user_namespaces)
    union all
    select 'pg_class:' || c.oid from pg_catalog.pg_class c
     where c.relnamespace in (select oid from user_namespaces) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    union all
    select 'pg_proc:' || p.oid from pg_catalog.pg_proc p where p.pronamespace in (select oid from user_namespaces)
    union all
    select 'pg_type:' || t.oid from pg_catalog.pg_type t
     where t.typnamespace in (select oid from user_namespaces) and t.typtype in ('d', 'e', 'r', 'c')
       and (t.typrelid = 0 or (select relkind from pg_catalog.pg_class where oid = t.typrelid) = 'c')
    union all
    select 'pg_extension:' || e.oid from pg_catalog.pg_extension e`;
  return new Set(rows.map((r) => r.key));
}

async function identifyObjects(tx: TransactionSql, keys: string[]): Promise<ImportedObject[]> {
  if (keys.length === 0) return [];
  return tx<ImportedObject[]>`
    select o.type, o.identity
      from unnest(${keys}::text[]) as k(key)
      cross join lateral pg_catalog.pg_identify_object(
        split_part(k.key, ':', 1)::regclass::oid, split_part(k.key, ':', 2)::oid, 0) as o
     order by 1, 2`;
}

interface StagedTable {
  table: string;
  columns: string;
  timeColumn: string;
  read: number;
}

interface CopyTarget {
  /** Unqualified name when the target is in schema public (or unqualified), else null. */
  publicTable: string | null;
  columns: string | null;
}

function parseCopyTarget(statement: string): CopyTarget {
  const match = /^COPY\s+((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)\s*(\(([\s\S]*?)\))?\s+FROM\s+stdin/i.exec(
    statement,
  );
  if (!match) return { publicTable: null, columns: null };
  const parts = (match[1] as string).split('.').map((p) => p.trim().replace(/^"|"$/g, ''));
  const schema = parts.length === 2 ? parts[0] : 'public';
  return { publicTable: schema === 'public' ? (parts.at(-1) ?? null) : null, columns: match[3] ?? null };
}

export async function importDump(database: Database, options: ImportOptions): Promise<ImportReport> {
  const log = options.log ?? (() => {});
  const days = options.days ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1)) {
    throw new ImportRefused(`--days must be a whole number of days ≥ 1 (got ${days})`);
  }
  if (!existsSync(options.file)) throw new ImportRefused(`No such file: ${options.file}`);
  const started = performance.now();
  const ownership = await inspectWorldOwnership(database);
  if (ownership === 'foreign') {
    throw new ImportRefused(
      'Refused: this database holds pipeline tables that the console did not create (not a rehearsal world). ' +
        'rehearsal:import only runs in an empty database or in a rehearsal world.',
    );
  }
  const source = openDump(options.file);
  const report: ImportReport = {
    file: options.file,
    format: source.format,
    dumpedFrom: null,
    dumpedBy: null,
    importedAt: new Date().toISOString(),
    durationMs: 0,
    days,
    cutoff: null,
    rows: {},
    statements: { executed: 0, skipped: 0 },
    createdRoles: [],
    skipped: [],
    metaCommands: [],
    newestComponentMinute: '',
    objects: [],
  };
  log(`Reading ${options.file} (${source.format === 'custom' ? 'custom format, through pg_restore' : 'plain SQL'})…`);
  try {
    await database.sql.begin(async (tx) => {
      // Keep the simulated workers of a running console out while the world is replaced.
      await tx`select pg_advisory_xact_lock(${WORKERS_LOCK_KEY})`;
      if (ownership === 'rehearsal') {
        log('Dropping the current rehearsal world…');
        await dropImportedObjects(tx);
        await tx.unsafe(DROP_PIPELINE_SQL);
        await deleteRehearsalWorkers(tx);
        await deleteRehearsalClock(tx);
        await deleteRehearsalWorld(tx);
      }
      const before = await catalogObjects(tx);
      const staged = new Map<string, StagedTable>();
      let flushed = false;

      const skip = (entry: DumpEntry | null, statement: string, error: PgError) => {
        const issue: ImportIssue = {
          object: describeEntry(entry, statement),
          statement: excerpt(statement),
          error: error.message,
          code: error.code ?? null,
        };
        report.skipped.push(issue);
        report.statements.skipped += 1;
        log(`  skipped ${issue.object}: ${issue.error}`);
      };

      /** Runs one statement in a savepoint, creating missing roles it names; reports or rethrows a failure. */
      const run = async (
        entry: DumpEntry | null,
        statement: string,
        body: (sp: TransactionSql) => Promise<unknown>,
      ): Promise<boolean> => {
        const critical = isCriticalStatement(statement);
        for (let attempt = 0; ; attempt++) {
          try {
            await tx.savepoint(body);
            report.statements.executed += 1;
            return true;
          } catch (error) {
            const pgError = asPgError(error);
            const role = /^role "(.+)" does not exist$/.exec(pgError.message)?.[1];
            if (role && attempt < 20 && !report.createdRoles.includes(role) && (await createRole(role))) continue;
            if (critical) {
              // Missing schema, function or type: production keeps it outside schema public.
              const outside = ['3F000', '42883', '42704'].includes(pgError.code ?? '')
                ? '\n  It refers to something outside schema public (Supabase keeps extensions in schema "extensions"): ' +
                  'create it in this database first (e.g. CREATE SCHEMA extensions; CREATE EXTENSION … WITH SCHEMA extensions), ' +
                  'or take the dump with that schema too (--schema=public --schema=extensions), and import again.'
                : '';
              throw new ImportFailed(
                `${describeEntry(entry, statement)} failed to import, so nothing was imported: ${pgError.message}` +
                  `\n  statement: ${excerpt(statement)}${outside}`,
              );
            }
            skip(entry, statement, pgError);
            return false;
          }
        }
      };

      const createRole = async (role: string): Promise<boolean> => {
        try {
          await tx.savepoint((sp) => sp.unsafe(`CREATE ROLE ${ident(role)} NOLOGIN`));
          report.createdRoles.push(role);
          log(`  created role ${role} (NOLOGIN): the dump refers to it`);
          return true;
        } catch (error) {
          skip(null, `CREATE ROLE ${ident(role)} NOLOGIN`, asPgError(error));
          return false;
        }
      };

      /** `--days`: moves the last N days of the staged rows into their tables, before keys and triggers exist. */
      const flushStaged = async () => {
        if (flushed || staged.size === 0) return;
        flushed = true;
        const bars = staged.get('data_bars');
        let cutoff: Date | null = null;
        if (bars && days !== null) {
          const [row] = await tx<{ newest: Date | null }[]>`
            select max(${tx(bars.timeColumn)}) as newest from pg_temp.import_stage_data_bars`;
          if (row?.newest) {
            const from = row.newest.getTime() + MINUTE_MS - days * DAY_MS;
            cutoff = new Date(Math.ceil(from / HOUR_MS) * HOUR_MS);
            report.cutoff = cutoff.toISOString();
            log(`  keeping rows from ${report.cutoff} (the last ${days} day${days === 1 ? '' : 's'} to the hour)`);
          }
        }
        for (const stage of staged.values()) {
          const stageTable = `pg_temp.${ident(`import_stage_${stage.table}`)}`;
          const filter = cutoff ? `where ${ident(stage.timeColumn)} >= $1` : '';
          const columns = stage.columns ? `(${stage.columns})` : '';
          const select = stage.columns ? stage.columns : '*';
          const statement = `INSERT INTO public.${ident(stage.table)} ${columns} SELECT ${select} FROM ${stageTable} ${filter}`;
          let kept = 0;
          await run(null, `COPY public.${stage.table} (--days)`, async (sp) => {
            const result = await sp.unsafe(statement, cutoff ? [cutoff] : []);
            kept = result.count;
          });
          await tx.unsafe(`DROP TABLE ${stageTable}`);
          report.rows[stage.table] = { read: stage.read, kept };
        }
      };

      for await (const item of source.items) {
        if (item.kind === 'meta') {
          if (!/^\\(?:un)?restrict\s/.test(item.line)) {
            report.metaCommands.push(item.line);
            log(`  not executed (psql meta-command): ${item.line}`);
          }
          continue;
        }
        if (item.kind === 'statement') {
          const statement = localizeSettings(item.sql);
          if (!/^(?:SET\s|SELECT\s+pg_catalog\.set(?:val|_config)\s*\()/i.test(statement)) await flushStaged();
          await run(item.entry, statement, (sp) => sp.unsafe(statement));
          continue;
        }
        const target = parseCopyTarget(item.sql);
        const timeColumn = target.publicTable ? TIME_FILTERED[target.publicTable] : undefined;
        const stage =
          days !== null && !flushed && target.publicTable && timeColumn
            ? { table: target.publicTable, columns: target.columns ?? '', timeColumn, read: 0 }
            : null;
        let copySql = item.sql;
        if (stage) {
          const stageTable = `pg_temp.${ident(`import_stage_${stage.table}`)}`;
          await tx.unsafe(
            `CREATE TEMP TABLE ${ident(`import_stage_${stage.table}`)} (LIKE public.${ident(stage.table)})`,
          );
          copySql = `COPY ${stageTable} ${stage.columns ? `(${stage.columns})` : ''} FROM stdin;`;
        }
        let read = 0;
        const ok = await run(item.entry, item.sql, async (sp) => {
          read = await copyRows(sp, copySql, item.rows);
        });
        if (stage && ok) {
          stage.read = read;
          staged.set(stage.table, stage);
        } else if (target.publicTable && ok) {
          report.rows[target.publicTable] = { read, kept: read };
        }
      }
      await flushStaged();
      const versions = source.versions();
      report.dumpedFrom = versions.dumpedFrom;
      report.dumpedBy = versions.dumpedBy;

      const missingTables = await findMissingPipelineTables(tx);
      if (missingTables.length > 0) {
        throw new ImportFailed(
          `The dump lacks pipeline tables: ${missingTables.join(', ')}. Take it with the command in the README ` +
            '("Rehearsing on a production dump"), or use the pg_dump file phase 1 wrote.',
        );
      }
      const present = await tx<{ name: string }[]>`
        select distinct p.proname as name from pg_catalog.pg_proc p
          join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public' and p.proname in ${tx(REQUIRED_FUNCTIONS)}`;
      const missingFunctions = REQUIRED_FUNCTIONS.filter((name) => !present.some((p) => p.name === name));
      if (missingFunctions.length > 0) {
        throw new ImportFailed(
          `The dump lacks the pipeline functions ${missingFunctions.join(', ')} (the simulated workers call them). ` +
            "A dump of the tables alone is not enough: take it with the README's command, which includes schema public's functions.",
        );
      }
      const [newest] = await tx<{ minute: Date | null; first: Date | null }[]>`
        select max(ts_utc) as minute, min(ts_utc) as first from public.data_bars
         where timeframe = '1m' and canonical_symbol in ${tx([...DXY_COMPONENTS])}`;
      if (!newest?.minute || !newest.first) {
        throw new ImportFailed('The dump holds no 1m bars of the DXY components: there is nothing to continue from.');
      }
      const historyTo = new Date(newest.minute.getTime() + MINUTE_MS);
      report.newestComponentMinute = newest.minute.toISOString();
      const after = await catalogObjects(tx);
      report.objects = await identifyObjects(
        tx,
        [...after].filter((key) => !before.has(key)),
      );
      report.durationMs = Math.round(performance.now() - started);
      const worldDays = days ?? Math.max(1, Math.ceil((historyTo.getTime() - newest.first.getTime()) / DAY_MS));
      const wall = new Date();
      await insertRehearsalWorld(tx, {
        schemaVariant: 'production',
        days: worldDays,
        historyFrom: newest.first,
        historyTo,
        importReport: report,
      });
      await insertRehearsalWorkers(tx, { mode: 'legacy', paused: false, nextMinute: historyTo });
      // As anchorRehearsalClock writes it, but inside this transaction: the world and its clock commit together.
      await writeRehearsalClock(tx, {
        anchorWall: wall,
        anchorSim: historyTo,
        speed: options.speed ?? 1,
        heartbeatWall: wall,
        heartbeatSim: historyTo,
        effectiveSpeed: null,
      });
    });
  } finally {
    await source.close();
  }
  await database.sql`analyze public.data_bars`;
  await database.sql`analyze public.derived_data_bars`;
  report.durationMs = Math.round(performance.now() - started);
  await setRehearsalWorldImportReport(database.sql, report);
  return report;
}

/** Streams the COPY data (blocks of lines) into the server in chunks, honouring back-pressure. Returns the row count. */
async function copyRows(sp: TransactionSql, copySql: string, rows: AsyncIterable<string>): Promise<number> {
  const query = sp.unsafe(copySql);
  // postgres.js resolves the query with the stream as soon as COPY starts; an error the server
  // reports after the last chunk (a duplicate key in the final rows) then reaches only the
  // query's own reject and would be lost, leaving the stream's "finish" pending forever.
  // Catch it there as well.
  let failure: Error | null = null;
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = (error) => {
      failure ??= error;
      reject(error);
    };
  });
  failed.catch(() => {});
  const internals = query as unknown as { reject: (error: unknown) => void };
  const rejectQuery = internals.reject;
  internals.reject = (error) => {
    fail(error instanceof Error ? error : new Error(String(error)));
    rejectQuery(error);
  };
  const writable = await query.writable();
  writable.once('error', (error: Error) => fail(error));
  let count = 0;
  let chunk = '';
  const write = async (data: string) => {
    if (failure) throw failure;
    if (!writable.write(data)) await Promise.race([new Promise((done) => writable.once('drain', done)), failed]);
  };
  for await (const block of rows) {
    chunk += block;
    for (let at = block.indexOf('\n'); at !== -1; at = block.indexOf('\n', at + 1)) count += 1;
    if (chunk.length >= 256 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  await Promise.race([
    new Promise<void>((done) => {
      writable.once('finish', () => done());
      writable.end();
    }),
    failed,
  ]);
  if (failure) throw failure;
  return count;
}

/** The report of the current world when it was imported (for the overview and the CLI), else null. */
export async function readImportReport(sql: SqlOrTx): Promise<ImportReport | null> {
  const world = await readRehearsalWorld(sql);
  // The column holds what importDump stored: an ImportReport.
  return (world?.importReport ?? null) as ImportReport | null;
}
