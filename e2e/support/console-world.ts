/**
 * One spec's world: a copy of its template database, its rehearsal clock anchored afresh at the
 * chosen start, and a console of its own serving it — the built server exactly as `npm start` runs
 * it (scripts/serve.ts, its runner inside), on a free loopback port. The console is an ordinary
 * one: no test-only route or setting; only which database it serves and how fast its time runs
 * differ between specs.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { anchorRehearsalClock } from '../../lib/market/clock';
import { consoleAnswers, spawnConsoleServer, stopProcess } from '../../scripts/console-process';
import type { WorldOptions } from './world-options';
import { adminConnection, databaseUrl, E2E_DATA_DIR, elapsed, ensureTemplate } from './world-templates';

export interface ConsoleWorld {
  readonly name: string;
  readonly options: WorldOptions;
  readonly baseURL: string;
  /** The world's database, for a spec's own assertions and set-up. */
  readonly sql: Sql;
  /** What the console printed so far (attached to a failed test). */
  log(): string;
  stop(): Promise<void>;
}

/** The settings every e2e console runs with, besides its database and speed. */
const CONSOLE_SETTINGS = {
  // Small, paced copy batches so that a spec can pause and resume phase 4 (a spec that never pauses
  // it may say otherwise: WorldOptions.console).
  CUTOVER_COPY_BATCH_ROWS: '300',
  CUTOVER_COPY_PACED: '1',
  CUTOVER_PG_DUMP_DIR: 'off',
  NEXT_TELEMETRY_DISABLED: '1',
};

/** A key for the audit chains of this run's worlds (each world's chain is its own; the key only seals). */
const AUDIT_KEY = `e2e-audit-key-${process.pid}-${Date.now()}-abcdefghijklmnop`;

let worldsStarted = 0;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** CREATE DATABASE … TEMPLATE refuses while anything else is connected to the template: retried briefly. */
async function copyTemplate(admin: Sql, template: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code === '55006';
      if (!busy || attempt >= 20) throw error;
      await new Promise((wait) => setTimeout(wait, 250));
    }
  }
}

export async function startConsoleWorld(
  options: WorldOptions,
  say: (line: string) => void = () => {},
): Promise<ConsoleWorld> {
  const started = performance.now();
  const template = await ensureTemplate(options, say);
  worldsStarted += 1;
  const name = `e2e_world_${process.pid}_${worldsStarted}`;
  const admin = adminConnection();
  const url = databaseUrl(name);
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await copyTemplate(admin, template, name);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  // Simulated time starts at the chosen moment now, not when the template was built.
  await anchorRehearsalClock(sql, { simStart: new Date(options.start), speed: options.speed });
  const copied = performance.now();
  const copySeconds = elapsed(started);

  const dataDir = resolve(E2E_DATA_DIR, 'worlds', name);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const server = spawnConsoleServer({
    port,
    cwd: resolve(import.meta.dirname, '../..'),
    env: {
      ...CONSOLE_SETTINGS,
      ...options.console,
      DATABASE_URL: url,
      CUTOVER_AUDIT_KEY: AUDIT_KEY,
      CUTOVER_DATA_DIR: dataDir,
      REHEARSAL_SPEED: String(options.speed),
      PORT: String(port),
    },
  });
  const baseURL = server.baseUrl;

  const stop = async () => {
    await stopProcess(server.process);
    await sql.end({ timeout: 5 });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (!(await consoleAnswers(server, 90_000))) {
    await stop();
    throw new Error(`the e2e console of ${name} did not answer on ${baseURL}:\n${server.output()}`);
  }
  say(
    `e2e world ${name} at ${options.start} × ${options.speed} on ${baseURL}, database copied in ${copySeconds} s, console up ${elapsed(copied)} s later.`,
  );
  return { name, options, baseURL, sql, log: server.output, stop };
}
