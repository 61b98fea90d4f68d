/**
 * `npm start` / `npm run dev`: the console in one command. Without DATABASE_URL it starts the
 * embedded PostgreSQL under .data/ (creating the rehearsal world on first start), builds the
 * app when the sources are newer than the last build, serves it, and prints the URL and the
 * demo logins. The server is scripts/serve.ts: Next.js behind a front server that hands the app
 * the client's real address (CUTOVER_TRUSTED_PROXIES). Ctrl-C stops the server and then
 * PostgreSQL, cleanly.
 */
import { spawn } from 'node:child_process';
import { AuditKeyMismatch, assertAuditKeyFitsDatabase } from '../lib/auth/audit-chain-key';
import { auditKey, checkAuditKeyAtStart, embeddedAuditKeyFile } from '../lib/auth/audit-key';
import { DEMO_USERS } from '../lib/auth/demo-users';
import { connectDatabase, redactUrl } from '../lib/db/connection';
import { startEmbeddedDatabase } from '../lib/db/embedded';
import { describeLeftovers } from '../lib/market/rehearsal/leftovers';
import { readTrustedProxiesOrExit } from '../lib/server/front-server';
import { checkSettingsAtStart, readSetting } from '../lib/settings';
import { buildIfNeeded, serverArgs, waitForHealth } from './next-server';
import { prepareDatabase } from './prepare-database';

checkSettingsAtStart('dxy-cutover');
// The audit chain key: required with DATABASE_URL (refused here, before the build); the embedded mode's own is
// generated into the data directory and handed to the server, which sees DATABASE_URL set (lib/auth/audit-key.ts).
checkAuditKeyAtStart('dxy-cutover');
// Checked here too, before PostgreSQL starts: the server would refuse it only after the build.
readTrustedProxiesOrExit('dxy-cutover');
const mode = process.argv[2] === 'dev' ? 'dev' : 'start';
const port = readSetting('PORT');
const host = readSetting('HOST');
const databaseUrl = readSetting('DATABASE_URL');
const say = (line: string) => console.log(`[dxy-cutover] ${line}`);

async function main(): Promise<void> {
  const started = Date.now();
  const embedded = databaseUrl ? null : await startEmbeddedDatabase({ log: say });
  const url = embedded?.url ?? (databaseUrl as string);
  say(embedded ? `Embedded PostgreSQL is up (${redactUrl(url)}).` : `Using DATABASE_URL ${redactUrl(url)}.`);

  const database = connectDatabase(url, { max: 2, applicationName: 'dxy-cutover-launcher' });
  const prepared = await prepareDatabase(database, { ownsDatabase: embedded !== null, log: say });
  // Another console on this database writes its audit chain with another key: refused before the build.
  const keyProblem = await assertAuditKeyFitsDatabase(database.sql, auditKey()).then(
    () => null,
    (error: unknown) => (error instanceof AuditKeyMismatch ? error.message : Promise.reject(error)),
  );
  await database.close();
  if (keyProblem) {
    console.error(`[dxy-cutover] refusing to start: ${keyProblem}`);
    await embedded?.stop();
    process.exit(2);
  }
  if (prepared.worldCreated) {
    const w = prepared.worldCreated;
    say(
      `Rehearsal world created (${w.variant} schema): ${w.providerBars} provider bars, ${w.legacyDxyBars} legacy DXY minutes, ` +
        `${w.historyFrom.toISOString()} → ${w.historyTo.toISOString()}.`,
    );
    if (w.leftovers) say(describeLeftovers(w.leftovers));
  }
  if (prepared.missingTables.length > 0) {
    say(`WARNING: the database lacks pipeline tables: ${prepared.missingTables.join(', ')}. The console will say so.`);
  }

  if (mode === 'start') buildIfNeeded(say);
  // The server process (scripts/serve.ts: Next.js behind the front server that resolves client
  // addresses), run with node itself (not through npx) so that signals reach it.
  const child = spawn(process.execPath, serverArgs({ dev: mode === 'dev', port, hostname: host }), {
    stdio: 'inherit',
    env: { ...process.env, ...embeddedAuditKeyFile(), DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 0)));
  let childExited = false;
  void exited.then(() => {
    childExited = true;
  });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`Received ${signal}; stopping the console…`);
    child.kill('SIGTERM');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const consoleUrl = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  if (await waitForHealth(consoleUrl, 120_000, () => childExited)) {
    say(`Console ready at ${consoleUrl} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (prepared.isRehearsal) {
      say('Demo logins (rehearsal world only):');
      for (const user of DEMO_USERS)
        say(`  ${user.username.padEnd(10)} ${user.password.padEnd(22)} ${user.roles.join(', ')}`);
    }
  }

  const code = await exited;
  if (embedded) {
    say('Stopping embedded PostgreSQL…');
    await embedded.stop();
  }
  process.exit(stopping ? 0 : code);
}

main().catch((error: unknown) => {
  console.error(`[dxy-cutover] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
