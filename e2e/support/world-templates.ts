/**
 * The e2e run's one PostgreSQL cluster (embedded, under .data-e2e/, started by global-setup.ts) and
 * its template databases: a rehearsal world is built once per distinct WorldOptions and every spec's
 * world is a copy of it (CREATE DATABASE … TEMPLATE copies files: about a second, where building the
 * world takes many). Nothing here is part of the console: it is the test harness's own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { connectDatabase } from '../../lib/db/connection';
import { prepareDatabase } from '../../scripts/prepare-database';
import { templateName, templateSettings, type WorldOptions } from './world-options';

export const E2E_DATA_DIR = '.data-e2e';

/** The URL of the cluster's `cutover` database (startEmbeddedDatabase publishes it); only the harness connects there. */
function clusterUrl(): string {
  return (JSON.parse(readFileSync(join(E2E_DATA_DIR, 'connection.json'), 'utf8')) as { url: string }).url;
}

/** The same server, another database. */
export function databaseUrl(name: string): string {
  const url = new URL(clusterUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export function adminConnection(): Sql {
  return postgres(clusterUrl(), { max: 1, onnotice: () => {} });
}

/**
 * The template of `options`' world, built on first use. Workers may ask at once: an advisory lock
 * makes one build it and the others wait; a build that died half-way (no template flag) is redone.
 */
export async function ensureTemplate(options: WorldOptions, log: (line: string) => void = () => {}): Promise<string> {
  const name = templateName(options);
  const admin = adminConnection();
  try {
    await admin.begin(async (tx) => {
      // Transaction-scoped: released at commit or when the connection dies.
      await tx`select pg_advisory_xact_lock(hashtext(${name}))`;
      const [existing] = await tx<{ ready: boolean }[]>`
        select datistemplate as ready from pg_database where datname = ${name}`;
      if (existing?.ready) return;
      // CREATE/DROP DATABASE cannot run inside a transaction block: a second connection does them.
      const other = adminConnection();
      try {
        await other.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await other.unsafe(`CREATE DATABASE ${name}`);
        const started = performance.now();
        const database = connectDatabase(databaseUrl(name), { max: 4, applicationName: 'dxy-cutover-e2e' });
        try {
          const prepared = await prepareDatabase(database, {
            ownsDatabase: true,
            env: { ...process.env, ...templateSettings(options) },
          });
          if (!prepared.worldCreated) throw new Error(`the template ${name} already held a world`);
          // Fresh tables have no statistics yet; every copy inherits these.
          await database.sql`vacuum analyze`;
        } finally {
          await database.close();
        }
        // No connections from now on (autovacuum's neither): a copy needs its template untouched.
        await other.unsafe(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
        log(`e2e world template ${name} (${JSON.stringify(options)}) built in ${elapsed(started)} s.`);
      } finally {
        await other.end();
      }
    });
  } finally {
    await admin.end();
  }
  return name;
}

export function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
