/**
 * A legacy DXY writer the deploy does not control (another environment pointed at the same
 * database, a cron, a forgotten script): when the world has one (REHEARSAL_SECOND_WRITER_MINUTES),
 * every N simulated minutes — at the multiples of N minutes since the epoch — it calls
 * public.calc_dxy_range_derived over the last N minutes, whatever mode the tick-factory is deployed
 * in and whether it is stopped. It runs in its own transaction under its own application_name (so
 * a database fence can name it), writes nothing to ops_runlog, and a missed slot is not made up:
 * after the runner was away it runs once, for the latest slot.
 */
import type { Sql } from 'postgres';
import { recordSecondWriterRun } from '../../db/tables/rehearsal-workers';
import { MINUTE_MS } from '../../time-units';

/** How the second writer shows in pg_stat_activity and to a trigger (current_setting('application_name')). */
export const SECOND_LEGACY_WRITER_APPLICATION_NAME = 'rehearsal-second-legacy-writer';

export interface SecondWriterRun {
  from: Date;
  to: Date;
  /** calc_dxy_range_derived's jsonb result (success:false when something refused the write). */
  result: Record<string, unknown> | null;
}

/** Runs the writer when a slot has passed since its last run; null when it is off or not due. */
export async function runSecondLegacyWriter(
  sql: Sql,
  params: { now: Date; periodMinutes: number | null; lastAt: Date | null },
): Promise<SecondWriterRun | null> {
  const { periodMinutes } = params;
  if (!periodMinutes) return null;
  const period = periodMinutes * MINUTE_MS;
  const slot = Math.floor(params.now.getTime() / period) * period;
  if (params.lastAt && params.lastAt.getTime() >= slot) return null;
  const from = new Date(slot - period);
  const to = new Date(slot);
  let result: Record<string, unknown> | null = null;
  try {
    await sql.begin(async (tx) => {
      await tx`select set_config('application_name', ${SECOND_LEGACY_WRITER_APPLICATION_NAME}, true)`;
      const [row] = await tx<{ result: Record<string, unknown> | null }[]>`
        select public.calc_dxy_range_derived(p_from_utc => ${from}, p_to_utc => ${to}) as result`;
      result = row?.result ?? null;
    });
  } catch (error) {
    // Refused outright (a fence that raises past the function's own catch-all): the writer's problem, not the tick's.
    result = { success: false, error: error instanceof Error ? error.message : String(error) };
  }
  // Its slot is recorded apart from its own transaction: the writer is not the console's to log.
  await recordSecondWriterRun(sql, to);
  return { from, to, result };
}
