/**
 * What a viewer sees when a read is refused (lib/db/read-limit.ts): the readers were busy, or a
 * statement outlasted the read pool's timeout and the database cancelled it. Pages show the
 * message in place of their data; APIs answer 503 with it. Any other error is the page's own.
 */
import type { Database } from './connection';
import { type ReadLimiter, ViewerReadBusy, withViewerRead } from './read-limit';

/** query_canceled (statement_timeout) and idle_in_transaction_session_timeout: the read pool's limits fired. */
const READ_TIMEOUT_CODES = new Set(['57014', '25P03']);

export function isReadTimeout(error: unknown): boolean {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && READ_TIMEOUT_CODES.has(code);
}

export const READ_TIMEOUT_MESSAGE =
  'This read ran longer than the readers’ statement timeout (CUTOVER_READ_STATEMENT_TIMEOUT_MS) and was cancelled, ' +
  'so that it cannot load the production database: reload in a while, or ask for less.';

/** The viewer's message for a refused read, or null when `error` is not a refusal. */
export function viewerReadRefusal(error: unknown): string | null {
  if (error instanceof ViewerReadBusy) return error.message;
  if (isReadTimeout(error)) return READ_TIMEOUT_MESSAGE;
  return null;
}

export type ViewerRead<T> = { ok: true; value: T } | { ok: false; message: string };

interface ReadOptions {
  database?: Database;
  limiter?: ReadLimiter;
}

/** A page's read: its value, or the refusal's message for the page to show (anything else throws). */
export async function readForViewer<T>(
  work: (database: Database) => Promise<T>,
  options: ReadOptions = {},
): Promise<ViewerRead<T>> {
  try {
    return { ok: true, value: await withViewerRead(work, options) };
  } catch (error) {
    const message = viewerReadRefusal(error);
    if (message === null) throw error;
    return { ok: false, message };
  }
}

/** An API's read: its response, or 503 with the refusal's message (and when to retry). */
export async function respondForViewer(
  work: (database: Database) => Promise<Response>,
  options: ReadOptions = {},
): Promise<Response> {
  const read = await readForViewer(work, options);
  if (read.ok) return read.value;
  return Response.json(
    { error: read.message },
    { status: 503, headers: { 'cache-control': 'no-store', 'retry-after': '5' } },
  );
}
