import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES, type PolicyName } from './constants';
import { createOpt, nextUseOf, optHits, runOpt } from './opt';
import {
  accessKey,
  checkPolicyInvariants,
  createPolicyCache,
  evictionOrder,
  insertKey,
  isResident,
  listNameOf,
  NONE,
  type PolicyCache,
  removeKey,
  sketchEstimate,
  sketchIncrement,
  sketchReset,
} from './policies';
import { createReference, optHitsNaive } from './reference';
import { createWorkload, generateTrace } from './workload';

/** Runs a trace of references; returns "h" / "m" / "m<victim>" per step. */
function runTrace(cache: PolicyCache, trace: number[]): string[] {
  return trace.map((key) => {
    if (accessKey(cache, key)) return 'h';
    return cache.lastVictim === NONE ? 'm' : `m${cache.lastVictim}`;
  });
}

function residentKeys(cache: PolicyCache): number[] {
  const keys: number[] = [];
  for (let key = 0; key < cache.keySpace; key += 1) if (isResident(cache, key)) keys.push(key);
  return keys;
}

type Op = { remove: false; key: number } | { remove: true; pick: number };

const opArb = (keySpace: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.nat(keySpace - 1).map((key) => ({ remove: false as const, key })) },
    { weight: 1, arbitrary: fc.nat(1_000).map((pick) => ({ remove: true as const, pick })) },
  );

describe('each policy against its reference model on random traces', () => {
  for (const policy of POLICY_NAMES) {
    it(`${policy}: same hits, victims and contents, with removals mixed in`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 30 }),
          fc.integer({ min: 0, max: 1_000 }),
          fc.array(opArb(30), { maxLength: 400, size: 'max' }),
          (capacity, keySpace, seed, rawOps) => {
            const ops = rawOps.map((op) =>
              op.remove ? op : { ...op, key: op.key % keySpace },
            ) as Op[];
            const fast = createPolicyCache(policy, capacity, keySpace, seed);
            const reference = createReference(policy, capacity, seed);
            for (const op of ops) {
              if (op.remove) {
                const resident = residentKeys(fast);
                if (resident.length === 0) continue;
                const key = resident[op.pick % resident.length]!;
                removeKey(fast, key);
                reference.remove(key);
              } else {
                const hit = accessKey(fast, op.key);
                const expected = reference.access(op.key);
                expect(hit).toBe(expected.hit);
                expect(fast.lastVictim === NONE ? null : fast.lastVictim).toBe(expected.victim);
              }
              expect(fast.size).toBeLessThanOrEqual(capacity);
              checkPolicyInvariants(fast);
              expect(residentKeys(fast)).toEqual(reference.contents());
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

describe('LRU against the lru-cache npm package (oracle)', () => {
  it('same hits, same evicted keys and the same recency order on random traces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(opArb(40), { maxLength: 500, size: 'max' }),
        (capacity, ops) => {
          const ours = createPolicyCache('lru', capacity, 40);
          const evicted: number[] = [];
          const theirs = new LRUCache<number, true>({
            max: capacity,
            dispose: (_value, key, reason) => {
              if (reason === 'evict') evicted.push(key);
            },
          });
          for (const op of ops) {
            if (op.remove) {
              const keys = [...theirs.keys()];
              if (keys.length === 0) continue;
              const key = keys[op.pick % keys.length]!;
              removeKey(ours, key);
              theirs.delete(key);
              continue;
            }
            const theirHit = theirs.get(op.key) !== undefined;
            if (!theirHit) theirs.set(op.key, true);
            const ourHit = accessKey(ours, op.key);
            expect(ourHit).toBe(theirHit);
            const theirVictim = evicted.length > 0 ? evicted.pop()! : NONE;
            expect(ours.lastVictim).toBe(ourHit ? NONE : theirVictim);
          }
          // lru-cache lists keys most recent first; our eviction order is least recent first.
          expect(evictionOrder(ours)).toEqual([...theirs.keys()].reverse());
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('worked examples', () => {
  // The classic reference string of operating-systems textbooks.
  const belady = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
  const run = (policy: PolicyName, capacity: number, trace: number[]) =>
    runTrace(createPolicyCache(policy, capacity, 10, 1), trace);

  it('LRU, 3 slots: 10 misses on the textbook string', () => {
    expect(run('lru', 3, belady)).toEqual([
      'm',
      'm',
      'm',
      'm1',
      'm2',
      'm3',
      'm4',
      'h',
      'h',
      'm5',
      'm1',
      'm2',
    ]);
  });

  it("FIFO shows Belady's anomaly: 9 misses with 3 slots, 10 with 4", () => {
    const misses = (capacity: number) =>
      run('fifo', capacity, belady).filter((r) => r.startsWith('m')).length;
    expect(misses(3)).toBe(9);
    expect(misses(4)).toBe(10);
    expect(run('fifo', 3, belady)).toEqual([
      'm',
      'm',
      'm',
      'm1',
      'm2',
      'm3',
      'm4',
      'h',
      'h',
      'm1',
      'm2',
      'h',
    ]);
  });

  it('LFU keeps the often-used key and breaks ties by recency', () => {
    // 1 is used three times; 2 and 3 once each, 2 less recently: 2 goes first, then 3.
    expect(run('lfu', 3, [1, 1, 1, 2, 3, 4, 5])).toEqual(['m', 'h', 'h', 'm', 'm', 'm2', 'm3']);
  });

  it('CLOCK gives a referenced key a second chance', () => {
    // Slots 0..2 hold 1, 2, 3; 1 is referenced, so the hand clears it and evicts 2.
    expect(run('clock', 3, [1, 2, 3, 1, 4, 5])).toEqual(['m', 'm', 'm', 'h', 'm2', 'm3']);
  });

  it('SIEVE keeps a visited key in place and its hand remembers where it stopped', () => {
    // Queue (oldest first): 1 2 3, 1 visited. Insert 4: hand clears 1, evicts 2, rests on 3.
    // Insert 5: 3 is unvisited, so it goes.
    expect(run('sieve', 3, [1, 2, 3, 1, 4, 5])).toEqual(['m', 'm', 'm', 'h', 'm2', 'm3']);
  });

  it('Random draws its victims from the seeded stream, the same every time', () => {
    const a = run('random', 3, belady);
    expect(run('random', 3, belady)).toEqual(a);
    expect(a.slice(0, 3)).toEqual(['m', 'm', 'm']);
  });

  it('ARC adapts: a ghost hit in B1 grows T1’s target p', () => {
    const arc = createPolicyCache('arc', 2, 10);
    // 1 is referenced twice (T2); 2 once (T1); 3 pushes 2 out of T1 into ghost list B1.
    expect(runTrace(arc, [1, 1, 2, 3])).toEqual(['m', 'h', 'm', 'm2']);
    expect(arc.arcP).toBe(0);
    // 2 is remembered in B1: referencing it again is a miss, but p grows to 1, so this time
    // T2 gives up its LRU key (1).
    expect(runTrace(arc, [2])).toEqual(['m1']);
    expect(arc.arcP).toBe(1);
  });

  it('2Q: a key seen once passes through A1in; seen again from A1out, it joins Am', () => {
    // Capacity 4: Kin = 1, Kout = 2.
    const q = createPolicyCache('2q', 4, 10);
    expect(runTrace(q, [1, 2, 3, 4, 5])).toEqual(['m', 'm', 'm', 'm', 'm1']);
    // 1 sits in A1out; referencing it again is a miss that puts it in Am.
    expect(runTrace(q, [1])).toEqual(['m2']);
    expect(evictionOrder(q)).toEqual([3, 4, 5, 1]);
  });

  it('OPT on the textbook string with 3 slots: 5 hits (7 misses), the known optimum', () => {
    const trace = Int32Array.from(belady);
    expect(optHits(trace, 3, 10)).toBe(5);
    expect(optHitsNaive(belady, 3)).toBe(5);
  });
});

describe("Belady's OPT", () => {
  it('matches the brute-force version on random traces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(15), { maxLength: 200, size: 'max' }),
        (capacity, trace) => {
          expect(optHits(Int32Array.from(trace), capacity, 16)).toBe(optHitsNaive(trace, capacity));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hits at least as often as every policy on every trace (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 99 }),
        fc.array(fc.nat(39), { minLength: 1, maxLength: 600, size: 'max' }),
        (capacity, seed, trace) => {
          const opt = optHits(Int32Array.from(trace), capacity, 40);
          for (const policy of POLICY_NAMES) {
            const cache = createPolicyCache(policy, capacity, 40, seed);
            const hits = trace.filter((key) => accessKey(cache, key)).length;
            expect(opt, `${policy} beat OPT`).toBeGreaterThanOrEqual(hits);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('runs the same in slices as in one go', () => {
    const trace = Int32Array.from({ length: 5_000 }, (_, i) => (i * 7919) % 97);
    const next = nextUseOf(trace, 97);
    const sliced = createOpt(10, 97);
    for (let from = 0; from < trace.length; from += 333) {
      runOpt(sliced, trace, next, from, Math.min(trace.length, from + 333));
    }
    expect(sliced.hits).toBe(optHits(trace, 10, 97));
  });
});

describe('scan resistance', () => {
  it('a loop one key longer than the cache: LRU and FIFO never hit, OPT does', () => {
    const capacity = 10;
    const trace: number[] = [];
    for (let i = 0; i < 1_100; i += 1) trace.push(i % (capacity + 1));
    for (const policy of ['lru', 'fifo'] as const) {
      const cache = createPolicyCache(policy, capacity, 20);
      expect(trace.filter((key) => accessKey(cache, key)).length).toBe(0);
    }
    expect(optHits(Int32Array.from(trace), capacity, 20)).toBeGreaterThan(900);
  });
});

describe('W-TinyLFU', () => {
  it('worked example, 3 slots (window 1, probation + protected 2, protected 1)', () => {
    const c = createPolicyCache('wtinylfu', 3, 10);
    expect([c.windowMax, c.mainMax, c.protectedMax, c.sketchSample]).toEqual([1, 2, 1, 30]);
    // Step by step (f = the sketch's estimate, which here is the exact count):
    // 1 ×3 → window; 2 pushes 1 (f 3) into probation; 3 pushes 2 in too: main is full.
    // 4: candidate 3 (f 1) duels probation's LRU 1 (f 3) and loses.
    // 2 (a probation hit) moves to protected. 5: candidate 4 (f 1) loses to 1. 4 comes back
    // (f 2): candidate 5 (f 1) loses. 4 hits in the window (f 3). 6: candidate 4 (f 3) ties
    // with 1 (f 3): a tie keeps the incumbent. 4 again (f 4) pushes 6 out; 7: candidate 4 (f 4)
    // now beats 1 (f 3), and 1 is evicted.
    const trace = [1, 1, 1, 2, 3, 4, 2, 5, 4, 4, 6, 4, 7];
    const expected = ['m', 'h', 'h', 'm', 'm', 'm3', 'h', 'm4', 'm5', 'h', 'm4', 'm6', 'm1'];
    const outcomes = trace.map((key) => {
      const outcome = runTrace(c, [key])[0];
      return outcome;
    });
    expect(outcomes).toEqual(expected);
    for (const [key, count] of [
      [1, 3],
      [2, 2],
      [3, 1],
      [4, 4],
      [5, 1],
      [6, 1],
      [7, 1],
    ] as const) {
      expect(sketchEstimate(c, key), `estimate of key ${key}`).toBe(count);
    }
    expect([listNameOf(c, 7), listNameOf(c, 4), listNameOf(c, 2)]).toEqual([
      'window',
      'probation',
      'protected',
    ]);
    // A hit in probation promotes 4; protected holds one key, so 2 drops back to probation.
    expect(runTrace(c, [4])).toEqual(['h']);
    expect([listNameOf(c, 4), listNameOf(c, 2)]).toEqual(['protected', 'probation']);
    // The next miss would push 7 (f 1) out of the window against 2 (f 2): 7 is the next to go.
    expect(evictionOrder(c)[0]).toBe(7);
  });

  it('the eviction note names the duel', () => {
    const c = createPolicyCache('wtinylfu', 3, 10);
    runTrace(c, [1, 1, 1, 2, 3]);
    insertKey(c, 4);
    expect([c.lastVictim, c.lastReason, c.lastDetail, c.lastRival, c.lastRivalDetail]).toEqual([
      3,
      'wtinylfu-window',
      1,
      1,
      3,
    ]);
  });

  it('a one-slot cache is a window alone: an LRU of one', () => {
    expect(runTrace(createPolicyCache('wtinylfu', 1, 10), [1, 1, 2, 1, 1])).toEqual([
      'm',
      'h',
      'm1',
      'm2',
      'h',
    ]);
  });

  it('the sketch: 4-bit counters stop at 15 and every counter halves after 10 × capacity adds', () => {
    const small = createPolicyCache('wtinylfu', 2, 10);
    for (let i = 0; i < 16; i += 1) sketchIncrement(small, 5);
    // Saturated: the 16th increment raised no counter, so it was not counted in the sample.
    expect(sketchEstimate(small, 5)).toBe(15);
    expect(small.sketchAdds).toBe(15);
    const one = createPolicyCache('wtinylfu', 1, 10);
    for (let i = 0; i < 9; i += 1) sketchIncrement(one, 0);
    expect(sketchEstimate(one, 0)).toBe(9);
    expect(one.sketchResets).toBe(0);
    // The 10th increment completes the sample of 10: 10 halves to 5, and so does the sample count.
    sketchIncrement(one, 0);
    expect([sketchEstimate(one, 0), one.sketchAdds, one.sketchResets]).toEqual([5, 5, 1]);
    // Two 4-bit counters share a byte; halving one never leaks into the other.
    sketchReset(one);
    expect(sketchEstimate(one, 0)).toBe(2);
    expect(one.sketch.every((byte) => (byte & 0x0f) <= 15 && byte >> 4 <= 15)).toBe(true);
  });

  it('the sketch never undercounts before its first reset (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.nat(300), { maxLength: 600, size: 'max' }),
        (capacity, keys) => {
          const c = createPolicyCache('wtinylfu', capacity, 300);
          const truth = new Map<number, number>();
          for (const key of keys) {
            sketchIncrement(c, key);
            truth.set(key, (truth.get(key) ?? 0) + 1);
            if (c.sketchResets > 0) return;
          }
          for (const [key, count] of truth) {
            expect(sketchEstimate(c, key)).toBeGreaterThanOrEqual(Math.min(15, count));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('equals its reference model with a window of several slots and many resets (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 320 }),
        fc.integer({ min: 0, max: 50 }),
        fc.array(opArb(500), { minLength: 2_000, maxLength: 4_000 }),
        (capacity, skew, ops) => {
          const fast = createPolicyCache('wtinylfu', capacity, 500);
          const reference = createReference('wtinylfu', capacity);
          for (const op of ops) {
            if (op.remove) {
              const resident = residentKeys(fast);
              if (resident.length === 0) continue;
              const key = resident[op.pick % resident.length]!;
              removeKey(fast, key);
              reference.remove(key);
              continue;
            }
            // Skewed keys, so frequencies differ and admission duels go both ways.
            const key = skew > 0 && op.key % 3 === 0 ? op.key % skew : op.key;
            const hit = accessKey(fast, key);
            const expected = reference.access(key);
            expect(hit).toBe(expected.hit);
            expect(fast.lastVictim === NONE ? null : fast.lastVictim).toBe(expected.victim);
          }
          expect(residentKeys(fast)).toEqual(reference.contents());
          checkPolicyInvariants(fast);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('OPT hits at least as often on long random traces with a real window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 400 }),
        fc.integer({ min: 0, max: 99 }),
        fc.array(fc.nat(999), { minLength: 1_000, maxLength: 5_000 }),
        (capacity, skew, raw) => {
          const trace = raw.map((key) => (skew > 0 && key % 2 === 0 ? key % skew : key));
          const c = createPolicyCache('wtinylfu', capacity, 1_000);
          const hits = trace.filter((key) => accessKey(c, key)).length;
          expect(optHits(Int32Array.from(trace), capacity, 1_000)).toBeGreaterThanOrEqual(hits);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('resists scans: on Zipf with sequential scans it keeps more hits than LRU', () => {
    const trace = generateTrace(createWorkload('scan', 10_000, 1, 0, 3, 1), 200_000);
    const ratio = (policy: PolicyName) => {
      const c = createPolicyCache(policy, 500, 10_000);
      let hits = 0;
      for (const key of trace) if (accessKey(c, key)) hits += 1;
      return hits / trace.length;
    };
    expect(ratio('wtinylfu')).toBeGreaterThan(ratio('lru') + 0.05);
  });
});
