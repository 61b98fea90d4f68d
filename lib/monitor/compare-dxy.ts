/**
 * The compare page's numbers: per day (or per hour of one day) the DXY 1m count in data_bars
 * against active and soft-deleted legacy rows, the minutes missing on each side (a minute whose
 * legacy row was soft-deleted is not "missing in legacy": the soft-deleted column explains it), minutes whose
 * close differs, and the DXY 5m/1h counts. One merge join over the two (symbol, timeframe,
 * ts_utc) indexes, bounded to the range; buckets are epoch-aligned so the session time zone
 * never shifts a day.
 */
import type { Sql } from 'postgres';

export const CLOSE_TOLERANCE = 1e-9;

export interface CompareRow {
  bucket: Date;
  dataBars: number;
  legacyActive: number;
  legacySoftDeleted: number;
  difference: number;
  missingInDataBars: number;
  missingInLegacy: number;
  closeDiffers: number;
  bars5m: number;
  bars1h: number;
}

export async function compareDxyByBucket(
  sql: Sql,
  params: { from: Date; to: Date; bucket: 'day' | 'hour' },
): Promise<CompareRow[]> {
  const stride = params.bucket === 'day' ? '1 day' : '1 hour';
  return sql<CompareRow[]>`
    with new_rows as (
      select ts_utc, close from public.data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${params.from} and ts_utc < ${params.to}
    ), legacy as (
      select ts_utc, close, deleted_at is null as active from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${params.from} and ts_utc < ${params.to}
    ), active_legacy as (
      select ts_utc, close from legacy where active
    ), joined as (
      select date_bin(${stride}::interval, coalesce(n.ts_utc, o.ts_utc), 'epoch'::timestamptz) as bucket,
             n.ts_utc as new_ts, o.ts_utc as old_ts, n.close as new_close, o.close as old_close
        from new_rows n full join active_legacy o on o.ts_utc = n.ts_utc
    ), minutes as (
      select bucket,
             count(new_ts)::int as data_bars,
             count(old_ts)::int as legacy_active,
             count(*) filter (where new_ts is null)::int as missing_in_data_bars,
             -- A minute whose legacy row was soft-deleted is explained, not missing.
             count(*) filter (where old_ts is null and not exists (
               select 1 from legacy l where not l.active and l.ts_utc = joined.new_ts))::int as missing_in_legacy,
             count(*) filter (where new_ts is not null and old_ts is not null
                                and abs(new_close - old_close) > ${CLOSE_TOLERANCE} * abs(old_close))::int as close_differs
        from joined group by 1
    ), deleted as (
      select date_bin(${stride}::interval, ts_utc, 'epoch'::timestamptz) as bucket, count(*)::int as n
        from legacy where not active group by 1
    ), aggregates as (
      select date_bin(${stride}::interval, ts_utc, 'epoch'::timestamptz) as bucket,
             count(*) filter (where timeframe = '5m')::int as bars_5m,
             count(*) filter (where timeframe = '1h')::int as bars_1h
        from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe in ('5m', '1h') and deleted_at is null
         and ts_utc >= ${params.from} and ts_utc < ${params.to}
       group by 1
    ), buckets as (
      select bucket from minutes union select bucket from deleted union select bucket from aggregates
    )
    select b.bucket,
           coalesce(m.data_bars, 0) as "dataBars",
           coalesce(m.legacy_active, 0) as "legacyActive",
           coalesce(d.n, 0) as "legacySoftDeleted",
           coalesce(m.data_bars, 0) - coalesce(m.legacy_active, 0) as difference,
           coalesce(m.missing_in_data_bars, 0) as "missingInDataBars",
           coalesce(m.missing_in_legacy, 0) as "missingInLegacy",
           coalesce(m.close_differs, 0) as "closeDiffers",
           coalesce(a.bars_5m, 0) as "bars5m",
           coalesce(a.bars_1h, 0) as "bars1h"
      from buckets b
      left join minutes m using (bucket)
      left join deleted d using (bucket)
      left join aggregates a using (bucket)
     order by b.bucket desc`;
}

export interface DifferenceSample {
  tsUtc: Date;
  kind: 'close differs' | 'missing in data_bars' | 'missing in legacy';
  newClose: number | null;
  legacyClose: number | null;
}

/** Up to `limit` minutes that differ, for the drill-down. */
export async function sampleDxyDifferences(
  sql: Sql,
  params: { from: Date; to: Date; limit?: number },
): Promise<DifferenceSample[]> {
  return sql<DifferenceSample[]>`
    select coalesce(n.ts_utc, o.ts_utc) as "tsUtc",
           case when n.ts_utc is null then 'missing in data_bars' when o.ts_utc is null then 'missing in legacy' else 'close differs' end as kind,
           n.close as "newClose", o.close as "legacyClose"
      from (select ts_utc, close from public.data_bars
             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${params.from} and ts_utc < ${params.to}) n
      full join (select ts_utc, close from public.derived_data_bars
             where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
               and ts_utc >= ${params.from} and ts_utc < ${params.to}) o on o.ts_utc = n.ts_utc
     where n.ts_utc is null
        or abs(n.close - o.close) > ${CLOSE_TOLERANCE} * abs(o.close)
        or (o.ts_utc is null and not exists (
              select 1 from public.derived_data_bars s where s.canonical_symbol = 'DXY' and s.timeframe = '1m'
                 and s.ts_utc = n.ts_utc and s.deleted_at is not null))
     order by 1 limit ${params.limit ?? 50}`;
}
