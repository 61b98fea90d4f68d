/**
 * Every page and route × every role, over HTTP against the running console (issue 5): signed-in
 * users of any role may read every page and API route (what they may *do* is decided by the
 * server actions, covered by lib/auth/authorization-matrix.test.ts); anonymous requests get 401
 * from the API and a redirect to /login from pages; /api/health is public; /api/metrics also
 * takes the metrics bearer token, and only the right one. Every response carries the security
 * headers, its CSP a script nonce of its own (proxy.ts); an anonymous API request gets the
 * "session expired" body the live pages recognise.
 */
import { executeAction } from '../lib/auth/action';
import { createApiToken } from '../lib/auth/api-tokens';
import { PHASE_CATALOG } from '../lib/runbook/phases';
import type { AccessRow } from './access-row';
import { checkHttpsHeaders } from './https-headers';
import type { ScratchConsole } from './scratch-console';

export const PAGE_PATHS = [
  '/',
  '/audit',
  '/monitor',
  '/compare',
  '/rollback',
  '/approvals',
  '/tokens',
  // Everyone signed in may open both: a non-admin is told that only admins manage users.
  '/users',
  '/account/password',
  // Every phase page the registry declares (phase 8's is /monitor, the rollback's /rollback, above).
  ...PHASE_CATALOG.routes().filter((route) => route.startsWith('/phases/')),
];
export const API_PATHS = [
  '/api/status',
  '/api/monitor',
  '/api/metrics',
  ...['1', '4', '9'].map((p) => `/api/phases/${p}`),
];
/** Every response carries them (next.config.js, proxy.ts), whoever asks and whatever the status. */
const SECURITY_HEADER_NAMES = [
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
  'permissions-policy',
  'content-security-policy',
];

function nonceOf(response: Response): string | null {
  return /script-src [^;]*'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1] ?? null;
}

/** What an API route answers without a valid session (lib/auth/session-expired.ts). */
function isSessionExpiredBody(response: Response, text: string): boolean {
  if (!response.headers.get('content-type')?.includes('application/json')) return false;
  const body = JSON.parse(text) as { error?: unknown; sessionExpired?: unknown };
  return body.sessionExpired === true && typeof body.error === 'string';
}

export const SIGNED_IN_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;

function outcome(response: Response): string {
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location') ?? '';
    return location.includes('/login') ? 'redirect to /login' : `redirect to ${location}`;
  }
  return response.status === 200 ? 'allowed' : `HTTP ${response.status}`;
}

export async function checkRouteAccess(target: ScratchConsole, metricsToken: string): Promise<AccessRow[]> {
  const rows: AccessRow[] = [];
  const nonces = new Set<string>();
  let responses = 0;
  const probe = async (path: string, who: string, expected: string, headers: Record<string, string>) => {
    const response = await fetch(`${target.baseUrl}${path}`, { headers, redirect: 'manual' });
    const text = await response.text();
    const missing = SECURITY_HEADER_NAMES.filter((name) => !response.headers.get(name));
    const nonce = nonceOf(response);
    if (!nonce) missing.push('a script nonce in its CSP');
    // Over plain http (the scratch console) HSTS would be wrong: it is only for CUTOVER_PUBLIC_URL https://.
    if (response.headers.get('strict-transport-security')) missing.push('HSTS absent over http');
    if (path.startsWith('/api/') && response.status === 401 && !isSessionExpiredBody(response, text))
      missing.push('the session-expired body');
    responses++;
    if (nonce) nonces.add(nonce);
    rows.push({
      path,
      who,
      expected,
      got: missing.length > 0 ? `${outcome(response)} without ${missing.join(', ')}` : outcome(response),
    });
  };
  await probe('/api/health', 'anonymous', 'allowed', {});
  await probe('/login', 'anonymous', 'allowed', {});
  // An invitation page needs no session (the link's token is the authority); a made-up one says so.
  await probe('/invite/not-a-real-invitation', 'anonymous', 'allowed', {});
  for (const path of PAGE_PATHS) await probe(path, 'anonymous', 'redirect to /login', {});
  for (const path of API_PATHS) await probe(path, 'anonymous', 'HTTP 401', {});
  await probe('/api/metrics', 'metrics token', 'allowed', { authorization: `Bearer ${metricsToken}` });
  await probe('/api/metrics', 'wrong token', 'HTTP 401', { authorization: `Bearer ${metricsToken}x` });
  for (const role of SIGNED_IN_ROLES) {
    const { cookie } = await target.signIn(role);
    for (const path of [...PAGE_PATHS, ...API_PATHS]) await probe(path, role, 'allowed', { cookie });
  }
  rows.push(...(await checkCliApiAccess(target)));
  // A nonce used twice could be replayed by an injected script: every response has its own.
  rows.push({
    path: '(every response)',
    who: 'anyone',
    expected: `${responses} different CSP nonces`,
    got: `${nonces.size} different CSP nonces`,
  });
  // The same build reached over https (a second server, started with CUTOVER_PUBLIC_URL=https://…): HSTS too.
  rows.push(...(await checkHttpsHeaders()));
  return rows;
}

/**
 * The command line's API (lib/cli-api): a personal API token of any role may read it; nobody gets
 * in without one — not even with a signed-in session's cookie (so no page can be made to call it).
 */
async function checkCliApiAccess(target: ScratchConsole): Promise<AccessRow[]> {
  const rows: AccessRow[] = [];
  const { user, cookie } = await target.signIn('viewer');
  const created = await executeAction(createApiToken, {
    database: target.database,
    user,
    // The viewer's password again (lib/auth/api-tokens.ts); scratch-console's users have `<name>-rehearsal`.
    rawInput: { name: 'route-access', expiresInDays: 1, password: 'viewer-rehearsal' },
  });
  if (created.status !== 'ok') throw new Error(`no API token for the route check: ${JSON.stringify(created)}`);
  const bearer = `Bearer ${created.data.token}`;
  const cases: [string, string, Record<string, string>][] = [
    ['anonymous', 'HTTP 401', {}],
    ['viewer session cookie', 'HTTP 401', { cookie }],
    ['wrong API token', 'HTTP 401', { authorization: `${bearer}x` }],
    ['viewer API token', 'allowed', { authorization: bearer }],
  ];
  for (const path of ['/api/cli/status', '/api/cli/approvals', '/api/cli/whoami']) {
    for (const [who, expected, headers] of cases) {
      const response = await fetch(`${target.baseUrl}${path}`, { headers, redirect: 'manual' });
      await response.arrayBuffer();
      const missing = SECURITY_HEADER_NAMES.filter((name) => !response.headers.get(name));
      const got = response.status === 200 ? 'allowed' : `HTTP ${response.status}`;
      rows.push({ path, who, expected, got: missing.length > 0 ? `${got} without ${missing.join(', ')}` : got });
    }
  }
  return rows;
}
