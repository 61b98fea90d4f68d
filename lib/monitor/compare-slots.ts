/**
 * One long comparison per user at a time (per console instance): a viewer who reloads an 800-day
 * compare page ten times gets one query on the primary and a clear message for the others. The
 * read pool's size and statement timeout bound the rest.
 */
export class CompareBusy extends Error {
  constructor(username: string) {
    super(`A comparison requested by ${username} is still running: one at a time per user. Reload when it is done.`);
  }
}

const running = new Set<string>();

export async function withCompareSlot<T>(username: string, work: () => Promise<T>): Promise<T> {
  if (running.has(username)) throw new CompareBusy(username);
  running.add(username);
  try {
    return await work();
  } finally {
    running.delete(username);
  }
}

/** PostgreSQL's query_canceled: the read pool's statement_timeout fired. */
export function isStatementTimeout(error: unknown): boolean {
  return Boolean(error && typeof error === 'object' && (error as { code?: string }).code === '57014');
}
