/**
 * The audit page's chain check (docs/operations.md "The audit log"): incremental, so a page view
 * reads only the rows appended since the last verified head, not the whole table. The verified head
 * is kept in this process's memory only — never in the database, whose owner could edit it — and is
 * re-checked (still there, same hash, keyed) before it is trusted. The latest anchor of this
 * database, when the anchor file is readable, is checked on every view: it is the trust root.
 */
import type { Sql } from 'postgres';
import { auditAnchorFilePath, databaseLabelOf, readLatestAuditAnchor } from './audit-anchors';
import { type AuditChainState, type ExpectedHead, type VerifiedHead, verifyAuditChain } from './audit-chain';

const globalForChain = globalThis as unknown as { cutoverVerifiedAuditHeads?: Map<string, VerifiedHead> };

function verifiedHeads(): Map<string, VerifiedHead> {
  globalForChain.cutoverVerifiedAuditHeads ??= new Map();
  return globalForChain.cutoverVerifiedAuditHeads;
}

export interface IncrementalCheck {
  state: AuditChainState;
  /** Where this check started: null when it read the whole chain. */
  resumedFrom: VerifiedHead | null;
}

const inFlight = new Map<string, Promise<IncrementalCheck>>();

/**
 * Checks the chain of the database `sql` connects to, from the last head this process verified there.
 * Views arriving while a check of the same database runs share it (the first view after a start reads it all).
 */
export function verifyAuditChainIncrementally(
  sql: Sql,
  options: { anchorFile?: string | null } = {},
): Promise<IncrementalCheck> {
  const database = databaseLabelOf(sql);
  const running = inFlight.get(database);
  if (running) return running;
  const check = checkFromVerifiedHead(sql, database, options).finally(() => inFlight.delete(database));
  inFlight.set(database, check);
  return check;
}

async function checkFromVerifiedHead(
  sql: Sql,
  database: string,
  options: { anchorFile?: string | null },
): Promise<IncrementalCheck> {
  const heads = verifiedHeads();
  const from = heads.get(database) ?? null;
  const expected: ExpectedHead[] = [];
  const anchorFile = options.anchorFile === undefined ? auditAnchorFilePath() : options.anchorFile;
  if (anchorFile) {
    const { latest } = readLatestAuditAnchor(anchorFile, database);
    if (latest) expected.push({ id: latest.id, hash: latest.hash, source: `the anchor file (${latest.reason})` });
  }
  const state = await verifyAuditChain(sql, { from, expected });
  if (state.intact && state.head) heads.set(database, state.head);
  else heads.delete(database);
  return { state, resumedFrom: from };
}

/** Forgets the verified heads (tests). */
export function forgetVerifiedAuditHeads(): void {
  verifiedHeads().clear();
}
