/**
 * Anchors: the audit chain's head (id, position, hash, time) written outside the database at every
 * phase boundary (docs/operations.md "The audit log") — appended as one JSON line to a file under
 * the data directory and, when on, posted to the alert webhook through the outbox. `verify` checks
 * the chain against the latest anchor of its database, so rows removed at or before an anchored
 * head (a deleted tail included) are caught even though the remaining chain is consistent.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Sql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { insertAlert } from '../db/tables/alert-outbox';
import { readSetting } from '../settings';
import { readChainHead } from './audit-chain-rows';

type Environment = Record<string, string | undefined>;

export interface AuditAnchor {
  v: 1;
  /** Which database's chain (host:port/name, from the connection settings, never from the database). */
  database: string;
  id: number;
  position: number;
  hash: string;
  /** The head row's time and when the anchor was written (ISO). */
  headAt: string;
  writtenAt: string;
  reason: string;
}

/** The anchor file, or null when anchoring to a file is off. */
export function auditAnchorFilePath(env: Environment = process.env): string | null {
  const setting = readSetting('CUTOVER_AUDIT_ANCHOR_FILE', env);
  if (setting === 'off') return null;
  return resolve(setting ?? join(readSetting('CUTOVER_DATA_DIR', env), 'audit-anchors.jsonl'));
}

/** host:port/database of a pool: names the chain an anchor belongs to. */
export function databaseLabelOf(sql: Sql): string {
  const options = sql.options as unknown as { host: string[]; port: number[]; database: string };
  return `${options.host[0]}:${options.port[0]}/${options.database}`;
}

/**
 * Writes the current head as an anchor. `sql` is the pool (the anchor follows committed rows);
 * returns the anchor, or null for an empty chain.
 */
export async function writeAuditAnchor(
  sql: Sql,
  params: { reason: string; env?: Environment; outbox?: SqlOrTx; webhook?: boolean },
): Promise<AuditAnchor | null> {
  const env = params.env ?? process.env;
  const head = await readChainHead(sql);
  if (!head?.hash) return null;
  const anchor: AuditAnchor = {
    v: 1,
    database: databaseLabelOf(sql),
    id: head.id,
    position: head.position,
    hash: head.hash,
    headAt: head.at.toISOString(),
    writtenAt: new Date().toISOString(),
    reason: params.reason,
  };
  const file = auditAnchorFilePath(env);
  if (file) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${JSON.stringify(anchor)}\n`, { mode: 0o600 });
  }
  if (
    params.webhook !== false &&
    readSetting('CUTOVER_AUDIT_ANCHOR_WEBHOOK', env) === 'on' &&
    readSetting('ALERT_WEBHOOK_URL', env)
  ) {
    await insertAlert(params.outbox ?? sql, {
      dedupeKey: `audit-anchor:${anchor.database}:${anchor.position}:${anchor.hash}:${anchor.reason}`,
      payload: {
        kind: 'audit_anchor',
        summary: `Audit chain head #${anchor.id} (position ${anchor.position}) ${anchor.hash} — ${anchor.reason}`,
        anchor,
      },
    });
  }
  return anchor;
}

export interface AnchorFileRead {
  latest: AuditAnchor | null;
  /** Lines of this database; lines that are not anchors (a torn last write) are counted, not trusted. */
  anchors: number;
  unreadable: number;
}

/**
 * A line the append path writes at the two moments a chain becomes keyed — the seal over the rows from
 * before the key, and the first keyed row of an empty chain — and when a process first finds a chain keyed,
 * so no process that knew it keyed ever seals it (./audit-seal.ts). It names no head: it is written inside the append's transaction, which
 * may still roll back, so it says only "keyed from here" and, for the seal, the unkeyed head it closed
 * (that row was committed long before). A database only has a name inside its transaction, not the
 * host:port of the pool, so markers match by database name.
 */
export interface AuditChainMarker {
  v: 1;
  /** `keyed-seen`: a process's first append found the chain keyed (sealed, or its head verifying with the key). */
  kind: 'sealed' | 'keyed-from-empty' | 'keyed-seen';
  databaseName: string;
  legacyHead: { id: number; position: number; hash: string } | null;
  keyId: string;
  writtenAt: string;
}

/** Appends a marker to the anchor file (nothing when anchoring to a file is off). A failed write fails the append. */
export function writeAuditChainMarker(
  marker: Omit<AuditChainMarker, 'v' | 'writtenAt'>,
  env: Environment = process.env,
): void {
  const file = auditAnchorFilePath(env);
  if (!file) return;
  const line: AuditChainMarker = { v: 1, ...marker, writtenAt: new Date().toISOString() };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
}

/** Every anchor and marker of a database of this name (any host: a loose match errs on refusing to seal). */
export function readAnchorLinesByName(
  file: string,
  databaseName: string,
): { anchors: AuditAnchor[]; markers: AuditChainMarker[] } {
  const anchors: AuditAnchor[] = [];
  const markers: AuditChainMarker[] = [];
  if (!existsSync(file)) return { anchors, markers };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const anchor = parseAnchor(line);
    if (anchor?.database.endsWith(`/${databaseName}`)) anchors.push(anchor);
    const marker = anchor ? null : parseMarker(line);
    if (marker?.databaseName === databaseName) markers.push(marker);
  }
  return { anchors, markers };
}

function parseMarker(line: string): AuditChainMarker | null {
  try {
    const value = JSON.parse(line) as Partial<AuditChainMarker>;
    const kinds: unknown[] = ['sealed', 'keyed-from-empty', 'keyed-seen'];
    if (value.v === 1 && kinds.includes(value.kind) && value.databaseName) return value as AuditChainMarker;
  } catch {
    // Not JSON.
  }
  return null;
}

/** The latest anchor of `database` in the file (the last such line: the file is appended in time order). */
export function readLatestAuditAnchor(file: string, database: string): AnchorFileRead {
  if (!existsSync(file)) return { latest: null, anchors: 0, unreadable: 0 };
  let latest: AuditAnchor | null = null;
  let anchors = 0;
  let unreadable = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const anchor = parseAnchor(line);
    if (!anchor) {
      if (!parseMarker(line)) unreadable += 1;
      continue;
    }
    if (anchor.database !== database) continue;
    anchors += 1;
    if (!latest || anchor.position >= latest.position) latest = anchor;
  }
  return { latest, anchors, unreadable };
}

function parseAnchor(line: string): AuditAnchor | null {
  try {
    const value = JSON.parse(line) as Partial<AuditAnchor>;
    if (
      value.v === 1 &&
      typeof value.database === 'string' &&
      Number.isSafeInteger(value.id) &&
      Number.isSafeInteger(value.position) &&
      typeof value.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(value.hash)
    )
      return value as AuditAnchor;
  } catch {
    // Not JSON: counted by the caller.
  }
  return null;
}

/** `--expect <id>:<hash>`: a head noted elsewhere (a change record, the webhook's receiver). */
export function parseExpectedHead(text: string): { id: number; hash: string } | null {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  return { id: Number(match[1]), hash: match[2].toLowerCase() };
}
