/**
 * The audit log (DESIGN §4): every attempt — accepted, refused, invalid, failed — is a row in
 * cutover.audit_events. Written with the raw client so an accepted action's audit row commits
 * in the same transaction as its data change.
 */
import type { SqlOrTx } from '../db/connection';
import type { AuditOutcome } from '../db/console-schema';

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

export async function recordAudit(sql: SqlOrTx, event: AuditEventInput): Promise<number> {
  // Through JSON once so dates and undefined become what jsonb can hold.
  const inputs = JSON.parse(JSON.stringify(redactSecrets(event.inputs ?? {})));
  const detail = JSON.parse(JSON.stringify(redactSecrets(event.detail ?? {})));
  const [row] = await sql<{ id: string }[]>`
    insert into cutover.audit_events (user_id, username, action, outcome, inputs, detail)
    values (${event.userId}, ${event.username}, ${event.action}, ${event.outcome}, ${sql.json(inputs)}, ${sql.json(detail)})
    returning id`;
  return Number(row?.id);
}
