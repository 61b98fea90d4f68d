/**
 * cutover.rehearsal_workers: the one row (id 1) of the rehearsal world's simulated pipeline
 * workers — their deployed mode, whether the tick-factory is stopped, the next minute it will
 * run for, and how the world's provider behaves (ingestion schedule, revisions, a second legacy
 * writer). What the workers do lives in lib/market/rehearsal/simulated-workers.ts; who may stop
 * or redeploy them, in lib/runbook.
 */
import type { SqlOrTx } from '../connection';
import { type IngestionSchedule, rehearsalWorkers, type WorkerMode } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type RehearsalWorkers = typeof rehearsalWorkers.$inferSelect;

/** How the world's provider and its uncontrolled writers behave (docs/operations.md "Rehearse first"). */
export interface WorldIngestion {
  schedule: IngestionSchedule;
  revisionsPerHour: number;
  /** Period of the second legacy writer in simulated minutes; null: there is none. */
  secondWriterMinutes: number | null;
}

/**
 * The deterministic world the tests start from unless they ask otherwise: all components of a
 * minute in one statement, no revisions, no second writer.
 */
export const TOGETHER_INGESTION: WorldIngestion = {
  schedule: 'together',
  revisionsPerHour: 0,
  secondWriterMinutes: null,
};

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
  values: { mode: WorkerMode; paused: boolean; nextMinute: Date; ingestion?: WorldIngestion },
): Promise<void> {
  const ingestion = values.ingestion ?? TOGETHER_INGESTION;
  await sql`insert into cutover.rehearsal_workers
              (id, mode, paused, next_minute, ingestion, revisions_per_hour, second_writer_minutes)
            values (1, ${values.mode}, ${values.paused}, ${values.nextMinute}, ${ingestion.schedule},
                    ${ingestion.revisionsPerHour}, ${ingestion.secondWriterMinutes})`;
}

/** The workers' row with their per-symbol progress and the provider's revision record. */
export async function deleteRehearsalWorkers(sql: SqlOrTx): Promise<void> {
  await sql`delete from cutover.rehearsal_workers`;
  await sql`delete from cutover.rehearsal_ingestion`;
  await sql`delete from cutover.rehearsal_revisions`;
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
 * minutes it was stopped stay missing — for every symbol, including bars that were still due to
 * land late when it stopped (a restarted fetcher does not backfill). A running one is left as it is.
 */
export async function resumeRehearsalWorkers(sql: SqlOrTx, params: { minute: Date }): Promise<void> {
  await sql`update cutover.rehearsal_ingestion
               set next_minute = greatest(next_minute, ${params.minute})
             where exists (select 1 from cutover.rehearsal_workers where id = 1 and paused)`;
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

/** The second legacy writer derived the window ending at `windowEnd`. */
export async function recordSecondWriterRun(sql: SqlOrTx, windowEnd: Date): Promise<void> {
  await sql`update cutover.rehearsal_workers set second_writer_last_at = ${windowEnd} where id = 1`;
}
