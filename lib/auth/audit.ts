/**
 * The audit log (docs/operations.md "The audit log"): every attempt — accepted, refused, invalid, failed — is a row in
 * cutover.audit_events. Written with the raw client so an accepted action's audit row commits
 * in the same transaction as its data change.
 */
import type { SqlOrTx } from '../db/connection';
import { type AuditOutcome, auditEvents } from '../db/console-schema';
import { columnsOf, rowsOf } from '../db/tables/rows';
import { appendAuditEvent } from './audit-append';
import { capAuditRow } from './audit-row-cap';

export type AuditEvent = typeof auditEvents.$inferSelect;

export interface AuditEventInput {
  userId: number | null;
  username: string | null;
  action: string;
  outcome: AuditOutcome;
  inputs?: unknown;
  detail?: unknown;
}

/** Inputs that must never reach the audit log verbatim. */
const SECRET_KEYS = /pass(word)?|secret|token|database_?url/i;

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEYS.test(key) ? '[redacted]' : redactSecrets(inner)]),
    );
  }
  if (typeof value === 'string') return redactCredentialsInText(value);
  return value;
}

/** Removes passwords embedded in connection strings (postgres://user:pass@host). */
export function redactCredentialsInText(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1***@');
}

const LIMITS = { depth: 12, nodes: 2_000, string: 2_000, entries: 50 } as const;
/** NUL and unpaired UTF-16 surrogates: jsonb refuses both, and a refused insert would lose the audit row. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function storableText(text: string): string {
  const bounded = text.length > LIMITS.string ? `${text.slice(0, LIMITS.string)}… [${text.length} chars]` : text;
  return bounded.replace(UNSTORABLE, (c) => (c === '\u0000' ? '\\u0000' : '\ufffd'));
}

/**
 * What of untrusted input the audit log keeps: bounded in depth, breadth, total size and string
 * length (walked with a budget, so a 10,000-deep or megabyte input costs the same as a small one),
 * with text jsonb can store. Anything can be audited; nothing can stop the audit row.
 */
export function boundForAudit(value: unknown): unknown {
  let budget: number = LIMITS.nodes;
  const walk = (inner: unknown, depth: number): unknown => {
    budget -= 1;
    if (budget < 0) return '[truncated: too many values]';
    if (typeof inner === 'string') return storableText(inner);
    if (inner === null || typeof inner === 'number' || typeof inner === 'boolean') return inner;
    if (inner instanceof Date) return Number.isNaN(inner.getTime()) ? 'Invalid Date' : inner.toISOString();
    if (typeof inner !== 'object') return inner === undefined ? null : storableText(String(inner));
    if (depth >= LIMITS.depth) return `[truncated: nested deeper than ${LIMITS.depth} levels]`;
    if (Array.isArray(inner)) return inner.slice(0, LIMITS.entries).map((item) => walk(item, depth + 1));
    return Object.fromEntries(
      Object.entries(inner)
        .slice(0, LIMITS.entries)
        .map(([key, item]) => [storableText(key), walk(item, depth + 1)]),
    );
  };
  try {
    return walk(value, 0);
  } catch (error) {
    // Getters that throw, proxies: keep that the input was unreadable rather than losing the row.
    return `[unreadable input: ${error instanceof Error ? storableText(error.message) : 'unknown'}]`;
  }
}

export async function recordAudit(sql: SqlOrTx, event: AuditEventInput): Promise<number> {
  // Bounded and made storable first, then through JSON once so numbers like NaN become null.
  // Then within the row cap (lib/auth/audit-row-cap.ts; the table's CHECK constraint refuses bigger rows).
  const { username, inputs, detail } = capAuditRow(event.action, {
    username: event.username === null ? null : storableText(event.username),
    inputs: JSON.parse(JSON.stringify(redactSecrets(boundForAudit(event.inputs ?? {})) ?? {})),
    detail: JSON.parse(JSON.stringify(redactSecrets(boundForAudit(event.detail ?? {})) ?? {})),
  });
  // The keyed, chained insert (lib/auth/audit-append.ts): the only way a row enters the table.
  return appendAuditEvent(sql, {
    userId: event.userId,
    username,
    action: event.action,
    outcome: event.outcome,
    inputs,
    detail,
  });
}

/** An audit row without its author's id and its place in the hash chain: what the migration report lists. */
export type AuditEventSummary = Pick<AuditEvent, 'id' | 'at' | 'username' | 'action' | 'outcome' | 'inputs' | 'detail'>;

/**
 * The audit rows of the actions taken from `from` until `until` (both inclusive; no end while
 * `until` is null), oldest first, at most `limit`. Sign-ins and sign-outs (`auth.*`) are left out:
 * they say who was around, not what was done.
 */
export async function listActionAuditEvents(
  sql: SqlOrTx,
  params: { from: Date; until: Date | null; limit: number },
): Promise<AuditEventSummary[]> {
  const rows = rowsOf(
    auditEvents,
    await sql`
      select ${columnsOf(sql, auditEvents)} from cutover.audit_events
       where at >= ${params.from} and (${params.until}::timestamptz is null or at <= ${params.until})
         and action not like 'auth.%'
       order by id limit ${params.limit}`,
  );
  return rows.map(toAuditEventSummary);
}

/** Key by key, in this order: the report's JSON lists an event's fields as it always has. */
export function toAuditEventSummary({
  id,
  at,
  username,
  action,
  outcome,
  inputs,
  detail,
}: AuditEvent): AuditEventSummary {
  return { id, at, username, action, outcome, inputs, detail };
}
