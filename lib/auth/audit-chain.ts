/**
 * Checks the audit log's hash chain (docs/operations.md, "The audit log"): every row carries the
 * hash of the previous row and of its own content, set by a trigger at insert; rows cannot be
 * updated or deleted through the table (a trigger refuses). Anyone who bypasses that — the table's
 * owner disabling the trigger, a restore of an edited dump — breaks the chain at the first row they
 * touched, and this check names it. Recomputed in SQL with the same function the trigger uses.
 */
import type { SqlOrTx } from '../db/connection';

export type AuditChainState =
  | { intact: true; events: number; headHash: string | null; headId: number | null }
  | {
      intact: false;
      events: number;
      /** The first row that does not fit: edited, or following a removed row. */
      brokenId: number;
      brokenPosition: number | null;
      reason: string;
    };

interface ChainRow {
  id: number;
  position: number | null;
  expected_position: number;
  prev_hash: string | null;
  expected_prev: string | null;
  row_hash: string | null;
  recomputed: string;
}

export async function verifyAuditChain(sql: SqlOrTx): Promise<AuditChainState> {
  const [count] = await sql<{ n: number }[]>`select count(*)::float8 as n from cutover.audit_events`;
  const events = count?.n ?? 0;
  const [broken] = await sql<ChainRow[]>`
    select id::float8 as id, position, expected_position, prev_hash, expected_prev, row_hash, recomputed from (
      select e.id, e.chain_position::float8 as position,
             (row_number() over (order by e.chain_position nulls first, e.id))::float8 as expected_position,
             e.prev_hash, lag(e.row_hash) over (order by e.chain_position nulls first, e.id) as expected_prev, e.row_hash,
             cutover.audit_row_hash(e.prev_hash, e.id, e.at, e.user_id, e.username, e.action, e.outcome, e.inputs, e.detail) as recomputed
        from cutover.audit_events e) chain
     where position is null or position <> expected_position
        or prev_hash is distinct from expected_prev or row_hash is distinct from recomputed
     order by expected_position limit 1`;
  if (!broken) {
    const [head] = await sql<{ id: number; row_hash: string }[]>`
      select id::float8 as id, row_hash from cutover.audit_events order by chain_position desc nulls last limit 1`;
    return { intact: true, events, headHash: head?.row_hash ?? null, headId: head?.id ?? null };
  }
  const reason =
    broken.position === null
      ? 'the row is outside the chain (written with the chain trigger disabled)'
      : broken.position !== broken.expected_position
        ? `position ${broken.position} where ${broken.expected_position} was expected: a row before it was removed`
        : broken.row_hash !== broken.recomputed
          ? 'its content no longer matches its hash: the row was edited'
          : 'it does not follow the previous row’s hash: a row before it was removed or edited';
  return { intact: false, events, brokenId: broken.id, brokenPosition: broken.position, reason };
}

export function describeAuditChain(state: AuditChainState): string {
  return state.intact
    ? `Audit chain intact: ${state.events} events${state.headHash ? `, head #${state.headId} ${state.headHash.slice(0, 16)}…` : ''}.`
    : `Audit chain BROKEN at event #${state.brokenId}: ${state.reason} (${state.events} events).`;
}
