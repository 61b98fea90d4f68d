/**
 * `npm run cutover -- <command>`: everything the UI does, over the console's HTTP API with a
 * personal API token — validated, authorized and audited by the console exactly as a click in the
 * UI is. The CLI holds no database credentials and never connects to the database.
 *
 *   status                                  the overview: phases, active run, counts
 *   phases                                  the phases, their options and confirmation words
 *   preview N [--OPTION VALUE]              what phase N (1–7, 9, 2-fix, rollback) will run
 *   run N [--OPTION VALUE]                  start phase N with its options (phase 4: --method)
 *   fix 2                                   phase 2's "Apply fix"
 *   pause | resume                          the copy (phase 4)
 *   pace [--batch-rows N|default] [--pace-ms N] [--max-lock-wait-ms N] [--max-replica-lag-s N]
 *        [--checkpoint-pause-s N] [--max-wal-mb-per-s N] [--max-worker-ms N]
 *                                           the batched phases' live limits: shown, or changed (from
 *                                           the next batch, audited; docs/operations.md "Pacing")
 *   abort PHASE|#RUN --confirm ABORT [--reason TEXT]
 *                                           cancel the active run: its step in flight rolls back
 *   validate                                the dry run of the whole plan (exit 0 on GO, 1 on NO-GO)
 *   rollback --data keep|delete --confirm ROLLBACK
 *   preview reconcile --from MINUTE --to MINUTE
 *   run reconcile --from MINUTE --to MINUTE --confirm RECONCILE
 *                                           make data_bars equal legacy over [from, to) (UTC minutes,
 *                                           e.g. 2026-12-07T10:00Z); then an approver approves it
 *   approvals                               pending and decided requests
 *   approve ID --confirm WORD [--waive N] | reject ID --reason TEXT
 *   report [N]                              migration run N's report as one self-contained HTML file
 *                                           (default: the latest run; --json: the report's data)
 *   whoami                                  the user and roles the token acts for
 * Options: --json (machine-readable), --wait (return when the started run has finished, following
 * it over the API; --timeout-seconds, default 3600), --insecure (send the token over plain http to
 * a host that is not this machine: refused without it, lib/cli-api/console-url.ts).
 * Settings: CUTOVER_URL (the console) and CUTOVER_TOKEN (a token from the console's Tokens page).
 * What it prints of the console's answers is made printable and bounded first (lib/cli-api/terminal-text.ts).
 * Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 refused (the token too).
 *
 * Imports nothing that reaches the database (scripts/cutover.test.ts checks its module graph).
 */
import { fstatSync, ftruncateSync, readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkConsoleUrl } from '../lib/cli-api/console-url';
import {
  type ActionResult,
  CLI_API_BASE,
  type CliPhases,
  type CliRunSummary,
  type CliWhoAmI,
  EXIT,
  exitCodeOfHttpStatus,
  exitCodeOfResult,
  FINISHED_RUN_STATUSES,
  isActionResult,
} from '../lib/cli-api/protocol';
import { serverText, terminalJson, terminalText } from '../lib/cli-api/terminal-text';
import { checkSettingsAtStart, readSetting } from '../lib/settings';

checkSettingsAtStart('cutover');

// The phases, their options and confirmation words are the console's: `phases` asks it for them.
const USAGE = [
  'usage: npm run cutover -- status | phases | validate | preview N | run N | fix 2 | pause | resume | pace [--LIMIT N] | abort PHASE|#RUN | rollback --data keep|delete | run reconcile --from MINUTE --to MINUTE | approvals | approve ID | reject ID | report [N] | whoami',
  '  phases lists what each phase takes (--OPTION VALUE), as the console declares it',
  '  CUTOVER_URL must be https:// (plain http only to 127.0.0.1, ::1 or localhost) unless --insecure is given',
].join('\n');

/** The CLI's own flags; any other --NAME VALUE is an option of the phase being previewed or run. */
const CLI_FLAGS = {
  json: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
  confirm: { type: 'string' },
  reason: { type: 'string' },
  waive: { type: 'string' },
  'timeout-seconds': { type: 'string', default: '3600' },
  insecure: { type: 'boolean', default: false },
} as const;

class UsageError extends Error {}
class RefusedError extends Error {}
class FailedError extends Error {}

/**
 * Splits the phase's options (`--method regenerate`, `--data=keep`) from the CLI's own flags, so a
 * phase's new option needs no change here; the console validates them against the phase.
 */
/** The commands that pass a phase its options (and `pace`, its limits as --NAME VALUE). */
const PHASE_COMMANDS = new Set(['preview', 'run', 'rollback', 'pace']);

function splitPhaseOptions(argv: string[]): { rest: string[]; phaseOptions: Record<string, string> } {
  const rest: string[] = [];
  const phaseOptions: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[i] ?? '');
    if (!match?.[1] || match[1] in CLI_FLAGS) {
      rest.push(argv[i] ?? '');
      continue;
    }
    const value = match[2] ?? argv[i + 1];
    if (value === undefined || (match[2] === undefined && value.startsWith('--'))) {
      console.error(`--${match[1]} needs a value\n${USAGE}`);
      process.exit(EXIT.usage);
    }
    phaseOptions[match[1]] = value;
    if (match[2] === undefined) i++;
  }
  return { rest, phaseOptions };
}

function parseCommandLine() {
  const { rest, phaseOptions } = splitPhaseOptions(process.argv.slice(2));
  try {
    return { ...parseArgs({ args: rest, allowPositionals: true, options: CLI_FLAGS }), phaseOptions };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(EXIT.usage);
  }
}

const { positionals, values, phaseOptions } = parseCommandLine();

/** Everything printed of the console's answers: JSON escaped for a terminal, text made printable. */
function print(value: unknown, text: () => string): void {
  console.log(values.json ? terminalJson(value) : terminalText(text()));
}

function summarizeResult(result: ActionResult<unknown>): string {
  switch (result.status) {
    case 'ok':
      return `ok: ${serverText(JSON.stringify(result.data))}`;
    case 'refused':
      return `refused: ${serverText(result.reason)}`;
    case 'invalid':
      return `invalid: ${Object.entries(result.fieldErrors)
        .map(([k, v]) => `${k}: ${v.join(', ')}`)
        .join('; ')}`;
    case 'failed':
      return `failed: ${serverText(result.message)}`;
  }
}

/** The console and the token, or a usage error that says where to get them. */
function connection(): { baseUrl: string; token: string } {
  const url = readSetting('CUTOVER_URL');
  const token = readSetting('CUTOVER_TOKEN');
  const missing = [url ? null : 'CUTOVER_URL', token ? null : 'CUTOVER_TOKEN'].filter(Boolean);
  if (!url || !token)
    throw new UsageError(
      `Set ${missing.join(' and ')}: CUTOVER_URL is the console's address (e.g. https://cutover.example.com), ` +
        'CUTOVER_TOKEN a personal API token — sign in to the console, open its Tokens page and create one.',
    );
  // Never the token in clear over a network (https, or plain http to this machine only, unless --insecure).
  const checked = checkConsoleUrl(url, { insecure: values.insecure });
  if (!checked.ok) throw new UsageError(checked.reason);
  if (checked.warning && !warnedInsecure) {
    warnedInsecure = true;
    console.error(checked.warning);
  }
  return { baseUrl: checked.baseUrl, token };
}

let warnedInsecure = false;

/** One request to the console's CLI API. */
async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; contentType: string; text: string }> {
  const { baseUrl, token } = connection();
  const url = `${baseUrl}${CLI_API_BASE}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json, text/html',
        'user-agent': 'dxy-cutover-cli',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      redirect: 'manual',
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new FailedError(`Cannot reach the console at ${baseUrl}${cause}. Is CUTOVER_URL right?`);
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

function parseJson(answer: { status: number; text: string }): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new FailedError(
      `The console answered HTTP ${answer.status} with something that is not JSON. Is CUTOVER_URL the console's address?`,
    );
  }
}

/** Turns an answer that is not a success nor an action's result into the matching error. */
function failure(answer: { status: number; text: string }): Error {
  let message = `HTTP ${answer.status}`;
  try {
    const body = JSON.parse(answer.text) as { error?: unknown };
    if (typeof body.error === 'string') message = serverText(body.error);
  } catch {
    // not JSON: keep the status
  }
  const code = exitCodeOfHttpStatus(answer.status);
  if (code === EXIT.refused) return new RefusedError(message);
  if (code === EXIT.usage) return new UsageError(message);
  return new FailedError(message);
}

/** A read: its JSON data, or an error with the console's message. */
async function read<T>(path: string): Promise<T> {
  const answer = await call('GET', path);
  if (answer.status !== 200) throw failure(answer);
  return parseJson(answer) as T;
}

/** A change: the action's result (whatever its status), or an error when the request was not an action's. */
async function change(path: string, body: Record<string, unknown>): Promise<ActionResult<unknown>> {
  const answer = await call('POST', path, body);
  if (answer.contentType.includes('json')) {
    const parsed = parseJson(answer);
    if (isActionResult(parsed)) return parsed;
  }
  throw failure(answer);
}

function timeoutSeconds(): number {
  const raw = values['timeout-seconds'];
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError('--timeout-seconds must be a whole number ≥ 1');
  return Number(raw);
}

async function waitForRun(runId: number): Promise<CliRunSummary> {
  const seconds = timeoutSeconds();
  const deadline = Date.now() + seconds * 1000;
  let lastProgress = '';
  while (Date.now() < deadline) {
    const run = await read<CliRunSummary>(`/runs/${runId}`);
    if (FINISHED_RUN_STATUSES.includes(run.status)) return run;
    const percent = run.progress?.percent;
    const progress = typeof percent === 'number' ? ` ${percent.toFixed(1)}%` : '';
    const line = `run #${run.runId} ${run.status}${progress}`;
    if (!values.json && line !== lastProgress) console.error(serverText(line));
    lastProgress = line;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new FailedError(`Run #${runId} did not finish within ${seconds} s (it goes on in the console).`);
}

async function startAndMaybeWait(input: Record<string, unknown>): Promise<number> {
  if (values.wait) timeoutSeconds();
  const result = await change('/runs', input);
  const data = result.status === 'ok' ? (result.data as { runId: number; awaitingApproval?: boolean }) : null;
  if (!data || !values.wait || data.awaitingApproval) {
    print(result, () => summarizeResult(result));
    return exitCodeOfResult(result);
  }
  const run = await waitForRun(data.runId);
  print(run, () =>
    [
      `run #${run.runId} (phase ${run.phase}) ${run.status}${run.error ? `: ${run.error}` : ''}`,
      ...(run.verification?.checks ?? []).map((c) => `  ${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
    ].join('\n'),
  );
  return run.status === 'succeeded' ? EXIT.ok : EXIT.failed;
}

async function confirmRollback(): Promise<string | undefined> {
  return confirmWord('ROLLBACK');
}

/** The typed confirmation: --confirm, else asked on a terminal (never read from a pipe). */
async function confirmWord(word: string): Promise<string | undefined> {
  if (values.confirm || !process.stdin.isTTY) return values.confirm;
  process.stderr.write(`Type ${word} to confirm: `);
  for await (const chunk of process.stdin) return String(chunk).trim();
  return undefined;
}

/**
 * `abort 4` / `abort 2-fix` / `abort rollback`: the phase whose active run to abort (a bare number up
 * to 9 is a phase). `abort 42`, `abort #7` or `abort run:7`: the run with that id. The console
 * refuses, naming the active run, when the phase given is not the active run's.
 */
function abortTarget(argument: string | undefined): { runId: string } | { phase: string } {
  if (!argument) throw new UsageError('abort needs the run number or the phase: npm run cutover -- abort 4');
  const run = /^(?:#|run:)?(\d{1,15})$/.exec(argument);
  if (run?.[1] && (argument !== run[1] || Number(run[1]) > 9)) return { runId: run[1] };
  return { phase: argument };
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

interface StatusJson {
  now: string;
  clock: { kind: string; speed: number };
  workers: { mode?: string | null; kind: string };
  counts: { dataBars1m: number; derivedActive1m: number; derivedSoftDeleted1m: number } | null;
  missingTables: string[];
  runbook: {
    steps: {
      id: string;
      number: number | null;
      title: string;
      state: string;
      latest?: { requestedBy?: string } | null;
    }[];
    activeRun: { id: number; phase: string; status: string } | null;
    nextStep: { label: string } | null;
  };
}

interface AccountOriginJson {
  created: { by: string | null; via: string; at: string } | null;
}

interface ApprovalJson {
  id: number;
  status: string;
  kind: string;
  requestedBy: string;
  summary: string;
  /** Who created the requester's account and when (separation of duties: docs/operations.md). */
  requesterOrigin?: AccountOriginJson | null;
}

function createdLine(origin: AccountOriginJson | null | undefined): string {
  const created = origin?.created;
  if (!created) return 'creation not recorded';
  return `created ${created.by ? `by ${created.by} (${created.via})` : '(by whom not recorded)'} at ${created.at}`;
}

interface ValidationJson {
  validationId: number;
  verdict: 'go' | 'no-go';
  finishedAt: string;
  items: { status: 'go' | 'no-go' | 'finding'; name: string; reason: string }[];
}

interface PreviewJson {
  title: string;
  preconditions: { passed: boolean; name: string; detail: string }[];
  preview: {
    summary: string[];
    sql: string[];
    statements?: { stage: string; stageTitle?: string; text: string; parameters: string[] }[];
    pointOfNoReturn?: string;
  };
  fix: unknown;
}

/** Each statement the phase will run, with its stage and what each $n is (the preview's own list). */
function previewStatementLines(preview: PreviewJson['preview']): string[] {
  const statements =
    preview.statements ?? preview.sql.map((text) => ({ stage: '', stageTitle: undefined, text, parameters: [] }));
  return statements.flatMap((s, i) => [
    `\n${i + 1}.${s.stage ? ` ${s.stageTitle ?? s.stage}` : ''}`,
    s.text,
    ...s.parameters.map((p, n) => `  $${n + 1} = ${p}`),
  ]);
}

/** `--batch-rows 5000 --pace-ms 200` → {batchRows: 5000, paceMs: 200}; `--batch-rows default` → null. The console checks the ranges. */
function pacingChange(options: Record<string, string>): Record<string, number | null> {
  const change: Record<string, number | null> = {};
  for (const [name, raw] of Object.entries(options)) {
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (name === 'batch-rows' && raw === 'default') change[key] = null;
    else if (/^\d+$/.test(raw)) change[key] = Number(raw);
    else throw new UsageError(`--${name} needs a whole number${name === 'batch-rows' ? ' or "default"' : ''}`);
  }
  return change;
}

function encode(segment: string): string {
  return encodeURIComponent(segment);
}

async function main(): Promise<number> {
  const [command, argument] = positionals;
  if (!command) throw new UsageError(USAGE);
  const unexpected = Object.keys(phaseOptions).filter(() => !PHASE_COMMANDS.has(command));
  if (unexpected.length > 0) throw new UsageError(`${command} takes no --${unexpected.join(', --')}\n${USAGE}`);
  connection();
  switch (command) {
    case 'whoami': {
      const me = await read<CliWhoAmI>('/whoami');
      print(
        me,
        () =>
          `${me.username} (${me.roles.join(', ')}) with token "${me.token.name}" (${me.token.prefix}…), expires ${me.token.expiresAt}`,
      );
      return EXIT.ok;
    }
    case 'phases': {
      const phases = await read<CliPhases>('/phases');
      print(phases, () => phases.usage.join('\n'));
      return EXIT.ok;
    }
    case 'status': {
      const status = await read<StatusJson>('/status');
      print(status, () =>
        [
          `clock ${status.now} (${status.clock.kind}, ${status.clock.speed}×), workers ${status.workers.mode ?? status.workers.kind}`,
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
      if (!argument) throw new UsageError('preview needs a phase: 1–7, 9, 2-fix, reconcile or rollback');
      const query = new URLSearchParams(phaseOptions);
      const suffix = query.size > 0 ? `?${query}` : '';
      const detail = await read<PreviewJson>(`/phases/${encode(argument)}/preview${suffix}`);
      const { title, ...shown } = detail;
      print(shown, () =>
        [
          title,
          ...detail.preconditions.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
          ...detail.preview.summary.map((line, i) => `${i + 1}. ${line}`),
          ...(detail.preview.pointOfNoReturn ? [`Point of no return: ${detail.preview.pointOfNoReturn}`] : []),
          ...previewStatementLines(detail.preview),
        ].join('\n'),
      );
      return EXIT.ok;
    }
    case 'run':
      if (!argument) throw new UsageError('run needs a phase number');
      return await startAndMaybeWait({ ...phaseOptions, phase: argument, confirm: values.confirm });
    case 'fix':
      if (argument !== '2') throw new UsageError('only phase 2 has a fix: npm run cutover -- fix 2');
      return await startAndMaybeWait({ phase: '2-fix' });
    case 'rollback':
      return await startAndMaybeWait({ ...phaseOptions, phase: 'rollback', confirm: await confirmRollback() });
    case 'pause':
    case 'resume': {
      const result = await change(`/${command}`, {});
      print(result, () => summarizeResult(result));
      return exitCodeOfResult(result);
    }
    case 'pace': {
      // No limit named: show them (and why the active run waits); otherwise change those named.
      if (Object.keys(phaseOptions).length === 0) {
        const pacing = await read<{
          limits: Record<string, unknown>;
          activeRun: { id: number; waiting: string | null } | null;
        }>('/pacing');
        print(pacing, () =>
          [
            ...Object.entries(pacing.limits).map(([name, value]) => `  ${name.padEnd(18)} ${value ?? 'default'}`),
            pacing.activeRun
              ? `active run #${pacing.activeRun.id}: ${pacing.activeRun.waiting ?? 'not waiting on the pacing'}`
              : 'no active run',
          ].join('\n'),
        );
        return EXIT.ok;
      }
      const result = await change('/pacing', pacingChange(phaseOptions));
      print(result, () => summarizeResult(result));
      return exitCodeOfResult(result);
    }
    case 'abort': {
      // An operator's cancel of the active run: the step in flight rolls back, the checkpoint stays.
      const result = await change('/abort', {
        ...abortTarget(argument),
        confirm: await confirmWord('ABORT'),
        ...(values.reason ? { reason: values.reason } : {}),
      });
      print(result, () => summarizeResult(result));
      return exitCodeOfResult(result);
    }
    case 'validate': {
      // Every item with its verdict; GO exits 0, NO-GO 1 (the console stored the result for phase 1's gate).
      const result = await change('/validate', {});
      if (result.status !== 'ok') {
        print(result, () => summarizeResult(result));
        return exitCodeOfResult(result);
      }
      const data = result.data as ValidationJson;
      print(data, () =>
        [
          `validation #${data.validationId}: ${data.verdict === 'go' ? 'GO' : 'NO-GO'} (${data.finishedAt})`,
          ...data.items.map(
            (i) =>
              `  ${(i.status === 'no-go' ? 'NO-GO' : i.status === 'go' ? 'GO' : 'FINDING').padEnd(7)} ${i.name}: ${i.reason}`,
          ),
        ].join('\n'),
      );
      return data.verdict === 'go' ? EXIT.ok : EXIT.failed;
    }
    case 'approvals': {
      const approvals = await read<ApprovalJson[]>('/approvals');
      print(
        approvals,
        () =>
          approvals
            .map(
              (a) =>
                `#${a.id} ${a.status.padEnd(8)} ${a.kind.padEnd(16)} by ${a.requestedBy}: ${a.summary}\n` +
                `    requester's account ${createdLine(a.requesterOrigin)}`,
            )
            .join('\n') || 'no requests',
      );
      return EXIT.ok;
    }
    case 'approve':
    case 'reject': {
      if (!argument) throw new UsageError(`${command} needs a request number: npm run cutover -- approvals`);
      const body =
        command === 'approve'
          ? { confirm: values.confirm ?? '', ...(values.waive !== undefined ? { waiveCount: values.waive } : {}) }
          : { reason: values.reason ?? '' };
      const result = await change(`/approvals/${encode(argument)}/${command}`, body);
      print(result, () => summarizeResult(result));
      return exitCodeOfResult(result);
    }
    case 'report': {
      let id = argument;
      if (id === undefined) {
        const runs = await read<{ id: number }[]>('/reports');
        if (!runs[0]) throw new UsageError('report needs a migration run number: none yet');
        id = String(runs[0].id);
      }
      const answer = await call('GET', `/reports/${encode(id)}${values.json ? '' : '/html'}`);
      if (answer.status !== 200) throw failure(answer);
      // To a file, the report as served; to a terminal, made printable (it is the server's text).
      const served = values.json ? `${JSON.stringify(parseJson(answer), null, 1)}\n` : answer.text;
      const output = process.stdout.isTTY ? terminalText(served) : served;
      // The report is the page's own HTML document (docs/operations.md "The migration report"): said on
      // stderr, so that what reaches a file stays the document.
      if (process.stdout.isTTY && !values.json) {
        console.error(
          `The report is an HTML document: npm run cutover -- report ${id} > report.html, then open or print it.`,
        );
      }
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
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (values.json)
      console.log(terminalJson({ status: error instanceof RefusedError ? 'refused' : 'error', message }));
    else console.error(terminalText(message));
    process.exit(error instanceof UsageError ? EXIT.usage : error instanceof RefusedError ? EXIT.refused : EXIT.failed);
  },
);
