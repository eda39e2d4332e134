import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimAssertionError } from './assert';
import {
  createRng,
  nextBool,
  nextFloat,
  nextInt,
  nextUint32,
  pickOne,
  SPLIT_DRAWS,
  seedFromString,
  shuffleInPlace,
  splitRng,
} from './prng';

const MASK_64 = (1n << 64n) - 1n;
const MASK_32 = 0xffffffffn;

/** pcg-c-basic transcribed literally with BigInt: the oracle for the 32-bit implementation. */
function referencePcg32(seed: number, stream: number): () => number {
  let state = 0n;
  const increment = ((BigInt(stream) << 1n) | 1n) & MASK_64;
  const next = (): number => {
    const old = state;
    state = (old * 6364136223846793005n + increment) & MASK_64;
    const xorshifted = (((old >> 18n) ^ old) >> 27n) & MASK_32;
    const rotation = old >> 59n;
    const rotated = (xorshifted >> rotation) | (xorshifted << ((32n - rotation) & 31n));
    return Number(rotated & MASK_32);
  };
  next();
  state = (state + BigInt(seed)) & MASK_64;
  next();
  return next;
}

function draws(count: number, draw: () => number): number[] {
  return Array.from({ length: count }, draw);
}

/** Pearson's chi-square statistic against equal expected counts. */
function chiSquareUniform(counts: readonly number[]): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

describe('PCG32 core', () => {
  it('matches the pcg32-demo vector for pcg32_srandom_r(42, 54)', () => {
    const rng = createRng(42, 54);
    expect(draws(6, () => nextUint32(rng))).toEqual([
      0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e,
    ]);
  });

  it('matches the BigInt reference over 2,000 outputs at edge seeds and streams', () => {
    const edges = [0, 1, 42, 0xffffffff, 2 ** 32, 2 ** 52 + 12345, Number.MAX_SAFE_INTEGER];
    for (const seed of edges) {
      for (const stream of [0, 54, 2 ** 31, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
        const rng = createRng(seed, stream);
        const reference = referencePcg32(seed, stream);
        expect(draws(2_000, () => nextUint32(rng))).toEqual(draws(2_000, reference));
      }
    }
  });

  it('matches the BigInt reference for any seed and stream below 2^53', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (seed, stream) => {
        const rng = createRng(seed, stream);
        const reference = referencePcg32(seed, stream);
        expect(draws(64, () => nextUint32(rng))).toEqual(draws(64, reference));
      }),
    );
  });

  it('defaults the stream to 0', () => {
    const rng = createRng(7);
    const reference = referencePcg32(7, 0);
    expect(draws(10, () => nextUint32(rng))).toEqual(draws(10, reference));
  });

  it('refuses seeds and streams that are not whole numbers in [0, 2^53)', () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createRng(bad)).toThrow(SimAssertionError);
      expect(() => createRng(1, bad)).toThrow(/stream must be a whole number/);
    }
  });

  it('continues the identical sequence from a structuredClone of its state', () => {
    const rng = createRng(2026, 11);
    draws(37, () => nextUint32(rng));
    const copy = structuredClone(rng);
    expect(draws(500, () => nextUint32(copy))).toEqual(draws(500, () => nextUint32(rng)));
  });

  it('spreads the top four bits evenly (chi-square, 15 df, below the 0.1% critical 37.70)', () => {
    const rng = createRng(99);
    const counts = new Array<number>(16).fill(0);
    for (let index = 0; index < 160_000; index += 1) {
      const bucket = nextUint32(rng) >>> 28;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    expect(chiSquareUniform(counts)).toBeLessThan(37.7);
  });
});

describe('nextFloat', () => {
  it('builds a 53-bit float from two draws: 27 high bits then 26 low bits', () => {
    const rng = createRng(5, 6);
    const reference = referencePcg32(5, 6);
    for (let index = 0; index < 200; index += 1) {
      const high = BigInt(reference()) >> 5n;
      const low = BigInt(reference()) >> 6n;
      expect(nextFloat(rng)).toBe(Number((high << 26n) | low) / 2 ** 53);
    }
  });

  it('stays in [0, 1) and averages about 1/2', () => {
    const rng = createRng(1234);
    let sum = 0;
    let lowest = 1;
    let highest = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const value = nextFloat(rng);
      lowest = Math.min(lowest, value);
      highest = Math.max(highest, value);
      sum += value;
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(highest).toBeLessThan(1);
    // The standard error of the mean is 0.29 / sqrt(1e5) ≈ 0.0009; allow five of them.
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.0046);
  });
});

describe('nextInt', () => {
  it('rejects draws below 2^32 mod range, exactly like pcg32_boundedrand_r', () => {
    const range = 3 * 2 ** 30;
    const threshold = 2 ** 32 - range;
    const rng = createRng(8, 9);
    const reference = referencePcg32(8, 9);
    let rejections = 0;
    for (let index = 0; index < 2_000; index += 1) {
      let draw = reference();
      while (draw < threshold) {
        rejections += 1;
        draw = reference();
      }
      expect(nextInt(rng, 10, 10 + range)).toBe(10 + (draw % range));
    }
    // A quarter of all draws fall below the threshold, so the rejection path really ran.
    expect(rejections).toBeGreaterThan(400);
  });

  it('stays in [min, max) for any bounds', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 32 }),
        (seed, min, width) => {
          const rng = createRng(seed);
          for (let index = 0; index < 20; index += 1) {
            const value = nextInt(rng, min, min + width);
            expect(Number.isInteger(value) && value >= min && value < min + width).toBe(true);
          }
        },
      ),
    );
  });

  it('hits every value of a small range evenly (chi-square, 9 df, below the 0.1% critical 27.88)', () => {
    const rng = createRng(31337);
    const counts = new Array<number>(10).fill(0);
    for (let index = 0; index < 100_000; index += 1) {
      const value = nextInt(rng, -5, 5) + 5;
      counts[value] = (counts[value] ?? 0) + 1;
    }
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(chiSquareUniform(counts)).toBeLessThan(27.88);
  });

  it('refuses empty, fractional or too-wide ranges', () => {
    const rng = createRng(1);
    expect(() => nextInt(rng, 3, 3)).toThrow(SimAssertionError);
    expect(() => nextInt(rng, 0, 1.5)).toThrow(SimAssertionError);
    expect(() => nextInt(rng, 0, 2 ** 32 + 1)).toThrow(SimAssertionError);
  });
});

describe('nextBool', () => {
  it('is never true at probability 0 and always true at probability 1', () => {
    const rng = createRng(3);
    for (let index = 0; index < 10_000; index += 1) {
      expect(nextBool(rng, 0)).toBe(false);
      expect(nextBool(rng, 1)).toBe(true);
    }
  });

  it('is true about 30% of the time at probability 0.3', () => {
    const rng = createRng(4);
    let trues = 0;
    for (let index = 0; index < 100_000; index += 1) if (nextBool(rng, 0.3)) trues += 1;
    // Standard error ≈ 0.00145; allow five of them.
    expect(Math.abs(trues / 100_000 - 0.3)).toBeLessThan(0.0073);
  });

  it('refuses probabilities outside [0, 1]', () => {
    const rng = createRng(1);
    expect(() => nextBool(rng, 1.01)).toThrow(/probability in \[0, 1\]/);
    expect(() => nextBool(rng, Number.NaN)).toThrow(SimAssertionError);
  });
});

describe('splitRng', () => {
  it('advances the parent by exactly SPLIT_DRAWS draws', () => {
    const parent = createRng(77);
    const twin = structuredClone(parent);
    splitRng(parent, 'network');
    draws(SPLIT_DRAWS, () => nextUint32(twin));
    expect(parent).toEqual(twin);
  });

  it('is reproducible from the same parent state and label', () => {
    fc.assert(
      fc.property(fc.nat(), fc.oneof(fc.string(), fc.nat({ max: 0xffffffff })), (seed, label) => {
        const first = splitRng(createRng(seed), label);
        const second = splitRng(createRng(seed), label);
        expect(draws(20, () => nextUint32(first))).toEqual(draws(20, () => nextUint32(second)));
      }),
    );
  });

  it('gives different labels different streams from the same parent state', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.oneof(fc.string(), fc.nat({ max: 0xffffffff })),
        fc.oneof(fc.string(), fc.nat({ max: 0xffffffff })),
        (seed, labelA, labelB) => {
          fc.pre(labelA !== labelB);
          const childA = splitRng(createRng(seed), labelA);
          const childB = splitRng(createRng(seed), labelB);
          expect([childA.incHi, childA.incLo]).not.toEqual([childB.incHi, childB.incLo]);
          expect(draws(8, () => nextUint32(childA))).not.toEqual(
            draws(8, () => nextUint32(childB)),
          );
        },
      ),
    );
  });

  it('keeps the number 1 and the string "1" apart', () => {
    const fromNumber = splitRng(createRng(5), 1);
    const fromString = splitRng(createRng(5), '1');
    expect(draws(8, () => nextUint32(fromNumber))).not.toEqual(
      draws(8, () => nextUint32(fromString)),
    );
  });

  it('gives a child that does not repeat its parent', () => {
    const parent = createRng(12);
    const child = splitRng(parent, 'child');
    const parentDraws = draws(1_000, () => nextUint32(parent));
    const childDraws = draws(1_000, () => nextUint32(child));
    const shared = childDraws.filter((value) => parentDraws.includes(value));
    // Two independent streams share a value among 1,000 draws with chance about 2^-12.
    expect(shared.length).toBeLessThanOrEqual(1);
  });

  it('refuses numeric labels that are not uint32', () => {
    expect(() => splitRng(createRng(1), -1)).toThrow(SimAssertionError);
    expect(() => splitRng(createRng(1), 2 ** 32)).toThrow(SimAssertionError);
  });
});

describe('seedFromString', () => {
  it('matches the published FNV-1a 32-bit vectors for ASCII text', () => {
    expect(seedFromString('')).toBe(0x811c9dc5);
    expect(seedFromString('a')).toBe(0xe40c292c);
    expect(seedFromString('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-16 code units, so non-ASCII text is stable too', () => {
    // FNV-1a over the code units 0x00e9 ('é') and 0xd83d 0xde00 (an emoji's surrogate pair).
    const expected = [0xe9, 0xd83d, 0xde00].reduce(
      (hash, unit) => Number((BigInt((hash ^ unit) >>> 0) * 0x01000193n) & MASK_32),
      0x811c9dc5,
    );
    expect(seedFromString('é😀')).toBe(expected);
  });
});

describe('shuffleInPlace and pickOne', () => {
  it('returns a permutation of the same array', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.integer()), (seed, values) => {
        const array = [...values];
        expect(shuffleInPlace(createRng(seed), array)).toBe(array);
        expect([...array].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });

  it('makes all six orders of three items equally likely (chi-square, 5 df, below 20.52)', () => {
    const rng = createRng(606);
    const counts = new Map<string, number>();
    for (let index = 0; index < 60_000; index += 1) {
      const key = shuffleInPlace(rng, ['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    expect(chiSquareUniform([...counts.values()])).toBeLessThan(20.52);
  });

  it('picks only members, and every member eventually', () => {
    const rng = createRng(8);
    const seen = new Set<string>();
    for (let index = 0; index < 200; index += 1) seen.add(pickOne(rng, ['x', 'y', 'z']));
    expect([...seen].sort()).toEqual(['x', 'y', 'z']);
    expect(() => pickOne(rng, [])).toThrow(/non-empty/);
  });
});
