import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from './constants';
import { accessKey, createPolicyCache, type PolicyCache } from './policies';
import { replayTrace } from './replay';

/** Everything a policy keeps, less the notes `insertKey` leaves for the live model. */
function structures(
  c: PolicyCache,
): Omit<PolicyCache, 'lastVictim' | 'lastReason' | 'lastDetail' | 'lastRival' | 'lastRivalDetail'> {
  const { lastVictim, lastReason, lastDetail, lastRival, lastRivalDetail, ...rest } = c;
  return rest;
}

describe('the curve job’s fast replay', () => {
  for (const policy of POLICY_NAMES) {
    it(`${policy}: the same hits and the same structures as accessKey, slice by slice (property)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 60 }),
          fc.integer({ min: 0, max: 1_000 }),
          fc.array(fc.nat(10_000), { minLength: 1, maxLength: 1_500, size: 'max' }),
          fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }),
          (capacity, keySpace, seed, raw, sliceLengths) => {
            const trace = Int32Array.from(raw, (key) => key % keySpace);
            const slow = createPolicyCache(policy, capacity, keySpace, seed);
            const fast = createPolicyCache(policy, capacity, keySpace, seed);
            let from = 0;
            let slice = 0;
            while (from < trace.length) {
              const to = Math.min(trace.length, from + sliceLengths[slice % sliceLengths.length]!);
              let slowHits = 0;
              for (let i = from; i < to; i += 1) if (accessKey(slow, trace[i]!)) slowHits += 1;
              expect(replayTrace(fast, trace, from, to)).toBe(slowHits);
              expect(structures(fast)).toEqual(structures(slow));
              from = to;
              slice += 1;
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('W-TinyLFU with a window of several slots and many sketch resets', () => {
    // 300 slots: a 3-slot window, and the sketch halves every 3,000 increments.
    const keySpace = 2_000;
    const trace = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7_919 + (i >> 4)) % keySpace);
    const slow = createPolicyCache('wtinylfu', 300, keySpace);
    const fast = createPolicyCache('wtinylfu', 300, keySpace);
    let slowHits = 0;
    for (const key of trace) if (accessKey(slow, key)) slowHits += 1;
    expect(replayTrace(fast, trace, 0, trace.length)).toBe(slowHits);
    expect(fast.sketchResets).toBeGreaterThan(3);
    expect(structures(fast)).toEqual(structures(slow));
  });
});
