import { connectDatabase } from '../db/connection';
import { migrateConsoleSchema } from '../db/migrate';
import { rehearsalSpeedFromEnv } from '../market/clock';
import { readSetting } from '../settings';
import { startRunbookRunner } from './runbook-runner';

/** The runner of the Next.js server process; stops on SIGTERM/SIGINT before the pool closes. */
export async function startRunnerInServer(): Promise<void> {
  // A pool of its own: no page or viewer query can take the connections a migration step needs.
  const url = readSetting('DATABASE_URL');
  if (!url) throw new Error('DATABASE_URL is not set.');
  const database = connectDatabase(url, { max: 6, applicationName: 'dxy-cutover-runner' });
  await migrateConsoleSchema(database);
  const runner = startRunbookRunner(database, { speed: rehearsalSpeedFromEnv() });
  const stop = async () => {
    await runner.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
