/**
 * While a step's transaction runs, the runner watches for an abort request and, when one comes,
 * cancels the statement in flight on that transaction's own backend (pg_cancel_backend: the same
 * role may cancel its own sessions, no superuser needed). The statement fails with query_canceled,
 * the transaction rolls back whole, and the step's checkpoint with it: a long batch is interrupted
 * within a poll, not finished. A cancel that arrives between two statements is dropped by the
 * server; the step's commit then refuses instead (lib/db/tables/phase-runs.ts commitPhaseRunStep).
 */
import type { Sql, TransactionSql } from 'postgres';
import { isPhaseRunAbortRequested } from '../db/tables/phase-runs';

/** How often a step in flight looks for an abort request: one indexed read of its run's row. */
export const ABORT_POLL_MS = 250;

export interface AbortWatch {
  /** True once the watch cancelled the step's statement for an abort. */
  readonly cancelled: boolean;
  stop(): void;
}

export function watchStepForAbort(
  sql: Sql,
  params: { runId: number; backendPid: number; pollMs?: number },
): AbortWatch {
  let cancelled = false;
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    (async () => {
      if (!(await isPhaseRunAbortRequested(sql, { id: params.runId }))) return;
      // Checked again: the step may have ended (and its connection gone back to the pool) meanwhile.
      if (stopped) return;
      cancelled = true;
      clearInterval(timer);
      await sql`select pg_cancel_backend(${params.backendPid})`;
    })()
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, params.pollMs ?? ABORT_POLL_MS);
  return {
    get cancelled() {
      return cancelled;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** Watches the step running in `tx` (its backend read from the transaction itself). */
export async function watchTransactionForAbort(sql: Sql, tx: TransactionSql, runId: number): Promise<AbortWatch> {
  const [backend] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
  if (!backend) throw new Error('pg_backend_pid() returned no row');
  return watchStepForAbort(sql, { runId, backendPid: backend.pid });
}
