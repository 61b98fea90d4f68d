/**
 * Set-based generation of provider 1m bars: one INSERT … SELECT per call, a random walk per
 * symbol built with a cumulative window sum, FX closures from the market calendar (weekends in New
 * York time with daylight saving, holidays, early closes: lib/market/market-hours.ts, the same
 * calendar every check follows), and random provider gaps (the walk continues through a gap, so
 * the next bar opens where the market really was).
 * One call per year of history (bulk-history.ts), so ten years (npm run bench -- --years 10) is ten
 * statements of the same size as one year, each continuing the walks where the last one ended.
 */
import { fxOpenSql } from '../market-hours';
import { REHEARSAL_SYMBOLS, type RehearsalSymbol } from './symbols';

function symbolValues(symbols: readonly RehearsalSymbol[]): string {
  return symbols
    .map(
      (s) =>
        `('${s.symbol}', '${s.ticker}', ${s.level}::float8, ${s.sigma}::float8, '${s.calendar}', ${s.missingRate}::float8)`,
    )
    .join(',\n  ');
}

/**
 * Parameters: $1 from (timestamptz, inclusive), $2 to (exclusive), $3 provider `source` value,
 * $4 the closes to continue from (JSON text `{"symbol": close}`, or null): a symbol found there walks on
 * from that close and its first bar opens at it; any other starts from the symbol's level.
 */
export function generateProviderBarsSql(symbols: readonly RehearsalSymbol[] = REHEARSAL_SYMBOLS): string {
  return `
WITH symbols(symbol, ticker, level, sigma, calendar, missing_rate) AS (VALUES
  ${symbolValues(symbols)}
), minutes AS (
  -- The calendar is evaluated once per minute, not once per symbol and minute.
  SELECT m.ts, ${fxOpenSql('m.ts')} AS fx_open
    FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') AS m(ts)
), walk AS (
  SELECT s.symbol, s.ticker, s.sigma, s.missing_rate, m.ts, ($4::text::jsonb ->> s.symbol)::float8 AS prior,
         coalesce(($4::text::jsonb ->> s.symbol)::float8, s.level) * exp(sum(s.sigma * 1.7320508 * (2 * random() - 1))
                       OVER (PARTITION BY s.symbol ORDER BY m.ts ROWS UNBOUNDED PRECEDING)) AS close
    FROM symbols s
    JOIN minutes m ON s.calendar = '24x7' OR m.fx_open
), bars AS (
  SELECT w.*, coalesce(lag(w.close) OVER (PARTITION BY w.symbol ORDER BY w.ts), w.prior, w.close) AS open,
         (20 + floor(random() * 180))::int AS trades
    FROM walk w
)
INSERT INTO public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                              vol, vwap, trade_count, is_partial, source, ingested_at, raw)
SELECT b.symbol, b.ticker, '1m', b.ts, b.open,
       greatest(b.open, b.close) * (1 + b.sigma * 0.6 * random()),
       least(b.open, b.close) * (1 - b.sigma * 0.6 * random()),
       b.close,
       b.trades * 1000, (b.open + b.close) / 2, b.trades,
       false, $3, b.ts + interval '62 seconds',
       jsonb_build_object('provider', 'massive', 'ticker', b.ticker)
  FROM bars b
 WHERE random() >= b.missing_rate
`;
}
