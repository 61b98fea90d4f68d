import { AuditKeyMismatch, assertAuditKeyFitsDatabase } from '../auth/audit-chain-key';
import { auditKey } from '../auth/audit-key';
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
  // Another console's audit key on this database: refused here too, for a server started without `npm start`.
  await assertAuditKeyFitsDatabase(database.sql, auditKey()).catch(async (error: unknown) => {
    if (!(error instanceof AuditKeyMismatch)) throw error;
    console.error(`[next] refusing to start: ${error.message}`);
    await database.close();
    process.exit(2);
  });
  const runner = startRunbookRunner(database, { speed: rehearsalSpeedFromEnv() });
  const stop = async () => {
    await runner.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
