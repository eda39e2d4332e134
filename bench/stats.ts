/** Small statistics shared by the benchmarks and the perf harness. */
import { createRng, nextFloat } from '../src/kernel/prng';

/** The nearest-rank percentile (fraction in 0…1); null for no values. */
export function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Seeded uniform numbers in [0, 1) from the kernel's PCG32, so every run measures the same moments. */
export function seededRandom(seed: number): () => number {
  const rng = createRng(seed, 7);
  return () => nextFloat(rng);
}
