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

/**
 * The latest `perRun` events of each of the given runs, oldest first across all of them (the
 * report's log of a migration run: a chatty run cannot crowd out the others).
 */
export async function listLatestEventsOfRuns(
  sql: SqlOrTx,
  params: { phaseRunIds: number[]; perRun: number },
): Promise<PhaseRunEventRow[]> {
  if (params.phaseRunIds.length === 0) return [];
  return rowsOf(
    phaseRunEvents,
    await sql`select ${columnsOf(sql, phaseRunEvents)} from (
                select *, row_number() over (partition by phase_run_id order by id desc) as n
                  from cutover.phase_run_events where phase_run_id in ${sql(params.phaseRunIds)}) e
               where n <= ${params.perRun} order by id`,
  );
}

/**
 * The runner process each event of the given runs names (`data.runner`, as text), oldest first:
 * which runners executed a run, more than one when a runner died and another took over.
 */
export async function listRunnersOfRuns(
  sql: SqlOrTx,
  params: { phaseRunIds: number[] },
): Promise<{ phaseRunId: PhaseRunEventRow['phaseRunId']; runner: string }[]> {
  if (params.phaseRunIds.length === 0) return [];
  return sql<{ phaseRunId: PhaseRunEventRow['phaseRunId']; runner: string }[]>`
    select phase_run_id as "phaseRunId", data->>'runner' as runner from cutover.phase_run_events
     where phase_run_id in ${sql(params.phaseRunIds)} and data ? 'runner' order by id`;
}

/** The previewed statements a run has already noted as run (their keys, from `data.statement`). */
export async function listNotedStatementKeys(sql: SqlOrTx, params: { phaseRunId: number }): Promise<string[]> {
  const rows = await sql<{ key: string }[]>`
    select distinct data->>'statement' as key from cutover.phase_run_events
     where phase_run_id = ${params.phaseRunId} and data ? 'statement'`;
  return rows.map((r) => r.key);
}
