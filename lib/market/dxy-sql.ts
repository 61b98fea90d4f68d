/**
 * SQL pieces for computing DXY from the component closes in `data_bars`, shared by the legacy
 * function (rehearsal world) and the new `calc_dxy_range_1m` (phase 3), so both compute the
 * same value from the same minutes.
 */
import { DXY_COMPONENTS, dxySqlExpression } from './dxy';

/**
 * A CTE body pivoting the six component closes per minute in [p_from, p_to). Column names are
 * the lower-case symbols. `fromParam`/`toParam` are SQL expressions (function parameters).
 */
export function componentClosesCte(fromParam: string, toParam: string): string {
  const pivots = DXY_COMPONENTS.map(
    (symbol) => `max(b.close) FILTER (WHERE b.canonical_symbol = '${symbol}') AS ${symbol.toLowerCase()}`,
  ).join(',\n      ');
  const list = DXY_COMPONENTS.map((symbol) => `'${symbol}'`).join(', ');
  return `SELECT b.ts_utc,
      ${pivots}
    FROM public.data_bars b
    WHERE b.timeframe = '1m'
      AND b.canonical_symbol IN (${list})
      AND b.ts_utc >= ${fromParam} AND b.ts_utc < ${toParam}
    GROUP BY b.ts_utc`;
}

/**
 * A close the new calc_dxy_range_1m can use: positive and finite. In Postgres NaN sorts above every
 * number, so `NaN > 0` and `'Infinity' > 0` are both true; `> 0` alone would count them.
 */
export function usableCloseSql(column: string): string {
  return `(${column} > 0 AND ${column} < 'Infinity')`;
}

/**
 * True when all six closes of a pivoted row are present and positive (no forward fill).
 * `finite: true` (the new calc_dxy_range_1m) also refuses NaN and +Infinity: in Postgres NaN sorts
 * above every number, so `NaN > 0` and `'Infinity' > 0` are both true, and a NaN close would
 * become a NaN DXY. The legacy function keeps the default, its behaviour as it is in production.
 */
export function componentsCompleteSql(alias: string, options: { finite?: boolean } = {}): string {
  return DXY_COMPONENTS.map((symbol) => {
    const column = `${alias}.${symbol.toLowerCase()}`;
    return options.finite ? usableCloseSql(column) : `${column} > 0`;
  }).join(' AND ');
}

/** The DXY value of a pivoted row. */
export function dxyValueSql(alias: string): string {
  return dxySqlExpression((symbol) => `${alias}.${symbol.toLowerCase()}`);
}
