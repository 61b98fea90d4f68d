/**
 * Server-side sessions: the cookie holds a random token, the table holds its sha-256, so every
 * session can be listed and revoked. Sessions use wall time, never the rehearsal clock: an
 * accelerated rehearsal must not log people out early.
 *
 * Two limits (docs/architecture.md "Security"): an absolute end (`expires_at`, set at sign-in to
 * CUTOVER_SESSION_MAX_HOURS later, never moved: even a page polling all day and night ends there)
 * and an idle timeout (CUTOVER_SESSION_IDLE_MINUTES counted from `last_seen_at`, which every
 * signed-in request renews).
 */
import { createHash, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/connection';
import { sessions } from '../db/console-schema';
import { readSetting } from '../settings';
import type { Role } from './roles';

/**
 * `last_seen_at` is written at most this often per session: live pages poll every few seconds,
 * and a write per poll would be pure churn. The idle timeout may therefore end a session up to
 * this much earlier than the exact idle time, which is immaterial next to minutes of idle timeout.
 */
export const RENEW_EVERY_MS = 60_000;

export interface SessionUser {
  id: number;
  username: string;
  roles: Role[];
  sessionId: string;
  /**
   * An admin gave a one-time password: the user must choose their own before anything else.
   * Always set by findSessionUser; optional because other kinds of signed-in user (API tokens) build this shape too.
   */
  mustChangePassword?: boolean;
}

export interface SessionLifetimes {
  /** From sign-in to the absolute end. */
  maxMs: number;
  /** Without a signed-in request for this long, the session ends. */
  idleMs: number;
}

export function sessionLifetimes(env: Record<string, string | undefined> = process.env): SessionLifetimes {
  return {
    maxMs: readSetting('CUTOVER_SESSION_MAX_HOURS', env) * 60 * 60 * 1000,
    idleMs: readSetting('CUTOVER_SESSION_IDLE_MINUTES', env) * 60 * 1000,
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(
  db: DbOrTx,
  params: { userId: number; ip?: string; userAgent?: string; now?: Date; maxMs?: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = params.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (params.maxMs ?? sessionLifetimes().maxMs));
  await db.insert(sessions).values({
    id: hashToken(token),
    userId: params.userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    ip: params.ip?.slice(0, 64),
    userAgent: params.userAgent?.slice(0, 256),
  });
  return { token, expiresAt };
}

interface SessionRow extends Record<string, unknown> {
  session_id: string;
  id: number;
  username: string;
  roles: Role[];
  must_change_password: boolean;
}

/**
 * The signed-in user of a token, or null when it is unknown, revoked, past its absolute end, idle
 * for too long, or the user is disabled; a valid session's `last_seen_at` is renewed in the same
 * statement (validation and renewal cannot drift apart), at most once per RENEW_EVERY_MS.
 */
export async function findSessionUser(
  db: DbOrTx,
  params: { token: string; now?: Date; idleMs?: number },
): Promise<SessionUser | null> {
  const now = params.now ?? new Date();
  const idleMs = params.idleMs ?? sessionLifetimes().idleMs;
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
  // The update is a data-modifying CTE: PostgreSQL runs it exactly once even though the outer
  // select does not read it, and it only touches a row whose last renewal is old enough.
  const rows = await db.execute<SessionRow>(sql`
    with found as (
      select s.id as session_id, s.last_seen_at, u.id, u.username, u.roles, u.must_change_password
      from cutover.sessions s
      join cutover.users u on u.id = s.user_id
      where s.id = ${hashToken(params.token)}
        and s.revoked_at is null
        and s.expires_at > ${now.toISOString()}::timestamptz
        and s.last_seen_at > ${at(idleMs)}::timestamptz
        and u.disabled_at is null
    ), renewed as (
      update cutover.sessions s
      set last_seen_at = greatest(s.last_seen_at, ${now.toISOString()}::timestamptz)
      from found
      where s.id = found.session_id and found.last_seen_at <= ${at(RENEW_EVERY_MS)}::timestamptz
      returning s.id
    )
    select session_id, id, username, roles, must_change_password from found`);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    username: row.username,
    roles: row.roles,
    sessionId: row.session_id,
    mustChangePassword: row.must_change_password,
  };
}

export async function revokeSession(db: DbOrTx, params: { token: string; now?: Date }): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: params.now ?? new Date() })
    .where(eq(sessions.id, hashToken(params.token)));
}
