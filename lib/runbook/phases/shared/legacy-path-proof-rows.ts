/**
 * Where a rollback's legacy-path proof is kept in its phase run (cutover.phase_runs): the reads of
 * the proofs still watched and the write of a new one (./legacy-path-proof.ts owns the shape).
 */

import type { SqlOrTx } from '../../../db/connection';
import type { PhaseRun } from '../../../db/tables/phase-runs';
import { toJsonValue } from '../../../json';

/*
 * A rollback's legacy-path proof (lib/runbook/phases/shared/legacy-path-proof.ts owns its shape) is kept in its
 * run's result under `legacyPathProof` and in its checkpoint under `legacyProof`; a succeeded
 * rollback whose proof is 'pending' or 'silent' is still being watched.
 */

/** The succeeded rollbacks whose legacy-path proof is pending or silent, with that proof. */
export async function listOpenLegacyPathProofs(
  sql: SqlOrTx,
): Promise<{ id: PhaseRun['id']; proof: Record<string, unknown> }[]> {
  return sql<{ id: number; proof: Record<string, unknown> }[]>`
    select id, result->'legacyPathProof' as proof from cutover.phase_runs
     where phase = 'rollback' and status = 'succeeded'
       and result->'legacyPathProof'->>'state' in ('pending', 'silent')`;
}

/** The latest succeeded rollback whose legacy-path proof is pending or silent: its state and expected time. */
export async function latestOpenLegacyPathProof(
  sql: SqlOrTx,
): Promise<{ id: PhaseRun['id']; state: 'pending' | 'silent'; expectedFrom: string } | null> {
  const [row] = await sql<{ id: number; state: 'pending' | 'silent'; expected_from: string }[]>`
    select id, result->'legacyPathProof'->>'state' as state, result->'legacyPathProof'->>'expectedFrom' as expected_from
      from cutover.phase_runs
     where phase = 'rollback' and status = 'succeeded' and result->'legacyPathProof'->>'state' in ('pending', 'silent')
     order by id desc limit 1`;
  return row ? { id: row.id, state: row.state, expectedFrom: row.expected_from } : null;
}

/** Stores a rollback's new legacy-path proof in its result and its checkpoint. */
export async function storeLegacyPathProof(sql: SqlOrTx, params: { id: number; proof: object }): Promise<void> {
  await sql`update cutover.phase_runs
               set result = jsonb_set(result, '{legacyPathProof}', ${sql.json(toJsonValue(params.proof))}),
                   checkpoint = jsonb_set(checkpoint, '{legacyProof}', ${sql.json(toJsonValue(params.proof))})
             where id = ${params.id}`;
}
