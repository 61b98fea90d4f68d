/**
 * cutover.phase_run_events: the log of a phase run (what the phase, the runner and the people
 * deciding on it said), shown on the phase page and in the report.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { phaseRunEvents } from '../console-schema';
import { columnsOf, rowsOf } from './rows';

export type PhaseRunEventRow = typeof phaseRunEvents.$inferSelect;

export async function insertPhaseRunEvent(
  sql: SqlOrTx,
  params: { phaseRunId: number; level: PhaseRunEventRow['level']; message: string; data?: object },
): Promise<void> {
  await sql`insert into cutover.phase_run_events (phase_run_id, level, message, data)
            values (${params.phaseRunId}, ${params.level}, ${params.message}, ${sql.json(toJsonValue(params.data ?? {}))})`;
}

/** The latest events of a phase run, newest first. */
export async function listPhaseRunEvents(
  sql: SqlOrTx,
  params: { phaseRunId: number; limit: number },
): Promise<PhaseRunEventRow[]> {
  return rowsOf(
    phaseRunEvents,
    await sql`select ${columnsOf(sql, phaseRunEvents)} from cutover.phase_run_events
               where phase_run_id = ${params.phaseRunId} order by id desc limit ${params.limit}`,
  );
}
