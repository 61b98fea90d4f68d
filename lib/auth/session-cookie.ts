/** Cookie flags (docs/architecture.md "Security"): HttpOnly, SameSite=Lax, Secure everywhere but localhost. */
export const SESSION_COOKIE = 'cutover_session';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLocalHost(hostHeader: string | null | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0];
  return LOCAL_HOSTS.has(host ?? '');
}

export function sessionCookieOptions(params: { hostHeader: string | null; expiresAt: Date }) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: !isLocalHost(params.hostHeader),
    path: '/',
    expires: params.expiresAt,
  };
}
