/**
 * Every page and route × every role, over HTTP against the running console (issue 5): signed-in
 * users of any role may read every page and API route (what they may *do* is decided by the
 * server actions, covered by lib/auth/authorization-matrix.test.ts); anonymous requests get 401
 * from the API and a redirect to /login from pages; /api/health is public; /api/metrics also
 * takes the metrics bearer token, and only the right one.
 */
import type { ScratchConsole } from './scratch-console';

export const PAGE_PATHS = [
  '/',
  '/audit',
  '/monitor',
  '/compare',
  '/rollback',
  '/approvals',
  ...['1', '2', '3', '4', '5', '6', '7', '9'].map((p) => `/phases/${p}`),
];
export const API_PATHS = [
  '/api/status',
  '/api/monitor',
  '/api/metrics',
  ...['1', '4', '9'].map((p) => `/api/phases/${p}`),
];
/** Every response carries them (next.config.js), whoever asks and whatever the status. */
const SECURITY_HEADER_NAMES = [
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
  'content-security-policy',
];

export const SIGNED_IN_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;

export interface AccessRow {
  path: string;
  who: string;
  expected: string;
  got: string;
}

function outcome(response: Response): string {
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location') ?? '';
    return location.includes('/login') ? 'redirect to /login' : `redirect to ${location}`;
  }
  return response.status === 200 ? 'allowed' : `HTTP ${response.status}`;
}

export async function checkRouteAccess(target: ScratchConsole, metricsToken: string): Promise<AccessRow[]> {
  const rows: AccessRow[] = [];
  const probe = async (path: string, who: string, expected: string, headers: Record<string, string>) => {
    const response = await fetch(`${target.baseUrl}${path}`, { headers, redirect: 'manual' });
    await response.arrayBuffer();
    const missing = SECURITY_HEADER_NAMES.filter((name) => !response.headers.get(name));
    rows.push({
      path,
      who,
      expected,
      got: missing.length > 0 ? `${outcome(response)} without ${missing.join(', ')}` : outcome(response),
    });
  };
  await probe('/api/health', 'anonymous', 'allowed', {});
  await probe('/login', 'anonymous', 'allowed', {});
  for (const path of PAGE_PATHS) await probe(path, 'anonymous', 'redirect to /login', {});
  for (const path of API_PATHS) await probe(path, 'anonymous', 'HTTP 401', {});
  await probe('/api/metrics', 'metrics token', 'allowed', { authorization: `Bearer ${metricsToken}` });
  await probe('/api/metrics', 'wrong token', 'HTTP 401', { authorization: `Bearer ${metricsToken}x` });
  for (const role of SIGNED_IN_ROLES) {
    const { cookie } = await target.signIn(role);
    for (const path of [...PAGE_PATHS, ...API_PATHS]) await probe(path, role, 'allowed', { cookie });
  }
  return rows;
}
