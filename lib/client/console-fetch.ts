/**
 * The one way the browser reads the console's JSON routes (`app/api/*`). Two failures are told
 * apart because the operator must act differently on them (docs/architecture.md, "How the client
 * fetches and mutates"): an expired session (sign in again — retrying cannot help) and a console
 * that does not answer (wait — the poll retries with backoff).
 */

/** The server no longer knows this browser's session: HTTP 401, or a redirect to the sign-in page. */
export class SessionExpiredError extends Error {
  constructor(path: string) {
    super(`GET ${path}: the session has expired`);
    this.name = 'SessionExpiredError';
  }
}

/** The console did not answer usefully: network error, 5xx, an unexpected status or a body that is not JSON. */
export class ConsoleUnavailableError extends Error {
  /** The HTTP status, or null when no response arrived. */
  readonly status: number | null;
  constructor(path: string, status: number | null, cause?: unknown) {
    super(status === null ? `GET ${path}: no answer` : `GET ${path} answered ${status}`, { cause });
    this.name = 'ConsoleUnavailableError';
    this.status = status;
  }
}

export function isSessionExpired(error: unknown): error is SessionExpiredError {
  return error instanceof SessionExpiredError;
}

/** `fetch` by default; tests pass a real HTTP server's fetch. */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export async function fetchConsoleJson<T>(path: string, fetchFunction: FetchFunction = fetch): Promise<T> {
  let response: Response;
  try {
    response = await fetchFunction(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    throw new ConsoleUnavailableError(path, null, error);
  }
  if (response.status === 401) throw new SessionExpiredError(path);
  // A proxy or an older console may send a signed-out browser to the sign-in page instead of a 401.
  if (response.redirected && new URL(response.url).pathname === '/login') throw new SessionExpiredError(path);
  if (!response.ok) throw new ConsoleUnavailableError(path, response.status);
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new ConsoleUnavailableError(path, response.status, error);
  }
}
