/**
 * The session cookie's name and flags, decided in one place (docs/architecture.md "Security"):
 * every reader and writer takes them from here. Over https (CUTOVER_PUBLIC_URL) the cookie is
 * `__Host-cutover_session`, `Secure`: the browser then refuses it without Secure, with a Domain or
 * with a path other than /, so no sibling host or plain-http page can plant or read it. Over plain
 * http (a rehearsal on localhost) it is `cutover_session` without Secure, or browsers would drop
 * it. Always HttpOnly and SameSite=Lax; it expires at the session's absolute end.
 */
import { servedOverHttps } from '../http/public-url';

type Environment = Record<string, string | undefined>;

export const PLAIN_SESSION_COOKIE = 'cutover_session';
export const SECURE_SESSION_COOKIE = '__Host-cutover_session';

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  expires: Date;
}

export function sessionCookieName(env: Environment = process.env): string {
  return servedOverHttps(env) ? SECURE_SESSION_COOKIE : PLAIN_SESSION_COOKIE;
}

export function sessionCookieOptions(
  params: { expiresAt: Date },
  env: Environment = process.env,
): SessionCookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: servedOverHttps(env), path: '/', expires: params.expiresAt };
}

/**
 * What clears the cookie at sign-out: the same flags with an expiry in the past. (A bare delete
 * without `Secure` would be ignored by the browser for a `__Host-` cookie.)
 */
export function clearedSessionCookieOptions(env: Environment = process.env): SessionCookieOptions {
  return sessionCookieOptions({ expiresAt: new Date(0) }, env);
}
