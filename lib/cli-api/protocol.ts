/**
 * The command line's HTTP API, as both sides see it: the paths under /api/cli, the shapes they
 * answer, and how an answer maps to the CLI's exit codes. Pure on purpose — the CLI imports this
 * and nothing that reaches the database (scripts/cutover.test.ts walks its imports to prove it),
 * so only type imports of the server's modules are allowed here.
 *
 *   GET  /api/cli/whoami                        who the token acts for
 *   GET  /api/cli/status                        the overview (phases, active run, counts)
 *   GET  /api/cli/phases/:phase/preview         title, preconditions and preview (?data=keep|delete&method=copy|regenerate)
 *   POST /api/cli/runs                          start a phase run: {phase, method?, data?, confirm?} → ActionResult
 *   GET  /api/cli/runs/:id                      one phase run (what `--wait` polls)
 *   POST /api/cli/pause | /api/cli/resume       the copy (phase 4) → ActionResult
 *   GET  /api/cli/pacing                        the live pacing limits, and why the active run waits
 *   POST /api/cli/pacing                        {batchRows?, paceMs?, maxLockWaitMs?, …} → ActionResult
 *   GET  /api/cli/approvals                     pending and decided requests
 *   POST /api/cli/approvals/:id/approve         {confirm, waiveCount?} → ActionResult
 *   POST /api/cli/approvals/:id/reject          {reason} → ActionResult
 *   GET  /api/cli/reports                       the migration runs a report can be made of, newest first
 *   GET  /api/cli/reports/:id                   a migration run's report (JSON)
 *   GET  /api/cli/reports/:id/html              the same as one self-contained HTML file
 *
 * Every request carries `Authorization: Bearer <personal API token>`; cookies are ignored.
 */
import type { ActionResult } from '../auth/action';
import type { Verification } from '../runbook/engine/verification';

export type { ActionResult };

export const CLI_API_BASE = '/api/cli';

/** The CLI's exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

/** Statuses after which a phase run does no more work. */
export const FINISHED_RUN_STATUSES: readonly string[] = ['succeeded', 'failed', 'rejected', 'aborted'];

/** What GET /api/cli/runs/:id answers. */
export interface CliRunSummary {
  runId: number;
  phase: string;
  status: string;
  error: string | null;
  verification: Verification | null;
  progress: Record<string, unknown>;
}

/** Who a token acts for (GET /api/cli/whoami). */
/** The phases the console runs, with their options and confirmation words, for the CLI's `phases`. */
export interface CliPhases {
  usage: string[];
}

export interface CliWhoAmI {
  username: string;
  roles: string[];
  token: { name: string; prefix: string; expiresAt: string };
}

const ACTION_STATUSES = ['ok', 'invalid', 'refused', 'failed'];

export function isActionResult(value: unknown): value is ActionResult<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    ACTION_STATUSES.includes((value as { status?: unknown }).status as string)
  );
}

/** The HTTP status an action's result is sent with. */
export function httpStatusOfResult(result: ActionResult<unknown>): number {
  switch (result.status) {
    case 'ok':
      return 200;
    case 'invalid':
      return 400;
    case 'refused':
      return 403;
    case 'failed':
      return 500;
  }
}

export function exitCodeOfResult(result: ActionResult<unknown>): number {
  if (result.status === 'ok') return EXIT.ok;
  if (result.status === 'refused') return EXIT.refused;
  if (result.status === 'invalid') return EXIT.usage;
  return EXIT.failed;
}

/** The exit code of an HTTP answer that is not an action's result. */
export function exitCodeOfHttpStatus(status: number): number {
  if (status >= 200 && status < 300) return EXIT.ok;
  if (status === 401 || status === 403) return EXIT.refused;
  if (status === 400 || status === 404 || status === 405 || status === 413 || status === 422) return EXIT.usage;
  return EXIT.failed;
}
