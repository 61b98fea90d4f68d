/**
 * The sign-in throttle (docs/architecture.md "Security"), in cutover.sign_in_throttle so that it
 * holds across console instances and the CLI. It slows down a (username, address) pair with
 * growing delays instead of locking an account for everyone: an attacker's failures from one
 * address never stop the real user signing in from another. A second, coarser row per address
 * (username "*", which no account can have) slows down one address trying many usernames.
 *
 * Every attempt is counted before its password is checked, in one transaction that locks the
 * rows: concurrent guesses cannot all pass a check that each of them would fail alone. The count
 * is undone when the password was right (the pair is reset) or was never checked (hashing busy).
 * Attempts refused while a pair is blocked are counted in `throttled_attempts` — the audit log
 * gets one row at the first refusal of a blocked period and one summary row when the next
 * attempt is let through, not one row per refused attempt.
 *
 * The same machinery throttles other things by named bucket (the table's `bucket` column): failed
 * bearer tokens (lib/auth/require-api-user.ts) and the audit rows of refused calls
 * (lib/auth/refusal-audit.ts). A bucket says how many failures are free per key and per address;
 * the sign-in bucket's key is the username.
 */
import type { Sql, TransactionSql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { ipv6Network64 } from './client-address';

/** Failures of one pair that cost nothing; each one after that doubles the wait (2 s, 4 s, 8 s, …). */
export const FREE_FAILURES_PER_PAIR = 3;
/** Failures from one address across all usernames before that address is slowed down too. */
export const FREE_FAILURES_PER_ADDRESS = 30;
/** The longest wait: a patient guesser gets at most four guesses an hour per pair. */
export const MAX_DELAY_SECONDS = 15 * 60;
/** A pair (or address) without a failure for this long starts again from zero. */
export const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
/** The username of an address's row across all usernames (not a valid username: see lib/auth/users.ts). */
export const ANY_USERNAME = '*';

/** Seconds a pair waits after its `failures`-th failure in a row. */
export function delayAfterFailures(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(2 ** (failures - free), MAX_DELAY_SECONDS);
}

/**
 * The address as the throttle counts it: IPv4 as is, IPv6 by its /64 (one host or household
 * usually has a whole /64 and could otherwise step through 2^64 addresses), anything else
 * ("cli", "unknown") as is.
 */
export function throttleAddress(address: string): string {
  return ipv6Network64(address) ?? address;
}

/** A named use of the throttle; its rows never mix with another bucket's. */
export interface ThrottleBucket {
  name: string;
  /** Failures of one (key, address) pair that cost nothing. */
  freePerKey: number;
  /** Failures from one address across all keys before that address is slowed down too. */
  freePerAddress: number;
}

export const SIGN_IN_BUCKET: ThrottleBucket = {
  name: 'sign-in',
  freePerKey: FREE_FAILURES_PER_PAIR,
  freePerAddress: FREE_FAILURES_PER_ADDRESS,
};

export type ThrottleScope = 'username and address' | 'address';

export interface RefusedPeriod {
  scope: ThrottleScope;
  refused: number;
  blockedUntil: Date | null;
}

export type Admission =
  | {
      admitted: true;
      /** The pair's failures counting this attempt, and when it may try again if this one fails. */
      failures: number;
      retryAt: Date | null;
      /** Attempts refused in the blocked period that just ended (for the audit summary). */
      refusedBefore: RefusedPeriod[];
    }
  | { admitted: false; scope: ThrottleScope; retryAt: Date; firstRefusal: boolean };

interface ThrottleRow {
  username: string;
  failures: number;
  blocked_until: Date | null;
  throttled_attempts: number;
}

const scopeOf = (username: string): ThrottleScope => (username === ANY_USERNAME ? 'address' : 'username and address');

async function tryAdmit(
  tx: TransactionSql,
  params: { bucket: ThrottleBucket; username: string; address: string; now: Date },
): Promise<Admission | 'raced'> {
  const { bucket, username, address, now } = params;
  // Every statement here takes the address-wide row's lock before the pair's, one row per
  // statement: with one order for all attempts, two of them can never wait on each other.
  const lockRow = (name: string) => tx<ThrottleRow[]>`
    select username, failures, blocked_until, throttled_attempts from cutover.sign_in_throttle
    where bucket = ${bucket.name} and username = ${name} and address = ${address}
    for update`;
  // Locks the rows that exist; a row created meanwhile is caught by the guard of the upserts below.
  const rows = [...(await lockRow(ANY_USERNAME)), ...(await lockRow(username))];
  const blocked = rows.filter((row) => row.blocked_until && row.blocked_until > now);
  if (blocked.length > 0) {
    // By the whole key, one row a statement (an IN list on username stays out of PostgreSQL 15's index
    // condition, and the update would walk the bucket's rows of the address), in the locking order.
    const counted: ThrottleRow[] = [];
    for (const row of blocked) {
      counted.push(
        ...(await tx<ThrottleRow[]>`
          update cutover.sign_in_throttle set throttled_attempts = throttled_attempts + 1
          where bucket = ${bucket.name} and username = ${row.username} and address = ${address}
          returning username, failures, blocked_until, throttled_attempts`),
      );
    }
    const pair = counted.find((row) => row.username === username);
    const deciding = pair ?? counted[0];
    if (!deciding?.blocked_until) throw new Error('a blocked throttle row has no end');
    return {
      admitted: false,
      scope: scopeOf(deciding.username),
      retryAt: new Date(Math.max(...counted.map((row) => row.blocked_until?.getTime() ?? 0))),
      firstRefusal: counted.some((row) => row.throttled_attempts === 1),
    };
  }
  const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
  const free = tx`case when t.username = ${ANY_USERNAME} then ${bucket.freePerAddress}::int else ${bucket.freePerKey}::int end`;
  const failures = tx`case when t.last_failure_at is null or t.last_failure_at < ${forgetBefore} then 1 else t.failures + 1 end`;
  const upsert = (name: string) => tx<ThrottleRow[]>`
    insert into cutover.sign_in_throttle as t (bucket, username, address, failures, last_failure_at)
    values (${bucket.name}, ${name}, ${address}, 1, ${now})
    on conflict (bucket, username, address) do update set
      failures = ${failures},
      last_failure_at = ${now},
      blocked_until = case when ${failures} > ${free}
        then ${now}::timestamptz + make_interval(secs => least(power(2, ${failures} - ${free}), ${MAX_DELAY_SECONDS}))
        else null end,
      throttled_attempts = 0
      where t.blocked_until is null or t.blocked_until <= ${now}
    returning username, failures, blocked_until, throttled_attempts`;
  const counted = await upsert(ANY_USERNAME);
  if (counted.length === 0) return 'raced';
  counted.push(...(await upsert(username)));
  if (counted.length < 2) return 'raced';
  const pair = counted.find((row) => row.username === username);
  const retryAt = counted.reduce<Date | null>(
    (latest, row) => (row.blocked_until && (!latest || row.blocked_until > latest) ? row.blocked_until : latest),
    null,
  );
  return {
    admitted: true,
    failures: pair?.failures ?? 1,
    retryAt,
    refusedBefore: rows
      .filter((row) => row.throttled_attempts > 0)
      .map((row) => ({
        scope: scopeOf(row.username),
        refused: row.throttled_attempts,
        blockedUntil: row.blocked_until,
      })),
  };
}

class Raced extends Error {}

/** A deadlock or serialization failure: PostgreSQL rolled the transaction back, trying again is safe. */
const isRetryable = (error: unknown) =>
  error instanceof Raced || ['40P01', '40001'].includes((error as { code?: string }).code ?? '');

/** A transaction of its own, or a savepoint when the caller is already inside one. */
function atomically<T>(sql: SqlOrTx, body: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return ('savepoint' in sql ? sql.savepoint(body) : sql.begin(body)) as Promise<T>;
}

/**
 * Counts an attempt of `key` from `address` (a throttle address) in `bucket` as a failure in
 * advance, or refuses it while the pair or the address is blocked. `key` must not be ANY_USERNAME.
 */
export async function admitAttempt(
  sql: SqlOrTx,
  params: { bucket: ThrottleBucket; key: string; address: string; now: Date },
): Promise<Admission> {
  if (params.key === ANY_USERNAME) throw new Error('"*" is the address-wide throttle row, not a key');
  for (let attempt = 0; ; attempt++) {
    try {
      return await atomically(sql, async (tx) => {
        const result = await tryAdmit(tx, { ...params, username: params.key });
        // A row created and blocked by a concurrent attempt after our select: start over, now it is locked.
        if (result === 'raced') throw new Raced();
        return result;
      });
    } catch (error) {
      if (!isRetryable(error) || attempt >= 3) throw error;
    }
  }
}

/** The attempt succeeded: the pair starts from zero, and the address's advance count is taken back. */
export async function recordAttemptSuccess(
  sql: SqlOrTx,
  params: { bucket: ThrottleBucket; key: string; address: string },
): Promise<void> {
  const { bucket, key, address } = params;
  await atomically(sql, async (tx) => {
    // The address-wide row first, as everywhere (see tryAdmit).
    await tx`
      update cutover.sign_in_throttle set failures = greatest(failures - 1, 0)
      where bucket = ${bucket.name} and username = ${ANY_USERNAME} and address = ${address}`;
    await tx`delete from cutover.sign_in_throttle where bucket = ${bucket.name} and username = ${key} and address = ${address}`;
  });
}

/**
 * The attempt was never checked (e.g. hashing was saturated): both advance counts are taken back,
 * and a block this attempt's count started is lifted.
 */
export async function refundAttempt(
  sql: SqlOrTx,
  params: { bucket: ThrottleBucket; key: string; address: string },
): Promise<void> {
  const { bucket, address } = params;
  const refund = (tx: TransactionSql, name: string, free: number) => tx`
    update cutover.sign_in_throttle set
      failures = greatest(failures - 1, 0),
      blocked_until = case when failures - 1 > ${free}::int then blocked_until else null end
    where bucket = ${bucket.name} and username = ${name} and address = ${address}`;
  await atomically(sql, async (tx) => {
    // The address-wide row first, as everywhere (see tryAdmit).
    await refund(tx, ANY_USERNAME, bucket.freePerAddress);
    await refund(tx, params.key, bucket.freePerKey);
  });
}

/** admitAttempt in the sign-in bucket, keyed by username. */
export function admitSignInAttempt(sql: Sql, params: { username: string; address: string; now: Date }) {
  return admitAttempt(sql, { bucket: SIGN_IN_BUCKET, key: params.username, address: params.address, now: params.now });
}

/** The password was right. */
export function recordSignInSuccess(sql: Sql, params: { username: string; address: string }): Promise<void> {
  return recordAttemptSuccess(sql, { bucket: SIGN_IN_BUCKET, key: params.username, address: params.address });
}

/** The password was never checked (hashing was saturated). */
export function refundSignInAttempt(sql: Sql, params: { username: string; address: string }): Promise<void> {
  return refundAttempt(sql, { bucket: SIGN_IN_BUCKET, key: params.username, address: params.address });
}

/**
 * Rows nobody has failed on for FORGET_AFTER_MS and that block nothing: they would count from zero
 * anyway. Refusals a non-sign-in bucket still has to report (lib/auth/refusal-audit.ts) are kept.
 */
export async function forgetStaleThrottleRows(sql: Sql, params: { now: Date }): Promise<number> {
  const forgetBefore = new Date(params.now.getTime() - FORGET_AFTER_MS);
  const deleted = await sql`
    delete from cutover.sign_in_throttle
    where (last_failure_at is null or last_failure_at < ${forgetBefore})
      and (blocked_until is null or blocked_until <= ${params.now})
      and (bucket = ${SIGN_IN_BUCKET.name} or throttled_attempts = 0)`;
  return deleted.count;
}
