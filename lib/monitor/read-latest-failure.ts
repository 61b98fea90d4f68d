import type { Sql } from 'postgres';

/** The latest hourly snapshot of the active window when it FAILed (for the banner on every page). */
export async function readLatestFailure(sql: Sql): Promise<{ hourStart: Date; failing: string[] } | null> {
  const [row] = await sql<{ hour_start: Date; verdict: string; checks: { name: string; verdict: string }[] }[]>`
    select s.hour_start, s.verdict, s.checks from cutover.monitor_snapshots s
      join cutover.migration_runs m on m.id = s.migration_run_id and m.status = 'active'
     order by s.hour_start desc limit 1`;
  if (row?.verdict !== 'FAIL') return null;
  return { hourStart: row.hour_start, failing: row.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name) };
}
