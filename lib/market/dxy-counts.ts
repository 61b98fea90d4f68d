/** DXY row counts in both tables, the numbers phases record before and after they act. */
import type { SqlOrTx } from '../db/connection';

export interface DxyCounts {
  dataBars1m: number;
  derivedActive1m: number;
  derivedSoftDeleted1m: number;
  derived5m: number;
  derived1h: number;
}

export async function countDxyRows(sql: SqlOrTx): Promise<DxyCounts> {
  const [row] = await sql<DxyCounts[]>`
    select
      (select count(*) from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') as "dataBars1m",
      (select count(*) from public.derived_data_bars
        where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as "derivedActive1m",
      (select count(*) from public.derived_data_bars
        where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null) as "derivedSoftDeleted1m",
      (select count(*) from public.derived_data_bars
        where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null) as "derived5m",
      (select count(*) from public.derived_data_bars
        where canonical_symbol = 'DXY' and timeframe = '1h' and deleted_at is null) as "derived1h"`;
  if (!row) throw new Error('count query returned no row');
  return row;
}
