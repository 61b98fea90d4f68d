/**
 * Re-entering one's password inside a signed-in session, before something a stolen session must
 * not get by itself: a personal API token (90 days of access) or a new password. Each attempt is
 * counted by the throttle (lib/auth/sign-in-throttle.ts) before the password is checked, as
 * sign-in is, in a bucket of its own keyed by the user — not by the address, so a thief holding the
 * session cannot spread guesses over addresses, and a thief's wrong guesses slow down only this
 * re-entry, never the owner's sign-in. The hash waits for a slot as long as a sign-in's does and is
 * refused as busy beyond that (lib/auth/hash-concurrency.ts).
 */
import type { SqlOrTx } from '../db/connection';
import { ActionRefused } from './action';
import { HashingBusyError, SIGN_IN_MAX_HASH_WAIT_MS } from './hash-concurrency';
import { SIGN_IN_BUSY } from './login';
import { verifyPassword } from './password';
import { admitAttempt, recordAttemptSuccess, refundAttempt, type ThrottleBucket } from './sign-in-throttle';

/** Three wrong passwords cost nothing (a typo, a second typo); each one after doubles the wait. */
export const REAUTH_BUCKET: ThrottleBucket = { name: 're-auth', freePerKey: 3, freePerAddress: 30 };

export interface ReauthUser {
  id: number;
  username: string;
}

/** The throttle's key and "address" of a user's re-entries: both the user, so the rows are theirs alone. */
function throttleKey(user: ReauthUser) {
  return { bucket: REAUTH_BUCKET, key: String(user.id), address: `user:${user.id}` };
}

/**
 * Checks `password` against the user's current one; throws ActionRefused (the action's audit row
 * says why) when it is wrong, when too many were wrong lately, or when hashing is saturated.
 * `throttleSql` must not be the action's transaction: the count has to survive its rollback.
 */
export async function requirePassword(
  tx: SqlOrTx,
  throttleSql: SqlOrTx,
  params: { user: ReauthUser; password: string; wrongMessage: string; now?: Date },
): Promise<void> {
  const now = params.now ?? new Date();
  const key = throttleKey(params.user);
  const admission = await admitAttempt(throttleSql, { ...key, now });
  if (!admission.admitted) {
    const seconds = Math.max(1, Math.ceil((admission.retryAt.getTime() - now.getTime()) / 1000));
    const wait = seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} minutes`;
    throw new ActionRefused(`Too many wrong passwords for this account lately. Try again in ${wait}.`);
  }
  const [row] = await tx<{ passwordHash: string }[]>`
    select password_hash as "passwordHash" from cutover.users where id = ${params.user.id}`;
  let ok: boolean;
  try {
    ok = row ? await verifyPassword(params.password, row.passwordHash, { maxWaitMs: SIGN_IN_MAX_HASH_WAIT_MS }) : false;
  } catch (error) {
    if (!(error instanceof HashingBusyError)) throw error;
    await refundAttempt(throttleSql, key);
    throw new ActionRefused(SIGN_IN_BUSY);
  }
  if (!ok) throw new ActionRefused(params.wrongMessage);
  await recordAttemptSuccess(throttleSql, key);
}
