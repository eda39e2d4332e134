import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheDefaults } from '../config';
import { type CurveResult, curveSizes } from './batch';
import { POLICY_NAMES, type PolicyName, WRITE_POLICIES } from './constants';
import cacheSim from './index';
import { checkCacheInvariants } from './invariants';
import {
  advanceCache,
  applyCacheCommand,
  type CacheCommand,
  type CacheConfig,
  type CacheState,
  createCacheState,
  dirtyCount,
  type RecentRequest,
} from './model';
import { optHits } from './opt';
import {
  accessKey,
  createPolicyCache,
  evictionOrder,
  frequencyEstimateOf,
  lfuCountOf,
  listNameOf,
  policyBitOf,
} from './policies';
import { slotViews, viewCache } from './snapshot';
import { createWorkload, generateTrace } from './workload';

function make(overrides: Partial<CacheConfig> = {}, seed = 42): CacheState {
  return createCacheState({ ...cacheDefaults, ...overrides }, seed);
}

/** Advances in steps, checking invariants, and collects every request the run served. */
function runCollecting(state: CacheState, untilMs: number, stepMs = 50): RecentRequest[] {
  const seen = new Set<RecentRequest>();
  const all: RecentRequest[] = [];
  while (state.nowMs < untilMs) {
    advanceCache(state, Math.min(untilMs, state.nowMs + stepMs));
    checkCacheInvariants(state);
    for (const request of state.recentRequests) {
      if (!seen.has(request)) {
        seen.add(request);
        all.push(request);
      }
    }
  }
  return all;
}

describe('determinism', () => {
  it('the same seed and commands give identical snapshots', () => {
    const commands: [number, CacheCommand][] = [
      [1_000, { type: 'set', settings: { policy: 'arc', compare: 'lru,lfu,sieve' } }],
      [2_000, { type: 'readBurst', key: 0, count: 20 }],
      [3_000, { type: 'set', settings: { writePolicy: 'write-back', writePercent: 30 } }],
      [4_000, { type: 'crash' }],
    ];
    const run = () => {
      const state = make({ requestsPerSecond: 300 });
      for (const [atMs, command] of commands) {
        advanceCache(state, atMs);
        applyCacheCommand(state, command);
      }
      advanceCache(state, 6_000);
      return JSON.stringify(viewCache(state));
    };
    expect(run()).toBe(run());
    const other = make({ requestsPerSecond: 300 }, 43);
    advanceCache(other, 6_000);
    expect(JSON.stringify(viewCache(other))).not.toBe(run());
  });

  it('a state survives structuredClone mid-run and continues identically', () => {
    const a = make({ requestsPerSecond: 400, policy: '2q', compare: 'lru,clock' });
    advanceCache(a, 3_217);
    const b = structuredClone(a);
    advanceCache(a, 8_000);
    advanceCache(b, 8_000);
    expect(JSON.stringify(viewCache(b))).toBe(JSON.stringify(viewCache(a)));
  });
});

const settingsArb: fc.Arbitrary<Partial<CacheConfig>> = fc.record({
  policy: fc.constantFrom(...POLICY_NAMES),
  capacity: fc.integer({ min: 1, max: 40 }),
  keys: fc.integer({ min: 1, max: 120 }),
  workload: fc.constantFrom('zipf', 'uniform', 'scan', 'loop', 'shifting'),
  writePercent: fc.integer({ min: 0, max: 60 }),
  requestsPerSecond: fc.integer({ min: 0, max: 800 }),
  dbLatencyMs: fc.integer({ min: 1, max: 200 }),
  ttlMs: fc.integer({ min: 0, max: 3_000 }),
  ttlJitterPercent: fc.integer({ min: 0, max: 50 }),
  activeExpiry: fc.constantFrom('on', 'off'),
  readStrategy: fc.constantFrom('cache-aside', 'read-through'),
  writePolicy: fc.constantFrom(...WRITE_POLICIES),
  flushIntervalMs: fc.integer({ min: 100, max: 3_000 }),
  singleFlight: fc.constantFrom('on', 'off'),
  earlyRefreshBeta: fc.constantFrom(0, 1, 2),
  compare: fc.constantFrom('', 'lru,lfu,wtinylfu', 'fifo,random,clock,sieve,arc,2q'),
}) as fc.Arbitrary<Partial<CacheConfig>>;

const commandArb: fc.Arbitrary<CacheCommand> = fc.oneof(
  settingsArb.map((settings) => ({ type: 'set' as const, settings })),
  fc.record({ type: fc.constant('crash' as const) }),
  fc.record({ type: fc.constant('expireKey' as const), key: fc.nat(30) }),
  fc.record({
    type: fc.constant('readBurst' as const),
    key: fc.nat(30),
    count: fc.integer({ min: 1, max: 60 }),
  }),
  fc.record({
    type: fc.constant('setKeyTtl' as const),
    key: fc.nat(30),
    ttlMs: fc.option(fc.integer({ min: 0, max: 2_000 })),
  }),
);

describe('invariants over many seeds and command logs (property)', () => {
  it('hold after every step', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 800 }), commandArb), { maxLength: 8 }),
        (settings, seed, commands) => {
          const state = make(settings, seed);
          checkCacheInvariants(state);
          for (const [gapMs, command] of commands) {
            runCollecting(state, state.nowMs + gapMs, 97);
            applyCacheCommand(state, command);
            checkCacheInvariants(state);
          }
          runCollecting(state, state.nowMs + 1_500, 97);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('TTL and staleness', () => {
  it('an entry is never served after it expires, whatever the settings (property)', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        (settings, seed, ttlMs) => {
          const jitter = settings.ttlJitterPercent ?? 0;
          const state = make({ ...settings, ttlMs, requestsPerSecond: 300 }, seed);
          applyCacheCommand(state, { type: 'setKeyTtl', key: 0, ttlMs: 37 });
          const served = runCollecting(state, 6_000, 50).filter(
            (r) => r.outcome === 'hit' || r.outcome === 'stale',
          );
          for (const request of served) {
            const ttl = request.key === 0 ? 37 : ttlMs;
            const longest = Math.round(ttl * (1 + jitter / 100));
            expect(request.atMs - request.servedReadAtMs).toBeLessThan(longest);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  for (const writePolicy of ['invalidate', 'write-around'] as const) {
    it(`${writePolicy}: stale reads happen, and never more than one TTL after the newer write`, () => {
      for (let seed = 1; seed <= 6; seed += 1) {
        const ttlMs = 400 * seed;
        const state = make(
          {
            writePolicy,
            ttlMs,
            writePercent: 30,
            requestsPerSecond: 600,
            keys: 20,
            capacity: 20,
            dbLatencyMs: 80,
          },
          seed,
        );
        runCollecting(state, 20_000, 100);
        expect(state.counters.staleReads).toBeGreaterThan(0);
        expect(state.counters.maxStaleWindowMs).toBeLessThan(ttlMs);
      }
    });
  }

  it('write-through and write-back commit to the cache too, so they read far less stale data', () => {
    const staleShare = (writePolicy: CacheConfig['writePolicy']) => {
      const state = make(
        {
          writePolicy,
          writePercent: 30,
          requestsPerSecond: 600,
          keys: 20,
          capacity: 20,
          ttlMs: 5_000,
        },
        3,
      );
      runCollecting(state, 10_000, 100);
      return state.counters.staleReads / state.counters.hits;
    };
    expect(staleShare('write-back')).toBe(0);
    expect(staleShare('write-through')).toBeLessThan(staleShare('write-around') / 5);
  });

  it('without a TTL, write-around leaves stale entries forever', () => {
    const state = make(
      {
        writePolicy: 'write-around',
        ttlMs: 0,
        writePercent: 20,
        requestsPerSecond: 400,
        keys: 10,
        capacity: 10,
      },
      5,
    );
    runCollecting(state, 30_000, 200);
    expect(state.counters.maxStaleWindowMs).toBeGreaterThan(10_000);
  });

  it('lazy expiry alone leaves dead entries in memory; active expiry removes them', () => {
    const expiredLeft = (activeExpiry: 'on' | 'off') => {
      const state = make(
        {
          activeExpiry,
          ttlMs: 500,
          keys: 2_000,
          capacity: 500,
          workload: 'uniform',
          requestsPerSecond: 300,
        },
        9,
      );
      advanceCache(state, 10_000);
      return { left: viewCache(state).expiredResident, active: state.counters.expiredActive };
    };
    const off = expiredLeft('off');
    const on = expiredLeft('on');
    expect(off.active).toBe(0);
    expect(on.active).toBeGreaterThan(0);
    expect(on.left).toBeLessThan(off.left / 2);
  });
});

describe('write-back and crashes', () => {
  it('a crash loses exactly the dirty entries and the writes they held', () => {
    for (let seed = 1; seed <= 8; seed += 1) {
      const state = make(
        {
          writePolicy: 'write-back',
          flushIntervalMs: 60_000,
          writePercent: 40,
          requestsPerSecond: 300,
          keys: 60,
          capacity: 30,
        },
        seed,
      );
      advanceCache(state, 2_000 + seed * 311);
      const dirty = Object.values(state.entries).filter((e) => e.dirty);
      const expectedWrites = dirty.reduce((sum, e) => sum + e.version - state.dbVersion[e.key]!, 0);
      const dbBefore = state.dbVersion.slice();
      expect(dirty.length).toBe(dirtyCount(state));
      expect(dirty.length).toBeGreaterThan(0);
      applyCacheCommand(state, { type: 'crash' });
      checkCacheInvariants(state);
      expect(state.counters.lostDirtyEntries).toBe(dirty.length);
      expect(state.counters.lostWrites).toBe(expectedWrites);
      expect(state.dbVersion).toEqual(dbBefore);
      expect(state.latestVersion).toEqual(dbBefore);
      expect(state.cache.size).toBe(0);
    }
  });

  it('a flush writes dirty entries out, so a crash right after loses nothing', () => {
    const state = make(
      {
        writePolicy: 'write-back',
        flushIntervalMs: 1_000,
        writePercent: 40,
        requestsPerSecond: 10,
      },
      2,
    );
    advanceCache(state, 3_000);
    applyCacheCommand(state, { type: 'set', settings: { requestsPerSecond: 0 } });
    advanceCache(state, 4_500);
    expect(dirtyCount(state)).toBe(0);
    applyCacheCommand(state, { type: 'crash' });
    expect(state.counters.lostDirtyEntries).toBe(0);
  });

  it('a crash under invalidate loses warmth, not data', () => {
    const state = make({ writePercent: 20, requestsPerSecond: 200 }, 4);
    advanceCache(state, 3_000);
    expect(state.cache.size).toBeGreaterThan(0);
    applyCacheCommand(state, { type: 'crash' });
    expect(state.counters.lostWrites).toBe(0);
    expect(state.cache.size).toBe(0);
  });
});

describe('stampedes and single flight', () => {
  it('a burst of 50 reads of an uncached key: 50 queries, or exactly 1 with single flight', () => {
    for (const [singleFlight, queries] of [
      ['off', 50],
      ['on', 1],
    ] as const) {
      const state = make({ singleFlight, requestsPerSecond: 0 });
      applyCacheCommand(state, { type: 'readBurst', key: 3, count: 50 });
      expect(state.counters.dbReads).toBe(queries);
      expect(state.counters.coalesced).toBe(50 - queries);
      advanceCache(state, 100);
      expect(state.recentBursts.at(-1)).toMatchObject({ key: 3, queries, waiters: 50 - queries });
      expect(state.entries[3]).toBeDefined();
    }
  });

  it('single flight: one database request per key per miss burst, over many seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (seed) => {
        const state = make(
          {
            singleFlight: 'on',
            zipfS: 1.4,
            requestsPerSecond: 1_500,
            ttlMs: 300,
            dbLatencyMs: 80,
            keys: 50,
            capacity: 10,
          },
          seed,
        );
        runCollecting(state, 3_000, 50);
        expect(state.recentBursts.length).toBeGreaterThan(0);
        for (const burst of state.recentBursts) expect(burst.queries).toBe(1);
        expect(state.counters.coalesced).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it('the hot key expiring under load stampedes without protection', () => {
    const state = make(
      {
        zipfS: 1.4,
        requestsPerSecond: 1_500,
        ttlMs: 2_000,
        dbLatencyMs: 100,
        keys: 50,
        capacity: 10,
        writePercent: 0,
      },
      7,
    );
    advanceCache(state, 1_000);
    applyCacheCommand(state, { type: 'expireKey', key: 0 });
    advanceCache(state, 1_300);
    const burst = state.recentBursts.find((b) => b.key === 0 && b.startedAtMs >= 1_000);
    expect(burst).toBeDefined();
    expect(burst!.queries).toBeGreaterThan(20);
    expect(state.events.items.some((e) => e.kind === 'stampede')).toBe(true);
  });

  it('probabilistic early refresh renews the hot key before it expires', () => {
    const hotMisses = (earlyRefreshBeta: number) => {
      const state = make(
        {
          zipfS: 1.4,
          requestsPerSecond: 1_000,
          ttlMs: 1_000,
          dbLatencyMs: 100,
          keys: 50,
          capacity: 50,
          earlyRefreshBeta,
          writePercent: 0,
        },
        11,
      );
      const requests = runCollecting(state, 20_000, 50);
      return {
        misses: requests.filter((r) => r.key === 0 && r.outcome === 'miss').length,
        refreshes: state.counters.earlyRefreshes,
      };
    };
    const off = hotMisses(0);
    const on = hotMisses(1);
    expect(off.refreshes).toBe(0);
    expect(on.refreshes).toBeGreaterThan(10);
    expect(off.misses).toBeGreaterThan(100);
    expect(on.misses).toBeLessThan(off.misses / 10);
  });
});

describe('compare lanes', () => {
  it('every lane sees the same requests; OPT-free policies differ on a loop', () => {
    const state = make({
      workload: 'loop',
      keys: 17,
      capacity: 16,
      compare: 'lru,fifo,random,2q',
      writePercent: 0,
      requestsPerSecond: 500,
    });
    advanceCache(state, 10_000);
    const lanes = viewCache(state).lanes;
    for (const lane of lanes) expect(lane.hits + lane.misses).toBe(state.counters.requests);
    const ratio = (p: string) => lanes.find((l) => l.policy === p)!.hitRatio;
    expect(ratio('lru')).toBe(0);
    expect(ratio('fifo')).toBe(0);
    expect(ratio('random')).toBeGreaterThan(0.3);
  });

  it('a Zipf workload: LFU beats LRU, near the top-16 popularity mass', () => {
    const state = make({
      compare: 'lru,lfu',
      writePercent: 0,
      requestsPerSecond: 1_000,
      zipfS: 1,
      keys: 200,
      capacity: 16,
    });
    advanceCache(state, 60_000);
    const [lru, lfu] = viewCache(state).lanes;
    let top = 0;
    let all = 0;
    for (let k = 1; k <= 200; k += 1) {
      all += 1 / k;
      if (k <= 16) top += 1 / k;
    }
    expect(lfu!.hitRatio).toBeGreaterThan(lru!.hitRatio);
    expect(Math.abs(lfu!.hitRatio - top / all)).toBeLessThan(0.04);
  });
});

describe('the hit-ratio curve job', () => {
  it('20 sizes on a log scale up to the distinct keys', () => {
    const sizes = curveSizes(10_000, 20);
    expect(sizes).toHaveLength(20);
    expect(sizes[0]).toBe(50);
    expect(sizes.at(-1)).toBe(10_000);
    expect(curveSizes(7, 20)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reports progress to the end; OPT bounds every policy at every size; LRU never falls', () => {
    const state = make({ keys: 300, zipfS: 0.9 });
    const job = cacheSim.batch!(state, 'hitRatioCurves', { requests: 60_000 });
    let last = { done: 0, total: 1 };
    let step = job.next();
    let reports = 0;
    while (!step.done) {
      expect(step.value.done).toBeLessThanOrEqual(step.value.total);
      last = step.value;
      reports += 1;
      step = job.next();
    }
    expect(reports).toBeGreaterThan(20);
    expect(last.done).toBe(last.total);
    const result = step.value as CurveResult;
    expect(result.sizes).toHaveLength(20);
    expect(result.curves.map((c) => c.policy)).toEqual([...POLICY_NAMES, 'opt']);
    const opt = result.curves.find((c) => c.policy === 'opt')!;
    for (const curve of result.curves) {
      curve.hits.forEach((hits, i) => {
        expect(opt.hits[i]!).toBeGreaterThanOrEqual(hits);
      });
    }
    const lru = result.curves.find((c) => c.policy === 'lru')!;
    for (let i = 1; i < lru.hits.length; i += 1) {
      expect(lru.hits[i]!).toBeGreaterThanOrEqual(lru.hits[i - 1]!);
    }
  });

  it('gives exactly the hits of replaying its trace one reference at a time, at every size', () => {
    const settings = { keys: 120, zipfS: 0.8, workload: 'scan' as const };
    const state = make(settings);
    const requests = 20_000;
    const job = cacheSim.batch!(state, 'hitRatioCurves', { requests, sizes: 8 });
    let step = job.next();
    while (!step.done) step = job.next();
    const result = step.value as CurveResult;
    // The job's trace: the same workload, seed and stream (40) as batch.ts draws it.
    const trace = generateTrace(createWorkload('scan', 120, 0.8, 0, state.seed, 40), requests);
    expect(result.distinctKeys).toBe(new Set(trace).size);
    expect(result.sizes.at(-1)).toBe(result.distinctKeys);
    for (const curve of result.curves) {
      result.sizes.forEach((size, i) => {
        const expected =
          curve.policy === 'opt'
            ? optHits(trace, size, 120)
            : plainHits(curve.policy as PolicyName, size, state.seed, trace);
        expect(curve.hits[i], `${curve.policy} at ${size} slots`).toBe(expected);
      });
    }
  });
});

/** Hits of a fresh cache taking the trace one reference at a time. */
function plainHits(policy: PolicyName, size: number, seed: number, trace: Int32Array): number {
  const cache = createPolicyCache(policy, size, 120, seed);
  let hits = 0;
  for (const key of trace) if (accessKey(cache, key)) hits += 1;
  return hits;
}

describe('the snapshot’s slot columns', () => {
  for (const policy of ['wtinylfu', 'lfu', 'clock', 'arc', '2q'] as const) {
    it(`${policy}: each drawn slot reads back as the entry and the policy hold it, after a clone`, () => {
      const state = make({
        policy,
        capacity: 300,
        keys: 2_000,
        requestsPerSecond: 2_000,
        writePercent: 20,
        writePolicy: 'write-back',
        flushIntervalMs: 60_000,
      });
      advanceCache(state, 4_000);
      const slots = slotViews(structuredClone(viewCache(state)).slots);
      // Only the first 256 slots are drawn; every filled one among them is sent, in slot order.
      const filled = state.slots.slice(0, 256).filter((key) => key >= 0);
      expect(slots.map((s) => s.key)).toEqual(filled);
      expect(slots.some((s) => s.dirty)).toBe(true);
      for (const view of slots) {
        const entry = state.entries[view.key]!;
        expect(state.slots[view.slot]).toBe(view.key);
        expect(view).toEqual({
          slot: entry.slot,
          key: entry.key,
          hits: entry.hits,
          lastAccessMs: entry.lastAccessMs,
          insertedAtMs: entry.insertedAtMs,
          expiresAtMs: entry.expiresAtMs,
          dirty: entry.dirty,
          stale: entry.version < state.latestVersion[entry.key]!,
          rank: view.rank,
          bit: policyBitOf(state.cache, entry.key),
          count: lfuCountOf(state.cache, entry.key),
          estimate: frequencyEstimateOf(state.cache, entry.key),
          list: listNameOf(state.cache, entry.key),
        });
      }
      const next = slots.find((s) => s.rank === 0);
      if (next) expect(evictionOrder(state.cache)[0]).toBe(next.key);
    });
  }
});
