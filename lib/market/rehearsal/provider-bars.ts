/**
 * The simulated provider's 1m bars for the minutes a tick-factory run fetches: each symbol's random
 * walk continues from where it stood (through provider gaps too, so the next bar opens where the
 * market really was), no bar while the market calendar says the symbol's market is closed, and a
 * small random share of minutes missing (missingRate).
 */
import type postgres from 'postgres';
import type { Sql, TransactionSql } from 'postgres';
import type { SymbolIngestion } from '../../db/tables/rehearsal-ingestion';
import { MINUTE_MS } from '../../time-units';
import { isFxOpen } from '../market-hours';
import { REHEARSAL_SYMBOLS, type RehearsalSymbol } from './symbols';

/** A row of public.data_bars as the provider's ingest writes it. */
export interface ProviderBar {
  canonical_symbol: string;
  provider_ticker: string;
  timeframe: '1m';
  ts_utc: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  vol: number;
  vwap: number;
  trade_count: number;
  is_partial: boolean;
  source: string;
  ingested_at: Date;
  raw: postgres.Parameter;
}

/** Box–Muller: a standard normal draw. */
export function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

const SYMBOLS = new Map(REHEARSAL_SYMBOLS.map((s) => [s.symbol, s]));

/**
 * The bars of [from.nextMinute, to.nextMinute) for each symbol, landing at `runAt`; sets each
 * `to` row's lastClose to where the walk stands afterwards.
 */
export function fetchProviderBars(
  sql: Sql | TransactionSql,
  params: {
    from: readonly SymbolIngestion[];
    to: SymbolIngestion[];
    runAt: Date;
    source: string;
  },
): ProviderBar[] {
  const bars: ProviderBar[] = [];
  const openCache = new Map<number, boolean>();
  const fxOpen = (minute: number) => {
    let open = openCache.get(minute);
    if (open === undefined) {
      open = isFxOpen(new Date(minute));
      openCache.set(minute, open);
    }
    return open;
  };
  for (const next of params.to) {
    const before = params.from.find((s) => s.symbol === next.symbol);
    const symbol = SYMBOLS.get(next.symbol);
    if (!before || !symbol) continue;
    let close = before.lastClose;
    for (let minute = before.nextMinute.getTime(); minute < next.nextMinute.getTime(); minute += MINUTE_MS) {
      if (symbol.calendar === 'fx' && !fxOpen(minute)) continue;
      const open = close;
      close = open * Math.exp(symbol.sigma * normal());
      if (Math.random() < symbol.missingRate) continue;
      bars.push(
        providerBar(sql, { symbol, minute: new Date(minute), open, close, runAt: params.runAt, source: params.source }),
      );
    }
    next.lastClose = close;
  }
  return bars;
}

function providerBar(
  sql: Sql | TransactionSql,
  params: { symbol: RehearsalSymbol; minute: Date; open: number; close: number; runAt: Date; source: string },
): ProviderBar {
  const { symbol, open, close } = params;
  const trades = 20 + Math.floor(Math.random() * 180);
  return {
    canonical_symbol: symbol.symbol,
    provider_ticker: symbol.ticker,
    timeframe: '1m',
    ts_utc: params.minute,
    open,
    high: Math.max(open, close) * (1 + symbol.sigma * 0.6 * Math.random()),
    low: Math.min(open, close) * (1 - symbol.sigma * 0.6 * Math.random()),
    close,
    vol: trades * 1000,
    vwap: (open + close) / 2,
    trade_count: trades,
    is_partial: false,
    source: params.source,
    // Landed two seconds into the run (together: 62 s after the bar's start, as before).
    ingested_at: new Date(params.runAt.getTime() + 2_000),
    raw: sql.json({ provider: 'massive', ticker: symbol.ticker }),
  };
}
