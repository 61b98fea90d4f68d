/**
 * The bearer-token check of the command line's API (lib/cli-api/handle-request.ts): failed tokens
 * are throttled per client address with the sign-in throttle's machinery and audited in aggregate
 * (docs/operations.md "The audit log"), so a flood of guessed tokens costs a row update each, not an
 * audit row each, and cannot be used to guess faster than the throttle allows.
 */
import type { Database } from '../db/connection';
import { checkApiToken, TOKEN_REFUSALS, type TokenUser } from './api-tokens';
import { UNKNOWN_ADDRESS } from './client-address';
import { auditRefusal } from './refusal-audit';
import { admitAttempt, refundAttempt, type ThrottleBucket, throttleAddress } from './sign-in-throttle';

/** Failed bearer tokens per client address (lib/auth/sign-in-throttle.ts): ten free, then 2 s, 4 s, … up to 15 min. */
export const BEARER_TOKEN_BUCKET: ThrottleBucket = { name: 'bearer-token', freePerKey: 10, freePerAddress: 10 };
/** The one key of the bucket: tokens are not guessed per user, so the address is what counts. */
const BEARER_KEY = 'token';

export type BearerCheck =
  | { status: 'ok'; user: TokenUser }
  | { status: 'refused'; httpStatus: 401; message: string }
  | { status: 'throttled'; httpStatus: 429; message: string; retryAfterSeconds: number };

/**
 * Checks a presented bearer token (the command line's API). While the client's address is blocked
 * (too many failed tokens) no token is looked up: the request is refused and counted. Otherwise the
 * token is checked, and a failure is counted against the address — a valid token costs one indexed
 * read of the throttle and writes nothing. Unlike a password a token is not guessable, so a failure
 * is counted after the check rather than in advance: concurrent guesses passing together gain
 * nothing. A refused or throttled token is audited through auditRefusal (metadata only, in
 * aggregate when it repeats) — never the token.
 */
export async function checkBearerToken(
  database: Database,
  params: { token: string; address: string | null; now?: Date },
): Promise<BearerCheck> {
  const now = params.now ?? new Date();
  const address = params.address ?? UNKNOWN_ADDRESS;
  const key = { bucket: BEARER_TOKEN_BUCKET, key: BEARER_KEY, address: throttleAddress(address) };
  const refusal = (reason: string) =>
    auditRefusal(
      database.sql,
      { action: BEARER_AUDIT_ACTION, reason, address, sizes: { bytes: Buffer.byteLength(params.token) } },
      now,
    );
  const throttled = async (retryAt: Date): Promise<BearerCheck> => {
    const retryAfterSeconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
    await refusal('throttled: too many failed bearer tokens from this address');
    return {
      status: 'throttled',
      httpStatus: 429,
      message: `Too many failed API tokens from this address: try again in ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    };
  };
  const [blocked] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from cutover.sign_in_throttle
     where bucket = ${key.bucket.name} and address = ${key.address} and blocked_until > ${now}`;
  if (blocked?.n) {
    // Counted (admitAttempt refuses while blocked; a block that just ended lets this one be checked).
    const admission = await admitAttempt(database.sql, { ...key, now });
    if (!admission.admitted) return throttled(admission.retryAt);
    const check = await checkApiToken(database.db, { token: params.token, now });
    if (check.status === 'ok') {
      await refundAttempt(database.sql, key);
      return check;
    }
    await refusal(`bearer token refused: ${check.reason}`);
    return { status: 'refused', httpStatus: 401, message: TOKEN_REFUSALS[check.reason] };
  }
  const check = await checkApiToken(database.db, { token: params.token, now });
  if (check.status === 'ok') return check;
  const admission = await admitAttempt(database.sql, { ...key, now });
  if (!admission.admitted) return throttled(admission.retryAt);
  await refusal(`bearer token refused: ${check.reason}`);
  return { status: 'refused', httpStatus: 401, message: TOKEN_REFUSALS[check.reason] };
}

/** The audit action of a refused bearer token. */
export const BEARER_AUDIT_ACTION = 'api.bearer_token';
