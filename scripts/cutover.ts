/**
 * `npm run cutover -- <command>`: everything the UI does, over the same runbook functions and the
 * same action wrapper (so it is validated, authorized and audited the same way).
 *
 *   status                                  the overview: phases, active run, counts
 *   preview N [--data keep|delete]          what phase N (1–7, 2-fix, rollback) will run
 *   run N [--method copy|regenerate]        start phase N
 *   fix 2                                   phase 2's "Apply fix"
 *   pause | resume                          the copy (phase 4)
 *   rollback --data keep|delete --confirm ROLLBACK
 *   approvals                               pending and decided requests
 *   approve ID --confirm WORD [--waive N] | reject ID --reason TEXT
 *   report [N]                              migration run N's report as one self-contained HTML file
 *                                           (default: the latest run; --json: the report's data)
 * Options: --json (machine-readable), --wait (return when the started run has finished; runs a
 * runner in this process meanwhile). Signs in as CUTOVER_USER / CUTOVER_PASSWORD.
 * Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 refused.
 */
import { fstatSync, ftruncateSync, readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderRunReportHtml } from '../components/report-html';
import { type ActionResult, type ActionSpec, executeAction } from '../lib/auth/action';
import { signIn } from '../lib/auth/login';
import { findSessionUser, revokeSession, type SessionUser } from '../lib/auth/sessions';
import type { Database } from '../lib/db/connection';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';
import { rehearsalSpeedFromEnv } from '../lib/market/clock';
import { readConsoleStatus } from '../lib/monitor/read-console-status';
import { approveRequest, rejectRequest } from '../lib/runbook/actions/decide-approval';
import { pausePhaseRun, resumePhaseRun } from '../lib/runbook/actions/pause-resume';
import { startPhaseRun } from '../lib/runbook/actions/start-phase-run';
import { listApprovals } from '../lib/runbook/list-approvals';
import { isPhaseId } from '../lib/runbook/phases';
import { readPhaseDetail } from '../lib/runbook/read-phase-detail';
import { listReportableRuns, readRunReport } from '../lib/runbook/read-run-report';
import { getPhaseRun, type PhaseRunRow } from '../lib/runbook/run-state';
import { startRunner } from '../lib/runbook/runner';
import { checkSettingsAtStart, readSetting } from '../lib/settings';

checkSettingsAtStart('cutover');

const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
const FINISHED = ['succeeded', 'failed', 'rejected'];

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    wait: { type: 'boolean', default: false },
    data: { type: 'string' },
    method: { type: 'string' },
    confirm: { type: 'string' },
    reason: { type: 'string' },
    waive: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '3600' },
  },
});

function print(value: unknown, text: () => string): void {
  console.log(values.json ? JSON.stringify(value, null, 2) : text());
}

function exitCodeOf(result: ActionResult<unknown>): number {
  if (result.status === 'ok') return EXIT.ok;
  if (result.status === 'refused') return EXIT.refused;
  if (result.status === 'invalid') return EXIT.usage;
  return EXIT.failed;
}

function summarizeResult(result: ActionResult<unknown>): string {
  switch (result.status) {
    case 'ok':
      return `ok: ${JSON.stringify(result.data)}`;
    case 'refused':
      return `refused: ${result.reason}`;
    case 'invalid':
      return `invalid: ${Object.entries(result.fieldErrors)
        .map(([k, v]) => `${k}: ${v.join(', ')}`)
        .join('; ')}`;
    case 'failed':
      return `failed: ${result.message}`;
  }
}

async function authenticate(database: Database): Promise<{ user: SessionUser; token: string }> {
  const username = readSetting('CUTOVER_USER');
  const password = readSetting('CUTOVER_PASSWORD');
  if (!username || !password) throw new UsageError('Set CUTOVER_USER and CUTOVER_PASSWORD to a console user.');
  const result = await signIn(database, { username, password, ip: 'cli', userAgent: 'dxy-cutover-cli' });
  if (result.status !== 'ok') throw new RefusedError(result.message);
  const user = await findSessionUser(database.db, { token: result.token });
  if (!user) throw new RefusedError('The session could not be opened.');
  return { user, token: result.token };
}

class UsageError extends Error {}
class RefusedError extends Error {}

async function waitForRun(database: Database, runId: number): Promise<PhaseRunRow> {
  const runner = startRunner(database, {
    speed: rehearsalSpeedFromEnv(),
    log: (line) => console.error(`[runner] ${line}`),
  });
  const deadline = Date.now() + Number(values['timeout-seconds']) * 1000;
  let lastProgress = '';
  try {
    while (Date.now() < deadline) {
      const run = await getPhaseRun(database.sql, { id: runId });
      if (!run) throw new Error(`Run #${runId} disappeared.`);
      if (FINISHED.includes(run.status)) return run;
      const progress = typeof run.progress.percent === 'number' ? ` ${Number(run.progress.percent).toFixed(1)}%` : '';
      const line = `run #${run.id} ${run.status}${progress}`;
      if (!values.json && line !== lastProgress) console.error(line);
      lastProgress = line;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`Run #${runId} did not finish within ${values['timeout-seconds']} s.`);
  } finally {
    await runner.stop();
  }
}

async function startAndMaybeWait(
  database: Database,
  user: SessionUser,
  spec: ActionSpec<typeof startPhaseRun.input, Awaited<ReturnType<typeof startPhaseRun.run>>>,
  input: Record<string, unknown>,
): Promise<number> {
  const result = await executeAction(spec, { database, user, rawInput: input });
  if (result.status !== 'ok' || !values.wait || result.data.awaitingApproval) {
    print(result, () => summarizeResult(result));
    return exitCodeOf(result);
  }
  const run = await waitForRun(database, result.data.runId);
  const summary = {
    runId: run.id,
    phase: run.phase,
    status: run.status,
    error: run.error,
    verification: run.verification,
    progress: run.progress,
  };
  print(summary, () =>
    [
      `run #${run.id} (phase ${run.phase}) ${run.status}${run.error ? `: ${run.error}` : ''}`,
      ...(run.verification?.checks ?? []).map((c) => `  ${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
    ].join('\n'),
  );
  return run.status === 'succeeded' ? EXIT.ok : EXIT.failed;
}

async function confirmRollback(): Promise<string | undefined> {
  if (values.confirm || !process.stdin.isTTY) return values.confirm;
  process.stderr.write('Type ROLLBACK to confirm: ');
  for await (const chunk of process.stdin) return String(chunk).trim();
  return undefined;
}

/**
 * `npm run cutover -- report N > report.html`: npm prints its "> dxy-cutover cutover" banner to
 * stdout before this process starts, and it would open the HTML file (and put the page in quirks
 * mode). When stdout is a regular file opened by `>` (not `>>`: O_APPEND, read from Linux's fdinfo),
 * everything in it was written by this invocation, so it is emptied and written from the start.
 */
function rewindStdoutFile(): boolean {
  try {
    if (!fstatSync(1).isFile() || fstatSync(1).size === 0) return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))?.[1];
    const O_APPEND = 0o2000;
    if (flags === undefined || (Number.parseInt(flags, 8) & O_APPEND) !== 0) return false;
    ftruncateSync(1, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const [command, argument] = positionals;
  if (!command)
    throw new UsageError(
      'usage: npm run cutover -- status | preview N | run N | fix 2 | pause | resume | rollback --data keep|delete | approvals | approve ID | reject ID | report [N]',
    );
  const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-cli' });
  const { database } = handle;
  let token: string | null = null;
  try {
    await migrateConsoleSchema(database);
    const session = await authenticate(database);
    token = session.token;
    const { user } = session;
    switch (command) {
      case 'status': {
        const status = await readConsoleStatus(database);
        print(status, () =>
          [
            `clock ${status.now.toISOString()} (${status.clock.kind}, ${status.clock.speed}×), workers ${status.workers.mode ?? status.workers.kind}`,
            status.counts
              ? `DXY 1m: data_bars ${status.counts.dataBars1m}, derived active ${status.counts.derivedActive1m}, soft-deleted ${status.counts.derivedSoftDeleted1m}`
              : `missing tables: ${status.missingTables.join(', ')}`,
            ...status.runbook.steps.map(
              (s) =>
                `  ${(s.number ? `phase ${s.number}` : s.title).padEnd(10)} ${s.state.padEnd(18)} ${s.latest?.requestedBy ?? ''}`,
            ),
            status.runbook.activeRun
              ? `active: run #${status.runbook.activeRun.id} phase ${status.runbook.activeRun.phase} ${status.runbook.activeRun.status}`
              : 'no active run',
            status.runbook.nextStep ? `next: ${status.runbook.nextStep.label}` : '',
          ].join('\n'),
        );
        return EXIT.ok;
      }
      case 'preview': {
        if (!argument || !isPhaseId(argument)) throw new UsageError('preview needs a phase: 1–7, 2-fix or rollback');
        const detail = await readPhaseDetail(database, {
          phaseId: argument,
          options: { data: values.data, method: values.method },
        });
        print({ preconditions: detail.preconditions, preview: detail.preview, actions: detail.actions }, () =>
          [
            `${detail.title}`,
            ...detail.preconditions.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
            ...detail.preview.summary.map((line, i) => `${i + 1}. ${line}`),
            ...detail.preview.sql.map((sql) => `\n${sql}`),
          ].join('\n'),
        );
        return EXIT.ok;
      }
      case 'run':
        if (!argument) throw new UsageError('run needs a phase number');
        return await startAndMaybeWait(database, user, startPhaseRun, {
          phase: argument,
          ...(values.method ? { method: values.method } : {}),
        });
      case 'fix':
        if (argument !== '2') throw new UsageError('only phase 2 has a fix: npm run cutover -- fix 2');
        return await startAndMaybeWait(database, user, startPhaseRun, { phase: '2-fix' });
      case 'rollback':
        return await startAndMaybeWait(database, user, startPhaseRun, {
          phase: 'rollback',
          data: values.data,
          confirm: await confirmRollback(),
        });
      case 'pause':
      case 'resume': {
        const result = await executeAction(command === 'pause' ? pausePhaseRun : resumePhaseRun, {
          database,
          user,
          rawInput: {},
        });
        print(result, () => summarizeResult(result));
        return exitCodeOf(result);
      }
      case 'approvals': {
        const approvals = await listApprovals(database.sql);
        print(
          approvals,
          () =>
            approvals
              .map((a) => `#${a.id} ${a.status.padEnd(8)} ${a.kind.padEnd(16)} by ${a.requestedBy}: ${a.summary}`)
              .join('\n') || 'no requests',
        );
        return EXIT.ok;
      }
      case 'approve':
      case 'reject': {
        const spec = command === 'approve' ? approveRequest : rejectRequest;
        const input =
          command === 'approve'
            ? { approvalId: argument, confirm: values.confirm ?? '', waiveCount: values.waive }
            : { approvalId: argument, reason: values.reason ?? '' };
        const result = await executeAction(spec as ActionSpec<typeof approveRequest.input, unknown>, {
          database,
          user,
          rawInput: input,
        });
        print(result, () => summarizeResult(result));
        return exitCodeOf(result);
      }
      case 'report': {
        const runs = await listReportableRuns(database);
        const id = argument === undefined ? runs[0]?.id : /^\d+$/.test(argument) ? Number(argument) : Number.NaN;
        const known = runs.map((r) => `#${r.id} (${r.status})`).join(', ') || 'none yet';
        if (id === undefined || Number.isNaN(id)) throw new UsageError(`report needs a migration run number: ${known}`);
        const report = await readRunReport(database, { migrationRunId: id });
        if (!report) throw new UsageError(`There is no migration run #${id}; runs: ${known}`);
        const output = values.json ? `${JSON.stringify(report, null, 1)}\n` : renderRunReportHtml(report);
        if (rewindStdoutFile()) {
          writeSync(1, Buffer.from(output), 0, Buffer.byteLength(output), 0);
          return EXIT.ok;
        }
        // Wait for the write: the process exits right after main() returns.
        await new Promise<void>((resolve, reject) =>
          process.stdout.write(output, (error) => (error ? reject(error) : resolve())),
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    if (token) await revokeSession(database.db, { token }).catch(() => {});
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (values.json)
      console.log(JSON.stringify({ status: error instanceof RefusedError ? 'refused' : 'error', message }));
    else console.error(message);
    process.exit(error instanceof UsageError ? EXIT.usage : error instanceof RefusedError ? EXIT.refused : EXIT.failed);
  },
);
