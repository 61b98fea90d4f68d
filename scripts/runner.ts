/**
 * `npm run runner`: a runner on its own, for deployments with several console instances or a
 * runner host. Same loop as the one inside the Next.js server; several may run at once.
 */
import { AuditKeyMismatch, assertAuditKeyFitsDatabase } from '../lib/auth/audit-chain-key';
import { auditKey, checkAuditKeyAtStart } from '../lib/auth/audit-key';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';
import { rehearsalSpeedFromEnv } from '../lib/market/clock';
import { startRunbookRunner } from '../lib/runbook/runbook-runner';
import { checkSettingsAtStart } from '../lib/settings';

checkSettingsAtStart('runner');
checkAuditKeyAtStart('runner');

const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-runner' });
await migrateConsoleSchema(handle.database);
// A runner appends audit rows at every phase boundary: with another console's key it would only fail there.
await assertAuditKeyFitsDatabase(handle.database.sql, auditKey()).catch(async (error: unknown) => {
  if (!(error instanceof AuditKeyMismatch)) throw error;
  console.error(`[runner] refusing to start: ${error.message}`);
  await handle.close();
  process.exit(2);
});
const runner = startRunbookRunner(handle.database, { speed: rehearsalSpeedFromEnv() });
console.log('[runner] running; Ctrl-C stops it.');
const stop = async () => {
  await runner.stop();
  await handle.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
