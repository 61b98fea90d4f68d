/**
 * `npm run test:system`: the load test, routes × roles, a sign-in flood with spoofed
 * X-Forwarded-For, a flood of the public endpoints (refused server actions, invitation
 * acceptances, bad bearer tokens), and the credential scan against a real console — a
 * scratch embedded PostgreSQL with a 14-day world, the built Next.js server and a runner
 * process — as part of `npm test`. Exits 1 when a request failed, the copy under load did not
 * finish cleanly, a route answers a role other than expected, a flooded sign-in is not throttled
 * by its socket address (or locks the account's owner out), the public flood grows the audit log
 * by more than a bounded number of small rows (or keeps its raw input, or stops a sign-in), or a
 * credential shows up anywhere.
 */
import { randomBytes } from 'node:crypto';
import { scanForCredentials } from '../bench/credential-scan';
import { runLoadTest, VIEWERS } from '../bench/load-test';
import { runPublicFlood } from '../bench/public-flood';
import { checkRouteAccess } from '../bench/route-access';
import { runPhases } from '../bench/run-phase';
import { startScratchConsole } from '../bench/scratch-console';
import { runSignInFlood } from '../bench/sign-in-flood';
import { runTwoConsoles } from './system/two-consoles';

const log = (line: string) => console.log(`[system] ${line}`);
const LOAD_SECONDS = Number(process.env.SYSTEM_TEST_LOAD_SECONDS ?? '60');

async function main(): Promise<number> {
  // SYSTEM_TEST_ONLY=two-consoles: only the takeover between two consoles (scripts/system/two-consoles.ts).
  const failures = process.env.SYSTEM_TEST_ONLY === 'two-consoles' ? [] : await oneConsole();
  const twoConsoles = await runTwoConsoles({ dataDir: '.data-system-two', ports: [3313, 3314], log });
  log(
    `two consoles: takeover ${twoConsoles.takeoverMs === null ? 'none' : `${(twoConsoles.takeoverMs / 1000).toFixed(1)} s`} ` +
      `after the lease holder was killed (lease ${twoConsoles.leaseSeconds} s)`,
  );
  failures.push(...twoConsoles.problems.map((problem) => `two consoles: ${problem}`));
  for (const failure of failures) console.error(`[system] FAILED ${failure}`);
  if (failures.length === 0) log('passed');
  return failures.length === 0 ? 0 : 1;
}

/** One console under load, its routes, floods and credentials; the failures found. */
async function oneConsole(): Promise<string[]> {
  const metricsToken = randomBytes(18).toString('base64url');
  const target = await startScratchConsole({
    dataDir: '.data-system',
    port: 3312,
    days: 14,
    start: '2026-11-25T14:00:00Z',
    // Small paced batches: the copy outlasts the load window, so every second of it is under copy.
    env: { CUTOVER_COPY_BATCH_ROWS: '150', CUTOVER_COPY_PACED: '1', CUTOVER_METRICS_TOKEN: metricsToken },
    log,
  });
  const failures: string[] = [];
  try {
    const operator = await target.signIn('operator');
    await runPhases(target.database, operator.user, ['1', '2', '2-fix', '3'], log);

    const load = await runLoadTest(target, { seconds: LOAD_SECONDS, pauseMs: 500, log });
    log(
      `load: ${load.requests} requests from ${VIEWERS} viewers, ${load.errors.length} errors; p95 ` +
        Object.entries(load.p95Ms)
          .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`)
          .join(', '),
    );
    log(`copy under load: ${load.copyStatus}, ${load.batchesDuringLoad} batches during the load window`);
    if (load.errors.length > 0) failures.push(`failed requests: ${[...new Set(load.errors)].slice(0, 5).join('; ')}`);
    if (load.copyStatus !== 'succeeded') failures.push(`the copy under load ended ${load.copyStatus}`);
    if (load.copyProblems.length > 0) failures.push(`the copy logged problems: ${load.copyProblems.join('; ')}`);
    if (load.batchesDuringLoad === 0) failures.push('no batch was copied during the load window');

    const access = await checkRouteAccess(target, metricsToken);
    const wrong = access.filter((a) => a.got !== a.expected);
    log(`routes × roles: ${access.length} requests, ${wrong.length} unexpected`);
    failures.push(...wrong.map((a) => `${a.path} as ${a.who}: expected ${a.expected}, got ${a.got}`));

    // The approver is who an emergency rollback needs: an attacker's flood must not lock them out.
    const flood = await runSignInFlood(target, {
      username: 'approver',
      password: 'approver-rehearsal',
      attempts: 200,
      concurrency: 8,
    });
    log(`sign-in flood: ${flood.summary}`);
    failures.push(...flood.problems.map((problem) => `sign-in flood: ${problem}`));

    // Anyone can reach these without an account: the audit log (in production's database) must not grow with them.
    const publicFlood = await runPublicFlood(target, {
      requestsPerKind: Number(process.env.SYSTEM_TEST_FLOOD_REQUESTS ?? '300'),
      concurrency: 8,
      owner: { username: 'operator', password: 'operator-rehearsal' },
    });
    log(`public flood: ${publicFlood.summary}`);
    failures.push(...publicFlood.problems.map((problem) => `public flood: ${problem}`));

    const password = decodeURIComponent(new URL(target.databaseUrl).password);
    const scan = await scanForCredentials(target, [password, target.databaseUrl, metricsToken]);
    log(`credential scan: ${scan.documents} pages, responses, tables and logs; ${scan.leaks.length} leaks`);
    failures.push(...scan.leaks.map((leak) => `credential leak: ${leak}`));
  } finally {
    await target.stop();
  }
  return failures;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[system] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
