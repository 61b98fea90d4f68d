/** `npm run rehearsal:reset`: rebuilds the rehearsal world (REHEARSAL_SCHEMA, REHEARSAL_DAYS). */
import { seedDemoUsers } from '../lib/auth/demo-users';
import { redactUrl } from '../lib/db/connection';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';
import { rehearsalSpeedFromEnv } from '../lib/market/clock';
import { describeLeftovers } from '../lib/market/rehearsal/leftovers';
import { rehearsalOptionsFromEnv } from '../lib/market/rehearsal/rehearsal-options';
import { ResetRefused, resetRehearsalWorld } from '../lib/market/rehearsal/reset-world';
import { readSetting } from '../lib/settings';

const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-reset' });
let code = 0;
try {
  await migrateConsoleSchema(handle.database);
  const url = readSetting('DATABASE_URL');
  const where = url ? redactUrl(url) : 'the embedded database';
  console.log(`Resetting the rehearsal world in ${where}…`);
  const summary = await resetRehearsalWorld(handle.database, {
    ...rehearsalOptionsFromEnv(),
    speed: rehearsalSpeedFromEnv() ?? 1,
    log: (line) => console.log(line),
  });
  // A rehearsal world comes with its demo logins (the launcher prints them).
  await seedDemoUsers(handle.database.db);
  console.log(
    `Done: ${summary.variant} schema, ${summary.providerBars} provider bars, ${summary.legacyDxyBars} legacy DXY minutes.`,
  );
  if (summary.leftovers) console.log(describeLeftovers(summary.leftovers));
} catch (error) {
  console.error(error instanceof ResetRefused ? error.message : error instanceof Error ? error.message : String(error));
  code = error instanceof ResetRefused ? 3 : 1;
} finally {
  await handle.close();
}
process.exit(code);
