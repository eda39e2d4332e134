import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimAssertionError } from './assert';
import {
  assertLatencyDistribution,
  createZipf,
  type LatencyDistribution,
  sampleExponential,
  sampleLatencyMs,
  sampleLogNormal,
  sampleNormal,
  sampleUniform,
  sampleZipf,
  zipfProbability,
} from './distributions';
import { ZIPF_RANKS_MAX } from './limits';
import { createRng, nextFloat } from './prng';

function samples(count: number, draw: () => number): number[] {
  return Array.from({ length: count }, draw);
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function stdDevOf(values: readonly number[]): number {
  const mean = meanOf(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

function minOf(values: readonly number[]): number {
  return values.reduce((lowest, value) => Math.min(lowest, value), Number.POSITIVE_INFINITY);
}

function maxOf(values: readonly number[]): number {
  return values.reduce((highest, value) => Math.max(highest, value), Number.NEGATIVE_INFINITY);
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

// Over 200,000 samples the standard error of a mean is about 0.22% of the standard deviation,
// so the tolerances below (1% to 2%) sit several standard errors out while still catching a
// wrong formula, which is off by far more.
const SAMPLE_COUNT = 200_000;

const arbitraryLatency: fc.Arbitrary<LatencyDistribution> = fc.oneof(
  fc.record({ kind: fc.constant('constant' as const), ms: fc.nat(10_000) }),
  fc
    .tuple(fc.nat(10_000), fc.nat(10_000))
    .map(([a, b]) => ({ kind: 'uniform' as const, minMs: Math.min(a, b), maxMs: Math.max(a, b) })),
  fc.record({
    kind: fc.constant('normal' as const),
    meanMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
    stdDevMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('lognormal' as const),
    medianMs: fc.double({ min: 0.001, max: 1_000, noNaN: true }),
    sigma: fc.double({ min: 0, max: 3, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('exponential' as const),
    meanMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
  }),
);

describe('continuous samplers', () => {
  it('exponential has the requested mean and a standard deviation equal to it', () => {
    const rng = createRng(101);
    const values = samples(SAMPLE_COUNT, () => sampleExponential(rng, 50));
    expect(minOf(values)).toBeGreaterThanOrEqual(0);
    expect(meanOf(values)).toBeGreaterThan(49.5);
    expect(meanOf(values)).toBeLessThan(50.5);
    expect(Math.abs(stdDevOf(values) / 50 - 1)).toBeLessThan(0.02);
    expect(sampleExponential(rng, 0)).toBe(0);
  });

  it('normal has the requested mean and standard deviation, with 68.3% within one sigma', () => {
    const rng = createRng(202);
    const values = samples(SAMPLE_COUNT, () => sampleNormal(rng, 10, 3));
    expect(Math.abs(meanOf(values) - 10)).toBeLessThan(0.05);
    expect(Math.abs(stdDevOf(values) / 3 - 1)).toBeLessThan(0.01);
    const withinOneSigma = values.filter((value) => Math.abs(value - 10) < 3).length;
    expect(Math.abs(withinOneSigma / SAMPLE_COUNT - 0.6827)).toBeLessThan(0.005);
  });

  it('log-normal has the requested median and mean median·e^(σ²/2)', () => {
    const rng = createRng(303);
    const values = samples(SAMPLE_COUNT, () => sampleLogNormal(rng, 100, 0.5));
    expect(Math.abs(medianOf(values) / 100 - 1)).toBeLessThan(0.01);
    expect(Math.abs(meanOf(values) / (100 * Math.exp(0.125)) - 1)).toBeLessThan(0.01);
    expect(minOf(values)).toBeGreaterThan(0);
  });

  it('uniform stays in [min, max) with mean (min + max) / 2', () => {
    const rng = createRng(404);
    const values = samples(SAMPLE_COUNT, () => sampleUniform(rng, 2, 5));
    expect(minOf(values)).toBeGreaterThanOrEqual(2);
    expect(maxOf(values)).toBeLessThan(5);
    expect(Math.abs(meanOf(values) - 3.5)).toBeLessThan(0.01);
  });

  it('refuses parameters outside their domain', () => {
    const rng = createRng(1);
    expect(() => sampleExponential(rng, -1)).toThrow(SimAssertionError);
    expect(() => sampleNormal(rng, 0, -1)).toThrow(SimAssertionError);
    expect(() => sampleLogNormal(rng, 0, 1)).toThrow(SimAssertionError);
    expect(() => sampleUniform(rng, 3, 2)).toThrow(SimAssertionError);
  });
});

describe('sampleLatencyMs', () => {
  it('always returns a whole, non-negative number of milliseconds', () => {
    fc.assert(
      fc.property(fc.nat(), arbitraryLatency, (seed, dist) => {
        const rng = createRng(seed);
        for (let index = 0; index < 50; index += 1) {
          const ms = sampleLatencyMs(rng, dist);
          expect(Number.isInteger(ms) && ms >= 0).toBe(true);
        }
      }),
    );
  });

  it('returns a constant exactly, and takes no draw for it', () => {
    const rng = createRng(5);
    const before = structuredClone(rng);
    expect(sampleLatencyMs(rng, { kind: 'constant', ms: 42 })).toBe(42);
    expect(rng).toEqual(before);
  });

  it('treats uniform bounds as inclusive whole milliseconds', () => {
    const rng = createRng(6);
    const seen = new Set<number>();
    for (let index = 0; index < 5_000; index += 1) {
      seen.add(sampleLatencyMs(rng, { kind: 'uniform', minMs: 10, maxMs: 14 }));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14]);
  });

  it('clamps the negative half of a zero-mean normal to 0', () => {
    const rng = createRng(7);
    const values = samples(20_000, () =>
      sampleLatencyMs(rng, { kind: 'normal', meanMs: 0, stdDevMs: 100 }),
    );
    // Half the mass is negative and a little more rounds to 0 (|x| < 0.5 ms is 0.2% of it).
    expect(Math.abs(values.filter((ms) => ms === 0).length / 20_000 - 0.502)).toBeLessThan(0.015);
  });

  it('keeps the mean of a rounded exponential latency', () => {
    const rng = createRng(8);
    const values = samples(SAMPLE_COUNT, () =>
      sampleLatencyMs(rng, { kind: 'exponential', meanMs: 80 }),
    );
    expect(Math.abs(meanOf(values) / 80 - 1)).toBeLessThan(0.01);
  });

  it('accepts every valid model and names the field of an invalid one', () => {
    fc.assert(fc.property(arbitraryLatency, (dist) => assertLatencyDistribution(dist)));
    expect(() => assertLatencyDistribution({ kind: 'constant', ms: 1.5 })).toThrow(
      /bad constant latency: ms must be a whole number/,
    );
    expect(() => assertLatencyDistribution({ kind: 'uniform', minMs: 5, maxMs: 4 })).toThrow(
      /minMs and maxMs/,
    );
    expect(() => assertLatencyDistribution({ kind: 'lognormal', medianMs: 0, sigma: 1 })).toThrow(
      /medianMs must be > 0/,
    );
    expect(() => assertLatencyDistribution({ kind: 'exponential', meanMs: -1 })).toThrow(
      SimAssertionError,
    );
  });
});

describe('Zipf', () => {
  it('is uniform at exponent 0', () => {
    const table = createZipf(8, 0);
    for (let rank = 0; rank < 8; rank += 1) {
      expect(zipfProbability(table, rank)).toBeCloseTo(1 / 8, 15);
      expect(table.cumulative[rank]).toBeCloseTo((rank + 1) / 8, 15);
    }
  });

  it('matches the published harmonic number H(1000) = 7.48547086055034491…', () => {
    const table = createZipf(1_000, 1);
    expect(table.harmonic).toBeCloseTo(7.485470860550345, 13);
    expect(zipfProbability(table, 0)).toBeCloseTo(1 / 7.485470860550345, 15);
  });

  it('matches Euler–Maclaurin for a million ranks', () => {
    const n = ZIPF_RANKS_MAX;
    const table = createZipf(n, 1);
    const eulerGamma = 0.5772156649015329;
    const expected = Math.log(n) + eulerGamma + 1 / (2 * n) - 1 / (12 * n * n);
    expect(Math.abs(table.harmonic - expected)).toBeLessThan(1e-12);
    expect(table.cumulative.length).toBe(n);
    expect(table.cumulative[n - 1]).toBe(1);
  });

  it('matches ζ(1.5) minus its tail for a fractional exponent', () => {
    // ζ(3/2) = 2.612375348685488…; the tail past n is n^(1-s)/(s-1) - n^-s/2 + s·n^(-s-1)/12.
    const n = 1_000;
    const s = 1.5;
    const tail = n ** (1 - s) / (s - 1) - n ** -s / 2 + (s * n ** (-s - 1)) / 12;
    expect(createZipf(n, s).harmonic).toBeCloseTo(2.612375348685488 - tail, 10);
  });

  it('has probabilities that sum to 1 and a non-decreasing cumulative table ending at 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        (n, s) => {
          const table = createZipf(n, s);
          let total = 0;
          let decreases = 0;
          for (let rank = 0; rank < n; rank += 1) {
            total += zipfProbability(table, rank);
            if (rank > 0 && table.cumulative[rank]! < table.cumulative[rank - 1]!) decreases += 1;
          }
          expect(decreases).toBe(0);
          expect(total).toBeCloseTo(1, 12);
          expect(table.cumulative[n - 1]).toBe(1);
        },
      ),
    );
  });

  it('draws rank 0 with frequency 1 / H(n, s)', () => {
    const table = createZipf(1_000, 1);
    const rng = createRng(909);
    let rankZeroCount = 0;
    for (let index = 0; index < SAMPLE_COUNT; index += 1) {
      if (sampleZipf(table, rng) === 0) rankZeroCount += 1;
    }
    // p = 0.1336; the standard error over 200,000 draws is 0.00076.
    expect(Math.abs(rankZeroCount / SAMPLE_COUNT - 1 / 7.485470860550345)).toBeLessThan(0.004);
  });

  it('fits the head of the distribution (chi-square over ranks 0–4 and the rest, 5 df, < 20.52)', () => {
    const table = createZipf(10_000, 1.2);
    const rng = createRng(910);
    const observed = new Array<number>(6).fill(0);
    for (let index = 0; index < SAMPLE_COUNT; index += 1) {
      const bucket = Math.min(sampleZipf(table, rng), 5);
      observed[bucket] = (observed[bucket] ?? 0) + 1;
    }
    const headProbabilities = [0, 1, 2, 3, 4].map((rank) => zipfProbability(table, rank));
    const expected = [...headProbabilities, 1 - headProbabilities.reduce((a, b) => a + b, 0)];
    const chiSquare = observed.reduce((sum, count, bucket) => {
      const expectedCount = (expected[bucket] ?? 0) * SAMPLE_COUNT;
      return sum + (count - expectedCount) ** 2 / expectedCount;
    }, 0);
    expect(chiSquare).toBeLessThan(20.52);
  });

  it('finds the same rank as a linear scan of the cumulative table, always in range', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 1, max: 5_000 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (seed, n, s) => {
          const table = createZipf(n, s);
          const rng = createRng(seed);
          for (let index = 0; index < 30; index += 1) {
            const draw = nextFloat(structuredClone(rng));
            const expected = table.cumulative.findIndex((cumulative) => cumulative > draw);
            const rank = sampleZipf(table, rng);
            expect(rank).toBe(expected);
            expect(rank >= 0 && rank < n).toBe(true);
          }
        },
      ),
    );
  });

  it('refuses bad sizes, exponents and ranks', () => {
    expect(() => createZipf(0, 1)).toThrow(SimAssertionError);
    expect(() => createZipf(ZIPF_RANKS_MAX + 1, 1)).toThrow(/1 to 1000000 ranks/);
    expect(() => createZipf(10, -0.5)).toThrow(SimAssertionError);
    expect(() => zipfProbability(createZipf(10, 1), 10)).toThrow(SimAssertionError);
  });
});
