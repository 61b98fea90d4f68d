import { getDatabase } from '../db/connection';
import { migrateConsoleSchema } from '../db/migrate';
import { rehearsalSpeedFromEnv } from '../market/clock';
import { startRunner } from './runner';

/** The runner of the Next.js server process; stops on SIGTERM/SIGINT before the pool closes. */
export async function startRunnerInServer(): Promise<void> {
  const database = getDatabase();
  await migrateConsoleSchema(database);
  const runner = startRunner(database, { speed: rehearsalSpeedFromEnv() });
  const stop = async () => {
    await runner.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
