import { describe, expect, it } from 'vitest';
import { loadDxyVectors, relativeError } from '../../test-support/dxy-vectors';
import { computeDxy } from './dxy';

describe('computeDxy', () => {
  const vectors = loadDxyVectors();

  it('has the twenty known-answer vectors to check against', () => {
    expect(vectors).toHaveLength(20);
  });

  it.each(vectors.map((vector, index) => [index, vector] as const))(
    'matches known-answer vector %i to 1e-12',
    (_i, vector) => {
      const value = computeDxy(vector.closes);
      expect(value).not.toBeNull();
      expect(relativeError(value as number, vector.dxy)).toBeLessThanOrEqual(1e-12);
    },
  );

  it('gives ≈109.6538 for the design check vector', () => {
    const value = computeDxy({
      EURUSD: 1.0245,
      USDJPY: 157.53,
      GBPUSD: 1.2195,
      USDCAD: 1.4415,
      USDSEK: 11.27,
      USDCHF: 0.917,
    });
    expect(value).toBeCloseTo(109.6538, 4);
  });

  it('skips a minute with a missing or non-positive component (no forward fill)', () => {
    const closes = { EURUSD: 1.08, USDJPY: 150, GBPUSD: 1.27, USDCAD: 1.36, USDSEK: 10.5, USDCHF: 0.88 };
    expect(computeDxy({ ...closes, USDSEK: undefined })).toBeNull();
    expect(computeDxy({ ...closes, USDCHF: 0 })).toBeNull();
    expect(computeDxy({ ...closes, EURUSD: -1.08 })).toBeNull();
    expect(computeDxy({ ...closes, GBPUSD: Number.NaN })).toBeNull();
  });
});
