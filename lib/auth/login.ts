/**
 * Sign-in with a database-backed throttle (it must hold across console instances and the CLI).
 * Every failure gives the same message: it never says whether the username or the password
 * was wrong, and an unknown user costs the same scrypt work as a known one.
 */
import { and, count, eq, gt } from 'drizzle-orm';
import type { Database } from '../db/connection';
import { loginAttempts } from '../db/console-schema';
import { recordAudit } from './audit';
import { decoyPasswordHash, verifyPassword } from './password';
import { createSession, type SessionUser } from './sessions';
import { findUserByUsername } from './users';

export const SIGN_IN_FAILED = 'Sign-in failed: unknown username or wrong password.';
export const SIGN_IN_THROTTLED = 'Too many failed sign-in attempts. Wait a few minutes, then try again.';

export const THROTTLE_WINDOW_MS = 10 * 60 * 1000;
export const MAX_FAILURES_PER_USERNAME = 5;
export const MAX_FAILURES_PER_IP = 20;

export type SignInResult =
  | { status: 'ok'; token: string; expiresAt: Date; user: Omit<SessionUser, 'sessionId'> }
  | { status: 'failed'; message: string };

export async function signIn(
  database: Database,
  params: { username: string; password: string; ip: string; userAgent?: string; now?: Date },
): Promise<SignInResult> {
  const { db, sql } = database;
  const now = params.now ?? new Date();
  const username = params.username.trim().toLowerCase().slice(0, 64);
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const failuresFor = async (condition: ReturnType<typeof eq>) => {
    const [row] = await db
      .select({ n: count() })
      .from(loginAttempts)
      .where(and(condition, eq(loginAttempts.succeeded, false), gt(loginAttempts.at, since)));
    return row?.n ?? 0;
  };
  const audit = (outcome: 'ok' | 'refused', userId: number | null, reason?: string) =>
    recordAudit(sql, {
      userId,
      username,
      action: 'auth.sign_in',
      outcome,
      inputs: { username },
      detail: { ip: params.ip, ...(reason ? { reason } : {}) },
    });

  if (
    (await failuresFor(eq(loginAttempts.username, username))) >= MAX_FAILURES_PER_USERNAME ||
    (await failuresFor(eq(loginAttempts.ip, params.ip))) >= MAX_FAILURES_PER_IP
  ) {
    await audit('refused', null, 'throttled');
    return { status: 'failed', message: SIGN_IN_THROTTLED };
  }

  const user = await findUserByUsername(db, { username });
  const passwordOk = await verifyPassword(params.password, user?.passwordHash ?? (await decoyPasswordHash()));
  const succeeded = Boolean(user && passwordOk && !user.disabledAt);
  await db.insert(loginAttempts).values({ username, ip: params.ip, succeeded, at: now });
  if (!user || !succeeded) {
    await audit('refused', user?.id ?? null, 'bad credentials or disabled user');
    return { status: 'failed', message: SIGN_IN_FAILED };
  }
  const session = await createSession(db, { userId: user.id, ip: params.ip, userAgent: params.userAgent, now });
  await audit('ok', user.id);
  return {
    status: 'ok',
    token: session.token,
    expiresAt: session.expiresAt,
    user: { id: user.id, username: user.username, roles: user.roles },
  };
}
