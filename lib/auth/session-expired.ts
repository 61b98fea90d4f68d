/**
 * What an API route polled by a live page answers when the request has no valid session (missing,
 * expired, idle too long, revoked, user disabled): HTTP 401 with this JSON body. The live pages
 * recognise it by `sessionExpired: true` and ask the user to sign in again instead of showing a
 * generic error. No server-only imports: client components import the shape and the check.
 */
export const SESSION_EXPIRED_MESSAGE = 'Your session has expired — sign in again.';

export interface SessionExpiredBody {
  error: string;
  sessionExpired: true;
}

export function sessionExpiredBody(message: string = SESSION_EXPIRED_MESSAGE): SessionExpiredBody {
  return { error: message, sessionExpired: true };
}
