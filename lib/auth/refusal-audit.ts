/**
 * The audit rows of refused calls (docs/operations.md "The audit log"): anonymous calls, invalid
 * input, a wrong role, invalid invitations, bad bearer tokens. Whoever sends them chooses how many
 * and how big, so they are audited as metadata only — action, reason, client address, sizes of the
 * input, never the input itself — and rate-limited per address with the throttle's machinery
 * (lib/auth/sign-in-throttle.ts, bucket "refusal-audit"):
 *
 * - the first 10 refusals of one (action, address), and 30 of one address across actions, are a
 *   row each; a signed-in caller's are counted per user instead, whatever the address, and are
 *   exempt from the ceiling across all addresses (below): an anonymous flood never turns a user's
 *   refusals into an anonymous count;
 * - after that the address is blocked with growing waits (2 s … 15 min); a refusal while blocked is
 *   only counted (`throttled_attempts` of its throttle rows: a row update, no audit insert and so no
 *   chain lock), and the next row written for that address carries the count (`aggregated`);
 * - counts whose blocked period ended without a next refusal are written as one summary row per
 *   address by flushRefusalCounts (run by every admitted refusal, a few at a time).
 *
 * So one address adds a few dozen rows, then about four an hour however fast it sends.
 */
import type { SqlOrTx } from '../db/connection';
import { recordAudit } from './audit';
import { UNKNOWN_ADDRESS } from './client-address';
import { ANY_USERNAME, admitAttempt, type ThrottleBucket, throttleAddress } from './sign-in-throttle';

export const REFUSAL_AUDIT_BUCKET: ThrottleBucket = { name: 'refusal-audit', freePerKey: 10, freePerAddress: 30 };

/**
 * The ceiling across all addresses: a flood from many addresses (a botnet, an IPv6 prefix of many
 * /64s) gets each address's allowance only until the whole log has had this many refusal rows in a
 * day; then refusals are counted on one row (its key row; the address-wide row never blocks, so a
 * refusal is counted once) and written a few an hour.
 */
export const REFUSAL_AUDIT_ALL_BUCKET: ThrottleBucket = {
  name: 'refusal-audit-all',
  freePerKey: 1_000,
  freePerAddress: 2_000_000_000,
};
/** The "address" and key of the ceiling's rows (not an address: no client can have it). */
export const ALL_ADDRESSES = '(all addresses)';
const ALL_KEY = 'refusals';
/** A signed-in user's refusals are counted under this "address" plus the username (no client address has it). */
export const USER_COUNTER_PREFIX = '(user) ';
const userCounter = (username: string) => `${USER_COUNTER_PREFIX}${username}`;

/** The action of a summary row: refusals counted while their address was blocked, nobody refused since. */
export const REFUSAL_SUMMARY_ACTION = 'audit.refusals_counted';

export interface RefusalEvent {
  /** The action refused (`area.verb_noun`, or e.g. `api.bearer_token`): chosen by the code, never by the caller. */
  action: string;
  /** Why, in words; written by the code (it may name the signed-in user, never echo the input). */
  reason: string;
  /** The client address (lib/auth/client-address-header.ts); null when unknown. */
  address: string | null;
  userId?: number | null;
  username?: string | null;
  /** Sizes of what was sent (see measureInput): bytes, keys… — numbers only. */
  sizes?: Record<string, number>;
  /** Default 'refused'; 'invalid' for input that failed validation. */
  outcome?: 'refused' | 'invalid';
  /** How the request came (e.g. `token "ci" (dxyc_ab12)`), as executeAction's `via`. */
  via?: string;
  /** Names of the invalid fields (validation failures): at most 20, each shortened. */
  fields?: string[];
  /**
   * Only what zod parsed of a signed-in, authorized caller's input (an action that refused): never raw
   * input. Bounded, redacted and capped by recordAudit.
   */
  inputs?: unknown;
}

const MEASURE_BUDGET = 100_000;

/**
 * Sizes of untrusted input without keeping any of it: bytes of its strings and keys (UTF-8), its
 * top-level keys and all its values. Walked with a budget, so a hostile input costs a bounded
 * walk; `truncated: 1` says the budget ran out and the numbers are lower bounds.
 */
export function measureInput(value: unknown): Record<string, number> {
  let bytes = 0;
  let values = 0;
  let truncated = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const inner = stack.pop();
    values += 1;
    if (values > MEASURE_BUDGET) {
      truncated = 1;
      break;
    }
    if (typeof inner === 'string') bytes += Buffer.byteLength(inner);
    else if (typeof inner === 'number' || typeof inner === 'boolean' || typeof inner === 'bigint') bytes += 8;
    else if (inner && typeof inner === 'object') {
      try {
        const entries = Array.isArray(inner) ? inner.map((item) => ['', item] as const) : Object.entries(inner);
        for (const [key, item] of entries) {
          bytes += Buffer.byteLength(key);
          stack.push(item);
        }
      } catch {
        truncated = 1;
      }
    }
  }
  let keys = 0;
  try {
    keys = value && typeof value === 'object' ? Object.keys(value).length : 0;
  } catch {
    truncated = 1;
  }
  return { bytes, keys, values: Math.min(values, MEASURE_BUDGET), ...(truncated ? { truncated } : {}) };
}

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function numbersOnly(sizes: Record<string, number> | undefined): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const [key, value] of Object.entries(sizes ?? {}).slice(0, 10)) {
    if (typeof value === 'number' && Number.isFinite(value)) kept[shorten(key, 40)] = value;
  }
  return kept;
}

interface CountRow {
  username: string;
  address: string;
  throttled_attempts: number;
  blocked_until: Date | null;
}

/**
 * Writes the counts of blocked periods that have ended (no refusal since came to carry them) as one
 * summary row per address, and zeroes them. At most `limit` addresses per call; locked rows are left
 * to another caller (skip locked), so concurrent refusals never wait here.
 */
export async function flushRefusalCounts(sql: SqlOrTx, params: { now: Date; limit?: number }): Promise<number> {
  const body = async (tx: SqlOrTx) => {
    const rows = await tx<CountRow[]>`
      with due as (
        select bucket, username, address from cutover.sign_in_throttle
         where bucket in (${REFUSAL_AUDIT_BUCKET.name}, ${REFUSAL_AUDIT_ALL_BUCKET.name}) and throttled_attempts > 0
           and blocked_until is not null and blocked_until <= ${params.now}
         order by address, username limit ${params.limit ?? 20}
         for update skip locked),
      old as (
        select t.bucket, t.username, t.address, t.throttled_attempts, t.blocked_until
          from cutover.sign_in_throttle t join due using (bucket, username, address))
      update cutover.sign_in_throttle t set throttled_attempts = 0
        from old where t.bucket = old.bucket and t.username = old.username and t.address = old.address
      returning old.username, old.address, old.throttled_attempts, old.blocked_until`;
    const byAddress = new Map<string, CountRow[]>();
    for (const row of rows) byAddress.set(row.address, [...(byAddress.get(row.address) ?? []), row]);
    for (const [address, counts] of byAddress) {
      const user = address.startsWith(USER_COUNTER_PREFIX) ? address.slice(USER_COUNTER_PREFIX.length) : null;
      await recordAudit(tx, {
        userId: null,
        username: user,
        action: REFUSAL_SUMMARY_ACTION,
        outcome: 'refused',
        detail: { ...(user ? { user } : { address }), counted: describeCounts(counts) },
      });
    }
    return byAddress.size;
  };
  return 'savepoint' in sql ? sql.savepoint(body) : sql.begin(body);
}

/** Per throttle row: which action (or the whole address), how many refusals, until when they were counted. */
function describeCounts(rows: CountRow[]): { action: string; refused: number; until: string | null }[] {
  return rows.map((row) => ({
    action:
      row.address === ALL_ADDRESSES
        ? '(any action from any address: the ceiling)'
        : row.username === ANY_USERNAME
          ? row.address.startsWith(USER_COUNTER_PREFIX)
            ? '(any action of this user)'
            : '(any action from this address)'
          : row.username,
    refused: row.throttled_attempts,
    until: row.blocked_until?.toISOString() ?? null,
  }));
}

export interface AggregatedCount {
  scope: string;
  refused: number;
  until: string | null;
}

/**
 * The ceiling across all addresses, for any anonymous writer of audit rows (refusals here, failed
 * sign-ins in lib/auth/login.ts): admitted with the counts of the ceiling's last blocked period (for
 * the row to carry), or not (the attempt is only counted on the ceiling's row: no audit insert).
 */
export async function admitUnderCeiling(
  sql: SqlOrTx,
  now: Date,
  /** A ceiling of its own (e.g. one account's failed sign-ins), so others' floods cannot use it up; default: the shared one. */
  account?: string,
): Promise<{ admitted: false } | { admitted: true; aggregated: AggregatedCount[] }> {
  const ceiling = await admitAttempt(sql, {
    bucket: REFUSAL_AUDIT_ALL_BUCKET,
    key: account === undefined ? ALL_KEY : `account:${shorten(account, 64)}`,
    address: ALL_ADDRESSES,
    now,
  });
  if (!ceiling.admitted) return { admitted: false };
  return {
    admitted: true,
    aggregated: ceiling.refusedBefore
      .filter((period) => period.scope !== 'address')
      .map((period) => ({
        scope: 'all addresses',
        refused: period.refused,
        until: period.blockedUntil?.toISOString() ?? null,
      })),
  };
}

/**
 * Audits one refused call as metadata: a row, or — beyond the address's (or the user's) rate — a
 * count that a later row carries. Never throws for a hostile event (everything in it is bounded here).
 */
export async function auditRefusal(sql: SqlOrTx, event: RefusalEvent, now: Date = new Date()): Promise<void> {
  const address = event.address ? shorten(event.address, 64) : UNKNOWN_ADDRESS;
  const action = shorten(event.action, 100);
  const username = event.username ? shorten(event.username, 64) : null;
  // A signed-in caller's refusals are counted per user, whatever the address: someone else's flood from
  // the same address (an office behind one NAT) never turns them into a count, nor does a user change
  // addresses to get a fresh allowance.
  const counted = username ? userCounter(username) : throttleAddress(address);
  const admission = await admitAttempt(sql, { bucket: REFUSAL_AUDIT_BUCKET, key: action, address: counted, now });
  if (!admission.admitted) return;
  // Anonymous callers within their address's allowance: now the ceiling across all addresses. Signed-in
  // users are exempt: their number is bounded by the accounts an admin made, each one rate-limited above.
  const ceiling = username ? { admitted: true as const, aggregated: [] } : await admitUnderCeiling(sql, now);
  if (!ceiling.admitted) return;
  const aggregated: AggregatedCount[] = [
    ...admission.refusedBefore.map((period) => ({
      scope:
        period.scope === 'address'
          ? username
            ? 'user'
            : 'address'
          : username
            ? 'action and user'
            : 'action and address',
      refused: period.refused,
      until: period.blockedUntil?.toISOString() ?? null,
    })),
    ...ceiling.aggregated,
  ];
  await recordAudit(sql, {
    userId: event.userId ?? null,
    username,
    action,
    outcome: event.outcome ?? 'refused',
    inputs: username && event.inputs !== undefined ? event.inputs : {},
    detail: {
      reason: shorten(event.reason, 500),
      address,
      sizes: numbersOnly(event.sizes),
      ...(event.via ? { via: shorten(event.via, 200) } : {}),
      ...(event.fields ? { fields: event.fields.slice(0, 20).map((field) => shorten(field, 100)) } : {}),
      // Refusals from this address (or of this user) counted, not written, while it was blocked: now on record.
      ...(aggregated.length > 0 ? { aggregated } : {}),
    },
  });
  await flushRefusalCounts(sql, { now, limit: 5 });
}
