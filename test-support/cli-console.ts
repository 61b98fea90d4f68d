/**
 * For the CLI's tests: the console's side (the CLI API over real HTTP on a test database, and
 * optionally the runner that executes what the CLI starts) and the CLI's side (the real
 * `scripts/cutover.ts` process, with an environment that holds no database credentials at all).
 */

import { renderRunReportHtml } from '../components/report-html';
import { executeAction } from '../lib/auth/action';
import { createApiToken } from '../lib/auth/api-tokens';
import type { Role } from '../lib/auth/roles';
import { createUser } from '../lib/auth/users';
import { handleCliApiRequest } from '../lib/cli-api/handle-request';
import { type NodeHttpServer, serveOverNodeHttp } from '../lib/cli-api/serve-node-http';
import type { Database } from '../lib/db/connection';
import { rehearsalSpeedFromEnv } from '../lib/market/clock';
import { runbookConfigFromEnv } from '../lib/runbook/engine/config';
import type { RunnerHandle } from '../lib/runbook/engine/runner';
import { startRunbookRunner } from '../lib/runbook/runbook-runner';
import { runScript, type ScriptResult } from './run-script';

export interface CliConsole {
  url: string;
  /** A user with these roles (password `<username>-password`) and a personal API token of theirs. */
  userWithToken(username: string, roles: Role[], options?: { name?: string; days?: number }): Promise<string>;
  /** A token of an existing user, created with their password (default `<username>-password`). */
  tokenOf(
    user: { id: number; username: string; roles: Role[] },
    options?: { name?: string; days?: number; password?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

/** The console's side: the CLI API on 127.0.0.1 and, with `runner`, a runner beside it (as `npm start` has). */
export async function startCliConsole(database: Database, options: { runner?: boolean } = {}): Promise<CliConsole> {
  const server: NodeHttpServer = await serveOverNodeHttp((request) =>
    handleCliApiRequest(request, { database, renderReportHtml: renderRunReportHtml }),
  );
  const runner: RunnerHandle | null = options.runner
    ? startRunbookRunner(database, {
        speed: rehearsalSpeedFromEnv(),
        intervalMs: 250,
        config: { ...runbookConfigFromEnv(), dumpDirectory: null },
        log: () => {},
      })
    : null;
  const tokenOf: CliConsole['tokenOf'] = async (user, tokenOptions = {}) => {
    const result = await executeAction(createApiToken, {
      database,
      user: { ...user, sessionId: `test-${user.username}` },
      rawInput: {
        name: tokenOptions.name ?? `${user.username} cli`,
        expiresInDays: tokenOptions.days ?? 1,
        password: tokenOptions.password ?? `${user.username}-password`,
      },
    });
    if (result.status !== 'ok') throw new Error(`token for ${user.username}: ${JSON.stringify(result)}`);
    return result.data.token;
  };
  return {
    url: server.url,
    tokenOf,
    async userWithToken(username, roles, tokenOptions) {
      const created = await createUser(database.db, { username, password: `${username}-password`, roles });
      return tokenOf({ id: created.id, username, roles }, tokenOptions);
    },
    async close() {
      await runner?.stop();
      await server.close();
    },
  };
}

/** Variables that would let a process reach a database: none of them reaches the CLI. */
const DATABASE_VARIABLES = /^(DATABASE_URL|TEST_DATABASE_URL|PG[A-Z_]*|CUTOVER_USER|CUTOVER_PASSWORD)$/;

/** The test process's environment without any database credentials, plus the CLI's settings. */
export function cliEnvironment(settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !DATABASE_VARIABLES.test(name)) env[name] = value;
  }
  return { ...env, ...settings };
}

/** Runs `scripts/cutover.ts` the way a person does, with exactly `env` (see cliEnvironment). */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<ScriptResult> {
  return runScript('scripts/cutover.ts', args, { env, stdin, inheritEnvironment: false });
}
