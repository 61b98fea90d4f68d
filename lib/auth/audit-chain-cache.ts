/**
 * The audit page's chain check (docs/operations.md "The audit log"): incremental, so a page view
 * reads only the rows appended since the last verified head, not the whole table. The verified head
 * is kept in this process's memory only — never in the database, whose owner could edit it — and is
 * re-checked (still there, same hash, keyed) before it is trusted. The latest anchor of this
 * database, when the anchor file is readable, is checked on every view: it is the trust root.
 * A broken chain has no head to resume from: without memory every view would re-read it all, so the
 * broken state is remembered for BROKEN_REMEMBERED_MS and shown as found then (a broken chain does not
 * mend itself; only the owner's hand could, and that shows at the next full check).
 */
import type { Sql } from 'postgres';
import { auditAnchorFilePath, databaseLabelOf, readLatestAuditAnchor } from './audit-anchors';
import { type AuditChainState, type ExpectedHead, type VerifiedHead, verifyAuditChain } from './audit-chain';

/** How long a broken chain's state is shown without reading the chain again. */
export const BROKEN_REMEMBERED_MS = 5 * 60_000;

interface RememberedBreak {
  state: AuditChainState;
  foundAt: number;
}

const globalForChain = globalThis as unknown as {
  cutoverVerifiedAuditHeads?: Map<string, VerifiedHead>;
  cutoverBrokenAuditChains?: Map<string, RememberedBreak>;
};

function verifiedHeads(): Map<string, VerifiedHead> {
  globalForChain.cutoverVerifiedAuditHeads ??= new Map();
  return globalForChain.cutoverVerifiedAuditHeads;
}

function brokenChains(): Map<string, RememberedBreak> {
  globalForChain.cutoverBrokenAuditChains ??= new Map();
  return globalForChain.cutoverBrokenAuditChains;
}

export interface IncrementalCheck {
  state: AuditChainState;
  /** Where this check started: null when it read the whole chain (or read nothing: see `brokenFoundAt`). */
  resumedFrom: VerifiedHead | null;
  /** Set when the state is a break found earlier and remembered: nothing was read. */
  brokenFoundAt: Date | null;
}

interface CheckOptions {
  anchorFile?: string | null;
  /** The clock, in epoch ms (tests). */
  now?: () => number;
}

const inFlight = new Map<string, Promise<IncrementalCheck>>();

/**
 * Checks the chain of the database `sql` connects to, from the last head this process verified there.
 * Views arriving while a check of the same database runs share it (the first view after a start reads it all).
 */
export function verifyAuditChainIncrementally(sql: Sql, options: CheckOptions = {}): Promise<IncrementalCheck> {
  const database = databaseLabelOf(sql);
  const now = (options.now ?? Date.now)();
  const remembered = brokenChains().get(database);
  if (remembered && now - remembered.foundAt < BROKEN_REMEMBERED_MS)
    return Promise.resolve({ state: remembered.state, resumedFrom: null, brokenFoundAt: new Date(remembered.foundAt) });
  const running = inFlight.get(database);
  if (running) return running;
  const check = checkFromVerifiedHead(sql, database, options).finally(() => inFlight.delete(database));
  inFlight.set(database, check);
  return check;
}

async function checkFromVerifiedHead(sql: Sql, database: string, options: CheckOptions): Promise<IncrementalCheck> {
  const heads = verifiedHeads();
  const from = heads.get(database) ?? null;
  const expected: ExpectedHead[] = [];
  const anchorFile = options.anchorFile === undefined ? auditAnchorFilePath() : options.anchorFile;
  if (anchorFile) {
    const { latest } = readLatestAuditAnchor(anchorFile, database);
    if (latest) expected.push({ id: latest.id, hash: latest.hash, source: `the anchor file (${latest.reason})` });
  }
  const state = await verifyAuditChain(sql, { from, expected });
  brokenChains().delete(database);
  if (state.intact && state.head) heads.set(database, state.head);
  else heads.delete(database);
  if (!state.intact) brokenChains().set(database, { state, foundAt: (options.now ?? Date.now)() });
  return { state, resumedFrom: from, brokenFoundAt: null };
}

/** Forgets the verified heads and remembered breaks (tests). */
export function forgetVerifiedAuditHeads(): void {
  verifiedHeads().clear();
  brokenChains().clear();
}
