/**
 * The optional file backup of phase 1: `pg_dump` of the three tables the migration touches, when
 * a pg_dump at least as new as the server is on the PATH. The password goes through PGPASSWORD,
 * never on a command line or into a log.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DumpOutcome {
  file: string | null;
  note: string;
}

function pgDumpMajorVersion(): number | null {
  const probe = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const match = /(\d+)(?:\.\d+)?/.exec(probe.stdout);
  return match ? Number(match[1]) : null;
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
  const directory = resolve(params.directory);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = join(directory, `${params.label}.dump`);
  const args = [
    '--format=custom',
    '--file',
    file,
    '--table=public.data_bars',
    '--table=public.derived_data_bars',
    '--table=public.core_asset_registry_all',
    `--dbname=${url.toString()}`,
  ];
  const code = await new Promise<number | null>((done) => {
    const child = spawn('pg_dump', args, {
      env: { ...process.env, PGPASSWORD: password },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), params.timeoutMs ?? 30 * 60_000);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      done(exitCode);
    });
  });
  if (code !== 0) return { file: null, note: `pg_dump exited with ${code}; the in-database backup stands alone.` };
  chmodSync(file, 0o600);
  return { file, note: `pg_dump ${major}: ${statSync(file).size} bytes` };
}
