/**
 * The ICE US Dollar Index formula (docs/domain.md "DXY"), computed from the 1m closes of six FX pairs.
 * The SQL functions (legacy and new) use the same weights in the same order, so both paths
 * agree with this implementation to the last few ulps.
 */
export const DXY_CONSTANT = 50.14348112;

export const DXY_WEIGHTS = {
  EURUSD: -0.576,
  USDJPY: 0.136,
  GBPUSD: -0.119,
  USDCAD: 0.091,
  USDSEK: 0.042,
  USDCHF: 0.036,
} as const;

/** Two DXY closes agree when |Δ| ≤ this × |legacy close| (the plan's key-and-value comparison). */
export const DXY_CLOSE_TOLERANCE = 1e-9;

export type DxyComponent = keyof typeof DXY_WEIGHTS;

export const DXY_COMPONENTS = Object.keys(DXY_WEIGHTS) as DxyComponent[];

export const DXY_SYMBOL = 'DXY';

/** Sanity band for live DXY values (the index has historically lived in ~70–165). */
export const DXY_SANITY_BAND = { min: 80, max: 120 } as const;

/** Returns the DXY value, or null when a component is missing or not positive (no forward fill). */
export function computeDxy(closes: Partial<Record<DxyComponent, number>>): number | null {
  let value = DXY_CONSTANT;
  for (const symbol of DXY_COMPONENTS) {
    const close = closes[symbol];
    if (close === undefined || close === null || !Number.isFinite(close) || close <= 0) return null;
    value *= close ** DXY_WEIGHTS[symbol];
  }
  return value;
}

/** SQL expression for the same formula over columns named after the components (lower-case). */
export function dxySqlExpression(columnFor: (symbol: DxyComponent) => string): string {
  const factors = DXY_COMPONENTS.map(
    (symbol) => `power(${columnFor(symbol)}, ${DXY_WEIGHTS[symbol]}::double precision)`,
  );
  return `(${DXY_CONSTANT}::double precision * ${factors.join(' * ')})`;
}
