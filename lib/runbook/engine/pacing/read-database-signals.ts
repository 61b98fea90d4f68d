/**
 * What the database itself says about its load, read between two batches (docs/operations.md
 * "Pacing"): only catalog views a non-superuser console can read on PostgreSQL 15 and 17.
 * - lock waits: sessions waiting for a lock on data_bars or derived_data_bars (pg_locks.waitstart);
 * - replication: pg_stat_replication's replay lag (null when there is no replica, or when the
 *   console's role may not see the lag: it needs pg_read_all_stats — such replicas are counted as
 *   hidden, and ./hidden-replica-lag.ts says so);
 * - the cumulative counters the rates are computed from, with the database's own time of reading:
 *   the WAL position, and the requested checkpoints (WAL grew past max_wal_size) — PG 17 moved them
 *   from pg_stat_bgwriter.checkpoints_req to pg_stat_checkpointer.num_requested;
 * - the workers' latency: how long each worker job's most recent run took (ops_runlog's
 *   finished_at − started_at; job names discovered, the console's own dxy_cutover.* excluded).
 * Waits and counters are measured with the database's clock_timestamp(): they are durations of the
 * database's own work, not decisions about the migration's time (those take the console clock).
 */
import type { SqlOrTx } from '../../../db/connection';
import { opsRunlogExists } from '../../../db/pipeline-tables';

export interface LockWaitSignal {
  /** Sessions waiting now. */
  waiting: number;
  /** The longest of their waits so far. */
  maxWaitMs: number;
  tables: string[];
}

export interface CounterSample {
  /** The database's clock_timestamp() of the reading, in seconds. */
  atS: number;
  /** Bytes of WAL written since 0/0; null on a standby. */
  walBytes: number | null;
  /** Requested checkpoints since the statistics were reset. */
  requestedCheckpoints: number | null;
  /** When the gate last saw that counter move (./pace-next-batch.ts keeps it from reading to reading). */
  requestSeenAtS?: number;
}

export interface DatabaseSignals {
  lockWait: LockWaitSignal;
  /**
   * replicas: how many pg_stat_replication lists; hidden: how many of them show this role no state and no lag
   * (it lacks pg_read_all_stats); maxLagS: the largest lag it can see, null when none.
   */
  replication: { replicas: number; hidden: number; maxLagS: number | null };
  counters: CounterSample;
  /** The slowest of the worker jobs' most recent runs, or null when ops_runlog holds none lately. */
  worker: { job: string; ms: number } | null;
}

/** Which cumulative view holds the requested checkpoints on this server (PG 17 moved them). */
export function requestedCheckpointsSql(hasCheckpointer: boolean): string {
  return hasCheckpointer
    ? 'select num_requested as n from pg_catalog.pg_stat_checkpointer'
    : 'select checkpoints_req as n from pg_catalog.pg_stat_bgwriter';
}

/** How far back a worker's most recent run still counts: the tick-factory runs every minute. */
export const WORKER_RECENT_MS = 10 * 60_000;

export async function readLockWaits(sql: SqlOrTx): Promise<LockWaitSignal> {
  const [row] = await sql<{ waiting: number; max_wait_ms: number | null; tables: string[] | null }[]>`
    select count(*)::int as waiting,
           max(extract(epoch from clock_timestamp() - coalesce(l.waitstart, clock_timestamp())) * 1000)::float8 as max_wait_ms,
           array_agg(distinct c.relname::text) filter (where c.relname is not null) as tables
      from pg_catalog.pg_locks l
      join pg_catalog.pg_class c on c.oid = l.relation
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where not l.granted and l.pid <> pg_backend_pid()
       and l.database = (select oid from pg_catalog.pg_database where datname = current_database())
       and n.nspname = 'public' and c.relname in ('data_bars', 'derived_data_bars')`;
  return {
    waiting: row?.waiting ?? 0,
    maxWaitMs: Math.round(Number(row?.max_wait_ms ?? 0)),
    tables: (row?.tables ?? []).sort(),
  };
}

export async function readReplication(sql: SqlOrTx): Promise<DatabaseSignals['replication']> {
  // A role without pg_read_all_stats sees each walsender's row with its state and lags null.
  const [row] = await sql<{ replicas: number; hidden: number; lag: number | null }[]>`
    select count(*)::int as replicas, (count(*) filter (where state is null))::int as hidden,
           max(extract(epoch from replay_lag))::float8 as lag
      from pg_catalog.pg_stat_replication`;
  const replicas = row?.replicas ?? 0;
  return {
    replicas,
    hidden: row?.hidden ?? 0,
    maxLagS: replicas > 0 && row?.lag != null ? Number(row.lag) : null,
  };
}

export async function readCounters(sql: SqlOrTx): Promise<CounterSample> {
  const [base] = await sql<{ at_s: number; wal: string | null; checkpointer: boolean }[]>`
    select extract(epoch from clock_timestamp())::float8 as at_s,
           case when pg_is_in_recovery() then null
                else pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text end as wal,
           to_regclass('pg_catalog.pg_stat_checkpointer') is not null as checkpointer`;
  const [checkpoints] = await sql.unsafe<{ n: number | string | null }[]>(
    requestedCheckpointsSql(Boolean(base?.checkpointer)),
  );
  return {
    atS: Number(base?.at_s ?? 0),
    walBytes: base?.wal == null ? null : Number(base.wal),
    requestedCheckpoints: checkpoints?.n == null ? null : Number(checkpoints.n),
  };
}

export async function readWorkerLatency(sql: SqlOrTx, params: { at: Date }): Promise<DatabaseSignals['worker']> {
  if (!(await opsRunlogExists(sql))) return null;
  const since = new Date(params.at.getTime() - WORKER_RECENT_MS);
  const [row] = await sql<{ job: string; ms: number }[]>`
    select job_name as job, (extract(epoch from finished_at - started_at) * 1000)::float8 as ms
      from (select distinct on (job_name) job_name, started_at, finished_at
              from public.ops_runlog
             where job_name not like 'dxy\_cutover.%' and finished_at is not null
               and started_at >= ${since} and started_at <= ${params.at}
             order by job_name, started_at desc) latest
     order by ms desc
     limit 1`;
  return row ? { job: row.job, ms: Math.round(Number(row.ms)) } : null;
}

/** Every signal at once; `at` is the console clock's now (which worker runs are recent). */
export async function readDatabaseSignals(sql: SqlOrTx, params: { at: Date }): Promise<DatabaseSignals> {
  return {
    lockWait: await readLockWaits(sql),
    replication: await readReplication(sql),
    counters: await readCounters(sql),
    worker: await readWorkerLatency(sql, params),
  };
}
