/**
 * While a step's transaction runs, the runner watches for an abort request and, when one comes,
 * cancels the statement in flight on that transaction's backend (pg_cancel_backend: the same role
 * may cancel its own sessions, no superuser needed). The statement fails with query_canceled, the
 * transaction rolls back whole, and the step's checkpoint with it: a long batch is interrupted
 * within a poll, not finished.
 *
 * The step's backend is found by a tag: its transaction's first statement sets application_name
 * for the transaction only (SET LOCAL takes no snapshot, so a step may still choose its isolation
 * level after it). The tag is gone once the transaction ends, so a cancel can never reach the
 * connection after it went back to the pool. A cancel that arrives between two statements is
 * dropped by the server; the step's commit then refuses instead (lib/db/tables/phase-runs.ts
 * commitPhaseRunStep).
 */
import { randomBytes } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import { isPhaseRunAbortRequested } from './run-requests';

/** How often a step in flight looks for an abort request: one read of its run's row by key. */
const ABORT_POLL_MS = 250;

export interface AbortWatch {
  /** True once the watch cancelled the step's statement for an abort. */
  readonly cancelled: boolean;
  stop(): void;
}

/**
 * Tags the step running in `tx` (to be called before its first statement) and watches its run for
 * an abort request until stopped.
 */
export async function watchStepForAbort(
  sql: Sql,
  tx: TransactionSql,
  params: { runId: number; pollMs?: number },
): Promise<AbortWatch> {
  // Digits and hex only: SET takes no parameters, so the tag is part of the statement's text.
  const tag = `dxy-cutover step ${params.runId} ${randomBytes(6).toString('hex')}`;
  await tx.unsafe(`set local application_name = '${tag}'`);
  let cancelled = false;
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    (async () => {
      if (!(await isPhaseRunAbortRequested(sql, { id: params.runId })) || stopped) return;
      const [hit] = await sql<{ n: number }[]>`
        select count(*) filter (where pg_cancel_backend(pid))::int as n from pg_stat_activity where application_name = ${tag}`;
      if ((hit?.n ?? 0) > 0) {
        cancelled = true;
        clearInterval(timer);
      }
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
