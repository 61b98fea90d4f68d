/**
 * cutover.rehearsal_workers: the one row (id 1) of the rehearsal world's simulated pipeline
 * workers — their deployed mode, whether the tick-factory is stopped, and the next minute it will
 * produce. What the workers do lives in lib/market/rehearsal/simulated-workers.ts; who may stop
 * or redeploy them, in lib/runbook.
 */
import type { SqlOrTx } from '../connection';
import { rehearsalWorkers, type WorkerMode } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type RehearsalWorkers = typeof rehearsalWorkers.$inferSelect;

/** The workers' row, or null outside a rehearsal world. `forUpdate` locks it for the transaction. */
export async function readRehearsalWorkers(
  sql: SqlOrTx,
  options: { forUpdate?: boolean } = {},
): Promise<RehearsalWorkers | null> {
  const [row] = options.forUpdate
    ? await sql`select ${columnsOf(sql, rehearsalWorkers)} from cutover.rehearsal_workers where id = 1 for update`
    : await sql`select ${columnsOf(sql, rehearsalWorkers)} from cutover.rehearsal_workers where id = 1`;
  return row ? rowOf(rehearsalWorkers, row) : null;
}

export async function insertRehearsalWorkers(
  sql: SqlOrTx,
  values: { mode: WorkerMode; paused: boolean; nextMinute: Date },
): Promise<void> {
  await sql`insert into cutover.rehearsal_workers (id, mode, paused, next_minute)
            values (1, ${values.mode}, ${values.paused}, ${values.nextMinute})`;
}

export async function deleteRehearsalWorkers(sql: SqlOrTx): Promise<void> {
  await sql`delete from cutover.rehearsal_workers`;
}

export async function setRehearsalWorkersMode(sql: SqlOrTx, mode: WorkerMode): Promise<void> {
  await sql`update cutover.rehearsal_workers set mode = ${mode}, updated_at = now() where id = 1`;
}

/** Stops the tick-factory. */
export async function pauseRehearsalWorkers(sql: SqlOrTx): Promise<void> {
  await sql`update cutover.rehearsal_workers set paused = true, updated_at = now() where id = 1`;
}

/**
 * Lets a stopped tick-factory run again from `minute` (or from where it stood, if later): the
 * minutes it was stopped stay missing. A running one is left as it is.
 */
export async function resumeRehearsalWorkers(sql: SqlOrTx, params: { minute: Date }): Promise<void> {
  await sql`update cutover.rehearsal_workers
               set paused = false,
                   next_minute = case when paused then greatest(next_minute, ${params.minute}) else next_minute end,
                   updated_at = now()
             where id = 1`;
}

/** The tick-factory produced a minute: where it continues, when it ran, and how that went. */
export async function recordRehearsalWorkersTick(
  sql: SqlOrTx,
  params: { nextMinute: Date; ranAt: Date; error: string | null },
): Promise<void> {
  await sql`update cutover.rehearsal_workers
               set next_minute = ${params.nextMinute}, last_tick_at = ${params.ranAt}, last_error = ${params.error},
                   updated_at = now()
             where id = 1`;
}

/** A tick failed outside the minute's own transaction (the runner reports it). */
export async function recordRehearsalWorkersError(sql: SqlOrTx, message: string): Promise<void> {
  await sql`update cutover.rehearsal_workers set last_error = ${message} where id = 1`;
}
