/**
 * The hourly snapshot's worker-error check (docs/operations.md "Pipeline signals"), judged only
 * from sources production really has:
 * - the aggregator's own state, public.data_agg_state: a task `hard_failed`, or whose last run
 *   failed (`last_error` with a `hard_fail_streak` above 0; without that column, `last_error` alone),
 *   FAILs; a `disabled` task WARNs. Only the tasks of DXY and its six components are judged: a
 *   failing task of an unrelated symbol says nothing about this migration and must not FAIL every
 *   hour of the window. It is the state at the time the check runs, not a history.
 * - public.ops_runlog, only for the job names that actually appear in it: the names are discovered
 *   (the console's own `dxy_cutover.*` excluded), never assumed — production's tick-factory does
 *   not write the `tick_factory`/`aggregator` names the rehearsal world's simulated workers use.
 *   A failed run of a discovered job in the hour FAILs.
 * When ops_runlog is absent or holds no worker job, the check says so instead of a silent PASS;
 * with neither source it WARNs (nothing could be judged).
 */
import type { SqlOrTx } from '../db/connection';
import type { SnapshotCheck, SnapshotVerdict } from '../db/console-schema';
import { opsRunlogExists } from '../db/pipeline-tables';
import { DXY_COMPONENTS, DXY_SYMBOL } from '../market/dxy';
import { HOUR_MS } from '../time-units';
import { aggStateColumns } from './pipeline-signals-cursors';

/** How far back job names are discovered: a worker that runs at least daily shows up. */
export const JOB_DISCOVERY_MS = 24 * HOUR_MS;

export const NO_RUNLOG_SOURCE = 'no worker error source in ops_runlog; judged from data_agg_state only';

interface AggStateFindings {
  present: boolean;
  failing: { task: string; status: string; error: string | null }[];
  disabled: string[];
}

interface RunlogFindings {
  /** Worker job names seen in the discovery range (none: no source). */
  jobs: string[];
  failed: { job: string; n: number; sample: string | null }[];
}

async function readAggState(sql: SqlOrTx): Promise<AggStateFindings> {
  const columns = (await aggStateColumns(sql)) ?? new Set<string>();
  if (!columns.has('canonical_symbol') || !columns.has('timeframe') || !columns.has('status')) {
    return { present: false, failing: [], disabled: [] };
  }
  const hasError = columns.has('last_error');
  const hasStreak = columns.has('hard_fail_streak');
  const rows = await sql<{ task: string; status: string; error: string | null; streak: number | null }[]>`
    select canonical_symbol || ' ' || timeframe as task, status,
           ${hasError ? sql`last_error` : sql`null::text`} as error,
           ${hasStreak ? sql`hard_fail_streak` : sql`null::int`} as streak
      from public.data_agg_state
     where canonical_symbol in ${sql([DXY_SYMBOL, ...DXY_COMPONENTS])}
     order by canonical_symbol, timeframe`;
  const failing = rows
    .filter(
      (r) =>
        r.status === 'hard_failed' ||
        (r.status !== 'disabled' && r.error !== null && (r.streak === null || Number(r.streak) > 0)),
    )
    .map((r) => ({ task: r.task, status: r.status, error: r.error }));
  const disabled = rows.filter((r) => r.status === 'disabled').map((r) => r.task);
  return { present: true, failing, disabled };
}

async function readRunlog(sql: SqlOrTx, params: { from: Date; to: Date }): Promise<RunlogFindings | null> {
  if (!(await opsRunlogExists(sql))) return null;
  const since = new Date(params.to.getTime() - JOB_DISCOVERY_MS);
  // Bounded by started_at (production's index on it, if any, serves the range); the console's own jobs excluded.
  const rows = await sql<{ job: string; n: number; sample: string | null }[]>`
    select job_name as job,
           count(*) filter (where status = 'failed' and started_at >= ${params.from})::int as n,
           min(left(events::text, 300)) filter (where status = 'failed' and started_at >= ${params.from}) as sample
      from public.ops_runlog
     where started_at >= ${since < params.from ? since : params.from} and started_at < ${params.to}
       and job_name not like 'dxy\\_cutover.%'
     group by job_name
     order by job_name`;
  return { jobs: rows.map((r) => r.job), failed: rows.filter((r) => r.n > 0) };
}

export async function computeWorkerErrorCheck(sql: SqlOrTx, params: { from: Date; to: Date }): Promise<SnapshotCheck> {
  const agg = await readAggState(sql);
  const runlog = await readRunlog(sql, params);
  const runlogSource = runlog !== null && runlog.jobs.length > 0;
  const failedRuns = runlog?.failed.reduce((sum, f) => sum + f.n, 0) ?? 0;
  const value = failedRuns + agg.failing.length;

  const parts: string[] = [];
  if (runlogSource) {
    parts.push(
      failedRuns === 0
        ? `ops_runlog jobs ${runlog.jobs.join(', ')}: no failed run in the hour`
        : `failed runs in ops_runlog: ${runlog.failed.map((f) => `${f.job} ×${f.n}`).join(', ')}` +
            `, e.g. ${runlog.failed[0]?.sample ?? ''}`,
    );
  } else if (agg.present) {
    parts.push(runlog === null ? `${NO_RUNLOG_SOURCE} (no ops_runlog table)` : NO_RUNLOG_SOURCE);
  }
  if (agg.present) {
    parts.push(
      agg.failing.length === 0
        ? 'data_agg_state: no task hard_failed or failing'
        : `data_agg_state: ${agg.failing
            .map((f) => `${f.task} ${f.status}${f.error ? ` (${f.error.slice(0, 120)})` : ''}`)
            .join('; ')}`,
    );
    if (agg.disabled.length > 0) parts.push(`disabled: ${agg.disabled.join(', ')}`);
  }
  const noSource = !runlogSource && !agg.present;
  if (noSource) parts.push('no worker error source: no worker job in ops_runlog and no data_agg_state');

  const verdict: SnapshotVerdict = value > 0 ? 'FAIL' : noSource || agg.disabled.length > 0 ? 'WARN' : 'PASS';
  return {
    key: 'worker_errors',
    name: 'Worker errors in the hour',
    value,
    threshold:
      'a failed run of a worker job found in ops_runlog, or a data_agg_state task hard_failed or failing, FAILs; a disabled task, or no source at all, WARNs',
    warnAt: null,
    failAt: 1,
    verdict,
    detail: parts.join('; ').slice(0, 1000),
  };
}
