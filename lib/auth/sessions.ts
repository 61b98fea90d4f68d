/**
 * Server-side sessions: the cookie holds a random token, the table holds its sha-256, so every
 * session can be listed and revoked. Sessions use wall time, never the rehearsal clock: an
 * accelerated rehearsal must not log people out early.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/connection';
import { sessions, users } from '../db/console-schema';
import type { Role } from './roles';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SessionUser {
  id: number;
  username: string;
  roles: Role[];
  sessionId: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(
  db: DbOrTx,
  params: { userId: number; ip?: string; userAgent?: string; now?: Date; ttlMs?: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = params.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (params.ttlMs ?? SESSION_TTL_MS));
  await db.insert(sessions).values({
    id: hashToken(token),
    userId: params.userId,
    createdAt: now,
    expiresAt,
    ip: params.ip?.slice(0, 64),
    userAgent: params.userAgent?.slice(0, 256),
  });
  return { token, expiresAt };
}

/** The signed-in user of a token, or null when it is unknown, expired, revoked or the user is disabled. */
export async function findSessionUser(db: DbOrTx, params: { token: string; now?: Date }): Promise<SessionUser | null> {
  const now = params.now ?? new Date();
  const id = hashToken(params.token);
  const [row] = await db
    .select({ sessionId: sessions.id, id: users.id, username: users.username, roles: users.roles })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
  return row ?? null;
}

export async function revokeSession(db: DbOrTx, params: { token: string; now?: Date }): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: params.now ?? new Date() })
    .where(eq(sessions.id, hashToken(params.token)));
}

export async function revokeUserSessions(db: DbOrTx, params: { userId: number; now?: Date }): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: params.now ?? new Date() })
    .where(and(eq(sessions.userId, params.userId), isNull(sessions.revokedAt)));
}
