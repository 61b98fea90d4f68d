/**
 * The system test's two consoles (issue 21, docs/operations.md "More than one console"): two consoles on one
 * database show the same run over HTTP, with one sign-in; each phase run is started by exactly one runner;
 * the console whose runner holds phase 4's lease is killed (SIGKILL) mid-copy, and the other takes the run
 * over once the lease has expired and finishes it, with every legacy minute copied exactly once; a third
 * console (`npm start`) and a runner with another audit key refuse to start. Reports the takeover time
 * against the lease.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runPhases, startPhase, waitForRun } from '../../bench/run-phase';
import { type ConsoleInstance, type ConsolePair, startConsolePair } from './console-pair';

/** Short, so the takeover costs the test little; the production default is 30 s (CUTOVER_LEASE_SECONDS). */
const LEASE_SECONDS = 5;
/**
 * A runner ticks every second, and claims after the tick's own work (clock, workers, bridge, snapshots): a
 * takeover may come that long after the lease expired — seconds on a machine busy with other suites.
 */
const TICK_ALLOWANCE_MS = 4_000;
/** The test's clock and the database's are read a query apart. */
const CLOCK_SLACK_MS = 250;
const FINISHED = ['succeeded', 'failed', 'aborted', 'rejected'];

export interface TwoConsolesResult {
  problems: string[];
  takeoverMs: number | null;
  leaseSeconds: number;
}

interface LeaseRow {
  status: string;
  lease_owner: string | null;
  lease_left_ms: number | null;
  batches: number;
}

export async function runTwoConsoles(options: {
  dataDir: string;
  ports: [number, number];
  log: (line: string) => void;
}): Promise<TwoConsolesResult> {
  const started = performance.now();
  const log = (line: string) => options.log(`+${((performance.now() - started) / 1000).toFixed(0)} s ${line}`);
  const pair = await startConsolePair({
    dataDir: options.dataDir,
    ports: options.ports,
    days: 2,
    start: '2026-11-25T14:00:00Z',
    // Paced batches (one per runner tick) of a few hundred minutes: the copy takes about six batches.
    env: { CUTOVER_LEASE_SECONDS: String(LEASE_SECONDS), CUTOVER_COPY_BATCH_ROWS: '500', CUTOVER_COPY_PACED: '1' },
    log,
  });
  const problems: string[] = [];
  let takeoverMs: number | null = null;
  try {
    const operator = await pair.signIn('operator');
    // The sign-in recorded the chain's key: from here a process with another key must refuse to start. Checked
    // while the phases run, since starting a process takes seconds.
    const otherKeyRefused = checkOtherKeyRefused(pair, log);
    await runPhases(pair.database, operator.user, ['1', '2', '2-fix', '3'], log);
    const runId = await startPhase(pair.database, operator.user, '4');

    // Mid-copy: two batches committed, the run still running.
    const before = await pollLease(
      pair,
      runId,
      (row) => (row.status === 'running' && row.batches >= 2) || FINISHED.includes(row.status),
      120_000,
    );
    if (before.status !== 'running' || !before.lease_owner)
      throw new Error(`phase 4 was ${before.status} after ${before.batches} batches: no copy left to take over`);

    // Same state on both consoles, read over HTTP with the one session (sessions live in the database).
    const seen = await Promise.all(pair.consoles.map((c) => activeRunOver(c, operator.cookie)));
    log(`before the kill: ${pair.consoles.map((c, i) => `${c.name} shows ${seen[i]}`).join(', ')}`);
    if (seen[0] !== seen[1] || !seen[0]?.startsWith(`#${runId} phase 4 running`))
      problems.push(`the consoles showed different run states: ${seen.join(' / ')}`);

    const holder = consoleOf(pair, before.lease_owner);
    const survivor = pair.consoles.find((c) => c !== holder);
    if (!holder || !survivor) throw new Error(`lease owner ${before.lease_owner} is neither console's server process`);
    holder.process.kill('SIGKILL');
    const killedAt = performance.now();
    await new Promise<void>((resolve) => holder.process.once('exit', () => resolve()));
    // Read once it is dead, so no renewal can follow: the lease it left, as of the kill.
    const readAt = performance.now();
    const afterKill = await readLease(pair, runId);
    const atKill = { ...afterKill, lease_left_ms: (afterKill.lease_left_ms ?? 0) + (readAt - killedAt) };
    log(
      `killed console ${holder.name} (pid ${holder.process.pid}, lease owner ${before.lease_owner}) after ` +
        `${atKill.batches} batches; its lease had ${(atKill.lease_left_ms / 1000).toFixed(1)} s left of ${LEASE_SECONDS} s`,
    );

    const taken = await pollLease(
      pair,
      runId,
      (row) => (row.lease_owner !== null && row.lease_owner !== before.lease_owner) || FINISHED.includes(row.status),
      LEASE_SECONDS * 1000 + 30_000,
    );
    takeoverMs = performance.now() - killedAt;
    if (taken.lease_owner === null || consoleOf(pair, taken.lease_owner) !== survivor)
      problems.push(
        `after the kill the run was ${taken.status}, lease ${taken.lease_owner}: not taken over by ${survivor.name}`,
      );
    const run = await waitForRun(pair.database, runId, 5 * 60_000);
    const finishMs = performance.now() - killedAt;
    log(
      `takeover: console ${survivor.name} took the run over ${(takeoverMs / 1000).toFixed(1)} s after the kill ` +
        `(lease ${LEASE_SECONDS} s, ${(atKill.lease_left_ms / 1000).toFixed(1)} s of it left at the kill) and ` +
        `finished it ${(finishMs / 1000).toFixed(1)} s after the kill: ${run.status}`,
    );
    // Not before the lease expired (the dead runner's lease still held), and not much after.
    if (takeoverMs < atKill.lease_left_ms - CLOCK_SLACK_MS)
      problems.push(
        `the run was taken over ${takeoverMs.toFixed(0)} ms after the kill, before its lease (${atKill.lease_left_ms.toFixed(0)} ms left) expired`,
      );
    if (takeoverMs > atKill.lease_left_ms + TICK_ALLOWANCE_MS)
      problems.push(
        `the takeover took ${takeoverMs.toFixed(0)} ms; the lease had ${atKill.lease_left_ms.toFixed(0)} ms left (+${TICK_ALLOWANCE_MS} ms for a tick)`,
      );
    if (run.status !== 'succeeded') problems.push(`phase 4 ended ${run.status}: ${run.error}`);

    problems.push(...(await checkStartedOnce(pair, runId, before.lease_owner, survivor)));
    problems.push(...(await checkCopiedOnce(pair, runId, log)));
    problems.push(...(await otherKeyRefused));
  } catch (error) {
    // Said as a failure of this part, so the rest of the system test's verdicts are still reported.
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await pair.stop();
  }
  log(`two consoles: ${problems.length} problems, ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  return { problems, takeoverMs, leaseSeconds: LEASE_SECONDS };
}

async function readLease(pair: ConsolePair, runId: number): Promise<LeaseRow> {
  const [row] = await pair.database.sql<LeaseRow[]>`
    select status, lease_owner,
           (extract(epoch from (lease_expires_at - now())) * 1000)::float8 as lease_left_ms,
           coalesce((checkpoint->>'batches')::int, 0) as batches
      from cutover.phase_runs where id = ${runId}`;
  if (!row) throw new Error(`no phase run #${runId}`);
  return row;
}

/** Polls the run every 100 ms until `done` holds; throws after `timeoutMs`. */
async function pollLease(
  pair: ConsolePair,
  runId: number,
  done: (row: LeaseRow) => boolean,
  timeoutMs: number,
): Promise<LeaseRow> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const row = await readLease(pair, runId);
    if (done(row)) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run #${runId}: the awaited lease state did not come within ${timeoutMs / 1000} s`);
}

/** The console whose server process holds a runner id (`host:pid:random`, lib/runbook's newRunnerId). */
function consoleOf(pair: ConsolePair, owner: string): ConsoleInstance | undefined {
  const pid = Number(owner.split(':').at(-2));
  return pair.consoles.find((c) => c.process.pid === pid);
}

/** The overview's active run as GET /api/status gives it, in a few words. */
async function activeRunOver(instance: ConsoleInstance, cookie: string): Promise<string> {
  const response = await fetch(`${instance.baseUrl}/api/status`, { headers: { cookie } });
  if (!response.ok) return `HTTP ${response.status}`;
  const status = (await response.json()) as {
    runbook: { activeRun: { id: number; phase: string; status: string; attempt: number } | null };
  };
  const run = status.runbook.activeRun;
  return run ? `#${run.id} phase ${run.phase} ${run.status} (attempt ${run.attempt})` : 'no active run';
}

/** Every run of the migration started by exactly one runner; phase 4's taken over once, by the survivor. */
async function checkStartedOnce(
  pair: ConsolePair,
  runId: number,
  killedOwner: string,
  survivor: ConsoleInstance,
): Promise<string[]> {
  const problems: string[] = [];
  const runs = await pair.database.sql<{ id: number; phase: string; started: number; taken: number }[]>`
    select r.id::int as id, r.phase,
           count(e.id) filter (where e.message like 'Started by %')::int as started,
           count(e.id) filter (where e.message like 'Taken over from runner %')::int as taken
      from cutover.phase_runs r left join cutover.phase_run_events e on e.phase_run_id = r.id
     group by r.id order by r.id`;
  for (const run of runs)
    if (run.started !== 1) problems.push(`run #${run.id} (phase ${run.phase}) was started ${run.started} times`);
  const copy = runs.find((r) => r.id === runId);
  if (copy?.taken !== 1) problems.push(`phase 4 run #${runId} was taken over ${copy?.taken ?? 0} times, not once`);
  const [takeover] = await pair.database.sql<{ message: string; runner: string }[]>`
    select message, data->>'runner' as runner from cutover.phase_run_events
     where phase_run_id = ${runId} and message like 'Taken over from runner %'`;
  if (takeover && (!takeover.message.includes(killedOwner) || consoleOf(pair, takeover.runner) !== survivor))
    problems.push(`the takeover event does not name the killed runner and the survivor: ${takeover.message}`);
  return problems;
}

/**
 * Nothing copied twice, nothing skipped: no two data_bars rows for one DXY minute, every legacy minute before
 * the copy's final cursor in data_bars, and the copy's own count of scanned minutes (its checkpoint, summed batch
 * by batch) equal to the legacy minutes before that cursor — a batch committed twice, or a range copied again
 * after the takeover, would count its minutes twice; a range skipped would be missing.
 */
async function checkCopiedOnce(pair: ConsolePair, runId: number, log: (line: string) => void): Promise<string[]> {
  const { sql } = pair.database;
  const [copy] = await sql<{ cursor: string; scanned: number; written: number; batches: number }[]>`
    select checkpoint->>'cursor' as cursor, (checkpoint->>'rowsScanned')::float8 as scanned,
           (checkpoint->>'rowsWritten')::float8 as written, (checkpoint->>'batches')::int as batches
      from cutover.phase_runs where id = ${runId}`;
  if (!copy?.cursor) return [`phase 4 run #${runId} has no cursor in its checkpoint`];
  const cursor = new Date(copy.cursor);
  const [counts] = await sql<{ legacy: number; missing: number; duplicates: number }[]>`
    select
      (select count(*)::float8 from public.derived_data_bars
        where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc < ${cursor}) as legacy,
      (select count(*)::float8 from public.derived_data_bars d
        where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null and d.ts_utc < ${cursor}
          and not exists (select 1 from public.data_bars n
                           where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = d.ts_utc)) as missing,
      (select (count(*) - count(distinct ts_utc))::float8 from public.data_bars
        where canonical_symbol = 'DXY' and timeframe = '1m') as duplicates`;
  log(
    `copy: ${copy.batches} batches, ${copy.scanned} legacy minutes scanned, ${copy.written} written; ` +
      `${counts?.legacy} legacy minutes before the cursor, ${counts?.missing} missing, ${counts?.duplicates} duplicate minutes`,
  );
  const problems: string[] = [];
  if (counts?.duplicates !== 0) problems.push(`data_bars holds ${counts?.duplicates} duplicate DXY minutes`);
  if (counts?.missing !== 0) problems.push(`${counts?.missing} legacy minutes before the copy's cursor are missing`);
  if (copy.scanned !== counts?.legacy)
    problems.push(`the copy scanned ${copy.scanned} minutes, but legacy holds ${counts?.legacy} before its cursor`);
  return problems;
}

/**
 * A third console (`npm start`'s launcher) and a runner against this database with another audit key each
 * refuse to start, naming both key ids.
 */
async function checkOtherKeyRefused(pair: ConsolePair, log: (line: string) => void): Promise<string[]> {
  const refused = await Promise.all([
    refusedToStart(pair, 'npm start', 'scripts/start.ts', log),
    refusedToStart(pair, 'npm run runner', 'scripts/runner.ts', log),
  ]);
  return refused.flat();
}

async function refusedToStart(
  pair: ConsolePair,
  name: string,
  script: string,
  log: (line: string) => void,
): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      DATABASE_URL: pair.databaseUrl,
      CUTOVER_AUDIT_KEY: 'a-third-console-with-another-key-0123456789',
      CUTOVER_DATA_DIR: join(pair.consoles[0].dataDir, '..', 'console-c'),
      // Should it not refuse, it must not take a port the test uses.
      PORT: '3315',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  const refusal = stderr.split('\n').find((line) => line.includes('refusing to start')) ?? '';
  log(`${name} with another audit key: exit ${code}; ${refusal.trim() || stderr.trim().slice(0, 200)}`);
  return code === 2 && refusal.includes('key id')
    ? []
    : [`${name} with another audit key was not refused (exit ${code}): ${stderr.trim().slice(0, 300)}`];
}
