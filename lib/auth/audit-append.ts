/**
 * The one way a row enters cutover.audit_events (docs/operations.md "The audit log"): under the
 * chain lock, inside the caller's transaction (so an action's audit row still commits with its
 * data change), it reads the head, takes the next id and the transaction's time, computes the
 * keyed hash in Node (./audit-hash.ts) and inserts the row with its position and both hashes.
 * The database holds no key and no hashing trigger: a row it writes by itself does not verify.
 * The moments a chain becomes keyed (its first row, or the seal over rows from before the key) are
 * written outside the database at once (./audit-anchors.ts markers), and, when this function owns
 * the transaction, anchored with their head once it committed: verify and the seal then have a root.
 */
import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { writeAuditAnchor, writeAuditChainMarker } from './audit-anchors';
import { checkChainKey } from './audit-chain-key';
import { readChainRowAt, type StoredChainRow } from './audit-chain-rows';
import { auditRowHash, type ChainedContent } from './audit-hash';
import { auditKey, auditKeyId } from './audit-key';
import { SEAL_ACTION, sealLegacyChainIfDue } from './audit-seal';

/**
 * A row ready to store: bounded, redacted and storable already (lib/auth/audit.ts recordAudit does that).
 * What the chain covers, less what the append itself assigns (position, id, time, previous hash).
 */
export type AppendableAuditRow = Omit<ChainedContent, 'position' | 'id' | 'atMicros' | 'prevHash'>;

/** The transaction-scoped lock every append takes, so two writers cannot fork the chain. */
export const AUDIT_CHAIN_LOCK = 231145477;

export async function appendAuditEvent(sql: SqlOrTx, row: AppendableAuditRow): Promise<number> {
  const key = auditKey();
  if ('savepoint' in sql) return (await appendInTransaction(sql as TransactionSql, key, row)).id;
  const pool = sql as Exclude<SqlOrTx, TransactionSql>;
  const appended = await pool.begin((tx) => appendInTransaction(tx, key, row));
  // Committed now: the head it names exists for good. File only (the seal alerts the webhook itself); a failed
  // write must not fail a caller whose row committed — the marker written before the commit stands.
  if (appended.becameKeyed)
    await writeAuditAnchor(pool, { reason: appended.becameKeyed, webhook: false }).catch((error: unknown) => {
      console.warn(`[audit] the chain's head was not anchored: ${error instanceof Error ? error.message : error}`);
    });
  return appended.id;
}

async function appendInTransaction(
  tx: TransactionSql,
  key: string,
  row: AppendableAuditRow,
): Promise<{ id: number; becameKeyed: string | null }> {
  await tx`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const head = await readHeadForAppend(tx);
  // Another console's key on this chain is refused before anything is written (./audit-chain-key.ts).
  const chainKey = await checkChainKey(tx, key, head);
  if (head.hash && !keyedSeen.has(head.database) && !appendedHere.has(head.hash))
    await rememberKeyedChain(tx, key, head);
  // A head this process wrote, a sealed chain, or one whose key was on record (keyed before: never sealed)
  // needs no seal check (./audit-seal.ts): the usual case.
  if (
    head.hash &&
    !head.sealed &&
    chainKey !== 'recorded' &&
    !appendedHere.has(head.hash) &&
    (await sealLegacyChainIfDue(tx, key, insertChained))
  )
    return { id: await insertChained(tx, key, row), becameKeyed: 'the audit chain sealed' };
  if (head.position === 0) {
    writeAuditChainMarker({
      kind: 'keyed-from-empty',
      databaseName: head.database,
      legacyHead: null,
      keyId: auditKeyId(key),
    });
    return { id: await insertAfter(tx, key, row, head), becameKeyed: 'the first keyed audit event' };
  }
  return { id: await insertAfter(tx, key, row, head), becameKeyed: null };
}

/** Databases (by name) this process found keyed and said so in its anchor file. */
const keyedSeen = new Set<string>();

/**
 * The first time this process appends to a chain someone else keyed (sealed, or its head verifying with the key),
 * it says so in its own anchor file: should the owner later re-hash the whole chain the unkeyed way, this process
 * does not seal it either (./audit-seal.ts), even when it wrote neither the chain's first row nor its seal. Heads
 * this process wrote are skipped: they may be its own transaction's, which could still roll back.
 */
async function rememberKeyedChain(tx: TransactionSql, key: string, head: HeadForAppend): Promise<void> {
  if (!head.sealed && !isKeyedRow(key, await readChainRowAt(tx, head.position))) return;
  try {
    writeAuditChainMarker({
      kind: 'keyed-seen',
      databaseName: head.database,
      legacyHead: null,
      keyId: auditKeyId(key),
    });
    keyedSeen.add(head.database);
  } catch (error) {
    // Not fatal: this marker only hardens a later seal decision (./audit-seal.ts). An unwritable anchor
    // file must not stop every audited action (sign-in included); it is said each time, and tried again
    // at the next append.
    console.warn(
      `[audit] could not note the keyed chain in the anchor file: ${error instanceof Error ? error.message : error}`,
    );
  }
}

function isKeyedRow(key: string, row: StoredChainRow | null): boolean {
  return (
    Boolean(row?.rowHash) &&
    auditRowHash(key, { ...(row as StoredChainRow), prevHash: row?.storedPrevHash ?? null }) === row?.rowHash
  );
}

/** Hashes this process appended lately: their rows are keyed without checking. */
const appendedHere = new Set<string>();

/** Forgets them and the chains found keyed, as a process that wrote none of the chain (tests of the seal). */
export function forgetAppendedAuditHashes(): void {
  appendedHere.clear();
  keyedSeen.clear();
}

interface HeadForAppend {
  position: number;
  hash: string | null;
  sealed: boolean;
  /** current_database(): markers name a database by its name (./audit-anchors.ts). */
  database: string;
  /** The new row's id (taken from the sequence) and the transaction's time in epoch microseconds. */
  nextId: number;
  atMicros: string;
}

async function readHeadForAppend(tx: TransactionSql): Promise<HeadForAppend> {
  const [head] = await tx<
    { position: number | null; row_hash: string | null; sealed: boolean; database: string; id: number; at_us: string }[]
  >`
    select h.position, h.row_hash, current_database() as database,
           exists (select 1 from cutover.audit_events where action = ${SEAL_ACTION}) as sealed,
           nextval(pg_get_serial_sequence('cutover.audit_events', 'id')) as id,
           ((extract(epoch from now()) * 1000000)::bigint)::text as at_us
      from (select 1) as one
      left join lateral (
        select chain_position as position, row_hash from cutover.audit_events
         where chain_position is not null order by chain_position desc limit 1) h on true`;
  if (!head) throw new Error('audit: the chain head could not be read');
  return {
    position: head.position ?? 0,
    hash: head.row_hash,
    sealed: head.sealed,
    database: head.database,
    nextId: head.id,
    atMicros: head.at_us,
  };
}

/** Appends after the current head; the caller holds the chain lock. */
export async function insertChained(tx: TransactionSql, key: string, row: AppendableAuditRow): Promise<number> {
  return insertAfter(tx, key, row, await readHeadForAppend(tx));
}

async function insertAfter(
  tx: TransactionSql,
  key: string,
  row: AppendableAuditRow,
  head: HeadForAppend,
): Promise<number> {
  // Hashed as it will read back from jsonb: plain JSON (no undefined, Dates as text, NaN as null).
  const inputs: unknown = JSON.parse(JSON.stringify(row.inputs ?? {}));
  const detail: unknown = JSON.parse(JSON.stringify(row.detail ?? {}));
  const position = head.position + 1;
  const prevHash = head.hash;
  const id = head.nextId;
  const rowHash = auditRowHash(key, { ...row, inputs, detail, position, id, atMicros: head.atMicros, prevHash });
  // `at` is now(): the same transaction time the hash was computed over.
  await tx`
    insert into cutover.audit_events (id, at, user_id, username, action, outcome, inputs, detail, chain_position, prev_hash, row_hash)
    values (${id}, now(), ${row.userId}, ${row.username}, ${row.action}, ${row.outcome},
            ${tx.json(inputs as never)}, ${tx.json(detail as never)}, ${position}, ${prevHash}, ${rowHash})`;
  if (appendedHere.size >= 256) appendedHere.clear();
  appendedHere.add(rowHash);
  return id;
}
