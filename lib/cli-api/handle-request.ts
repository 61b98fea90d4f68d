/**
 * The command line's HTTP API (lib/cli-api/protocol.ts lists the routes). Authenticated only by
 * `Authorization: Bearer <personal API token>` — never by the session cookie, so a browser can
 * be made to send nothing here on anyone's behalf (no CSRF). Every change goes through the same
 * action specs and wrapper as the console's pages, so validation, roles and the audit log are the
 * same; the audit rows say which token the request came with.
 *
 * Plain functions of a web Request and the database: the Next.js route (app/api/cli/[...path])
 * and the tests (over node:http: lib/cli-api/serve-node-http.ts, test-support/cli-console.ts)
 * serve the very same code.
 */
import type { z } from 'zod';
import { type ActionSpec, executeAction } from '../auth/action';
import { type TokenUser, viaToken } from '../auth/api-tokens';
import { redactCredentialsInText } from '../auth/audit';
import { checkBearerToken } from '../auth/bearer-token-check';
import { clientAddressFromHeaders } from '../auth/client-address-header';
import type { Database } from '../db/connection';
import { type ReadLimiter, withViewerRead } from '../db/read-limit';
import { viewerReadRefusal } from '../db/read-refusal';
import { abortPhaseRun } from '../runbook/actions/abort-phase-run';
import { approveRequest, rejectRequest } from '../runbook/actions/decide-approval';
import { pausePhaseRun, resumePhaseRun } from '../runbook/actions/pause-resume';
import { setPacing } from '../runbook/actions/set-pacing';
import { startPhaseRun } from '../runbook/actions/start-phase-run';
import { validatePlan } from '../runbook/actions/validate';
import { readPacingState } from '../runbook/engine/pacing/pace-next-batch';
import { readPacingLimits } from '../runbook/engine/pacing/pacing-limits';
import { phaseUsageLines } from '../runbook/engine/phase-usage-lines';
import { getActivePhaseRun, getPhaseRun } from '../runbook/engine/run-state';
import { findPhase, isPhaseId, PHASE_CATALOG, PHASES } from '../runbook/phases';
import { listApprovals } from '../runbook/read/list-approvals';
import { readConsoleStatus } from '../runbook/read/read-console-status';
import { readPhaseDetail } from '../runbook/read/read-phase-detail';
import { listReportableRuns, type RunReport, readRunReport } from '../runbook/read/report/read-run-report';
import { canSeeWorkerOutput, hideWorkerOutput } from '../runbook/worker-control/hide-worker-output';
import { CLI_API_BASE, type CliPhases, type CliRunSummary, type CliWhoAmI, httpStatusOfResult } from './protocol';

export interface CliApiContext {
  /** Actions and everything a change reads. */
  database: Database;
  /**
   * What the read routes (every GET) read: the console passes its small read pool. Default: `database`.
   * They run behind the viewer read limit (lib/db/read-limit.ts): refused with 503 when it is full.
   */
  readDatabase?: Database;
  /** The viewer read limit; default: the process's (getViewerReadLimiter). */
  readLimiter?: ReadLimiter;
  /** The report as one self-contained HTML file (components/report-html.tsx, handed in by the app: lib renders no React). */
  renderReportHtml: (report: RunReport) => string | Promise<string>;
  /** The client's address; default: the front server's stamp (lib/auth/client-address-header.ts). Tests name one. */
  clientAddress?: (request: Request) => string;
}

/** A request body is a small JSON object; nothing the CLI sends comes near this. */
const MAX_BODY_BYTES = 64 * 1024;

const NO_STORE = { 'cache-control': 'no-store' };

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: NO_STORE });
}

function error(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: message }, { status, headers: { ...NO_STORE, ...headers } });
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

async function act<S extends z.ZodType, T>(
  spec: ActionSpec<S, T>,
  on: { database: Database; user: TokenUser; address: string },
  rawInput: unknown,
): Promise<Response> {
  const { database, user } = on;
  const result = await executeAction(spec, { database, user, rawInput, via: viaToken(user), address: on.address });
  return json(result, httpStatusOfResult(result));
}

function reportRunsText(runs: { id: number; status: string }[]): string {
  return runs.map((r) => `#${r.id} (${r.status})`).join(', ') || 'none yet';
}

type Route = (params: {
  request: Request;
  url: URL;
  segments: string[];
  user: TokenUser;
  /** The client's address: refusals of the actions are rate-limited per address. */
  address: string;
  database: Database;
  readDatabase: Database;
  renderReportHtml: (report: RunReport) => string | Promise<string>;
}) => Promise<Response>;

const GET_ROUTES: [RegExp, Route][] = [
  [
    /^whoami$/,
    async ({ user }) =>
      json({
        username: user.username,
        roles: user.roles,
        token: { name: user.token.name, prefix: user.token.prefix, expiresAt: user.token.expiresAt.toISOString() },
      } satisfies CliWhoAmI),
  ],
  [/^phases$/, async () => json({ usage: phaseUsageLines(PHASE_CATALOG) } satisfies CliPhases)],
  [/^status$/, async ({ readDatabase }) => json(await readConsoleStatus(readDatabase))],
  [
    /^phases\/[^/]+\/preview$/,
    async ({ url, segments, user, readDatabase }) => {
      const phase = segments[1] ?? '';
      if (!isPhaseId(phase)) throw new HttpError(404, `Unknown phase "${phase}"`);
      // The phase's own options (phase 4's method, the rollback's data), as its registry entry declares them.
      const declared = new Set(findPhase(phase).options.map((o) => o.name));
      const options: Record<string, string> = {};
      for (const [key, value] of url.searchParams) {
        if (!declared.has(key)) throw new HttpError(400, `${PHASES.label(phase)} takes no option "${key}"`);
        options[key] = value;
      }
      const detail = await readPhaseDetail(readDatabase, {
        phaseId: phase,
        options,
        showWorkerOutput: canSeeWorkerOutput(user.roles),
      });
      // A phase with an action (phase 2's "Apply fix") also shows what the action would run now (part of the detail).
      const fix = detail.actions[0]?.preview ?? null;
      const body = { title: detail.title, preconditions: detail.preconditions, preview: detail.preview, fix };
      return json(canSeeWorkerOutput(user.roles) ? body : hideWorkerOutput(body));
    },
  ],
  [
    /^runs\/[^/]+$/,
    async ({ segments, user, readDatabase }) => {
      const id = segments[1] ?? '';
      if (!/^\d{1,15}$/.test(id)) throw new HttpError(400, `"${id}" is not a phase run number.`);
      const run = await getPhaseRun(readDatabase.sql, { id: Number(id) });
      if (!run) throw new HttpError(404, `There is no phase run #${id}.`);
      const summary: CliRunSummary = {
        runId: run.id,
        phase: run.phase,
        status: run.status,
        error: run.error,
        verification: run.verification,
        progress: run.progress,
      };
      return json(canSeeWorkerOutput(user.roles) ? summary : hideWorkerOutput(summary));
    },
  ],
  [/^approvals$/, async ({ readDatabase }) => json(await listApprovals(readDatabase.sql))],
  // The live pacing limits, and why the active run waits if it does (docs/operations.md "Pacing").
  [
    /^pacing$/,
    async ({ readDatabase }) => {
      const limits = await readPacingLimits(readDatabase.sql);
      const active = await getActivePhaseRun(readDatabase.sql);
      const state = active ? await readPacingState(readDatabase.sql, { runId: active.id }) : null;
      return json({
        limits,
        activeRun: active
          ? { id: active.id, phase: active.phase, status: active.status, waiting: state?.waitingReason ?? null }
          : null,
      });
    },
  ],
  [/^reports$/, async ({ readDatabase }) => json(await listReportableRuns(readDatabase))],
  [
    /^reports\/[^/]+(\/html)?$/,
    async ({ segments, readDatabase, renderReportHtml }) => {
      const id = segments[1] ?? '';
      const runs = await listReportableRuns(readDatabase);
      if (!/^\d{1,15}$/.test(id))
        throw new HttpError(400, `A report needs a migration run number; runs: ${reportRunsText(runs)}`);
      const report = await readRunReport(readDatabase, { migrationRunId: Number(id) });
      if (!report) throw new HttpError(404, `There is no migration run #${id}; runs: ${reportRunsText(runs)}`);
      if (segments[2] !== 'html') return json(report);
      return new Response(await renderReportHtml(report), {
        headers: { ...NO_STORE, 'content-type': 'text/html; charset=utf-8' },
      });
    },
  ],
];

const POST_ROUTES: [RegExp, Route][] = [
  [
    /^runs$/,
    async ({ request, user, database, address }) => {
      const body = await readJsonObject(request);
      return act(startPhaseRun, { database, user, address }, body);
    },
  ],
  [/^pause$/, async ({ user, database, address }) => act(pausePhaseRun, { database, user, address }, {})],
  [/^resume$/, async ({ user, database, address }) => act(resumePhaseRun, { database, user, address }, {})],
  [
    /^pacing$/,
    async ({ request, user, database, address }) =>
      act(setPacing, { database, user, address }, await readJsonObject(request)),
  ],
  [
    // Abort (docs/phases.md "Abort"): the body names the run (runId) or its phase, with the typed confirmation.
    /^abort$/,
    async ({ request, user, database, address }) =>
      act(abortPhaseRun, { database, user, address }, await readJsonObject(request)),
  ],
  // The dry run of the whole plan (docs/phases.md "Validate — before the night"): its items in the action's result.
  [/^validate$/, async ({ user, database, address }) => act(validatePlan, { database, user, address }, {})],
  [
    /^approvals\/[^/]+\/approve$/,
    async ({ request, segments, user, database, address }) => {
      const body = await readJsonObject(request);
      return act(approveRequest, { database, user, address }, { ...body, approvalId: segments[1] });
    },
  ],
  [
    /^approvals\/[^/]+\/reject$/,
    async ({ request, segments, user, database, address }) => {
      const body = await readJsonObject(request);
      return act(rejectRequest, { database, user, address }, { ...body, approvalId: segments[1] });
    },
  ],
];

/** Answers one request to /api/cli/…; anything else under that prefix is 404 (or 405 for a wrong method). */
export async function handleCliApiRequest(request: Request, context: CliApiContext): Promise<Response> {
  const { database } = context;
  const readDatabase = context.readDatabase ?? database;
  const url = new URL(request.url);
  if (url.pathname !== CLI_API_BASE && !url.pathname.startsWith(`${CLI_API_BASE}/`))
    return error(404, 'Not a command-line API path.');
  const path = url.pathname.slice(CLI_API_BASE.length).replace(/^\/+|\/+$/g, '');
  let segments: string[];
  try {
    segments = path.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return error(400, 'The path is not valid.');
  }
  const routes = request.method === 'GET' ? GET_ROUTES : request.method === 'POST' ? POST_ROUTES : [];
  const route = routes.find(([pattern]) => pattern.test(path))?.[1];
  if (!route) {
    const other = request.method === 'GET' ? POST_ROUTES : GET_ROUTES;
    if (other.some(([pattern]) => pattern.test(path)) || (request.method !== 'GET' && request.method !== 'POST'))
      return error(405, `${request.method} is not allowed on ${url.pathname}.`);
    return error(404, `No such command-line API path: ${url.pathname}`);
  }

  const token = bearerToken(request);
  if (!token)
    return error(
      401,
      'Send a personal API token as "Authorization: Bearer <token>" (create one on the console’s Tokens page).',
      { 'www-authenticate': 'Bearer realm="dxy-cutover"' },
    );
  // Failed tokens are throttled per address and audited in aggregate (lib/auth/bearer-token-check.ts).
  const address = context.clientAddress?.(request) ?? clientAddressFromHeaders(request.headers);
  const check = await checkBearerToken(database, { token, address });
  if (check.status === 'throttled')
    return error(check.httpStatus, check.message, { 'retry-after': String(check.retryAfterSeconds) });
  if (check.status !== 'ok')
    return error(check.httpStatus, check.message, {
      'www-authenticate': 'Bearer realm="dxy-cutover", error="invalid_token"',
    });

  try {
    const answer = (reader: Database) =>
      route({
        request,
        url,
        segments,
        user: check.user,
        address,
        database,
        readDatabase: reader,
        renderReportHtml: context.renderReportHtml,
      });
    // A read (every GET) is a viewer's: on the read pool, behind the viewer read limit; changes keep the actions' pool.
    return request.method === 'GET'
      ? await withViewerRead(answer, { database: readDatabase, limiter: context.readLimiter })
      : await answer(readDatabase);
  } catch (caught) {
    if (caught instanceof HttpError) return error(caught.status, caught.message);
    const refusal = viewerReadRefusal(caught);
    if (refusal !== null) return error(503, refusal, { 'retry-after': '5' });
    const message = caught instanceof Error ? caught.message : String(caught);
    console.error(`[cli-api] ${request.method} ${url.pathname} failed: ${redactCredentialsInText(message)}`);
    return error(500, 'The request failed unexpectedly; the console’s log has the details.');
  }
}
