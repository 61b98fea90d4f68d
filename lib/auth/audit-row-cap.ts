/**
 * The byte cap of one audit row (docs/operations.md "The audit log"), enforced here before the
 * insert and by the CHECK constraint audit_events_row_bytes_check (drizzle/0015_audit_bounded_refusals.sql):
 * username + action + inputs + detail, measured as PostgreSQL prints jsonb, at most AUDIT_ROW_MAX_BYTES.
 *
 * Why 16 KiB: an accepted action's inputs are a form's worth of fields (well under 1 KiB) and the
 * largest result the console audits (the validate plan's items) is a few KiB; 16 KiB leaves room for
 * both while a table of a million rows stays under 16 GiB. Rows over the cap lose their inputs first,
 * then their detail, each replaced by a note of what was left out: the row is always written.
 */

import type { JSONValue } from 'postgres';

export const AUDIT_ROW_MAX_BYTES = 16 * 1024;

/** The text length PostgreSQL prints a JSON number with (numeric: no exponent, `1e21` becomes 22 digits). */
function numberTextBytes(value: number): number {
  if (!Number.isFinite(value)) return 4; // JSON.stringify makes it null
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text.length;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const digits = whole.length + fraction.length;
  if (exponent >= 0) return sign.length + Math.max(digits, whole.length + exponent);
  // 1.5e-7 → 0.00000015
  return sign.length + 2 + (-exponent - whole.length) + digits;
}

/**
 * The bytes of `value` as jsonb::text prints it (`{"a": 1, "b": [1, 2]}`: a space after each `:`
 * and `,`). `value` is JSON-safe (it went through JSON once); strings are measured as JSON.stringify
 * escapes them, which is how jsonb prints them too.
 */
export function jsonbTextBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'number') return numberTextBytes(value);
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (typeof value === 'string') return Buffer.byteLength(JSON.stringify(value));
  if (Array.isArray(value)) {
    return 2 + value.reduce<number>((sum, item) => sum + jsonbTextBytes(item), 0) + Math.max(0, value.length - 1) * 2;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return (
      2 +
      entries.reduce((sum, [key, item]) => sum + Buffer.byteLength(JSON.stringify(key)) + 2 + jsonbTextBytes(item), 0) +
      Math.max(0, entries.length - 1) * 2
    );
  }
  return 4;
}

export interface CappedRow {
  username: string | null;
  inputs: JSONValue;
  detail: JSONValue;
}

const SHORT_TEXT = 500;

/** Top-level scalars of the detail (reason, outcome, address…), strings shortened: what a capped detail keeps. */
function scalarSummary(value: JSONValue): Record<string, JSONValue> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const kept: Record<string, JSONValue> = {};
  for (const [key, item] of Object.entries(value).slice(0, 20)) {
    if (key.length > 100) continue;
    if (typeof item === 'string') kept[key] = item.length > SHORT_TEXT ? `${item.slice(0, SHORT_TEXT)}…` : item;
    else if (typeof item === 'number' || typeof item === 'boolean' || item === null) kept[key] = item;
  }
  return kept;
}

/**
 * The row as it may be written: unchanged when it fits; otherwise the inputs become a note of their
 * size, then (if still too big) the detail keeps only its short top-level scalars, then only a note.
 */
export function capAuditRow(action: string, row: CappedRow): CappedRow {
  const fixed = () => Buffer.byteLength(row.username ?? '') + Buffer.byteLength(action);
  let username = row.username;
  if (fixed() > AUDIT_ROW_MAX_BYTES / 4 && username !== null) username = `${username.slice(0, 200)}…`;
  const base = Buffer.byteLength(username ?? '') + Buffer.byteLength(action);
  const fits = (inputs: JSONValue, detail: JSONValue) =>
    base + jsonbTextBytes(inputs) + jsonbTextBytes(detail) <= AUDIT_ROW_MAX_BYTES;
  if (fits(row.inputs, row.detail)) return { username, inputs: row.inputs, detail: row.detail };
  const inputs = { omitted: `inputs of ${jsonbTextBytes(row.inputs)} bytes: over the audit row cap` };
  if (fits(inputs, row.detail)) return { username, inputs, detail: row.detail };
  const detail = {
    ...scalarSummary(row.detail),
    omitted: `detail of ${jsonbTextBytes(row.detail)} bytes: over the audit row cap`,
  };
  if (fits(inputs, detail)) return { username, inputs, detail };
  return { username, inputs, detail: { omitted: detail.omitted } };
}
