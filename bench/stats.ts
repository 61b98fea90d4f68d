/** Small statistics for the benchmark: percentiles of latency samples and timing helpers. */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

/** Milliseconds `work` takes. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** The median of `repeats` timings of `work`, after one untimed warm-up. */
export async function medianMs(work: () => Promise<unknown>, repeats: number): Promise<number> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) samples.push((await timed(work)).ms);
  return median(samples);
}

/**
 * Medians of two kinds of work timed in turns (a, b, a, b, …) after one untimed warm-up of each:
 * a ratio of the two then compares runs made under the same load, where two blocks of runs one after the
 * other would each see whatever the shared machine was doing during its own block.
 */
export async function pairedMedianMs(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  repeats: number,
): Promise<{ a: number; b: number }> {
  await a();
  await b();
  const samples = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < repeats; i++) {
    samples.a.push((await timed(a)).ms);
    samples.b.push((await timed(b)).ms);
  }
  return { a: median(samples.a), b: median(samples.b) };
}
