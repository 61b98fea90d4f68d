/**
 * Sign-in: the throttle first (lib/auth/sign-in-throttle.ts — counted in the database before
 * the password is checked), then the password through the process's hash limiter, then a
 * session. Every failure gives the same message: it never says whether the username or the
 * password was wrong, and an unknown user costs the same scrypt work as a known one.
 * `ip` is the client address as the front server resolved it (lib/auth/client-address-header.ts),
 * or a fixed word for a caller without a socket (the benchmark harness); the audit log, the
 * session and the throttle all record it. A failed sign-in is an anonymous writer of audit rows:
 * its rows count against the ceiling across all addresses that refusals have (lib/auth/refusal-audit.ts;
 * beyond it they are only counted), and they name the username typed only when it is an account's —
 * otherwise only its length (it is the caller's text, sometimes a password typed in the wrong field).
 */
import type { Database } from '../db/connection';
import { recordAudit } from './audit';
import { HashingBusyError, SIGN_IN_MAX_HASH_WAIT_MS } from './hash-concurrency';
import { decoyPasswordHash, verifyPassword } from './password';
import { admitUnderCeiling, auditRefusal } from './refusal-audit';
import { createSession, type SessionUser } from './sessions';
import {
  ANY_USERNAME,
  admitSignInAttempt,
  forgetStaleThrottleRows,
  recordSignInSuccess,
  refundSignInAttempt,
  throttleAddress,
} from './sign-in-throttle';
import { findUserByUsername } from './users';

export const SIGN_IN_FAILED = 'Sign-in failed: unknown username or wrong password.';
export const SIGN_IN_BUSY = 'The console is handling too many sign-in attempts right now. Try again in a few seconds.';
/** Said about what was typed, not about any account: no username has a control character (lib/auth/users.ts). */
export const SIGN_IN_BAD_USERNAME =
  'Sign-in failed: the username contains a control character (e.g. NUL), which no username has. Check what was typed or pasted.';

/** NUL, the other C0 controls and DEL: PostgreSQL refuses NUL in text, and none can be in a username anyway. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The refusal of a blocked attempt, with the wait: an operator who mistyped knows when to try again. */
export function signInThrottledMessage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} s` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return `Too many failed sign-in attempts from this address. Try again in ${wait}.`;
}

export type SignInResult =
  | { status: 'ok'; token: string; expiresAt: Date; user: Omit<SessionUser, 'sessionId'> }
  | { status: 'failed'; message: string }
  | { status: 'throttled'; message: string; retryAfterSeconds: number };

/** Stale throttle rows are swept at most this often per process (a cheap delete, but not on every attempt). */
const SWEEP_EVERY_MS = 60 * 60 * 1000;
let lastSweepAt = 0;

/** Sign-ins refused as busy since the last log line: counted, not audited one by one. */
let busyRefusals = 0;
let busyLoggedAt = 0;

function noteBusyRefusal(now: Date): void {
  busyRefusals += 1;
  if (now.getTime() - busyLoggedAt < 60_000) return;
  console.warn(
    `[dxy-cutover] sign-in: ${busyRefusals} attempt(s) refused because password hashing was saturated ` +
      '(CUTOVER_SIGN_IN_HASH_CONCURRENCY); the server itself stays responsive.',
  );
  busyRefusals = 0;
  busyLoggedAt = now.getTime();
}

export async function signIn(
  database: Database,
  params: { username: string; password: string; ip: string; userAgent?: string; now?: Date },
): Promise<SignInResult> {
  const { db, sql } = database;
  const now = params.now ?? new Date();
  const username = params.username.trim().toLowerCase().slice(0, 64);
  // Refused before the throttle, the audit or any query can choke on it (a NUL made sign-in a 500).
  if (CONTROL_CHARACTER.test(username)) return { status: 'failed', message: SIGN_IN_BAD_USERNAME };
  const address = params.ip.slice(0, 64);
  // Neither can be an account; refusing them costs nothing and tells nothing.
  if (username === '' || username === ANY_USERNAME) return { status: 'failed', message: SIGN_IN_FAILED };
  const throttleKey = { username, address: throttleAddress(address) };
  let account: Awaited<ReturnType<typeof findUserByUsername>> | undefined;
  const findAccount = async () => {
    account ??= await findUserByUsername(db, { username });
    return account;
  };
  const auditFailure = async (detail: Record<string, unknown>) => {
    const known = await findAccount();
    // Beyond the ceiling: counted on its row (a later row carries the count), no insert and no chain lock.
    // An existing account's failures have a ceiling of their own: a flood of anonymous refusals cannot use
    // it up and hide a password-guessing run against that account.
    const ceiling = await admitUnderCeiling(sql, now, known?.username);
    if (!ceiling.admitted) return;
    await recordAudit(sql, {
      userId: known?.id ?? null,
      username: known?.username ?? null,
      action: 'auth.sign_in',
      outcome: 'refused',
      inputs: known ? { username: known.username } : { usernameLength: params.username.length },
      detail: { address, ...detail, ...(ceiling.aggregated.length > 0 ? { aggregated: ceiling.aggregated } : {}) },
    });
  };

  if (now.getTime() - lastSweepAt > SWEEP_EVERY_MS) {
    lastSweepAt = now.getTime();
    // Housekeeping only: if it loses a lock race (a deadlock victim), the next sweep does it.
    await forgetStaleThrottleRows(sql, { now }).catch((error: unknown) =>
      console.warn(`[dxy-cutover] sign-in: sweeping old throttle rows failed: ${String(error)}`),
    );
  }

  const admission = await admitSignInAttempt(sql, { ...throttleKey, now });
  if (!admission.admitted) {
    // One audit row per blocked period; the rest are counted in sign_in_throttle.throttled_attempts.
    if (admission.firstRefusal) {
      await auditFailure({
        reason: 'throttled',
        scope: admission.scope,
        blockedUntil: admission.retryAt.toISOString(),
        note: 'further attempts until then are counted in cutover.sign_in_throttle, not audited one by one',
      });
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((admission.retryAt.getTime() - now.getTime()) / 1000));
    return { status: 'throttled', message: signInThrottledMessage(retryAfterSeconds), retryAfterSeconds };
  }
  for (const period of admission.refusedBefore) {
    await auditFailure({
      reason: 'throttled (summary)',
      scope: period.scope,
      refusedAttempts: period.refused,
      blockedUntil: period.blockedUntil?.toISOString() ?? null,
    });
  }

  const user = await findAccount();
  let passwordOk: boolean;
  try {
    passwordOk = await verifyPassword(params.password, user?.passwordHash ?? (await decoyPasswordHash()), {
      maxWaitMs: SIGN_IN_MAX_HASH_WAIT_MS,
    });
  } catch (error) {
    if (!(error instanceof HashingBusyError)) throw error;
    await refundSignInAttempt(sql, throttleKey);
    noteBusyRefusal(now);
    // In aggregate: auditRefusal writes a few rows per address, then counts (lib/auth/refusal-audit.ts).
    // No username: the load is the server's, not the account's, and the name typed is the caller's input.
    await auditRefusal(sql, { action: 'auth.sign_in', reason: 'busy: password hashing saturated', address });
    return { status: 'throttled', message: SIGN_IN_BUSY, retryAfterSeconds: 5 };
  }
  const succeeded = Boolean(user && passwordOk && !user.disabledAt);
  if (!user || !succeeded) {
    await auditFailure({
      reason: 'bad credentials or disabled user',
      failures: admission.failures,
      ...(admission.retryAt ? { blockedUntil: admission.retryAt.toISOString() } : {}),
    });
    return { status: 'failed', message: SIGN_IN_FAILED };
  }
  await recordSignInSuccess(sql, throttleKey);
  const session = await createSession(db, { userId: user.id, ip: address, userAgent: params.userAgent, now });
  await recordAudit(sql, {
    userId: user.id,
    username: user.username,
    action: 'auth.sign_in',
    outcome: 'ok',
    inputs: { username: user.username },
    detail: { address },
  });
  return {
    status: 'ok',
    token: session.token,
    expiresAt: session.expiresAt,
    user: { id: user.id, username: user.username, roles: user.roles },
  };
}
