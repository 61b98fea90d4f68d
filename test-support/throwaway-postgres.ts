/**
 * A throwaway PostgreSQL cluster of another major version (15, from the Debian packages), for
 * tests that need a server older than the embedded 17 — e.g. a `pg_dump` that must be at least
 * as new as its server. Runs as the `postgres` OS user when we are root (initdb refuses root),
 * listens on 127.0.0.1 and a socket in its own directory, trusts local connections, and is
 * stopped and deleted by `stop()`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayPostgres {
  /** Superuser URL (user `postgres`, database `postgres`). */
  url: string;
  port: number;
  stop(): void;
}

export function postgresBinDirectory(major: number): string {
  return `/usr/lib/postgresql/${major}/bin`;
}

async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startThrowawayPostgres(major: number): Promise<ThrowawayPostgres> {
  const bin = postgresBinDirectory(major);
  if (!existsSync(join(bin, 'initdb')) || !existsSync(join(bin, 'pg_ctl'))) {
    throw new Error(
      `PostgreSQL ${major} server binaries are missing (${bin}/initdb, pg_ctl). Install them with ` +
        `\`apt-get install -y postgresql-${major}\` (CI has them).`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const root = mkdtempSync(join(tmpdir(), `pg${major}-`));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const run = (command: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', command, ...args] : args;
    const result = spawnSync(asRoot ? 'runuser' : command, full, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  try {
    execFileSync('mkdir', ['-p', dataDir, socketDir]);
    chmodSync(root, 0o755);
    if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', root]);
    run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const port = await sparePort();
    const logFile = join(root, 'server.log');
    if (asRoot) {
      writeFileSync(logFile, '');
      execFileSync('chown', ['postgres:postgres', logFile]);
    }
    run(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-o',
      `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      stop() {
        if (stopped) return;
        stopped = true;
        try {
          run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    // A half-started server would hold the directory: stop it before deleting, ignoring failures.
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      spawnSync(asRoot ? 'runuser' : join(bin, 'pg_ctl'), [
        ...(asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []),
        '-D',
        dataDir,
        '-m',
        'immediate',
        'stop',
      ]);
    }
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
