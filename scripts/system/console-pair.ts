/**
 * Two consoles on one database, for the system test's takeover (./two-consoles.ts): a scratch embedded
 * PostgreSQL with a rehearsal world, and two console servers started the way `npm start` starts its server
 * (scripts/serve.ts, each with the runner inside it), on different ports and data directories, sharing
 * DATABASE_URL and the audit key (docs/operations.md "More than one console"). Both start at once, so their
 * schema migrations and runners race as two `npm start` would.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionUser } from '../../lib/auth/sessions';
import { connectDatabase, type Database } from '../../lib/db/connection';
import { startEmbeddedDatabase } from '../../lib/db/embedded';
import type { WorldSummary } from '../../lib/market/rehearsal/create-world';
import { consoleAnswers, spawnConsoleServer, stopProcess } from '../console-process';
import { signInDemoUser } from '../demo-sign-in';
import { buildIfNeeded } from '../next-server';
import { prepareDatabase } from '../prepare-database';

export interface ConsoleInstance {
  name: string;
  baseUrl: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
}

export interface ConsolePair {
  database: Database;
  databaseUrl: string;
  world: WorldSummary;
  auditKey: string;
  consoles: [ConsoleInstance, ConsoleInstance];
  /** A demo user's session, through the login page's sign-in; one cookie for both consoles. */
  signIn(username: string): Promise<{ user: SessionUser; cookie: string }>;
  stop(): Promise<void>;
}

export async function startConsolePair(options: {
  dataDir: string;
  ports: [number, number];
  days: number;
  start: string;
  env: Record<string, string>;
  log: (line: string) => void;
}): Promise<ConsolePair> {
  const { log } = options;
  buildIfNeeded(log);
  rmSync(options.dataDir, { recursive: true, force: true });
  const embedded = await startEmbeddedDatabase({ dataDir: join(options.dataDir, 'db') });
  const database = connectDatabase(embedded.url, { max: 4, applicationName: 'dxy-cutover-system' });
  const prepared = await prepareDatabase(database, {
    ownsDatabase: true,
    log,
    env: { ...process.env, REHEARSAL_DAYS: String(options.days), REHEARSAL_START: options.start },
  }).catch(async (error: unknown) => {
    await database.close();
    await embedded.stop();
    throw error;
  });
  const world = prepared.worldCreated;
  if (!world) throw new Error('the scratch database already held a world');
  // One key for every process that appends to this chain, this one included (sign-ins, phase starts).
  const auditKey = randomBytes(32).toString('hex');
  process.env.CUTOVER_AUDIT_KEY = auditKey;

  const start = (name: string, port: number): ConsoleInstance => {
    const dataDir = join(options.dataDir, `console-${name.toLowerCase()}`);
    const server = spawnConsoleServer({
      port,
      env: {
        DATABASE_URL: embedded.url,
        CUTOVER_AUDIT_KEY: auditKey,
        CUTOVER_DATA_DIR: dataDir,
        CUTOVER_RUNNER: 'on',
        CUTOVER_PG_DUMP_DIR: 'off',
        ...options.env,
      },
    });
    return { name, baseUrl: server.baseUrl, dataDir, process: server.process, output: server.output };
  };
  const consoles: [ConsoleInstance, ConsoleInstance] = [start('A', options.ports[0]), start('B', options.ports[1])];
  const stop = async () => {
    await Promise.all(consoles.map((c) => stopProcess(c.process)));
    await database.close();
    await embedded.stop();
  };
  const healthy = await Promise.all(consoles.map((c) => consoleAnswers(c, 90_000)));
  if (healthy.includes(false)) {
    const output = consoles.map((c) => `--- console ${c.name}\n${c.output()}`).join('\n');
    await stop();
    throw new Error(`a console did not answer:\n${output}`);
  }
  log(`Two consoles on one database: ${consoles.map((c) => `${c.name} ${c.baseUrl}`).join(', ')}.`);

  return {
    database,
    databaseUrl: embedded.url,
    world,
    auditKey,
    consoles,
    signIn: (username) =>
      signInDemoUser(database, username, { userAgent: 'dxy-cutover-system', serverEnv: options.env }),
    stop,
  };
}
