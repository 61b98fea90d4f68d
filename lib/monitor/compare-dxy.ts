/**
 * The compare page's numbers: per day (or per hour of one day) the DXY 1m count in data_bars
 * against active and soft-deleted legacy rows, the minutes missing on each side (a minute whose
 * legacy row was soft-deleted is not "missing in legacy": the soft-deleted column explains it), minutes whose
 * close differs, and the DXY 5m/1h counts.
 *
 * Shape, chosen by measurement on two years (docs/architecture.md "Performance", `npm run bench`): one small merge join per
 * bucket over index-only scans of the comparison indexes phase 2's fix builds (comparison-indexes.ts),
 * in minute order, so nothing is sorted or hashed — one big hash full join of 742k × 742k minutes
 * followed by a per-day hash aggregate took 1.3–2.8 s. Long ranges run in two halves at once.
 * Data and legacy active rows are unique per minute, so the join is 1:1. Soft-deleted copies (any
 * number per minute) are counted apart, and only data_bars minutes with no active legacy row are
 * looked up among them. Buckets are whole UTC hours or days taken as 24 hours, so the session
 * time zone never shifts one.
 */

import type { Sql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { DXY_CLOSE_TOLERANCE } from '../market/dxy';

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

const BUCKET_MS = { day: 86_400_000, hour: 3_600_000 } as const;
/** Below this many buckets one connection answers fast enough; above it the range is split in two. */
const SPLIT_FROM_BUCKETS = 60;

export interface BucketRange {
  firstBucket: Date;
  bucketCount: number;
  strideMs: number;
  from: Date;
  to: Date;
}

export async function compareDxyByBucket(
  sql: Sql,
  params: { from: Date; to: Date; bucket: 'day' | 'hour' },
): Promise<CompareRow[]> {
  const strideMs = BUCKET_MS[params.bucket];
  const firstBucket = new Date(Math.floor(params.from.getTime() / strideMs) * strideMs);
  const bucketCount = Math.max(0, Math.ceil((params.to.getTime() - firstBucket.getTime()) / strideMs));
  const whole: BucketRange = { firstBucket, bucketCount, strideMs, from: params.from, to: params.to };
  const rows =
    bucketCount >= SPLIT_FROM_BUCKETS && !splitInUse
      ? await compareInTwoHalves(sql, whole)
      : await compareBuckets(sql, whole);
  // Buckets with nothing on either side (weekends, before the history) are not shown.
  return rows
    .filter((r) => r.dataBars + r.legacyActive + r.legacySoftDeleted + r.bars5m + r.bars1h > 0)
    .sort((a, b) => b.bucket.getTime() - a.bucket.getTime());
}

/**
 * Long ranges are compared in two halves on two connections at once, both reading one snapshot
 * (exported by the first, as pg_dump -j does), so the numbers are exactly those of a single
 * query, in about half the time on a machine with two cores. The halves split the part of the range
 * that holds DXY minutes (its first and last, read from the ends of the comparison indexes in the
 * same statement as the export), so a range reaching far before the history still splits the work
 * in two. One split at a time per process: a split holds two connections, and two splits waiting
 * for each other's second could starve the pool.
 */
let splitInUse = false;

async function compareInTwoHalves(sql: Sql, whole: BucketRange): Promise<CompareRow[]> {
  splitInUse = true;
  const first = await sql.reserve();
  let second: Awaited<ReturnType<Sql['reserve']>> | null = null;
  let early: Promise<CompareRow[]> | null = null;
  try {
    await first`begin isolation level repeatable read read only`;
    const [exported] = await first<{ snapshot: string; firstMinute: Date | null; lastMinute: Date | null }[]>`
      select pg_export_snapshot() as snapshot,
             least(n.first, a.first, d.first) as "firstMinute", greatest(n.last, a.last, d.last) as "lastMinute"
        from (select min(ts_utc) as first, max(ts_utc) as last from public.data_bars
               where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${whole.from} and ts_utc < ${whole.to}) n,
             (select min(ts_utc) as first, max(ts_utc) as last from public.derived_data_bars
               where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
                 and ts_utc >= ${whole.from} and ts_utc < ${whole.to}) a,
             (select min(ts_utc) as first, max(ts_utc) as last from public.derived_data_bars
               where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null
                 and ts_utc >= ${whole.from} and ts_utc < ${whole.to}) d`;
    const snapshot = exported?.snapshot ?? '';
    if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id "${snapshot}"`);
    const half = middleBucket(whole, exported?.firstMinute ?? null, exported?.lastMinute ?? null);
    const middle = new Date(whole.firstBucket.getTime() + half * whole.strideMs);
    // The first half starts while the second connection joins the snapshot.
    early = compareBuckets(first, { ...whole, bucketCount: half, to: middle });
    early.catch(() => {});
    second = await sql.reserve();
    await second`begin isolation level repeatable read read only`;
    await second.unsafe(`set transaction snapshot '${snapshot}'`);
    const late = await compareBuckets(second, {
      ...whole,
      firstBucket: middle,
      bucketCount: whole.bucketCount - half,
      from: middle,
    });
    return [...(await early), ...late];
  } finally {
    await early?.catch(() => {});
    await first`rollback`.catch(() => {});
    first.release();
    if (second) {
      await second`rollback`.catch(() => {});
      second.release();
    }
    splitInUse = false;
  }
}

/** How many buckets the first half takes: half of those from the first to the last DXY minute, at least one each. */
export function middleBucket(whole: BucketRange, firstMinute: Date | null, lastMinute: Date | null): number {
  const bucketOf = (d: Date) => Math.floor((d.getTime() - whole.firstBucket.getTime()) / whole.strideMs);
  const lo = firstMinute ? bucketOf(firstMinute) : 0;
  const hi = lastMinute ? bucketOf(lastMinute) : whole.bucketCount - 1;
  return Math.min(whole.bucketCount - 1, Math.max(1, Math.ceil((lo + hi + 1) / 2)));
}

/**
 * One merge full join per bucket over the two comparison indexes, with as little per minute as
 * the numbers allow: the minutes of the join, how many have a data_bars row and how many an active
 * legacy row (the missing ones on each side are the differences), and the closes compared only where
 * they are not equal. The soft-deleted count and the 5m and 1h counts are index-only counts per bucket
 * (5m and 1h apart: one range each, not a list to filter). Measured against one pass grouped by
 * the bucket (a hash aggregate over every minute): that costs more than these per-bucket descents.
 */
function compareBuckets(sql: SqlOrTx, range: BucketRange): Promise<CompareRow[]> {
  const stride = `${range.strideMs} milliseconds`;
  return sql<CompareRow[]>`
    with buckets as (
      select b as bucket, greatest(b, ${range.from}::timestamptz) as lo, least(b + ${stride}::interval, ${range.to}::timestamptz) as hi
        from (select ${range.firstBucket}::timestamptz + g * ${stride}::interval as b
                from generate_series(0, ${range.bucketCount}::int - 1) g) s
    )
    select k.bucket,
           m.data_bars as "dataBars",
           m.legacy_active as "legacyActive",
           (select count(*)::int from public.derived_data_bars
             where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null and ts_utc >= k.lo and ts_utc < k.hi
           ) as "legacySoftDeleted",
           m.data_bars - m.legacy_active as difference,
           m.minutes - m.data_bars as "missingInDataBars",
           case when m.minutes = m.legacy_active then 0 else (
             -- Only data_bars minutes with no legacy row at all (the active one is already known missing).
             select count(*)::int from public.data_bars n
              where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= k.lo and n.ts_utc < k.hi
                and not exists (select 1 from public.derived_data_bars o
                                 where o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.deleted_at is null
                                   and o.ts_utc = n.ts_utc)
                and not exists (select 1 from public.derived_data_bars o
                                 where o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.deleted_at is not null
                                   and o.ts_utc = n.ts_utc)
           ) end as "missingInLegacy",
           m.close_differs as "closeDiffers",
           (select count(*)::int from public.derived_data_bars
             where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null and ts_utc >= k.lo and ts_utc < k.hi
           ) as "bars5m",
           (select count(*)::int from public.derived_data_bars
             where canonical_symbol = 'DXY' and timeframe = '1h' and deleted_at is null and ts_utc >= k.lo and ts_utc < k.hi
           ) as "bars1h"
      from buckets k
     cross join lateral (
       select count(*)::int as minutes,
              count(n.ts_utc)::int as data_bars,
              count(o.ts_utc)::int as legacy_active,
              -- Equal closes (nearly all) never reach the tolerance arithmetic.
              count(*) filter (where n.close <> o.close
                                 and abs(n.close - o.close) > ${DXY_CLOSE_TOLERANCE} * abs(o.close))::int as close_differs
         from (select ts_utc, close from public.data_bars
                where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= k.lo and ts_utc < k.hi) n
         full join (select ts_utc, close from public.derived_data_bars
                     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
                       and ts_utc >= k.lo and ts_utc < k.hi) o on o.ts_utc = n.ts_utc
     ) m`;
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
        or abs(n.close - o.close) > ${DXY_CLOSE_TOLERANCE} * abs(o.close)
        or (o.ts_utc is null and not exists (
              select 1 from public.derived_data_bars s where s.canonical_symbol = 'DXY' and s.timeframe = '1m'
                 and s.ts_utc = n.ts_utc and s.deleted_at is not null))
     order by 1 limit ${params.limit ?? 50}`;
}
