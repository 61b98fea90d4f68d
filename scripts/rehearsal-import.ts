/**
 * `npm run rehearsal:import -- FILE [--days N]`: builds the rehearsal world from a pg_dump of
 * production's pipeline (custom format or plain SQL), in the embedded database or at DATABASE_URL
 * when that database is empty or holds a world the console created.
 */
import { parseArgs } from 'node:util';
import { seedDemoUsers } from '../lib/auth/demo-users';
import { redactUrl } from '../lib/db/connection';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';
import { rehearsalSpeedFromEnv } from '../lib/market/clock';
import { importDump } from '../lib/market/rehearsal/import-dump';
import { ImportRefused } from '../lib/market/rehearsal/import-errors';
import { readSetting } from '../lib/settings';

const USAGE = 'usage: npm run rehearsal:import -- FILE [--days N]';

function parse(): { file: string; days: number | null } | null {
  try {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(2),
      options: { days: { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) return null;
    const days = values.days === undefined ? null : Number(values.days);
    if (days !== null && (!Number.isInteger(days) || days < 1)) return null;
    return { file: positionals[0] as string, days };
  } catch {
    return null;
  }
}

const args = parse();
if (!args) {
  console.error(USAGE);
  process.exit(2);
}

const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-import' });
let code = 0;
try {
  await migrateConsoleSchema(handle.database);
  const url = readSetting('DATABASE_URL');
  const where = url ? redactUrl(url) : 'the embedded database';
  console.log(`Importing ${args.file} into ${where}${args.days ? ` (last ${args.days} days of bars)` : ''}…`);
  const report = await importDump(handle.database, {
    file: args.file,
    days: args.days,
    speed: rehearsalSpeedFromEnv() ?? 1,
    log: (line) => console.log(line),
  });
  // A rehearsal world comes with its demo logins (the launcher prints them).
  await seedDemoUsers(handle.database.db);
  for (const [table, rows] of Object.entries(report.rows)) {
    console.log(`  ${table}: ${rows.kept} rows${rows.kept !== rows.read ? ` of ${rows.read} in the dump` : ''}`);
  }
  console.log(
    `Done in ${(report.durationMs / 1000).toFixed(1)} s: ${report.statements.executed} statements, ` +
      `workers continue from ${report.newestComponentMinute} (the newest component bar).`,
  );
  if (report.dumpedFrom) console.log(`Dumped from PostgreSQL ${report.dumpedFrom}.`);
  if (report.createdRoles.length > 0) {
    console.log(`Roles created NOLOGIN (the dump refers to them): ${report.createdRoles.join(', ')}`);
  }
  if (report.skipped.length > 0 || report.metaCommands.length > 0) {
    console.log(`NOT imported (${report.skipped.length + report.metaCommands.length}):`);
    for (const issue of report.skipped) console.log(`  - ${issue.object}: ${issue.error}`);
    for (const line of report.metaCommands) console.log(`  - psql meta-command ${line}`);
  } else {
    console.log('Everything in the dump was imported.');
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(message);
  code = error instanceof ImportRefused ? 3 : 1;
} finally {
  await handle.close();
}
process.exit(code);
