/** Worker control of the rehearsal world: the simulated workers read their mode from the database. */
import type { Sql } from 'postgres';
import type { WorkerControl, WorkerMode } from './worker-control';

export function rehearsalWorkerControl(sql: Sql, options: { now: () => Date }): WorkerControl {
  return {
    kind: 'rehearsal',
    async deploy(mode: WorkerMode) {
      await sql`update cutover.rehearsal_workers set mode = ${mode}, updated_at = now() where id = 1`;
      return null;
    },
    async restart() {
      // A restart resumes a stopped simulated tick-factory at the current minute.
      await sql`update cutover.rehearsal_workers
                   set paused = false,
                       next_minute = case when paused then greatest(next_minute, date_bin('1 minute', ${options.now()}::timestamptz, 'epoch'::timestamptz)) else next_minute end,
                       updated_at = now()
                 where id = 1`;
      return null;
    },
    async status() {
      const [row] = await sql<
        { mode: WorkerMode; paused: boolean; last_tick_at: Date | null; last_error: string | null }[]
      >`
        select mode, paused, last_tick_at, last_error from cutover.rehearsal_workers where id = 1`;
      if (!row) return { mode: null, healthy: false, detail: 'no simulated workers in this database' };
      const healthy = !row.paused && !row.last_error;
      const detail = row.paused
        ? 'tick-factory stopped'
        : row.last_error
          ? `last run failed: ${row.last_error}`
          : `running, last tick ${row.last_tick_at?.toISOString() ?? 'never'}`;
      return { mode: row.mode, healthy, detail };
    },
  };
}
