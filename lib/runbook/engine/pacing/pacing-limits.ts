/**
 * The live limits of the batched phases (docs/operations.md "Pacing"): one row,
 * cutover.pacing_limits (migration 0021), read before every batch, so a change made while a phase
 * runs takes effect at its next batch. The ranges here and the table's CHECKs are the same.
 */
import { z } from 'zod';
import type { SqlOrTx } from '../../../db/connection';

export interface PacingLimits {
  /** Rows per batch; null: the phase's own setting (CUTOVER_COPY_BATCH_ROWS, CUTOVER_SOFT_DELETE_BATCH_ROWS). */
  batchRows: number | null;
  /** Least time between the starts of two batches (0: as fast as the signals allow). */
  paceMs: number;
  /** Longest a session may have waited for a lock on data_bars or derived_data_bars. */
  maxLockWaitMs: number;
  /** Largest replay lag of a replica (pg_stat_replication). */
  maxReplicaLagS: number;
  /** How long to hold after a requested checkpoint (WAL beyond max_wal_size); 0: do not hold. */
  checkpointPauseS: number;
  /** Largest WAL rate since the last batch. */
  maxWalMbPerS: number;
  /** Longest the workers' most recent runs (ops_runlog) may have taken. */
  maxWorkerMs: number;
}

/** What an operator may set; every field optional (what is left out keeps its value). */
export const PACING_CHANGE = z
  .object({
    batchRows: z.number().int().min(1).max(1_000_000).nullable(),
    paceMs: z.number().int().min(0).max(600_000),
    maxLockWaitMs: z.number().int().min(0).max(600_000),
    maxReplicaLagS: z.number().int().min(0).max(3600),
    checkpointPauseS: z.number().int().min(0).max(600),
    maxWalMbPerS: z.number().int().min(1).max(100_000),
    maxWorkerMs: z.number().int().min(100).max(600_000),
  })
  .partial()
  .strict();
export type PacingChange = z.infer<typeof PACING_CHANGE>;

/** The defaults of migration 0021, used when the row is missing (a database migrated before it cannot be). */
export const DEFAULT_PACING_LIMITS: PacingLimits = {
  batchRows: null,
  paceMs: 0,
  maxLockWaitMs: 500,
  maxReplicaLagS: 5,
  checkpointPauseS: 10,
  maxWalMbPerS: 64,
  maxWorkerMs: 20_000,
};

export interface StoredPacingLimits extends PacingLimits {
  updatedAt: Date | null;
  updatedBy: string | null;
}

interface LimitsRow {
  batch_rows: number | null;
  pace_ms: number;
  max_lock_wait_ms: number;
  max_replica_lag_s: number;
  checkpoint_pause_s: number;
  max_wal_mb_per_s: number;
  max_worker_ms: number;
  updated_at: Date | null;
  updated_by: string | null;
}

function fromRow(row: LimitsRow | undefined): StoredPacingLimits {
  if (!row) return { ...DEFAULT_PACING_LIMITS, updatedAt: null, updatedBy: null };
  return {
    batchRows: row.batch_rows,
    paceMs: row.pace_ms,
    maxLockWaitMs: row.max_lock_wait_ms,
    maxReplicaLagS: row.max_replica_lag_s,
    checkpointPauseS: row.checkpoint_pause_s,
    maxWalMbPerS: row.max_wal_mb_per_s,
    maxWorkerMs: row.max_worker_ms,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export async function readPacingLimits(sql: SqlOrTx): Promise<StoredPacingLimits> {
  const [row] = await sql<LimitsRow[]>`select * from cutover.pacing_limits`;
  return fromRow(row);
}

/** Writes the fields `change` names (under the row's lock), and returns the limits before and after. */
export async function updatePacingLimits(
  sql: SqlOrTx,
  params: { change: PacingChange; by: string; at: Date },
): Promise<{ before: StoredPacingLimits; after: StoredPacingLimits }> {
  const [locked] = await sql<LimitsRow[]>`select * from cutover.pacing_limits for update`;
  const before = fromRow(locked);
  const next = { ...before, ...params.change };
  const [row] = await sql<LimitsRow[]>`
    insert into cutover.pacing_limits as l (only_row, batch_rows, pace_ms, max_lock_wait_ms, max_replica_lag_s,
                                            checkpoint_pause_s, max_wal_mb_per_s, max_worker_ms, updated_at, updated_by)
    values (true, ${next.batchRows}, ${next.paceMs}, ${next.maxLockWaitMs}, ${next.maxReplicaLagS},
            ${next.checkpointPauseS}, ${next.maxWalMbPerS}, ${next.maxWorkerMs}, ${params.at}, ${params.by})
    on conflict (only_row) do update set
      batch_rows = excluded.batch_rows, pace_ms = excluded.pace_ms, max_lock_wait_ms = excluded.max_lock_wait_ms,
      max_replica_lag_s = excluded.max_replica_lag_s, checkpoint_pause_s = excluded.checkpoint_pause_s,
      max_wal_mb_per_s = excluded.max_wal_mb_per_s, max_worker_ms = excluded.max_worker_ms,
      updated_at = excluded.updated_at, updated_by = excluded.updated_by
    returning *`;
  return { before, after: fromRow(row) };
}

/** The limits alone (what the pages' pacing form takes), without who changed them when. */
export function plainPacingLimits(stored: StoredPacingLimits): PacingLimits {
  const { updatedAt: _at, updatedBy: _by, ...limits } = stored;
  return limits;
}
