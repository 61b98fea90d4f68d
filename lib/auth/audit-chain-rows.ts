/**
 * Reading the audit chain in position order, a batch at a time (never the whole table in memory):
 * what the verification (./audit-chain.ts) and the one-time re-seal (./audit-reseal.ts) walk.
 * The time is read as epoch microseconds, the unit the keyed hash covers (./audit-hash.ts).
 */
import type { SqlOrTx } from '../db/connection';
import type { ChainedContent } from './audit-hash';

export interface StoredChainRow extends ChainedContent {
  storedPrevHash: string | null;
  rowHash: string | null;
  /** inputs and detail as jsonb prints them: what migration 0005's unkeyed hash covered. */
  inputsText: string;
  detailText: string;
}

interface RawRow {
  id: number;
  position: number;
  at_us: string;
  user_id: number | null;
  username: string | null;
  action: string;
  outcome: string;
  inputs: unknown;
  detail: unknown;
  prev_hash: string | null;
  row_hash: string | null;
  inputs_text: string;
  detail_text: string;
}

export const CHAIN_BATCH_ROWS = 1_000;

/** The chained rows after `afterPosition` (0: from the start), oldest first, at most `limit`. */
export async function readChainBatch(
  sql: SqlOrTx,
  afterPosition: number,
  limit: number = CHAIN_BATCH_ROWS,
): Promise<StoredChainRow[]> {
  const rows = await sql<RawRow[]>`
    select id, chain_position as position,
           ((extract(epoch from at) * 1000000)::bigint)::text as at_us,
           user_id, username, action, outcome, inputs, detail, prev_hash, row_hash,
           inputs::text as inputs_text, detail::text as detail_text
      from cutover.audit_events
     where chain_position > ${afterPosition}
     order by chain_position
     limit ${limit}`;
  return rows.map(toStored);
}

/** One chained row by its position, or null. */
export async function readChainRowAt(sql: SqlOrTx, position: number): Promise<StoredChainRow | null> {
  const [row] = await sql<RawRow[]>`
    select id, chain_position as position,
           ((extract(epoch from at) * 1000000)::bigint)::text as at_us,
           user_id, username, action, outcome, inputs, detail, prev_hash, row_hash,
           inputs::text as inputs_text, detail::text as detail_text
      from cutover.audit_events where chain_position = ${position}`;
  return row ? toStored(row) : null;
}

/** One chained row by its id, or null (also when it is outside the chain). */
export async function readChainRowById(sql: SqlOrTx, id: number): Promise<StoredChainRow | null> {
  const [row] = await sql<RawRow[]>`
    select id, chain_position as position,
           ((extract(epoch from at) * 1000000)::bigint)::text as at_us,
           user_id, username, action, outcome, inputs, detail, prev_hash, row_hash,
           inputs::text as inputs_text, detail::text as detail_text
      from cutover.audit_events where id = ${id} and chain_position is not null`;
  return row ? toStored(row) : null;
}

/** The newest chained row's place and hash (null for an empty chain). */
export async function readChainHead(
  sql: SqlOrTx,
): Promise<{ id: number; position: number; hash: string | null; at: Date } | null> {
  const [head] = await sql<{ id: number; position: number; row_hash: string | null; at: Date }[]>`
    select id, chain_position as position, row_hash, at from cutover.audit_events
     where chain_position is not null order by chain_position desc limit 1`;
  return head ? { id: head.id, position: head.position, hash: head.row_hash, at: head.at } : null;
}

function toStored(row: RawRow): StoredChainRow {
  return {
    position: row.position,
    id: row.id,
    atMicros: row.at_us,
    userId: row.user_id,
    username: row.username,
    action: row.action,
    outcome: row.outcome,
    inputs: row.inputs,
    detail: row.detail,
    prevHash: row.prev_hash,
    storedPrevHash: row.prev_hash,
    rowHash: row.row_hash,
    inputsText: row.inputs_text,
    detailText: row.detail_text,
  };
}
