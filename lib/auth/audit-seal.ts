/**
 * The seal over rows hashed before the key existed (docs/operations.md "The audit log"). Rows written
 * before migration 0017 keep migration 0005's unkeyed sha256 hashes, untouched (the table stays
 * append-only, and old rows may exceed the row cap an UPDATE would now check). The first append with
 * the key — under the chain lock — first appends an `audit.chain_sealed` event, HMAC'd like every
 * later row, whose detail names the unkeyed head (position, id, hash) and how many rows precede it.
 * Whoever rewrites an old row must re-hash every later unkeyed row, which changes that head: the
 * seal, which they cannot re-hash without the key, no longer matches. Sealed once: verify refuses a
 * second seal and any unkeyed row after the first keyed one.
 */
import type { TransactionSql } from 'postgres';
import { insertChained } from './audit-append';
import { readChainRowAt } from './audit-chain-rows';
import { auditRowHash } from './audit-hash';
import { auditKeyId } from './audit-key';

export const SEAL_ACTION = 'audit.chain_sealed';

export interface SealDetail {
  legacyRows: number;
  legacyHead: { position: number; id: number; hash: string };
  scheme: string;
  keyId: string;
}

/** Appends the seal when the chain's head is an unkeyed row and no seal exists; the caller holds the chain lock. */
export async function sealLegacyChainIfDue(tx: TransactionSql, key: string): Promise<boolean> {
  const [head] = await tx<{ position: number }[]>`
    select chain_position::float8 as position from cutover.audit_events
     where chain_position is not null order by chain_position desc limit 1`;
  if (!head) return false;
  const [sealed] = await tx<{ any: boolean }[]>`
    select exists (select 1 from cutover.audit_events where action = ${SEAL_ACTION}) as any`;
  if (sealed?.any) return false;
  const row = await readChainRowAt(tx, head.position);
  if (!row?.rowHash) return false;
  // A head that verifies with the key is a keyed chain already (its seal removed, if ever: verify says so).
  if (auditRowHash(key, { ...row, prevHash: row.storedPrevHash }) === row.rowHash) return false;
  const [count] = await tx<{ n: number }[]>`
    select count(*)::float8 as n from cutover.audit_events where chain_position is not null`;
  const detail: SealDetail = {
    legacyRows: count?.n ?? 0,
    legacyHead: { position: row.position, id: row.id, hash: row.rowHash },
    scheme: 'rows up to legacyHead: sha256, unkeyed (migration 0005); from this row on: HMAC-SHA256 with the audit key',
    keyId: auditKeyId(key),
  };
  await insertChained(tx, key, {
    userId: null,
    username: null,
    action: SEAL_ACTION,
    outcome: 'ok',
    inputs: {},
    detail,
  });
  return true;
}
