/**
 * Checks the audit log's chain (docs/operations.md "The audit log"), recomputed in Node with the
 * key (./audit-hash.ts), a batch at a time: no database function takes part, so replacing one
 * changes nothing. Every row must sit at the next position, name the previous row's hash and carry
 * the HMAC of its content — or, before the seal (./audit-seal.ts), migration 0005's unkeyed hash.
 * Unkeyed rows that no seal closes are NOT intact: anyone can compute that hash, so a whole chain
 * re-hashed the 0005 way looks exactly like a database never opened since the key (the console seals
 * such a chain on its first append, and only when no anchor says it was keyed before).
 * Anchors (./audit-anchors.ts) and an expected head must be found with exactly their hash, which
 * catches rows removed from the end. From a verified head (`from`), only the rows after it are read.
 */
import type { SqlOrTx } from '../db/connection';
import { readChainBatch, readChainRowAt, readChainRowById, type StoredChainRow } from './audit-chain-rows';
import { auditRowHash, legacyAuditRowHash } from './audit-hash';
import { auditKey } from './audit-key';
import { SEAL_ACTION, type SealDetail } from './audit-seal';

/** A head known from outside the database: an anchor line, or `--expect id:hash`. */
export interface ExpectedHead {
  id: number;
  hash: string;
  /** Where it came from, for the message ("the anchor file …", "--expect"). */
  source: string;
}

/** Where a previous verification ended (kept by ./audit-chain-cache.ts). */
export interface VerifiedHead {
  id: number;
  position: number;
  hash: string;
  events: number;
}

export type AuditChainState =
  | {
      intact: true;
      events: number;
      headHash: string | null;
      headId: number | null;
      head: VerifiedHead | null;
      /** Rows hashed before the key existed, covered by the seal (an intact chain has no unsealed ones). */
      legacyRows: number;
      sealed: boolean;
      /** The expected heads found with their hash. */
      confirmed: ExpectedHead[];
    }
  | {
      intact: false;
      events: number;
      /** The first row that does not fit: edited, or following a removed row; or the missing anchored row. */
      brokenId: number;
      brokenPosition: number | null;
      reason: string;
    };

export interface VerifyOptions {
  key?: string;
  expected?: ExpectedHead[];
  /** Continue from a head verified before, instead of from the first row. */
  from?: VerifiedHead | null;
}

export async function verifyAuditChain(sql: SqlOrTx, options: VerifyOptions = {}): Promise<AuditChainState> {
  const key = options.key ?? auditKey();
  const expected = new Map((options.expected ?? []).map((head) => [head.id, head]));
  const confirmed: ExpectedHead[] = [];
  let events = options.from?.events ?? 0;
  const broken = (row: { id: number; position: number | null }, reason: string): AuditChainState => ({
    intact: false,
    events,
    brokenId: row.id,
    brokenPosition: row.position,
    reason,
  });

  const [outside] = await sql<{ id: number }[]>`
    select id from cutover.audit_events where chain_position is null order by id limit 1`;
  if (outside) return broken({ id: outside.id, position: null }, 'the row is outside the chain (written around it)');

  let prev: string | null = null;
  let after = 0;
  let sawKeyed = false;
  let legacyRows = 0;
  let legacyHead: { id: number; position: number } | null = null;
  let sealed = false;
  let head: VerifiedHead | null = null;
  if (options.from) {
    // The verified head must still be there, unchanged; then only what follows it is read.
    const start = await readChainRowAt(sql, options.from.position);
    if (!start || start.id !== options.from.id || start.rowHash !== options.from.hash || !isKeyed(key, start))
      return verifyAuditChain(sql, { ...options, from: null });
    prev = start.rowHash;
    after = start.position;
    sawKeyed = true;
    sealed = true;
    head = options.from;
    // Expected heads inside the verified part are looked up directly; later ones are met on the way.
    for (const want of [...expected.values()].filter((w) => w.id <= start.id)) {
      const row = await readChainRowById(sql, want.id);
      if (!row || !isKeyed(key, row)) return verifyAuditChain(sql, { ...options, from: null });
      const mismatch = checkExpected(row);
      if (mismatch) return broken(row, mismatch);
    }
  }

  function checkExpected(row: StoredChainRow): string | null {
    const want = expected.get(row.id);
    if (!want) return null;
    expected.delete(row.id);
    if (want.hash !== row.rowHash)
      return `its hash differs from the head recorded in ${want.source} (${want.hash.slice(0, 16)}…): the chain was rewritten from here`;
    confirmed.push(want);
    return null;
  }

  while (true) {
    const batch = await readChainBatch(sql, after);
    if (batch.length === 0) break;
    for (const row of batch) {
      events += 1;
      if (row.position !== after + 1)
        return broken(row, `position ${row.position} where ${after + 1} was expected: a row before it was removed`);
      if (row.storedPrevHash !== prev)
        return broken(row, 'it does not follow the previous row’s hash: a row before it was removed or edited');
      if (isKeyed(key, row)) {
        if (row.action === SEAL_ACTION) {
          if (sawKeyed || !sealMatches(row.detail, { legacyRows, position: after, hash: prev }))
            return broken(row, 'a seal that does not close the unkeyed rows before it (only one seal, first)');
          sealed = true;
        } else if (!sawKeyed && legacyRows > 0) {
          return broken(row, 'the first keyed row after unkeyed rows is not the seal over them: the seal was removed');
        }
        sawKeyed = true;
      } else if (!sawKeyed && row.rowHash === legacyAuditRowHash({ ...row, prevHash: prev })) {
        legacyRows += 1;
        legacyHead = { id: row.id, position: row.position };
      } else {
        return broken(
          row,
          sawKeyed
            ? 'its content no longer matches its keyed hash: the row was edited (or re-hashed without the key)'
            : 'its content matches neither its keyed nor its unkeyed hash: the row was edited (or the key is not this chain’s)',
        );
      }
      const mismatch = checkExpected(row);
      if (mismatch) return broken(row, mismatch);
      prev = row.rowHash;
      after = row.position;
      head = { id: row.id, position: row.position, hash: row.rowHash ?? '', events };
    }
  }
  for (const missing of expected.values()) {
    return broken(
      { id: missing.id, position: null },
      `the head recorded in ${missing.source} (#${missing.id} ${missing.hash.slice(0, 16)}…) is gone: rows at or before it were removed`,
    );
  }
  if (legacyHead && !sealed)
    return broken(
      legacyHead,
      `${legacyRows} rows hashed without the key and no seal over them: the chain may have been re-hashed ` +
        'without the key. Only a database the console never wrote to since the key was set is sealed by its next ' +
        'audited action; anchored before, it is never sealed again',
    );
  return {
    intact: true,
    events,
    headHash: head?.hash ?? null,
    headId: head?.id ?? null,
    head,
    legacyRows,
    sealed,
    confirmed,
  };
}

function isKeyed(key: string, row: StoredChainRow): boolean {
  return row.rowHash !== null && auditRowHash(key, { ...row, prevHash: row.storedPrevHash }) === row.rowHash;
}

function sealMatches(detail: unknown, legacy: { legacyRows: number; position: number; hash: string | null }): boolean {
  const seal = detail as Partial<SealDetail> | null;
  return (
    legacy.legacyRows > 0 &&
    seal?.legacyRows === legacy.legacyRows &&
    seal.legacyHead?.position === legacy.position &&
    seal.legacyHead?.hash === legacy.hash
  );
}

export function describeAuditChain(state: AuditChainState): string {
  if (!state.intact) return `Audit chain BROKEN at event #${state.brokenId}: ${state.reason} (${state.events} events).`;
  const head = state.headHash ? `, head #${state.headId} ${state.headHash.slice(0, 16)}…` : '';
  const legacy = state.legacyRows > 0 ? ` ${state.legacyRows} rows from before the key, sealed.` : '';
  const anchors = state.confirmed.map((c) => ` Matches ${c.source} (#${c.id}).`).join('');
  return `Audit chain intact: ${state.events} events${head}.${legacy}${anchors}`;
}
