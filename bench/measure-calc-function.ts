/**
 * calc_dxy_range_1m over the whole history ÷ a bare INSERT … SELECT of the same computed values
 * (docs/architecture.md "Performance", target ≤ 1.2). Both run in a transaction that is rolled back, in the order
 * baseline, function, function, baseline, with a VACUUM before each so neither inherits the
 * other's dead rows; each side's figure is the sum of its two runs.
 */
import type { Sql } from 'postgres';
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../lib/market/dxy-sql';
import { timed } from './stats';

const ROLLED_BACK = Symbol('rolled back');

export function bareInsertSelectSql(): string {
  return `INSERT INTO public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol, vwap,
                              trade_count, is_partial, source, ingested_at, raw)
SELECT 'DXY', NULL, '1m', c.ts_utc, v.dxy, v.dxy, v.dxy, v.dxy, 0, NULL, 0, false, 'synthetic', now(),
       jsonb_build_object('kind', 'dxy', 'version', 1)
  FROM (${componentClosesCte('$1::timestamptz', '$2::timestamptz')}) c
 CROSS JOIN LATERAL (SELECT ${dxyValueSql('c')} AS dxy) v
 WHERE ${componentsCompleteSql('c')}`;
}

async function timedAndRolledBack(sql: Sql, work: (tx: Sql) => Promise<number>): Promise<{ ms: number; rows: number }> {
  await sql`vacuum public.data_bars`;
  let result = { ms: 0, rows: 0 };
  await sql
    .begin(async (tx) => {
      const { ms, value } = await timed(() => work(tx as unknown as Sql));
      result = { ms, rows: value };
      throw ROLLED_BACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLED_BACK) throw error;
    });
  return result;
}

export async function measureCalcFunction(sql: Sql, range: { from: Date; to: Date }) {
  const bare = (tx: Sql) => tx.unsafe(bareInsertSelectSql(), [range.from, range.to]).then((r) => r.count);
  const fn = (tx: Sql) =>
    tx<{ result: { inserted: number } }[]>`select public.calc_dxy_range_1m(${range.from}, ${range.to}) as result`.then(
      ([row]) => row?.result.inserted ?? 0,
    );
  const b1 = await timedAndRolledBack(sql, bare);
  const f1 = await timedAndRolledBack(sql, fn);
  const f2 = await timedAndRolledBack(sql, fn);
  const b2 = await timedAndRolledBack(sql, bare);
  if (f1.rows !== b1.rows) throw new Error(`the function wrote ${f1.rows} rows, the bare INSERT ${b1.rows}`);
  return { valueMs: f1.ms + f2.ms, baselineMs: b1.ms + b2.ms, rows: f1.rows };
}
