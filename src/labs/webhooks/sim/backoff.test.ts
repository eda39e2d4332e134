import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../kernel/prng';
import {
  type BackoffPolicy,
  backoffDelayMs,
  DECORRELATED_GROWTH,
  delayRangeMs,
  exponentialDelayMs,
  JITTER_KINDS,
} from './backoff';

const policy = (jitter: BackoffPolicy['jitter']): BackoffPolicy => ({
  baseMs: 1_000,
  factor: 2,
  capMs: 30_000,
  jitter,
});

describe('exponential backoff', () => {
  it('doubles from the base and stops at the cap: 1, 2, 4, 8, 16, 30, 30 s', () => {
    const rng = createRng(1);
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(policy('none'), n, 0, rng));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('follows min(cap, base × factor^(n−1)) for any base, factor and cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 60_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 1, max: 20 }),
        (baseMs, factor, extraCap, retry) => {
          const p: BackoffPolicy = { baseMs, factor, capMs: baseMs + extraCap, jitter: 'none' };
          const expected = Math.floor(Math.min(p.capMs, baseMs * factor ** (retry - 1)));
          expect(exponentialDelayMs(p, retry)).toBe(expected);
          expect(backoffDelayMs(p, retry, 0, createRng(retry))).toBe(expected);
        },
      ),
    );
  });

  it('a factor of 1 is a constant delay', () => {
    const p: BackoffPolicy = { baseMs: 700, factor: 1, capMs: 5_000, jitter: 'none' };
    expect([1, 2, 9].map((n) => exponentialDelayMs(p, n))).toEqual([700, 700, 700]);
  });
});

describe('jitter', () => {
  it('full, equal and decorrelated ranges for the 3rd retry (exponential 4 s)', () => {
    expect(delayRangeMs(policy('full'), 3, 0)).toEqual({ minMs: 0, maxMs: 4_000 });
    expect(delayRangeMs(policy('equal'), 3, 0)).toEqual({ minMs: 2_000, maxMs: 4_000 });
    expect(delayRangeMs(policy('decorrelated'), 3, 5_000)).toEqual({ minMs: 1_000, maxMs: 15_000 });
    expect(delayRangeMs(policy('decorrelated'), 3, 20_000)).toEqual({
      minMs: 1_000,
      maxMs: 30_000,
    });
  });

  it('every jittered delay lies within its range, for every kind, retry and seed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...JITTER_KINDS),
        fc.integer({ min: 10, max: 5_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (jitter, baseMs, factor, extraCap, seed) => {
          const p: BackoffPolicy = { baseMs, factor, capMs: baseMs + extraCap, jitter };
          const rng = createRng(seed);
          let previous = baseMs;
          for (let retry = 1; retry <= 12; retry += 1) {
            const { minMs, maxMs } = delayRangeMs(p, retry, previous);
            const delay = backoffDelayMs(p, retry, previous, rng);
            expect(Number.isInteger(delay)).toBe(true);
            expect(delay).toBeGreaterThanOrEqual(minMs);
            expect(delay).toBeLessThanOrEqual(maxMs);
            expect(delay).toBeLessThanOrEqual(p.capMs);
            if (jitter === 'decorrelated') {
              expect(delay).toBeLessThanOrEqual(Math.max(baseMs, previous * DECORRELATED_GROWTH));
            }
            previous = Math.max(delay, 1);
          }
        },
      ),
    );
  });

  it('full jitter spreads delays over the whole range (mean about half the exponential)', () => {
    const rng = createRng(99);
    const draws = Array.from({ length: 4_000 }, () => backoffDelayMs(policy('full'), 4, 0, rng));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    // Uniform on [0, 8000]: mean 4000, standard error 2309 / √4000 ≈ 37 ms.
    expect(Math.abs(mean - 4_000)).toBeLessThan(200);
    expect(Math.min(...draws)).toBeLessThan(200);
    expect(Math.max(...draws)).toBeGreaterThan(7_800);
  });

  it('the same seed gives the same delays', () => {
    for (const jitter of JITTER_KINDS) {
      const a = createRng(5);
      const b = createRng(5);
      const run = (rng: ReturnType<typeof createRng>) =>
        [1, 2, 3, 4].map((n) => backoffDelayMs(policy(jitter), n, 1_000 * n, rng));
      expect(run(a)).toEqual(run(b));
    }
  });
});
