/**
 * The table and index bloat the soft-delete leaves in derived_data_bars, and the VACUUM it calls for
 * (docs/operations.md "Pacing"). Setting deleted_at is an UPDATE of a column the partial unique
 * index's predicate reads, so no update is HOT: every soft-deleted row leaves a dead row version and
 * a new entry in each index that still covers it. pgstattuple would measure that but is an extension
 * production need not have; this estimates from what every role can read: pg_stat_user_tables'
 * live and dead tuples (statistics, flushed about once a second: at least the rows this phase
 * soft-deleted are dead until a vacuum), pg_table_size and each index's size. The console never runs
 * the VACUUM itself: it says which one and whether autovacuum will get there on its own.
 */
import type { SqlOrTx } from '../../../db/connection';
import { toJsonValue } from '../../../json';
import type { PhaseContext } from '../../engine/types';
import type { Check } from '../../engine/verification';

export interface IndexSize {
  name: string;
  bytes: number;
}

export interface BloatReading {
  table: string;
  liveTuples: number;
  deadTuples: number;
  tableBytes: number;
  indexes: IndexSize[];
  /** autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × reltuples (the server's settings). */
  autovacuumThreshold: number;
  lastVacuum: string | null;
}

export interface BloatReport extends BloatReading {
  /** Rows this phase soft-deleted: each one a dead version at least, until a vacuum. */
  softDeleted: number;
  deadEstimate: number;
  deadFraction: number;
  tableBloatBytes: number;
  indexBloatBytes: number;
  autovacuumWillRun: boolean;
  vacuum: string;
  summary: string;
}

export async function readTableBloat(sql: SqlOrTx, table = 'derived_data_bars'): Promise<BloatReading> {
  const [row] = await sql<
    {
      live: number;
      dead: number;
      table_bytes: number;
      reltuples: number;
      threshold: number;
      scale: number;
      last_vacuum: Date | null;
    }[]
  >`
    select s.n_live_tup::float8 as live, s.n_dead_tup::float8 as dead, pg_table_size(s.relid)::float8 as table_bytes,
           greatest(c.reltuples, 0)::float8 as reltuples,
           current_setting('autovacuum_vacuum_threshold')::float8 as threshold,
           current_setting('autovacuum_vacuum_scale_factor')::float8 as scale,
           greatest(s.last_vacuum, s.last_autovacuum) as last_vacuum
      from pg_catalog.pg_stat_user_tables s join pg_catalog.pg_class c on c.oid = s.relid
     where s.schemaname = 'public' and s.relname = ${table}`;
  if (!row) throw new Error(`public.${table} has no statistics row (does it exist?)`);
  const indexes = await sql<{ name: string; bytes: number }[]>`
    select indexrelname::text as name, pg_relation_size(indexrelid)::float8 as bytes
      from pg_catalog.pg_stat_user_indexes where schemaname = 'public' and relname = ${table} order by indexrelname`;
  return {
    table: `public.${table}`,
    liveTuples: Number(row.live),
    deadTuples: Number(row.dead),
    tableBytes: Number(row.table_bytes),
    indexes: indexes.map((i) => ({ name: i.name, bytes: Number(i.bytes) })),
    autovacuumThreshold: Math.round(Number(row.threshold) + Number(row.scale) * Number(row.reltuples)),
    lastVacuum: row.last_vacuum ? row.last_vacuum.toISOString() : null,
  };
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The estimate and the recommendation from a reading and the rows soft-deleted (pure). */
export function bloatReport(reading: BloatReading, params: { softDeleted: number }): BloatReport {
  const deadEstimate = Math.max(reading.deadTuples, params.softDeleted);
  const versions = reading.liveTuples + deadEstimate;
  const deadFraction = versions > 0 ? deadEstimate / versions : 0;
  const indexBytes = reading.indexes.reduce((sum, i) => sum + i.bytes, 0);
  const tableBloatBytes = Math.round(reading.tableBytes * deadFraction);
  const indexBloatBytes = Math.round(indexBytes * deadFraction);
  const autovacuumWillRun = deadEstimate > reading.autovacuumThreshold;
  const vacuum = `VACUUM (VERBOSE, ANALYZE) ${reading.table};`;
  const percent = (100 * deadFraction).toFixed(1);
  const summary =
    deadEstimate === 0
      ? `${reading.table}: no dead row versions; no VACUUM needed.`
      : `${reading.table}: about ${deadEstimate.toLocaleString('en-US')} dead row versions (${percent} % of ` +
        `${versions.toLocaleString('en-US')}), about ${mib(tableBloatBytes)} of its ${mib(reading.tableBytes)} and ` +
        `${mib(indexBloatBytes)} of its indexes' ${mib(indexBytes)}. Recommended, off-peak: ${vacuum} ` +
        '(a plain VACUUM: it takes no lock the workers wait for; VACUUM FULL would, and is not needed). ' +
        (autovacuumWillRun
          ? `Autovacuum will start on its own (dead versions above its threshold of ${reading.autovacuumThreshold.toLocaleString('en-US')}).`
          : `Below autovacuum's threshold (${reading.autovacuumThreshold.toLocaleString('en-US')}): it will not run by itself soon.`);
  return {
    ...reading,
    softDeleted: params.softDeleted,
    deadEstimate,
    deadFraction,
    tableBloatBytes,
    indexBloatBytes,
    autovacuumWillRun,
    vacuum,
    summary,
  };
}

/**
 * After the last soft-delete batch: the report in the run's log (the phase page shows it) and in its
 * result (the verification and the migration report read it).
 */
export async function reportSoftDeleteBloat(ctx: PhaseContext, params: { softDeleted: number }): Promise<BloatReport> {
  const report = bloatReport(await readTableBloat(ctx.sql), params);
  await ctx.commitStep(
    async () => null,
    () => ({ result: { ...ctx.run.result, softDeleteBloat: toJsonValue(report) } }),
  );
  await ctx.log(`Bloat after the soft-delete: ${report.summary}`, { bloat: toJsonValue(report) });
  return report;
}

/**
 * The report as a finding of phase 9's verification (what the phase page's checks and the migration
 * report show): it judges nothing — the bloat is expected — it says what to run.
 */
export function bloatFinding(result: Record<string, unknown>): Check {
  const report = result.softDeleteBloat as BloatReport | undefined;
  return {
    name: 'Table and index bloat the soft-delete leaves (VACUUM recommended)',
    kind: 'finding',
    passed: true,
    detail: report ? report.summary : 'not measured in this run (the soft-delete batches ran in an earlier attempt)',
    ...(report ? { evidence: report } : {}),
  };
}
