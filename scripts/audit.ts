/**
 * `npm run audit -- verify [--expect <id>:<hash>] [--anchors <file>]`: recomputes the audit log's
 * keyed chain in Node (docs/operations.md "The audit log") and checks it against the latest anchor
 * of this database in the anchor file (CUTOVER_AUDIT_ANCHOR_FILE, or `--anchors`) and against a
 * head given with `--expect`, so rows removed from the end are caught. Exit 0 when intact (printing
 * the head, worth noting in the change record), 1 naming the first broken row, 2 on usage errors.
 */
import {
  auditAnchorFilePath,
  databaseLabelOf,
  parseExpectedHead,
  readLatestAuditAnchor,
} from '../lib/auth/audit-anchors';
import { describeAuditChain, type ExpectedHead, verifyAuditChain } from '../lib/auth/audit-chain';
import { checkAuditKeyAtStart } from '../lib/auth/audit-key';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';
import { checkSettingsAtStart } from '../lib/settings';

const USAGE = 'usage: npm run audit -- verify [--expect <id>:<hash>] [--anchors <file>]';

function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error(USAGE);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'verify') usage();
const expected: ExpectedHead[] = [];
let anchorFile = auditAnchorFilePath();
for (let i = 0; i < rest.length; i += 1) {
  const flag = rest[i];
  const value = rest[i + 1];
  if (flag === '--expect' && value) {
    const head = parseExpectedHead(value);
    if (!head) usage(`--expect takes <id>:<64 hex digits>, got "${value}"`);
    expected.push({ ...head, source: '--expect' });
    i += 1;
  } else if (flag === '--anchors' && value) {
    anchorFile = value;
    i += 1;
  } else usage(`unknown argument "${flag}"`);
}

checkSettingsAtStart('audit');
checkAuditKeyAtStart('audit');
const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-audit' });
let code = 0;
try {
  await migrateConsoleSchema(handle.database);
  const database = databaseLabelOf(handle.database.sql);
  if (anchorFile) {
    const anchors = readLatestAuditAnchor(anchorFile, database);
    if (anchors.latest) {
      expected.push({
        id: anchors.latest.id,
        hash: anchors.latest.hash,
        source: `the anchor file (${anchors.latest.reason})`,
      });
    } else {
      console.log(`No anchor of ${database} in ${anchorFile}: only the chain itself is checked.`);
    }
    if (anchors.unreadable > 0) console.log(`Warning: ${anchors.unreadable} unreadable lines in ${anchorFile}.`);
  }
  const state = await verifyAuditChain(handle.database.sql, { expected });
  console.log(describeAuditChain(state));
  if (state.intact && state.headHash) console.log(`Head: ${state.headId}:${state.headHash}`);
  code = state.intact ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  code = 2;
} finally {
  await handle.close();
}
process.exit(code);
