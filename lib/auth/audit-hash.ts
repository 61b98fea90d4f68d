/**
 * The keyed hash of one audit row (docs/operations.md "The audit log"): HMAC-SHA256 over a
 * canonical encoding of everything the row says and where it sits — its position, id, time (epoch
 * microseconds, so no session TimeZone changes it), author, action, outcome, inputs and detail
 * (JSON with keys sorted, so jsonb's own key order does not matter) and the previous row's hash.
 * Computed in Node at insert and at verify: no database function takes part.
 */
import { createHash, createHmac } from 'node:crypto';

/** A row as the chain covers it. `atMicros` is the timestamptz as whole epoch microseconds, in decimal. */
export interface ChainedContent {
  position: number;
  id: number;
  atMicros: string;
  userId: number | null;
  username: string | null;
  action: string;
  outcome: string;
  inputs: unknown;
  detail: unknown;
  prevHash: string | null;
}

const SCHEME = 'dxy-cutover/audit/hmac-sha256/v1';

/** JSON with object keys sorted at every level: equal values encode equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, inner]) => inner !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
}

export function encodeChainedContent(row: ChainedContent): string {
  return JSON.stringify([
    SCHEME,
    row.position,
    row.id,
    row.atMicros,
    row.userId,
    row.username,
    row.action,
    row.outcome,
    canonicalJson(row.inputs),
    canonicalJson(row.detail),
    row.prevHash,
  ]);
}

export function auditRowHash(key: string, row: ChainedContent): string {
  return createHmac('sha256', key).update(encodeChainedContent(row), 'utf8').digest('hex');
}

/**
 * Migration 0005's unkeyed hash, recomputed in Node: the rows written before the key existed carry
 * it, up to the seal (./audit-seal.ts). Anyone can compute it, so alone it proves nothing; the seal does.
 */
export function legacyAuditRowHash(
  row: Omit<ChainedContent, 'inputs' | 'detail'> & { inputsText: string; detailText: string },
): string {
  const fields = [
    row.prevHash ?? '',
    String(row.id),
    row.atMicros,
    row.userId === null ? '' : String(row.userId),
    row.username ?? '',
    row.action,
    row.outcome,
    row.inputsText,
    row.detailText,
  ];
  return createHash('sha256').update(fields.join('\x1f'), 'utf8').digest('hex');
}
