/**
 * A whole console on a scratch database, for the benchmark and the system tests: a fresh
 * embedded PostgreSQL in its own directory, a rehearsal world of the requested size, the built
 * Next.js server and a separate runner process (so each one's memory can be read), both with
 * their output captured. Everything runs the way `npm start` runs it; nothing is mocked.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { embeddedAuditKeyFile } from '../lib/auth/audit-key';
import type { SessionUser } from '../lib/auth/sessions';
import { connectDatabase, type Database } from '../lib/db/connection';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../lib/db/embedded';
import type { WorldSummary } from '../lib/market/rehearsal/create-world';
import { consoleAnswers, spawnCaptured, spawnConsoleServer, stopProcess } from '../scripts/console-process';
import { signInDemoUser } from '../scripts/demo-sign-in';
import { buildIfNeeded } from '../scripts/next-server';
import { prepareDatabase } from '../scripts/prepare-database';
import { replaceFilledPlaceholders, restoreWorldTemplate, saveWorldTemplate, templateName } from './world-template';

export interface ScratchConsoleOptions {
  dataDir: string;
  port: number;
  days: number;
  /** Rehearsal start (history ends here); a weekday with the market open. */
  start: string;
  /** Extra environment for the server and the runner (CUTOVER_* settings). */
  env?: Record<string, string>;
  /**
   * Keep the freshly built world as a template and start later runs from a copy of it
   * (world-template.ts); `rebuild` builds and saves it again even when a template exists.
   */
  template?: 'use' | 'rebuild';
  /** Start the existing build even when sources changed since (others editing the tree); build only when there is none. */
  reuseBuild?: boolean;
  log: (line: string) => void;
}

export interface ScratchConsole {
  baseUrl: string;
  database: Database;
  databaseUrl: string;
  world: WorldSummary;
  /** How the world came to be: built by the generator, or copied from a kept template; seconds until it was ready. */
  worldReady: { from: 'built' | 'template'; seconds: number };
  server: ChildProcess;
  runner: ChildProcess;
  /** Everything the server and the runner printed so far. */
  output(): string;
  /** A signed-in session of a demo user, through the same sign-in as the login page. */
  signIn(username: string): Promise<{ user: SessionUser; cookie: string }>;
  stop(): Promise<void>;
}

export interface ScratchWorld {
  embedded: EmbeddedDatabase;
  database: Database;
  world: WorldSummary;
  worldReady: ScratchConsole['worldReady'];
}

/** A fresh data directory with the world of the requested size: copied from its template, or built (and saved as one). */
export async function prepareScratchWorld(
  options: Pick<ScratchConsoleOptions, 'dataDir' | 'days' | 'start' | 'template' | 'log'>,
): Promise<ScratchWorld> {
  const { log } = options;
  rmSync(options.dataDir, { recursive: true, force: true });
  const started = performance.now();
  const template = options.template ? templateName({ days: options.days, start: options.start }) : null;
  const restored = template && options.template === 'use' ? restoreWorldTemplate(template, options.dataDir) : null;
  let embedded = await startEmbeddedDatabase({ dataDir: options.dataDir });
  let database = connectDatabase(embedded.url, { max: 6, applicationName: 'dxy-cutover-bench' });
  if (restored) await replaceFilledPlaceholders(database.sql, restored.filledPlaceholders);
  const prepared = await prepareDatabase(database, {
    ownsDatabase: true,
    log,
    env: { ...process.env, REHEARSAL_DAYS: String(options.days), REHEARSAL_START: options.start },
  });
  const world = restored?.world ?? prepared.worldCreated;
  if (!world) throw new Error('the scratch database already held a world');
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  let worldReady: ScratchConsole['worldReady'] = { from: 'template', seconds: 0 };
  if (restored) {
    log(`World of ${options.days} days restored from template ${template} in ${seconds()} s.`);
    worldReady = { from: 'template', seconds: Number(seconds()) };
  } else {
    // A freshly loaded table has no statistics and no visibility map yet; autovacuum would get
    // there on its own, the benchmark should not measure that race.
    await database.sql`vacuum analyze public.data_bars`;
    await database.sql`vacuum analyze public.derived_data_bars`;
    log(`World of ${options.days} days built in ${seconds()} s.`);
    worldReady = { from: 'built', seconds: Number(seconds()) };
    if (template) {
      // Saved from a stopped server, so the copy is consistent without a backup tool.
      const buildSeconds = Number(seconds());
      await database.close();
      await embedded.stop();
      saveWorldTemplate(template, options.dataDir, world, buildSeconds);
      log(`Saved as template ${template} (${seconds()} s so far).`);
      embedded = await startEmbeddedDatabase({ dataDir: options.dataDir });
      database = connectDatabase(embedded.url, { max: 6, applicationName: 'dxy-cutover-bench' });
    }
  }

  return { embedded, database, world, worldReady };
}

export async function startScratchConsole(options: ScratchConsoleOptions): Promise<ScratchConsole> {
  const { log } = options;
  const { embedded, database, world, worldReady } = await prepareScratchWorld(options);
  if (options.reuseBuild && existsSync('.next/BUILD_ID')) log('Starting the existing build (--reuse-build).');
  else buildIfNeeded(log);
  const output: string[] = [];
  // The scratch world's audit chain key, generated into its data directory (lib/auth/audit-key.ts): the
  // server and runner see DATABASE_URL and would refuse to start without one. This process appends to the
  // same chain (sign-ins, phase starts), so it takes the same key: one key per chain (lib/auth/audit-chain-key.ts).
  const auditKeyEnv = embeddedAuditKeyFile({ ...process.env, CUTOVER_DATA_DIR: options.dataDir, DATABASE_URL: '' });
  Object.assign(process.env, auditKeyEnv);
  const env = {
    ...auditKeyEnv,
    DATABASE_URL: embedded.url,
    NEXT_TELEMETRY_DISABLED: '1',
    CUTOVER_DATA_DIR: options.dataDir,
    CUTOVER_PG_DUMP_DIR: 'off',
    ...options.env,
  };
  // The server exactly as `npm start` runs it (Next.js behind scripts/serve.ts), its runner apart.
  const started = spawnConsoleServer({ port: options.port, env: { ...env, CUTOVER_RUNNER: 'off' }, sink: output });
  const server = started.process;
  const runner = spawnCaptured(['--import', 'tsx', 'scripts/runner.ts'], { env, sink: output });
  const baseUrl = started.baseUrl;
  if (!(await consoleAnswers(started, 60_000))) {
    await Promise.all([stopProcess(server), stopProcess(runner)]);
    throw new Error(`the console did not answer on ${baseUrl}:\n${output.join('')}`);
  }

  return {
    baseUrl,
    database,
    databaseUrl: embedded.url,
    world,
    worldReady,
    server,
    runner,
    output: () => output.join(''),
    signIn: (username) =>
      signInDemoUser(database, username, { userAgent: 'dxy-cutover-bench', serverEnv: options.env ?? {} }),
    async stop() {
      await Promise.all([stopProcess(server), stopProcess(runner)]);
      await database.close();
      await embedded.stop();
    },
  };
}
