/**
 * The seal over rows hashed before the key existed (docs/operations.md "The audit log"). Rows written
 * before migration 0017 keep migration 0005's unkeyed sha256 hashes, untouched (the table stays
 * append-only, and old rows may exceed the row cap an UPDATE would now check). The first append with
 * the key — under the chain lock — first appends an `audit.chain_sealed` event, HMAC'd like every
 * later row, whose detail names the unkeyed head (position, id, hash) and how many rows precede it.
 * Whoever rewrites an old row must re-hash every later unkeyed row, which changes that head: the
 * seal, which they cannot re-hash without the key, no longer matches. Sealed once: verify refuses a
 * second seal and any unkeyed row after the first keyed one. Sealing is the one-time upgrade only: the
 * seal writes a marker to the anchor file (./audit-anchors.ts), as does the first keyed row of an empty
 * chain, and a chain of this database that any anchor or marker says was keyed is never sealed (again):
 * a whole chain re-hashed the unkeyed way stays unsealed, and verify reports it broken.
 */
import type { TransactionSql } from 'postgres';
import { insertAlert } from '../db/tables/alert-outbox';
import { readSetting } from '../settings';
import { auditAnchorFilePath, readAnchorLinesByName, writeAuditChainMarker } from './audit-anchors';
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

/**
 * Appends a row after the chain's head (./audit-append.ts insertChained). Handed in by its caller, that
 * module, so the two files do not import each other (a circle, docs/architecture.md "The parts").
 */
type AppendAfterHead = (
  tx: TransactionSql,
  key: string,
  row: { userId: null; username: null; action: string; outcome: string; inputs: object; detail: SealDetail },
) => Promise<number>;

/** Appends the seal when the chain's head is an unkeyed row and no seal exists; the caller holds the chain lock. */
export async function sealLegacyChainIfDue(
  tx: TransactionSql,
  key: string,
  insertChained: AppendAfterHead,
): Promise<boolean> {
  const [head] = await tx<{ position: number }[]>`
    select chain_position as position from cutover.audit_events
     where chain_position is not null order by chain_position desc limit 1`;
  if (!head) return false;
  const [sealed] = await tx<{ any: boolean }[]>`
    select exists (select 1 from cutover.audit_events where action = ${SEAL_ACTION}) as any`;
  if (sealed?.any) return false;
  const row = await readChainRowAt(tx, head.position);
  if (!row?.rowHash) return false;
  // A head that verifies with the key is a keyed chain already (its seal removed, if ever: verify says so).
  if (auditRowHash(key, { ...row, prevHash: row.storedPrevHash }) === row.rowHash) return false;
  // Anchored before: this chain was keyed already, and its seal (or its keyed rows) removed. Sealing now would
  // bless whatever the owner re-hashed the unkeyed way; leave it for verify to report.
  const [database] = await tx<{ name: string }[]>`select current_database() as name`;
  const legacyHead = { position: row.position, id: row.id, hash: row.rowHash };
  if (keyedBefore(database?.name ?? '', legacyHead)) return false;
  const [count] = await tx<{ n: number }[]>`
    select count(*) as n from cutover.audit_events where chain_position is not null`;
  const detail: SealDetail = {
    legacyRows: count?.n ?? 0,
    legacyHead,
    scheme: 'rows up to legacyHead: sha256, unkeyed (migration 0005); from this row on: HMAC-SHA256 with the audit key',
    keyId: auditKeyId(key),
  };
  const id = await insertChained(tx, key, {
    userId: null,
    username: null,
    action: SEAL_ACTION,
    outcome: 'ok',
    inputs: {},
    detail,
  });
  // Before the transaction commits: a seal nobody outside the database knows of could be removed and redone.
  writeAuditChainMarker({ kind: 'sealed', databaseName: database?.name ?? '', legacyHead, keyId: detail.keyId });
  // Said outside the database too: a seal anywhere but at the upgrade is an alarm (docs/operations.md).
  if (readSetting('CUTOVER_AUDIT_ANCHOR_WEBHOOK') === 'on' && readSetting('ALERT_WEBHOOK_URL'))
    await insertAlert(tx, {
      dedupeKey: `audit-sealed:${database?.name}:${id}`,
      payload: {
        kind: 'audit_chain_sealed',
        summary: `Audit chain: ${detail.legacyRows} rows hashed before the key were sealed by event #${id}`,
        seal: { id, ...detail },
      },
    });
  return true;
}

/**
 * Whether the anchor file says this database's chain was keyed before (any host: a loose match errs on
 * refusing). The one line that does not count is about the very unkeyed head we are sealing — the marker or
 * anchor of a seal whose transaction rolled back — since no keyed row can have followed a seal that never was.
 */
function keyedBefore(databaseName: string, head: { position: number; id: number; hash: string }): boolean {
  const file = auditAnchorFilePath();
  if (!file) return false;
  const same = (other: { position: number; id: number; hash: string } | null) =>
    other?.position === head.position && other.id === head.id && other.hash === head.hash;
  const { anchors, markers } = readAnchorLinesByName(file, databaseName);
  return anchors.some((anchor) => !same(anchor)) || markers.some((marker) => !same(marker.legacyHead));
}
