/**
 * Random distributions drawn from the kernel PRNG: the continuous samplers, latency models as
 * plain data, and Zipf popularity tables.
 *
 * Every sampler takes the generator first and consumes a fixed, documented number of draws where
 * it can, so adding one sample shifts a run in a predictable way.
 */

import { assert } from './assert';
import { ZIPF_RANKS_MAX } from './limits';
import { nextFloat, nextInt, type RngState } from './prng';

/** Exponential with the given mean, by inversion (one float). A mean of 0 always gives 0. */
export function sampleExponential(rng: RngState, mean: number): number {
  assert(mean >= 0 && Number.isFinite(mean), `exponential mean must be ≥ 0 (got ${mean})`);
  // 1 - u lies in (0, 1], so the logarithm is finite.
  return -mean * Math.log(1 - nextFloat(rng));
}

/** Normal by Box–Muller (two floats). The second variate is dropped to keep no hidden state. */
export function sampleNormal(rng: RngState, mean: number, stdDev: number): number {
  assert(Number.isFinite(mean), `normal mean must be finite (got ${mean})`);
  assert(stdDev >= 0 && Number.isFinite(stdDev), `normal stdDev must be ≥ 0 (got ${stdDev})`);
  const radius = Math.sqrt(-2 * Math.log(1 - nextFloat(rng)));
  const angle = 2 * Math.PI * nextFloat(rng);
  return mean + stdDev * radius * Math.cos(angle);
}

/**
 * Log-normal given by its median (e^mu) and sigma, the standard deviation of its logarithm.
 * Latencies are usually quoted by their median, so that is the parameter here.
 */
export function sampleLogNormal(rng: RngState, median: number, sigma: number): number {
  assert(median > 0 && Number.isFinite(median), `log-normal median must be > 0 (got ${median})`);
  return median * Math.exp(sampleNormal(rng, 0, sigma));
}

/** Uniform in [min, max) (one float). */
export function sampleUniform(rng: RngState, min: number, max: number): number {
  assert(
    Number.isFinite(min) && Number.isFinite(max) && min <= max,
    `uniform needs finite min ≤ max (got ${min}, ${max})`,
  );
  return min + (max - min) * nextFloat(rng);
}

/** How long a message takes on a link, as plain data a lab config can hold. */
export type LatencyDistribution =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'normal'; meanMs: number; stdDevMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  | { kind: 'exponential'; meanMs: number };

function isWholeMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0;
}

function isNonNegative(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/** What is wrong with a latency model, or null when it is valid. */
function latencyProblem(dist: LatencyDistribution): string | null {
  switch (dist.kind) {
    case 'constant':
      return isWholeMs(dist.ms) ? null : 'ms must be a whole number ≥ 0';
    case 'uniform':
      return isWholeMs(dist.minMs) && isWholeMs(dist.maxMs) && dist.minMs <= dist.maxMs
        ? null
        : 'minMs and maxMs must be whole numbers with 0 ≤ minMs ≤ maxMs';
    case 'normal':
      return isNonNegative(dist.meanMs) && isNonNegative(dist.stdDevMs)
        ? null
        : 'meanMs and stdDevMs must be ≥ 0';
    case 'lognormal':
      return dist.medianMs > 0 && Number.isFinite(dist.medianMs) && isNonNegative(dist.sigma)
        ? null
        : 'medianMs must be > 0 and sigma ≥ 0';
    case 'exponential':
      return isNonNegative(dist.meanMs) ? null : 'meanMs must be ≥ 0';
    default: {
      const unknown: never = dist;
      return `unknown kind in ${JSON.stringify(unknown)}`;
    }
  }
}

/** Checks a latency model once, where it enters the system, with a message naming the field. */
export function assertLatencyDistribution(dist: LatencyDistribution): void {
  const problem = latencyProblem(dist);
  assert(problem === null, `bad ${dist.kind} latency: ${problem} (got ${JSON.stringify(dist)})`);
}

function sampleRawMs(rng: RngState, dist: LatencyDistribution): number {
  switch (dist.kind) {
    case 'constant':
      return dist.ms;
    case 'uniform':
      // Both ends inclusive: "10 to 50 ms" means any whole ms from 10 to 50, equally likely.
      return nextInt(rng, dist.minMs, dist.maxMs + 1);
    case 'normal':
      return sampleNormal(rng, dist.meanMs, dist.stdDevMs);
    case 'lognormal':
      return sampleLogNormal(rng, dist.medianMs, dist.sigma);
    case 'exponential':
      return sampleExponential(rng, dist.meanMs);
    default: {
      const unknown: never = dist;
      throw new Error(`unknown latency kind ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A latency in whole, non-negative milliseconds, because virtual time is integer ms. Continuous
 * samples are rounded to the nearest ms; a normal's negative tail is clamped to 0.
 */
export function sampleLatencyMs(rng: RngState, dist: LatencyDistribution): number {
  const ms = sampleRawMs(rng, dist);
  assert(Number.isFinite(ms), `latency sample must be finite (got ${ms})`);
  return Math.max(0, Math.round(ms));
}

/**
 * A Zipf popularity table as plain data: rank k (0-based) has weight 1 / (k + 1)^exponent.
 * `cumulative[k]` is the probability of a rank ≤ k; the last entry is exactly 1.
 */
export interface ZipfTable {
  rankCount: number;
  exponent: number;
  /** The generalized harmonic number H(rankCount, exponent), the sum of all weights. */
  harmonic: number;
  cumulative: Float64Array<ArrayBuffer>;
}

/** Builds a Zipf table over n ranks; exponent s = 0 is uniform, larger s is more skewed. */
export function createZipf(n: number, s: number): ZipfTable {
  assert(
    Number.isInteger(n) && n >= 1 && n <= ZIPF_RANKS_MAX,
    `Zipf needs 1 to ${ZIPF_RANKS_MAX} ranks (got ${n})`,
  );
  assert(isNonNegative(s), `Zipf exponent must be ≥ 0 (got ${s})`);
  const cumulative = new Float64Array(n);
  // Kahan summation keeps the running total accurate even over a million tiny terms.
  let sum = 0;
  let compensation = 0;
  for (let rank = 0; rank < n; rank += 1) {
    const term = (rank + 1) ** -s - compensation;
    const next = sum + term;
    compensation = next - sum - term;
    sum = next;
    cumulative[rank] = sum;
  }
  for (let rank = 0; rank < n; rank += 1) cumulative[rank] = cumulative[rank]! / sum;
  // Pin the end so a draw just below 1 always finds a rank.
  cumulative[n - 1] = 1;
  return { rankCount: n, exponent: s, harmonic: sum, cumulative };
}

/**
 * A 0-based rank drawn from the table (one float), found by binary search for the first
 * cumulative probability above the draw. Ranks whose probability is below 2^-53 of the total
 * can be skipped by rounding, which no run of realistic length could notice.
 */
export function sampleZipf(table: ZipfTable, rng: RngState): number {
  const draw = nextFloat(rng);
  const { cumulative } = table;
  let low = 0;
  let high = table.rankCount - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle]! > draw) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The exact probability of a 0-based rank: (rank + 1)^-s / H(n, s). */
export function zipfProbability(table: ZipfTable, rank: number): number {
  assert(
    Number.isInteger(rank) && rank >= 0 && rank < table.rankCount,
    `Zipf rank must be a whole number in [0, ${table.rankCount}) (got ${rank})`,
  );
  return (rank + 1) ** -table.exponent / table.harmonic;
}
