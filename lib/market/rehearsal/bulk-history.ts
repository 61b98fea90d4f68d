/**
 * A rehearsal world's history in bulk: the provider bars and the legacy DXY 1m written one year at a
 * time, each year one set-based statement (generate-bars-sql.ts; calc_dxy_range_derived over the
 * year), never minute by minute. A year per statement keeps each statement's sort and its
 * transaction the size of one year, so ten years (the benchmark's `--years 10`, ≈ 30 M bars) cost ten
 * times one year instead of one sort spilling ten years to disk; each year's walks continue from
 * the closes the year before ended on, so the history has no seams.
 */
import type { Sql } from 'postgres';
import { DAY_MS } from '../../time-units';
import { generateProviderBarsSql } from './generate-bars-sql';

/** Days of history per statement. */
export const CHUNK_DAYS = 365;

export interface HistoryChunk {
  from: Date;
  to: Date;
}

/** [from, to) cut into consecutive chunks of at most `days` days, in time order. */
export function historyChunks(from: Date, to: Date, days: number = CHUNK_DAYS): HistoryChunk[] {
  const chunks: HistoryChunk[] = [];
  for (let start = from.getTime(); start < to.getTime(); start += days * DAY_MS) {
    chunks.push({ from: new Date(start), to: new Date(Math.min(start + days * DAY_MS, to.getTime())) });
  }
  return chunks;
}

/** The last close of each provider symbol before `before` (the walks continue from them). */
async function lastCloses(client: Sql, before: Date, symbols: readonly string[]): Promise<Record<string, number>> {
  const rows = await client<{ symbol: string; close: number }[]>`
    select s.symbol, b.close::float8 as close
      from unnest(${symbols}::text[]) as s(symbol)
      cross join lateral (select close from public.data_bars
                           where canonical_symbol = s.symbol and timeframe = '1m' and ts_utc < ${before}
                           order by ts_utc desc limit 1) b`;
  return Object.fromEntries(rows.map((r) => [r.symbol, r.close]));
}

export async function generateProviderHistory(
  client: Sql,
  params: {
    from: Date;
    to: Date;
    source: string;
    symbols: readonly string[];
    log: (line: string) => void;
    /** Days per statement (tests use short ones to cross chunk boundaries cheaply). */
    chunkDays?: number;
  },
): Promise<number> {
  let bars = 0;
  const chunks = historyChunks(params.from, params.to, params.chunkDays);
  for (const [i, chunk] of chunks.entries()) {
    const continueFrom = i === 0 ? null : await lastCloses(client, chunk.from, params.symbols);
    const inserted = await client.unsafe(generateProviderBarsSql(), [
      chunk.from.toISOString(),
      chunk.to.toISOString(),
      params.source,
      continueFrom === null ? null : JSON.stringify(continueFrom),
    ]);
    bars += inserted.count;
    if (chunks.length > 1) params.log(`  part ${i + 1} of ${chunks.length}: ${inserted.count} bars`);
  }
  return bars;
}

/** Legacy DXY 1m over the history with the legacy function, a year per call; the minutes it inserted. */
export async function deriveLegacyHistory(
  client: Sql,
  params: { from: Date; to: Date; chunkDays?: number },
): Promise<number> {
  let inserted = 0;
  for (const chunk of historyChunks(params.from, params.to, params.chunkDays)) {
    const [row] = await client`
      select public.calc_dxy_range_derived(p_from_utc => ${chunk.from}, p_to_utc => ${chunk.to}) as result`;
    const result = row?.result as { success: boolean; inserted?: number; error?: string } | undefined;
    if (!result?.success) throw new Error(`calc_dxy_range_derived failed: ${result?.error ?? 'unknown'}`);
    inserted += result.inserted ?? 0;
  }
  return inserted;
}
