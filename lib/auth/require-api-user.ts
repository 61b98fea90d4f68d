/**
 * The session check of the console's JSON routes (app/api/**), one for all so that every route a
 * live page polls answers a missing, expired or revoked session the same way: 401 with
 * `{ error, sessionExpired: true }` (lib/auth/session-expired.ts). Bearer-token routes
 * (app/api/cli/**) check tokens with checkBearerToken (lib/auth/bearer-token-check.ts): throttled per address and
 * audited in aggregate.
 */
import { getCurrentUser } from './current-user';
import { SESSION_EXPIRED_MESSAGE, sessionExpiredBody } from './session-expired';
import type { SessionUser } from './sessions';

/** The 401 of a request without a valid session; never cached (the next request may carry a new cookie). */
export function sessionExpiredResponse(message: string = SESSION_EXPIRED_MESSAGE): Response {
  return Response.json(sessionExpiredBody(message), { status: 401, headers: { 'cache-control': 'no-store' } });
}

/**
 * The signed-in user (their idle timeout renewed), or the 401 response to return as it is:
 * `const user = await requireApiUser(); if (user instanceof Response) return user;`
 */
export async function requireApiUser(): Promise<SessionUser | Response> {
  const user = await getCurrentUser();
  if (!user) return sessionExpiredResponse();
  // Whoever holds an admin's one-time password may only replace it: no data until they have.
  if (user.mustChangePassword) return sessionExpiredResponse(ONE_TIME_PASSWORD_MESSAGE);
  return user;
}

const ONE_TIME_PASSWORD_MESSAGE = 'Choose your own password first: sign in again and replace the one-time password.';
