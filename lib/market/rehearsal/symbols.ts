/**
 * The instruments of the rehearsal world: the six DXY components at realistic levels, plus two
 * unrelated symbols the migration must never touch (gold on the FX calendar, bitcoin 24/7).
 * `sigma` is the per-minute log-return standard deviation.
 */
export type TradingCalendar = 'fx' | '24x7';

export interface RehearsalSymbol {
  symbol: string;
  ticker: string;
  assetClass: string;
  level: number;
  sigma: number;
  calendar: TradingCalendar;
  /** Probability that a given minute is missing for this symbol (provider gaps). */
  missingRate: number;
}

export const REHEARSAL_SYMBOLS: readonly RehearsalSymbol[] = [
  {
    symbol: 'EURUSD',
    ticker: 'C:EURUSD',
    assetClass: 'fx',
    level: 1.085,
    sigma: 0.00012,
    calendar: 'fx',
    missingRate: 0.002,
  },
  {
    symbol: 'USDJPY',
    ticker: 'C:USDJPY',
    assetClass: 'fx',
    level: 150.2,
    sigma: 0.00014,
    calendar: 'fx',
    missingRate: 0.002,
  },
  {
    symbol: 'GBPUSD',
    ticker: 'C:GBPUSD',
    assetClass: 'fx',
    level: 1.268,
    sigma: 0.00013,
    calendar: 'fx',
    missingRate: 0.002,
  },
  {
    symbol: 'USDCAD',
    ticker: 'C:USDCAD',
    assetClass: 'fx',
    level: 1.362,
    sigma: 0.0001,
    calendar: 'fx',
    missingRate: 0.002,
  },
  {
    symbol: 'USDSEK',
    ticker: 'C:USDSEK',
    assetClass: 'fx',
    level: 10.48,
    sigma: 0.00016,
    calendar: 'fx',
    missingRate: 0.003,
  },
  {
    symbol: 'USDCHF',
    ticker: 'C:USDCHF',
    assetClass: 'fx',
    level: 0.881,
    sigma: 0.00012,
    calendar: 'fx',
    missingRate: 0.002,
  },
  {
    symbol: 'XAUUSD',
    ticker: 'C:XAUUSD',
    assetClass: 'commodity',
    level: 2650,
    sigma: 0.0002,
    calendar: 'fx',
    missingRate: 0.004,
  },
  {
    symbol: 'BTCUSD',
    ticker: 'X:BTCUSD',
    assetClass: 'crypto',
    level: 92000,
    sigma: 0.0007,
    calendar: '24x7',
    missingRate: 0.001,
  },
];
