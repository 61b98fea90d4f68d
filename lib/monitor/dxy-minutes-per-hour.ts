/**
 * The overview's sparkline: DXY 1m minutes per UTC hour in the legacy table (active rows of
 * derived_data_bars: after phase 9 that line falls to zero, which is the point) and in data_bars,
 * over the last hours up to the rehearsal clock's now.
 *
 * Index-friendly: each table is read by a range on (canonical_symbol, timeframe, ts_utc), the
 * columns of data_bars' unique key and of derived_data_bars' partial unique key on active rows, so a
 * day is about 1,440 index entries per table and never a scan. Hours are cut from the epoch, so
 * the session time zone never shifts a bucket.
 */
import type { SqlOrTx } from '../db/connection';
import { HOUR_MS } from '../time-units';

export interface DxyMinutesInHour {
  hourStart: Date;
  legacy: number;
  dataBars: number;
}

export async function readDxyMinutesPerHour(
  sql: SqlOrTx,
  params: { now: Date; hours?: number },
): Promise<DxyMinutesInHour[]> {
  const hours = params.hours ?? 24;
  // The current (partial) hour is the last bucket: the line ends at "now", not an hour before.
  const lastHour = Math.floor(params.now.getTime() / HOUR_MS);
  const from = new Date((lastHour - hours + 1) * HOUR_MS);
  const to = new Date(params.now.getTime() + 1);
  const counts = await sql<{ hour: string; table_name: 'legacy' | 'dataBars'; minutes: number }[]>`
    select floor(extract(epoch from ts_utc) / 3600)::bigint::text as hour, 'legacy' as table_name, count(*)::int as minutes
      from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}
     group by 1
    union all
    select floor(extract(epoch from ts_utc) / 3600)::bigint::text, 'dataBars', count(*)::int
      from public.data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${to}
     group by 1`;
  const byHour = new Map<number, DxyMinutesInHour>();
  for (let hour = lastHour - hours + 1; hour <= lastHour; hour++)
    byHour.set(hour, { hourStart: new Date(hour * HOUR_MS), legacy: 0, dataBars: 0 });
  for (const row of counts) {
    const bucket = byHour.get(Number(row.hour));
    if (bucket) bucket[row.table_name] = row.minutes;
  }
  return [...byHour.values()];
}
