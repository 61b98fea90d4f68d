/**
 * The bearer-token check of the command line's API (lib/cli-api/handle-request.ts): failed tokens
 * are throttled per client address with the sign-in throttle's machinery and audited in aggregate
 * (docs/operations.md "The audit log"), so a flood of guessed tokens costs a row update each, not an
 * audit row each, and cannot be used to guess faster than the throttle allows.
 */
import type { Database, SqlOrTx } from '../db/connection';
import { checkApiToken, TOKEN_REFUSALS, type TokenUser } from './api-tokens';
import { UNKNOWN_ADDRESS } from './client-address';
import { auditRefusal } from './refusal-audit';
import { ANY_USERNAME, admitAttempt, refundAttempt, type ThrottleBucket, throttleAddress } from './sign-in-throttle';

/** Failed bearer tokens per client address (lib/auth/sign-in-throttle.ts): ten free, then 2 s, 4 s, … up to 15 min. */
export const BEARER_TOKEN_BUCKET: ThrottleBucket = { name: 'bearer-token', freePerKey: 10, freePerAddress: 10 };
/** The one key of the bucket: tokens are not guessed per user, so the address is what counts. */
const BEARER_KEY = 'token';

/**
 * The throttle rows that block `address` (a throttle address) now: looked up by their full primary key
 * (bucket, username, address) — the address-wide row and the key's — so every request on the API reads
 * at most two index entries, never every address's rows of the bucket. Two lookups, not one with
 * `username in (…)`: PostgreSQL 15 (production's) keeps an IN list on the key's middle column out of the
 * index condition and walks every row of the bucket with the address, filtering the usernames (17 puts
 * it in). Not awaited here: the test explains it.
 */
export function blockedBearerRows(sql: SqlOrTx, params: { address: string; now: Date }) {
  const blocking = (username: string) => sql`
    select count(*) from cutover.sign_in_throttle
     where bucket = ${BEARER_TOKEN_BUCKET.name} and username = ${username}
       and address = ${params.address} and blocked_until > ${params.now}`;
  return sql<{ n: number }[]>`select ((${blocking(ANY_USERNAME)}) + (${blocking(BEARER_KEY)}))::int as n`;
}

export type BearerCheck =
  | { status: 'ok'; user: TokenUser }
  | { status: 'refused'; httpStatus: 401; message: string }
  | { status: 'throttled'; httpStatus: 429; message: string; retryAfterSeconds: number };

/** The outcome of a throttled check of some bearer secret: its value, refused, or throttled. */
type ThrottledBearer<T> =
  | { status: 'ok'; value: T }
  | { status: 'refused'; reason: string }
  | { status: 'throttled'; retryAfterSeconds: number };

/**
 * Checks a presented bearer secret with `verify` (a value, or the reason it is refused), throttled
 * per client address. While the address is blocked (too many failures) nothing is verified: the
 * request is refused and counted. Otherwise the secret is verified and a failure counted against
 * the address — a valid secret costs one indexed read of the throttle and writes nothing. Unlike a
 * password a token is not guessable, so a failure is counted after the check rather than in
 * advance: concurrent guesses passing together gain nothing. A refused or throttled secret is
 * audited through auditRefusal under `action` (metadata only, in aggregate when it repeats) —
 * never the secret.
 */
async function throttledBearerCheck<T>(
  database: Database,
  params: { secret: string; address: string | null; action: string; now?: Date },
  verify: (secret: string, now: Date) => Promise<{ ok: true; value: T } | { ok: false; reason: string }>,
): Promise<ThrottledBearer<T>> {
  const now = params.now ?? new Date();
  const address = params.address ?? UNKNOWN_ADDRESS;
  const key = { bucket: BEARER_TOKEN_BUCKET, key: BEARER_KEY, address: throttleAddress(address) };
  const refusal = (reason: string) =>
    auditRefusal(
      database.sql,
      { action: params.action, reason, address, sizes: { bytes: Buffer.byteLength(params.secret) } },
      now,
    );
  const throttled = async (retryAt: Date): Promise<ThrottledBearer<T>> => {
    await refusal('throttled: too many failed bearer tokens from this address');
    return {
      status: 'throttled',
      retryAfterSeconds: Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000)),
    };
  };
  const refused = async (reason: string): Promise<ThrottledBearer<T>> => {
    await refusal(`bearer token refused: ${reason}`);
    return { status: 'refused', reason };
  };
  const [blocked] = await blockedBearerRows(database.sql, { address: key.address, now });
  if (blocked?.n) {
    // Counted (admitAttempt refuses while blocked; a block that just ended lets this one be checked).
    const admission = await admitAttempt(database.sql, { ...key, now });
    if (!admission.admitted) return throttled(admission.retryAt);
    const checked = await verify(params.secret, now);
    if (!checked.ok) return refused(checked.reason);
    await refundAttempt(database.sql, key);
    return { status: 'ok', value: checked.value };
  }
  const checked = await verify(params.secret, now);
  if (checked.ok) return { status: 'ok', value: checked.value };
  const admission = await admitAttempt(database.sql, { ...key, now });
  if (!admission.admitted) return throttled(admission.retryAt);
  return refused(checked.reason);
}

/** A personal API token on the command line's API (lib/cli-api/handle-request.ts). */
export async function checkBearerToken(
  database: Database,
  params: { token: string; address: string | null; now?: Date },
): Promise<BearerCheck> {
  type Reason = keyof typeof TOKEN_REFUSALS;
  const result = await throttledBearerCheck<TokenUser>(
    database,
    { secret: params.token, address: params.address, action: BEARER_AUDIT_ACTION, now: params.now },
    async (token, now) => {
      const check = await checkApiToken(database.db, { token, now });
      return check.status === 'ok' ? { ok: true, value: check.user } : { ok: false, reason: check.reason };
    },
  );
  if (result.status === 'ok') return { status: 'ok', user: result.value };
  if (result.status === 'throttled') {
    return {
      status: 'throttled',
      httpStatus: 429,
      message: `Too many failed API tokens from this address: try again in ${result.retryAfterSeconds} s.`,
      retryAfterSeconds: result.retryAfterSeconds,
    };
  }
  // The reason is one of checkApiToken's: what the holder of a real token may learn.
  const message = TOKEN_REFUSALS[result.reason as Reason] ?? TOKEN_REFUSALS.unknown;
  return { status: 'refused', httpStatus: 401, message };
}

/** The audit action of a refused bearer token. */
export const BEARER_AUDIT_ACTION = 'api.bearer_token';
