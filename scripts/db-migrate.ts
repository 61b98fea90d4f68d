/** `npm run db:migrate`: applies the console's migrations (schema `cutover`); safe to repeat. */
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';

const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-migrate' });
try {
  await migrateConsoleSchema(handle.database);
  const [row] = await handle.database.sql<{ n: number }[]>`select count(*)::int as n from cutover.__drizzle_migrations`;
  console.log(`Console schema is up to date (${row?.n ?? 0} migrations applied).`);
} finally {
  await handle.close();
}
