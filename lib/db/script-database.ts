/**
 * Database access for command-line scripts (users, db:migrate, rehearsal:reset, runner, CLI):
 * DATABASE_URL when set; else the embedded database of a running console (found through the
 * 0600 connection file it writes); else the embedded database started just for this command.
 */
import { readSetting } from '../settings';
import { connectDatabase, type Database } from './connection';
import { isAlive, readConnectionFile, startEmbeddedDatabase } from './embedded';

export interface ScriptDatabase {
  database: Database;
  /** True when the database is the console's own embedded one (safe to hold a rehearsal world). */
  embedded: boolean;
  close(): Promise<void>;
}

export async function openScriptDatabase(options: { applicationName: string }): Promise<ScriptDatabase> {
  const url = readSetting('DATABASE_URL');
  if (url) {
    const database = connectDatabase(url, { max: 4, applicationName: options.applicationName });
    return { database, embedded: false, close: () => database.close() };
  }
  const running = readConnectionFile();
  if (running && isAlive(running.pid)) {
    const database = connectDatabase(running.url, { max: 4, applicationName: options.applicationName });
    try {
      await database.sql`select 1`;
      return { database, embedded: true, close: () => database.close() };
    } catch {
      await database.close();
    }
  }
  const server = await startEmbeddedDatabase();
  const database = connectDatabase(server.url, { max: 4, applicationName: options.applicationName });
  return {
    database,
    embedded: true,
    close: async () => {
      await database.close();
      await server.stop();
    },
  };
}
