/**
 * The connection pools of a process, to the database named by DATABASE_URL. The launcher
 * (scripts/start.ts) sets DATABASE_URL to the embedded server when the operator gave none.
 *
 * Two pools on purpose: `sql` (postgres.js) runs the market SQL, the phases and every
 * transaction that must commit a data change with its audit row; `db` (drizzle) serves typed
 * reads and writes of the console's own tables. drizzle switches its client's timestamp
 * parsers off (it maps dates itself), which would turn every raw timestamptz into a string,
 * so it gets a small pool of its own.
 */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import { readSetting } from '../settings';
import * as schema from './console-schema';
import { NUMBER_TYPES } from './number-types';

export type ConsoleSchema = typeof schema;
/** The drizzle pool (its own postgres.js client, date parsers off: see above). */
export type Db = PostgresJsDatabase<ConsoleSchema>;
/** A drizzle handle that can run queries: the pool or an open transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];
/**
 * THE database handle of the console's code: the raw pool or an open transaction (postgres.js).
 * The table modules (lib/db/tables/, docs/architecture.md "PostgreSQL") and the layers above take
 * this one type, because it is the only handle that works inside the transactions that must
 * commit a data change together with its audit row or its phase result: those run on `sql`, and
 * a drizzle handle (`Db`, `DbOrTx`) lives on its own pool, so it cannot join them (wrapping a
 * transaction in drizzle is no way out either: drizzle switches its client's date parsers off for
 * the whole pool). The table modules still derive their row types from the drizzle schema
 * (`$inferSelect`) and map rows with drizzle's own column mappers (lib/db/tables/rows.ts), so
 * the schema stays the one description of a table. `Db`/`DbOrTx` remain for the drizzle reads of
 * lib/auth; `Database` is what a process holds (both pools), not a handle to pass to a query.
 */
export type SqlOrTx = Sql | TransactionSql;

export interface Database {
  sql: Sql;
  db: Db;
  close(): Promise<void>;
}

export function connectDatabase(
  url: string,
  options: { max?: number; applicationName?: string; statementTimeoutMs?: number } = {},
): Database {
  const clientOptions = {
    onnotice: () => {},
    // int8 and numeric as numbers, on both pools: no query casts to float8 to be parsed.
    types: NUMBER_TYPES,
    idle_timeout: 30,
    connection: {
      application_name: options.applicationName ?? 'dxy-cutover',
      // A pool under a statement timeout (the readers') also may not sit idle inside a transaction
      // longer: a viewer's rolled-back rehearsal waiting on a connection can then hold no lock for long.
      ...(options.statementTimeoutMs
        ? {
            statement_timeout: options.statementTimeoutMs,
            idle_in_transaction_session_timeout: options.statementTimeoutMs,
          }
        : {}),
    },
  };
  const client = postgres(url, { ...clientOptions, max: options.max ?? 10 });
  const drizzleClient = postgres(url, { ...clientOptions, max: 4 });
  const db = drizzle(drizzleClient, { schema });
  return {
    sql: client,
    db,
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), drizzleClient.end({ timeout: 5 })]);
    },
  };
}

const globalForDb = globalThis as unknown as { cutoverDatabase?: Database; cutoverReadDatabase?: Database };

/** The process-wide pool (survives Next's module reloads in development). */
export function getDatabase(): Database {
  if (!globalForDb.cutoverDatabase) {
    const url = readSetting('DATABASE_URL');
    if (!url) {
      throw new Error(
        'DATABASE_URL is not set. Start the console with `npm start` (embedded database) or set DATABASE_URL.',
      );
    }
    globalForDb.cutoverDatabase = connectDatabase(url);
  }
  return globalForDb.cutoverDatabase;
}

/**
 * The pool of what viewers read (every page, poll, report and command-line read): small and under a
 * statement timeout, apart from the pool of actions and from the runner's, so that however heavy a
 * page's query, it cannot take the connections a migration step needs or run for long on the
 * primary. Viewers reach it only through lib/db/read-limit.ts withViewerRead, which also bounds how
 * many reads run and wait at once.
 */
export function getReadDatabase(): Database {
  if (!globalForDb.cutoverReadDatabase) {
    const url = readSetting('DATABASE_URL');
    if (!url) throw new Error('DATABASE_URL is not set.');
    globalForDb.cutoverReadDatabase = connectDatabase(url, {
      max: READ_POOL_SIZE,
      applicationName: 'dxy-cutover-read',
      statementTimeoutMs: readSetting('CUTOVER_READ_STATEMENT_TIMEOUT_MS'),
    });
  }
  return globalForDb.cutoverReadDatabase;
}

/** Closes the readers' pool of this process (a script's or a test's end); the next read opens it again. */
export async function closeReadDatabase(): Promise<void> {
  const database = globalForDb.cutoverReadDatabase;
  globalForDb.cutoverReadDatabase = undefined;
  await database?.close();
}

/** Connections of the readers' pool: a compare takes two (two halves on one exported snapshot). */
export const READ_POOL_SIZE = 4;

/** The URL a pool connects with (for tools such as pg_dump); contains the password — never log it. */
export function connectionUrlOf(sql: Sql): string {
  const options = sql.options as unknown as {
    host: string[];
    port: number[];
    user: string;
    pass: string | null;
    database: string;
  };
  const auth = `${encodeURIComponent(options.user)}${options.pass ? `:${encodeURIComponent(options.pass)}` : ''}`;
  return `postgres://${auth}@${options.host[0]}:${options.port[0]}/${encodeURIComponent(options.database)}`;
}

/** Strips the password from a connection URL so it can appear in logs and pages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
