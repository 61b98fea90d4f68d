/**
 * One key per chain (docs/operations.md "More than one console"). Several consoles, runners and scripts may
 * append to one database's audit chain; each hashes with its own process's key, so one started with another
 * key would go on appending rows that verify with neither — silently, until the next `verify` — and, with an
 * anchor file of its own that knows nothing of the chain, could even take the keyed chain for rows from
 * before the key and seal it. So the first keyed append records the key's non-secret id
 * (`cutover.audit_chain_key`, migration 0019), and every append checks it under the chain lock: another id
 * is refused with both ids named, before anything is written. A process also checks it when it starts, so a
 * console with the wrong key refuses to start instead of failing its first audited action.
 */
import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { readChainRowAt } from './audit-chain-rows';
import { auditRowHash, legacyAuditRowHash } from './audit-hash';
import { auditKeyId } from './audit-key';

export class AuditKeyMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyMismatch';
  }
}

const SAME_KEY =
  'Every console, runner and script against one database needs the same CUTOVER_AUDIT_KEY (docs/operations.md "More than one console").';

/** The recorded key id of this database's chain, or null (no keyed append since migration 0019). */
export async function recordedAuditKeyId(sql: SqlOrTx): Promise<string | null> {
  const [row] = await sql<{ key_id: string }[]>`select key_id from cutover.audit_chain_key`;
  return row?.key_id ?? null;
}

/** Throws AuditKeyMismatch when the database's chain was recorded with another key; nothing recorded is fine. */
export async function assertAuditKeyFitsDatabase(sql: SqlOrTx, key: string): Promise<void> {
  refuseOtherKey(await recordedAuditKeyId(sql), key);
}

function refuseOtherKey(recorded: string | null, key: string): void {
  if (recorded !== null && recorded !== auditKeyId(key))
    throw new AuditKeyMismatch(
      `this database's audit chain is written with the key whose id is ${recorded}; this process has key id ` +
        `${auditKeyId(key)}. ${SAME_KEY}`,
    );
}

/**
 * Called by the append under the chain lock, before it writes. 'recorded': the chain's key id was on record
 * already and is this key's (so the chain was keyed before: it is never sealed). 'recording': nothing was on
 * record and this key's id is recorded now, in the append's transaction — when the chain is empty, its head
 * verifies with this key, or its head is a row from before the key (which this append seals). Otherwise (the
 * head verifies with neither: another key wrote it, or it was edited) the append is refused.
 */
export async function checkChainKey(
  tx: TransactionSql,
  key: string,
  head: { position: number; sealed: boolean },
): Promise<'recorded' | 'recording'> {
  const recorded = await recordedAuditKeyId(tx);
  refuseOtherKey(recorded, key);
  if (recorded !== null) return 'recorded';
  if (head.position > 0) {
    const row = await readChainRowAt(tx, head.position);
    const keyed = row?.rowHash && auditRowHash(key, { ...row, prevHash: row.storedPrevHash }) === row.rowHash;
    const beforeTheKey =
      !head.sealed && row?.rowHash && legacyAuditRowHash({ ...row, prevHash: row.storedPrevHash }) === row.rowHash;
    if (!keyed && !beforeTheKey)
      throw new AuditKeyMismatch(
        `the audit chain's newest row (#${row?.id ?? '?'}, position ${head.position}) does not verify with this ` +
          `process's key (id ${auditKeyId(key)}): another key wrote it, or it was edited (\`npm run audit -- verify\` ` +
          `says which). Nothing was appended. ${SAME_KEY}`,
      );
  }
  await tx`insert into cutover.audit_chain_key (key_id) values (${auditKeyId(key)}) on conflict do nothing`;
  return 'recording';
}
