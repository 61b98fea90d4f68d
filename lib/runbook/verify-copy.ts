/**
 * The key-and-value verification of the copy (DESIGN §2.4 defect 1): equal counts prove
 * nothing, so every active legacy minute must exist in data_bars with the same close
 * (|Δ| ≤ 1e-9 relative), and every extra data_bars minute is listed with its explanation.
 */
import type { SqlOrTx } from '../db/connection';
import type { Check } from './types';

export const CLOSE_TOLERANCE = 1e-9;
const SAMPLE_LIMIT = 1000;

export interface CopyComparison {
  range: { from: string | null; to: string };
  legacyRows: number;
  dataBarsRows: number;
  missing: { total: number; samples: { ts_utc: string; legacy_close: number }[] };
  mismatched: {
    total: number;
    samples: { ts_utc: string; legacy_close: number; new_close: number; relative_diff: number }[];
  };
  extras: { total: number; samples: { ts_utc: string; close: number; explanation: string }[] };
}

export async function compareCopy(sql: SqlOrTx, params: { to: Date }): Promise<CopyComparison> {
  const [counts] = await sql<{ legacy: number; data_bars: number; first: Date | null }[]>`
    select (select count(*) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
              and deleted_at is null and ts_utc < ${params.to})::float8 as legacy,
           (select count(*) from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
              and ts_utc < ${params.to})::float8 as data_bars,
           (select min(ts_utc) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
              and deleted_at is null) as first`;
  const missing = await sql<{ ts_utc: Date; legacy_close: number; total: number }[]>`
    select d.ts_utc, d.close as legacy_close, count(*) over ()::int as total
      from public.derived_data_bars d
     where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null and d.ts_utc < ${params.to}
       and not exists (select 1 from public.data_bars n
                         where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = d.ts_utc)
     order by d.ts_utc limit ${SAMPLE_LIMIT}`;
  const mismatched = await sql<
    { ts_utc: Date; legacy_close: number; new_close: number; relative_diff: number; total: number }[]
  >`
    select d.ts_utc, d.close as legacy_close, n.close as new_close,
           abs(n.close - d.close) / nullif(abs(d.close), 0) as relative_diff, count(*) over ()::int as total
      from public.derived_data_bars d
      join public.data_bars n on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = d.ts_utc
     where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null and d.ts_utc < ${params.to}
       and (n.close is null or abs(n.close - d.close) > ${CLOSE_TOLERANCE} * abs(d.close))
     order by d.ts_utc limit ${SAMPLE_LIMIT}`;
  const extras = await sql<{ ts_utc: Date; close: number; explanation: string; total: number }[]>`
    select n.ts_utc, n.close,
           case
             when exists (select 1 from public.derived_data_bars s where s.canonical_symbol = 'DXY' and s.timeframe = '1m'
                            and s.ts_utc = n.ts_utc and s.deleted_at is not null)
               then 'legacy row exists but is soft-deleted'
             when n.raw->>'copied_from' is null then 'written by calc_dxy_range_1m (new path); no legacy minute'
             else 'UNEXPLAINED: copied from derived_data_bars, but no legacy row exists any more'
           end as explanation,
           count(*) over ()::int as total
      from public.data_bars n
     where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc < ${params.to}
       and not exists (select 1 from public.derived_data_bars d
                        where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.ts_utc = n.ts_utc and d.deleted_at is null)
     order by n.ts_utc limit ${SAMPLE_LIMIT}`;
  const iso = (d: Date) => d.toISOString();
  return {
    range: { from: counts?.first ? iso(counts.first) : null, to: iso(params.to) },
    legacyRows: counts?.legacy ?? 0,
    dataBarsRows: counts?.data_bars ?? 0,
    missing: {
      total: missing[0]?.total ?? 0,
      samples: missing.map((m) => ({ ts_utc: iso(m.ts_utc), legacy_close: m.legacy_close })),
    },
    mismatched: {
      total: mismatched[0]?.total ?? 0,
      samples: mismatched.map((m) => ({
        ts_utc: iso(m.ts_utc),
        legacy_close: m.legacy_close,
        new_close: m.new_close,
        relative_diff: m.relative_diff,
      })),
    },
    extras: {
      total: extras[0]?.total ?? 0,
      samples: extras.map((e) => ({ ts_utc: iso(e.ts_utc), close: e.close, explanation: e.explanation })),
    },
  };
}

export function copyChecks(comparison: CopyComparison): Check[] {
  const first = (samples: { ts_utc: string }[]) =>
    samples
      .slice(0, 5)
      .map((s) => s.ts_utc)
      .join(', ');
  return [
    {
      name: 'Every legacy minute is in data_bars',
      passed: comparison.missing.total === 0,
      detail:
        comparison.missing.total === 0
          ? `${comparison.legacyRows} legacy minutes, all present`
          : `${comparison.missing.total} legacy minutes missing from data_bars, first: ${first(comparison.missing.samples)}`,
      evidence: comparison.missing,
    },
    {
      name: `Same close (relative difference ≤ ${CLOSE_TOLERANCE})`,
      passed: comparison.mismatched.total === 0,
      detail:
        comparison.mismatched.total === 0
          ? 'every shared minute has the same close'
          : `${comparison.mismatched.total} minutes differ, first: ${first(comparison.mismatched.samples)}`,
      evidence: comparison.mismatched,
    },
    {
      name: 'Extra data_bars minutes explained',
      passed: comparison.extras.samples.every((e) => !e.explanation.startsWith('UNEXPLAINED')),
      detail:
        comparison.extras.total === 0
          ? 'none'
          : `${comparison.extras.total} minutes only in data_bars: ${[...new Set(comparison.extras.samples.map((e) => e.explanation))].join('; ')}`,
      evidence: comparison.extras,
    },
  ];
}
