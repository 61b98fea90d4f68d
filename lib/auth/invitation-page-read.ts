/**
 * The invitation page's read (app/invite/[token]/page.tsx). Anyone with a link — or without one — can
 * load that page as often as they like, unauthenticated, so its read is made cheap and fenced off:
 *
 * - a keyed single-row lookup (readInvitation: the token's hash against a unique index; a token of the
 *   wrong length costs no query at all), so one read is a few index pages whatever the table holds;
 * - on the read pool (its own connections and statement timeout), never the actions' and runner's pool;
 * - behind a limiter of its own, one read at once and a short queue, not the viewers' limiter: a flood of
 *   invitation links holds at most one of the read pool's connections and never takes a signed-in
 *   viewer's slot; beyond the queue the visitor is told to try again.
 */
import type { Database } from '../db/connection';
import { ReadLimiter } from '../db/read-limit';
import { readForViewer, type ViewerRead } from '../db/read-refusal';
import { type InvitationState, readInvitation } from './invitations';

const globalForInvites = globalThis as unknown as { cutoverInvitationReads?: ReadLimiter };

/** One lookup at once, a few waiting briefly: an invitation is opened by one person, once or twice. */
export function invitationReadLimiter(): ReadLimiter {
  globalForInvites.cutoverInvitationReads ??= new ReadLimiter({ inFlight: 1, queue: 8, maxWaitMs: 2_000 });
  return globalForInvites.cutoverInvitationReads;
}

/** The invitation a link names, or the refusal's message when the lookups are busy. */
export function readInvitationForVisitor(
  token: string,
  /** `database`: the read pool unless a test gives its own. */
  options: { now?: Date; database?: Database; limiter?: ReadLimiter } = {},
): Promise<ViewerRead<InvitationState>> {
  return readForViewer((database) => readInvitation(database.sql, { token, now: options.now ?? new Date() }), {
    ...(options.database ? { database: options.database } : {}),
    limiter: options.limiter ?? invitationReadLimiter(),
  });
}
