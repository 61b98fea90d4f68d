/**
 * The optional file backup of phase 1: a custom-format `pg_dump` of schema public with the data
 * of the pipeline tables (data_bars, derived_data_bars, core_asset_registry_all, data_agg_state,
 * ops_runlog) and the definitions — not the data — of everything else in it: functions, other
 * tables, constraints, indexes, triggers, grants. That is exactly what `npm run rehearsal:import`
 * needs to rehearse on production's own definitions, and what a restore of the pipeline needs.
 * Taken only when a pg_dump at least as new as the server is on the PATH. The password goes
 * through PGPASSWORD, never on a command line or into a log.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { PIPELINE_TABLES } from '../../../db/pipeline-tables';

export interface DumpOutcome {
  file: string | null;
  note: string;
}

/** The major version of the pg_dump on the PATH, or null when there is none (validate reports it too). */
export function pgDumpMajorVersion(): number | null {
  const probe = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const match = /(\d+)(?:\.\d+)?/.exec(probe.stdout);
  return match ? Number(match[1]) : null;
}

/** A pg_dump pattern matching exactly this name: quoted, so `*`, `?`, `.` and capitals are literal. */
function exactPattern(schema: string, name: string): string {
  const quote = (part: string) => `"${part.replace(/"/g, '""')}"`;
  return `${quote(schema)}.${quote(name)}`;
}

/**
 * Tables of schema public whose data stays out of the dump: all but the pipeline tables and
 * their partitions. Read from pg_class just before the dump (production has tables of its own).
 */
async function tablesWithoutData(url: string, password: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, pass: password || undefined, onnotice: () => {}, connect_timeout: 30 });
  try {
    const rows = await sql<{ name: string }[]>`
      select c.relname as name
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p', 'm')
         and c.relname <> all(${[...PIPELINE_TABLES]}::text[])
         and not exists (
           select 1 from pg_catalog.pg_partition_ancestors(c.oid) a
             join pg_catalog.pg_class p on p.oid = a.relid
            where p.relnamespace = n.oid and p.relname = any(${[...PIPELINE_TABLES]}::text[]))
       order by 1`;
    return rows.map((row) => row.name);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The pg_dump arguments (without connection) for the pipeline dump: also what the README tells operators. */
export function pipelineDumpArguments(file: string, excludedData: readonly string[]): string[] {
  return [
    '--format=custom',
    '--file',
    file,
    '--schema=public',
    ...excludedData.map((name) => `--exclude-table-data=${exactPattern('public', name)}`),
  ];
}

export async function dumpTouchedTables(params: {
  databaseUrl: string;
  serverMajorVersion: number;
  directory: string;
  label: string;
  timeoutMs?: number;
}): Promise<DumpOutcome> {
  const major = pgDumpMajorVersion();
  if (major === null)
    return { file: null, note: 'pg_dump is not installed here; the in-database backup stands alone.' };
  if (major < params.serverMajorVersion) {
    return {
      file: null,
      note: `pg_dump ${major} cannot dump a PostgreSQL ${params.serverMajorVersion} server; the in-database backup stands alone.`,
    };
  }
  const url = new URL(params.databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  let excluded: string[];
  try {
    excluded = await tablesWithoutData(url.toString(), password);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { file: null, note: `could not list the tables to dump (${message}); the in-database backup stands alone.` };
  }
  const directory = resolve(params.directory);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = join(directory, `${params.label}.dump`);
  const args = [...pipelineDumpArguments(file, excluded), `--dbname=${url.toString()}`];
  let stderr = '';
  const code = await new Promise<number | null>((done) => {
    const child = spawn('pg_dump', args, {
      env: { ...process.env, PGPASSWORD: password },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), params.timeoutMs ?? 30 * 60_000);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      done(exitCode);
    });
  });
  if (code !== 0) {
    const reason = stderr.trim().split('\n')[0] ?? '';
    return {
      file: null,
      note: `pg_dump exited with ${code}${reason ? ` (${reason})` : ''}; the in-database backup stands alone.`,
    };
  }
  chmodSync(file, 0o600);
  return {
    file,
    note:
      `pg_dump ${major}: ${statSync(file).size} bytes — schema public with the data of ${PIPELINE_TABLES.join(', ')}` +
      (excluded.length > 0 ? ` (definitions only for ${excluded.length} other tables)` : ''),
  };
}
