/**
 * `npm run audit -- verify`: checks the audit log's hash chain. Exit 0 when intact (printing the
 * head hash, worth noting in the change record), 1 naming the first broken row, 2 on usage errors.
 */
import { describeAuditChain, verifyAuditChain } from '../lib/auth/audit-chain';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';

const [command] = process.argv.slice(2);
if (command !== 'verify') {
  console.error('usage: npm run audit -- verify');
  process.exit(2);
}
const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-audit' });
let code = 0;
try {
  await migrateConsoleSchema(handle.database);
  const state = await verifyAuditChain(handle.database.sql);
  console.log(describeAuditChain(state));
  code = state.intact ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  code = 2;
} finally {
  await handle.close();
}
process.exit(code);
