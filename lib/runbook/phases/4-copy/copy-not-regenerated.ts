/**
 * Phase 4's "regenerate" fallback: after calc_dxy_range_1m has recomputed a range, the legacy
 * minutes it could not compute (a component missing, or a close ≤ 0, NaN or infinite) are found,
 * each with its reason, and copied from legacy instead, the reason kept in `raw.not_regenerated`.
 *
 * Found by what calc_dxy_range_1m leaves behind rather than by pivoting the components again:
 * every minute it computes ends up `synthetic` with a raw that has no `copied_from` (it inserts
 * it, or rewrites the raw of a copied row). So a legacy minute of the range with no data_bars row,
 * or with a synthetic row still marked `copied_from`, was not regenerated. Its components are then
 * looked up for that minute alone (six probes of the unique key), so the common case costs one
 * read of the range's DXY rows. Rows that are not synthetic (an earlier attempt's) are never
 * overwritten here; phase 4's verification reports them.
 */

import type { SqlOrTx } from '../../../db/connection';
import { DXY_COMPONENTS } from '../../../market/dxy';
import { bound, runBound, type StatementExecutor } from '../../engine/statements';

export interface NotRegeneratedMinute {
  ts_utc: string;
  reason: string;
}

/** Copies the given legacy minutes ($1 their times, $2 the reason of each) as synthetic rows marked not_regenerated. */
export const COPY_NOT_REGENERATED_SQL = `INSERT INTO public.data_bars AS n (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                                   vol, vwap, trade_count, is_partial, source, ingested_at, raw)
SELECT 'DXY', NULL, '1m', d.ts_utc, d.open, d.high, d.low, d.close, coalesce(d.vol, 0), d.vwap, d.trade_count, false,
       'synthetic', d.ingested_at,
       jsonb_build_object('kind', 'dxy', 'version', d.derivation_version, 'copied_from', 'derived_data_bars',
                          'not_regenerated', r.reason)
  FROM unnest($1::timestamptz[], $2::text[]) r(ts_utc, reason)
  JOIN public.derived_data_bars d ON d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL
                                 AND d.ts_utc = r.ts_utc
ON CONFLICT (canonical_symbol, timeframe, ts_utc) DO UPDATE
   SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, raw = EXCLUDED.raw
 WHERE n.source = 'synthetic'
   AND (n.close IS DISTINCT FROM EXCLUDED.close OR n.raw IS DISTINCT FROM EXCLUDED.raw)`;

/** Finds the legacy minutes of [from, to) calc_dxy_range_1m did not write, and copies them from legacy. */
export async function copyNotRegenerated(
  sql: SqlOrTx,
  range: { from: Date; to: Date },
  /** How the copy statement is executed: a phase passes its run's ctx.exec (only previewed statements run). */
  write: StatementExecutor = runBound,
): Promise<{ copied: number; minutes: NotRegeneratedMinute[] }> {
  const left = await sql<{ ts_utc: Date }[]>`
    select l.ts_utc from public.derived_data_bars l
      left join public.data_bars n on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = l.ts_utc
     where l.canonical_symbol = 'DXY' and l.timeframe = '1m' and l.deleted_at is null
       and l.ts_utc >= ${range.from} and l.ts_utc < ${range.to}
       and (n.ts_utc is null or (n.source = 'synthetic' and n.raw ? 'copied_from'))
     order by l.ts_utc`;
  if (left.length === 0) return { copied: 0, minutes: [] };
  const stamps = left.map((m) => m.ts_utc.toISOString());
  const closes = await sql<{ ts_utc: Date; symbol: string; close: number | null; present: boolean }[]>`
    select m.ts_utc, s.symbol, b.close, b.ts_utc is not null as present
      from unnest(${stamps}::timestamptz[]) m(ts_utc)
     cross join unnest(${[...DXY_COMPONENTS]}::text[]) s(symbol)
      left join public.data_bars b on b.canonical_symbol = s.symbol and b.timeframe = '1m' and b.ts_utc = m.ts_utc`;
  const problems = new Map<number, string[]>();
  for (const row of closes) {
    const problem = !row.present
      ? `${row.symbol} missing`
      : row.close === null || !Number.isFinite(row.close) || row.close <= 0
        ? `${row.symbol} close ${row.close === null ? 'null' : String(row.close)}`
        : null;
    if (!problem) continue;
    const key = row.ts_utc.getTime();
    problems.set(key, [...(problems.get(key) ?? []), problem]);
  }
  const minutes = left.map((m) => {
    const found = problems.get(m.ts_utc.getTime());
    const reason =
      found?.length === DXY_COMPONENTS.length
        ? 'no component bars'
        : found
          ? DXY_COMPONENTS.flatMap((symbol) => found.filter((p) => p.startsWith(`${symbol} `))).join(', ')
          : // Components look complete yet no row was written: say so rather than invent a cause.
            'calc_dxy_range_1m wrote no row';
    return { ts_utc: m.ts_utc.toISOString(), reason };
  });
  const result = await write(
    sql,
    bound(COPY_NOT_REGENERATED_SQL, [minutes.map((m) => m.ts_utc), minutes.map((m) => m.reason)]),
  );
  return { copied: result.count, minutes };
}
