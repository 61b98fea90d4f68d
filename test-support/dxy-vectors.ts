/** The known-answer vectors in test-support/fixtures/dxy-vectors.json (50-digit arithmetic; docs/domain.md). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DxyComponent } from '../lib/market/dxy';

export interface DxyVector {
  closes: Record<DxyComponent, number>;
  dxy: number;
}

const FIXTURE_PATH = resolve('test-support/fixtures/dxy-vectors.json');

export function loadDxyVectors(): DxyVector[] {
  const raw = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as {
    vectors: { closes: Record<string, string>; dxy: string }[];
  };
  return raw.vectors.map((vector) => ({
    closes: Object.fromEntries(Object.entries(vector.closes).map(([k, v]) => [k, Number(v)])) as Record<
      DxyComponent,
      number
    >,
    dxy: Number(vector.dxy),
  }));
}

export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}
