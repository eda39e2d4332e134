import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASH_NAMES, type HashName, hashString } from './hash';
import {
  arcShares,
  assignModulo,
  assignOwners,
  buildRing,
  countKeysPerServer,
  countMoved,
  LOOKUP_WALK_VISITS_MAX,
  liveOwnerByPosition,
  liveServerCount,
  loadStats,
  lookupWalk,
  moduloOwner,
  ownerByScan,
  ownerOf,
  preferenceList,
  RING_POSITION_COUNT,
  type Ring,
  type RingServer,
  ringInvariantViolations,
  successorIndex,
  vnodeCountOf,
  withServerFailed,
} from './ring';

const TOP = 0xffffffff;

/** A ring written out by hand: plain data, so tests can place vnodes exactly. */
function handRing(
  positions: number[],
  owners: number[],
  serverIds: string[],
  failedServerIndexes: number[] = [],
): Ring {
  const ordinalCounts = new Array<number>(serverIds.length).fill(0);
  return {
    positions: Uint32Array.from(positions),
    owners: Uint16Array.from(owners),
    vnodeOrdinals: Uint16Array.from(owners, (owner) => {
      const ordinal = ordinalCounts[owner]!;
      ordinalCounts[owner] = ordinal + 1;
      return ordinal;
    }),
    serverIds,
    failed: Uint8Array.from(serverIds, (_, index) => (failedServerIndexes.includes(index) ? 1 : 0)),
  };
}

function serversNamed(count: number): RingServer[] {
  return Array.from({ length: count }, (_, i) => ({ id: `server-${i}`, weight: 1, failed: false }));
}

function idOf(ring: Ring, owner: number): string | undefined {
  return owner < 0 ? undefined : ring.serverIds[owner];
}

/** Random keys plus the edges of the ring and every vnode position with its neighbours. */
function probeKeysOf(ring: Ring, randomKeys: number[]): Uint32Array {
  const probes = [0, 1, TOP - 1, TOP, ...randomKeys];
  for (const position of ring.positions) {
    probes.push(position, Math.max(0, position - 1), Math.min(TOP, position + 1));
  }
  return Uint32Array.from(probes);
}

describe('a hand-built ring: a@100, b@200, c@0xFFFFFF00', () => {
  const ring = handRing([100, 200, 0xffffff00], [0, 1, 2], ['a', 'b', 'c']);

  it('finds the first position ≥ the key and wraps to 0 past the top of the ring', () => {
    expect(successorIndex(ring, 0)).toBe(0);
    expect(successorIndex(ring, 100)).toBe(0);
    expect(successorIndex(ring, 101)).toBe(1);
    expect(successorIndex(ring, 200)).toBe(1);
    expect(successorIndex(ring, 201)).toBe(2);
    expect(successorIndex(ring, 0xffffff00)).toBe(2);
    expect(successorIndex(ring, 0xffffff01)).toBe(0);
    expect(successorIndex(ring, TOP)).toBe(0);
    expect(ownerOf(ring, TOP)).toBe(0);
  });

  it('walks past a failed server to the next live one, across the top when needed', () => {
    const bFailed = withServerFailed(ring, 1, true);
    expect(ownerOf(bFailed, 150)).toBe(2);
    expect(lookupWalk(bFailed, 150)).toEqual({ startIndex: 1, visitedIndexes: [1, 2], owner: 2 });
    const cFailed = withServerFailed(ring, 2, true);
    expect(ownerOf(cFailed, 300)).toBe(0);
    expect(lookupWalk(cFailed, 300)).toEqual({ startIndex: 2, visitedIndexes: [2, 0], owner: 0 });
    expect(ownerOf(withServerFailed(withServerFailed(ring, 0, true), 1, true), 50)).toBe(2);
    expect(lookupWalk(ring, 50)).toEqual({ startIndex: 0, visitedIndexes: [0], owner: 0 });
  });

  it('answers -1 when every server has failed', () => {
    const allFailed = handRing([100, 200, 0xffffff00], [0, 1, 2], ['a', 'b', 'c'], [0, 1, 2]);
    expect(ownerOf(allFailed, 150)).toBe(-1);
    expect(lookupWalk(allFailed, 150)).toEqual({
      startIndex: 1,
      visitedIndexes: [1, 2, 0],
      owner: -1,
    });
    expect([...assignOwners(allFailed, Uint32Array.of(0, 150, TOP))]).toEqual([-1, -1, -1]);
    expect(preferenceList(allFailed, 150, 3)).toEqual([]);
    expect([...arcShares(allFailed)]).toEqual([0, 0, 0]);
  });

  it('owns exact arcs: (previous, own], with the wrap-around arc going to the first position', () => {
    expect([...arcShares(ring)]).toEqual([
      (0x100 + 100) / RING_POSITION_COUNT,
      100 / RING_POSITION_COUNT,
      (0xffffff00 - 200) / RING_POSITION_COUNT,
    ]);
    expect([...arcShares(withServerFailed(ring, 1, true))]).toEqual([
      (0x100 + 100) / RING_POSITION_COUNT,
      0,
      (0xffffff00 - 100) / RING_POSITION_COUNT,
    ]);
  });

  it('lists distinct live servers clockwise for replication', () => {
    expect(preferenceList(ring, 150, 2)).toEqual([1, 2]);
    expect(preferenceList(ring, 150, 5)).toEqual([1, 2, 0]);
    expect(preferenceList(ring, 150, 0)).toEqual([]);
    expect(preferenceList(withServerFailed(ring, 1, true), 150, 3)).toEqual([2, 0]);
    expect(preferenceList(ring, 0xffffff01, 2)).toEqual([0, 1]);
  });

  it('assigns many keys at once exactly as ownerOf does one by one', () => {
    const keys = Uint32Array.of(0, 100, 101, 200, 201, 0xffffff00, 0xffffff01, TOP);
    expect([...assignOwners(ring, keys)]).toEqual([0, 0, 1, 1, 2, 2, 0, 0]);
    expect([...assignOwners(withServerFailed(ring, 2, true), keys)]).toEqual([
      0, 0, 1, 1, 0, 0, 0, 0,
    ]);
    expect([...liveOwnerByPosition(withServerFailed(ring, 0, true))]).toEqual([1, 1, 2]);
  });
});

describe('buildRing', () => {
  it('places vnode i of server s at murmur3("s#i"), sorted, weight × vnodesPerServer each', () => {
    // Positions computed independently with a Python MurmurHash3 x86_32 (seed 0).
    const ring = buildRing(
      [
        { id: 'a', weight: 1, failed: false },
        { id: 'b', weight: 2, failed: true },
      ],
      2,
      'murmur3',
    );
    expect([...ring.positions]).toEqual([
      116815667, 720152692, 867924919, 2079240110, 2461118074, 3307928454,
    ]);
    expect([...ring.owners]).toEqual([0, 0, 1, 1, 1, 1]);
    expect([...ring.vnodeOrdinals]).toEqual([1, 0, 2, 3, 0, 1]);
    expect(ring.serverIds).toEqual(['a', 'b']);
    expect([...ring.failed]).toEqual([0, 1]);
    expect(vnodeCountOf(2, 2)).toBe(4);
  });

  it('gives an empty ring no owner', () => {
    const ring = buildRing([], 10, 'murmur3');
    expect(successorIndex(ring, 5)).toBe(-1);
    expect(ownerOf(ring, 5)).toBe(-1);
    expect(lookupWalk(ring, 5)).toEqual({ startIndex: -1, visitedIndexes: [], owner: -1 });
    expect(preferenceList(ring, 5, 3)).toEqual([]);
    expect([...assignOwners(ring, Uint32Array.of(1, 2))]).toEqual([-1, -1]);
  });

  it('is deterministic and survives structuredClone', () => {
    const servers = serversNamed(5);
    const ring = buildRing(servers, 50, 'xxhash32');
    expect(buildRing(servers, 50, 'xxhash32')).toEqual(ring);
    expect(structuredClone(ring)).toEqual(ring);
  });

  it('refuses bad input and the limits with clear messages', () => {
    const server = (id: string, weight = 1): RingServer => ({ id, weight, failed: false });
    expect(() => buildRing(serversNamed(65_536), 1, 'fnv1a')).toThrow(/at most 65535 servers/);
    expect(() => buildRing([server('a'), server('b')], 50_001, 'fnv1a')).toThrow(
      /at most 100000 vnodes; these servers would place 100002/,
    );
    expect(() => buildRing([server('a')], 65_537, 'fnv1a')).toThrow(
      /one server places at most 65536/,
    );
    expect(() => buildRing([server('a', 0)], 1, 'fnv1a')).toThrow(
      /weight of server "a" must be a positive integer/,
    );
    expect(() => buildRing([server('a', 1.5)], 1, 'fnv1a')).toThrow(/positive integer/);
    expect(() => buildRing([server('a')], 0, 'fnv1a')).toThrow(
      /vnodesPerServer must be a positive integer/,
    );
    expect(() => buildRing([server('a'), server('a')], 1, 'fnv1a')).toThrow(/"a" repeats/);
    expect(buildRing([server('a'), server('b')], 50_000, 'fnv1a').positions.length).toBe(100_000);
  });
});

describe('ringInvariantViolations and ownerByScan', () => {
  it('report a ring out of order, a server without vnodes and a bad owner', () => {
    const unsorted = handRing([500, 300], [0, 1], ['a', 'b']);
    expect(ringInvariantViolations(unsorted)).toEqual(['positions 0 and 1 are out of order']);
    // The scan does not trust the order, so it disagrees with the binary search here.
    expect(ownerByScan(unsorted, 200)).toBe(1);
    expect(ownerOf(unsorted, 200)).toBe(0);
    expect(ringInvariantViolations(handRing([1], [0], ['a', 'b']))).toEqual([
      'server b has no vnode',
    ]);
    expect(ringInvariantViolations(handRing([7, 7], [1, 0], ['a', 'b']))).toEqual([
      'positions 0 and 1 are out of order',
    ]);
  });
});

describe('lookupWalk', () => {
  it('records at most LOOKUP_WALK_VISITS_MAX vnodes and always ends at the owner', () => {
    const serverCount = 200;
    const ids = Array.from({ length: serverCount }, (_, i) => `s${i}`);
    const failedAllButLast = ids.slice(0, -1).map((_, i) => i);
    const ring = handRing(
      ids.map((_, i) => i * 1000),
      ids.map((_, i) => i),
      ids,
      failedAllButLast,
    );
    const walk = lookupWalk(ring, 0);
    expect(walk.owner).toBe(serverCount - 1);
    expect(walk.visitedIndexes).toHaveLength(LOOKUP_WALK_VISITS_MAX);
    expect(walk.visitedIndexes.slice(0, 3)).toEqual([0, 1, 2]);
    expect(walk.visitedIndexes.at(-1)).toBe(serverCount - 1);
  });
});

describe('modulo, countMoved, countKeysPerServer, loadStats', () => {
  it('computes hash mod N over live servers', () => {
    expect(moduloOwner(10, 3)).toBe(1);
    expect(moduloOwner(TOP, 10)).toBe(5);
    expect(moduloOwner(7, 0)).toBe(-1);
    expect([...assignModulo(Uint32Array.of(0, 1, 2, 3, 4), 3)]).toEqual([0, 1, 2, 0, 1]);
    expect(() => assignModulo(Uint32Array.of(1), -1)).toThrow(/non-negative integer/);
  });

  it('compares owners by server id, not by index', () => {
    const before = Int32Array.of(0, 1, 2, -1, -1, 1);
    const after = Int32Array.of(1, 0, 0, -1, 0, -1);
    // Before: a, b, c, none, none, b. After (ids reordered, c gone): a, b, b, none, b, none.
    expect(countMoved(before, ['a', 'b', 'c'], after, ['b', 'a'])).toBe(3);
    expect(() => countMoved(Int32Array.of(0), ['a'], Int32Array.of(), ['a'])).toThrow(/same keys/);
  });

  it('counts keys per server, ignoring keys without an owner', () => {
    expect([...countKeysPerServer(Int32Array.of(0, 2, 2, -1, 2), 3)]).toEqual([1, 0, 3]);
  });

  it('computes population statistics', () => {
    const stats = loadStats([1, 2, 3, 4]);
    expect(stats.mean).toBe(2.5);
    expect(stats.stdDev).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(stats.min).toBe(1);
    expect(stats.max).toBe(4);
    expect(stats.maxOverMean).toBe(1.6);
    expect(stats.coefficientOfVariation).toBeCloseTo(Math.sqrt(1.25) / 2.5, 12);
    expect(loadStats([5, 5, 5])).toEqual({
      mean: 5,
      stdDev: 0,
      min: 5,
      max: 5,
      maxOverMean: 1,
      coefficientOfVariation: 0,
    });
    expect(loadStats([]).maxOverMean).toBe(0);
    expect(loadStats([0, 0]).coefficientOfVariation).toBe(0);
  });
});

const serverArbitrary = fc.record({
  id: fc.integer({ min: 0, max: 999 }).map((n) => `s${n}`),
  weight: fc.integer({ min: 1, max: 3 }),
  failed: fc.boolean(),
});

const scenarioArbitrary = fc.record({
  servers: fc.uniqueArray(serverArbitrary, { selector: (server) => server.id, maxLength: 12 }),
  vnodesPerServer: fc.integer({ min: 1, max: 20 }),
  hash: fc.constantFrom<HashName>(...HASH_NAMES),
  randomKeys: fc.array(fc.integer({ min: 0, max: TOP }), { maxLength: 60 }),
});

/**
 * Hand-made rings with many equal positions and keys at the very edges of the ring, which real
 * hashes almost never produce, so ties and wrap-around are exercised on every run.
 */
const tiedRingArbitrary = fc
  .record({
    serverCount: fc.integer({ min: 1, max: 5 }),
    vnodes: fc.array(
      fc.record({
        position: fc.oneof(
          fc.constantFrom(0, 1, 2, 0x80000000, TOP - 1, TOP),
          fc.integer({ min: 0, max: TOP }),
        ),
        ownerSeed: fc.nat(),
      }),
      { maxLength: 30 },
    ),
    failedSeeds: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    firstVnodePositions: fc.array(fc.integer({ min: 0, max: TOP }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ serverCount, vnodes, failedSeeds, firstVnodePositions }) => {
    // Like a built ring, every server places at least one vnode.
    const firstVnodes = firstVnodePositions
      .slice(0, serverCount)
      .map((position, owner) => ({ position, owner }));
    const sorted = vnodes
      .map(({ position, ownerSeed }) => ({ position, owner: ownerSeed % serverCount }))
      .concat(firstVnodes)
      .sort((a, b) => a.position - b.position || a.owner - b.owner);
    const ids = Array.from({ length: serverCount }, (_, i) => `t${i}`);
    const failed = ids.flatMap((_, i) => (failedSeeds[i] ? [i] : []));
    // handRing numbers ordinals in array order, so (position, owner, ordinal) stays sorted.
    return handRing(
      sorted.map((vnode) => vnode.position),
      sorted.map((vnode) => vnode.owner),
      ids,
      failed,
    );
  });

/** The oracle for preferenceList: live vnodes by clockwise distance, then (owner, ordinal). */
function preferenceListByScan(ring: Ring, keyHash: number, replicationFactor: number): number[] {
  const liveIndexes = [...ring.positions.keys()].filter((i) => ring.failed[ring.owners[i]!] === 0);
  const distanceOf = (i: number) =>
    (ring.positions[i]! - keyHash + RING_POSITION_COUNT) % RING_POSITION_COUNT;
  liveIndexes.sort(
    (a, b) =>
      distanceOf(a) - distanceOf(b) ||
      ring.owners[a]! - ring.owners[b]! ||
      ring.vnodeOrdinals[a]! - ring.vnodeOrdinals[b]!,
  );
  const servers: number[] = [];
  for (const i of liveIndexes) {
    const owner = ring.owners[i]!;
    if (!servers.includes(owner) && servers.length < replicationFactor) servers.push(owner);
  }
  return servers;
}

describe('properties', () => {
  it('(a) ownerOf, lookupWalk and assignOwners agree with the brute-force scan', () => {
    const check = (ring: Ring, randomKeys: number[]) => {
      expect(ringInvariantViolations(ring)).toEqual([]);
      const keys = probeKeysOf(ring, randomKeys);
      const assigned = assignOwners(ring, keys);
      keys.forEach((keyHash, k) => {
        const expected = ownerByScan(ring, keyHash);
        expect(ownerOf(ring, keyHash)).toBe(expected);
        expect(lookupWalk(ring, keyHash).owner).toBe(expected);
        expect(assigned[k]).toBe(expected);
      });
    };
    fc.assert(
      fc.property(scenarioArbitrary, ({ servers, vnodesPerServer, hash, randomKeys }) => {
        check(buildRing(servers, vnodesPerServer, hash), randomKeys);
      }),
    );
    fc.assert(fc.property(tiedRingArbitrary, fc.array(fc.integer({ min: 0, max: TOP })), check));
  });

  it('(b) adding a server moves keys only to the new server', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ servers, vnodesPerServer, hash, randomKeys }) => {
        const newServer: RingServer = { id: 'new', weight: 1, failed: false };
        const before = buildRing(servers, vnodesPerServer, hash);
        const after = buildRing([...servers, newServer], vnodesPerServer, hash);
        const keys = probeKeysOf(after, randomKeys);
        const ownersBefore = assignOwners(before, keys);
        const ownersAfter = assignOwners(after, keys);
        let ownedByNewCount = 0;
        keys.forEach((_, k) => {
          const idBefore = idOf(before, ownersBefore[k]!);
          const idAfter = idOf(after, ownersAfter[k]!);
          if (idAfter === 'new') ownedByNewCount++;
          else expect(idAfter).toBe(idBefore);
        });
        expect(countMoved(ownersBefore, before.serverIds, ownersAfter, after.serverIds)).toBe(
          ownedByNewCount,
        );
      }),
    );
  });

  it('(c) removing a server moves only the keys it owned', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary.filter((scenario) => scenario.servers.length > 0),
        fc.nat(),
        ({ servers, vnodesPerServer, hash, randomKeys }, removeSeed) => {
          const removed = removeSeed % servers.length;
          const before = buildRing(servers, vnodesPerServer, hash);
          const after = buildRing(
            servers.filter((_, i) => i !== removed),
            vnodesPerServer,
            hash,
          );
          const keys = probeKeysOf(before, randomKeys);
          const ownersBefore = assignOwners(before, keys);
          const ownersAfter = assignOwners(after, keys);
          let ownedByRemovedCount = 0;
          keys.forEach((_, k) => {
            if (ownersBefore[k] === removed) ownedByRemovedCount++;
            else expect(idOf(after, ownersAfter[k]!)).toBe(idOf(before, ownersBefore[k]!));
          });
          expect(countMoved(ownersBefore, before.serverIds, ownersAfter, after.serverIds)).toBe(
            ownedByRemovedCount,
          );
        },
      ),
    );
  });

  it('(d) failing a server moves only its keys, and only to live servers', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary.filter((scenario) => scenario.servers.length > 0),
        fc.nat(),
        ({ servers, vnodesPerServer, hash, randomKeys }, failSeed) => {
          const failedIndex = failSeed % servers.length;
          const before = buildRing(servers, vnodesPerServer, hash);
          const after = withServerFailed(before, failedIndex, true);
          const rebuilt = buildRing(
            servers.map((server, i) => (i === failedIndex ? { ...server, failed: true } : server)),
            vnodesPerServer,
            hash,
          );
          expect(after).toEqual(rebuilt);
          const keys = probeKeysOf(before, randomKeys);
          const ownersBefore = assignOwners(before, keys);
          const ownersAfter = assignOwners(after, keys);
          const anyLive = liveServerCount(after) > 0;
          keys.forEach((_, k) => {
            const ownerAfter = ownersAfter[k]!;
            if (ownersBefore[k] !== ownerAfter) expect(ownersBefore[k]).toBe(failedIndex);
            if (anyLive) expect(after.failed[ownerAfter]).toBe(0);
            else expect(ownerAfter).toBe(-1);
          });
          const recovered = withServerFailed(after, failedIndex, servers[failedIndex]!.failed);
          expect(assignOwners(recovered, keys)).toEqual(ownersBefore);
        },
      ),
    );
  });

  it('(e) preferenceList: distinct live servers, starting at ownerOf, min(rf, live) long', () => {
    const check = (ring: Ring, randomKeys: number[], replicationFactor: number) => {
      const liveCount = liveServerCount(ring);
      // The oracle sorts every vnode per key, so probe the edges, the random keys and the
      // first vnode positions rather than all of them.
      for (const keyHash of probeKeysOf(ring, randomKeys).subarray(0, 120)) {
        const list = preferenceList(ring, keyHash, replicationFactor);
        expect(list).toHaveLength(Math.min(replicationFactor, liveCount));
        expect(new Set(list).size).toBe(list.length);
        for (const server of list) expect(ring.failed[server]).toBe(0);
        if (list.length > 0) expect(list[0]).toBe(ownerOf(ring, keyHash));
        expect(list).toEqual(preferenceListByScan(ring, keyHash, replicationFactor));
      }
    };
    const replicationFactor = fc.integer({ min: 0, max: 6 });
    fc.assert(
      fc.property(scenarioArbitrary, replicationFactor, (scenario, rf) => {
        const { servers, vnodesPerServer, hash, randomKeys } = scenario;
        check(buildRing(servers, vnodesPerServer, hash), randomKeys, rf);
      }),
    );
    fc.assert(
      fc.property(
        tiedRingArbitrary,
        fc.array(fc.integer({ min: 0, max: TOP })),
        replicationFactor,
        check,
      ),
    );
  });

  it('(f) arc shares sum to 1 and give failed servers nothing', () => {
    const check = (ring: Ring) => {
      const shares = arcShares(ring);
      const total = shares.reduce((sum, share) => sum + share, 0);
      if (liveServerCount(ring) > 0 && ring.positions.length > 0) {
        expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-9);
      } else expect(total).toBe(0);
      shares.forEach((share, s) => {
        expect(share).toBeGreaterThanOrEqual(0);
        if (ring.failed[s] === 1) expect(share).toBe(0);
      });
    };
    fc.assert(
      fc.property(scenarioArbitrary, ({ servers, vnodesPerServer, hash }) => {
        check(buildRing(servers, vnodesPerServer, hash));
      }),
    );
    fc.assert(fc.property(tiedRingArbitrary, check));
  });
});

describe('statistics with fixed inputs (murmur3, 160 vnodes per server, 20,000 keys)', () => {
  const KEY_COUNT = 20_000;
  const VNODES_PER_SERVER = 160;
  const keyHashes = Uint32Array.from({ length: KEY_COUNT }, (_, i) =>
    hashString('murmur3', `key-${i}`),
  );

  /**
   * Tolerances are four standard deviations of what a correct ring with well-mixed hashes
   * produces, so a correct implementation fails with probability about 1e-4 per case, while
   * any real defect (rehashing everything, moving keys between old servers) is far outside.
   * The new server's share of the ring is Beta(V, N·V) distributed for V vnodes per server, with
   * a relative variance of N / ((N + 1)·V); sampling K keys adds (1 − p) / (K·p). For N = 4…10
   * and V = 160 that gives a relative σ of 0.072…0.079, so the tolerance is about ±30 % relative.
   */
  const relativeSigmaOfMovedShare = (serverCount: number) => {
    const expectedShare = 1 / (serverCount + 1);
    const arcVariance = serverCount / ((serverCount + 1) * VNODES_PER_SERVER);
    const samplingVariance = (1 - expectedShare) / (KEY_COUNT * expectedShare);
    return Math.sqrt(arcVariance + samplingVariance);
  };

  it.each([4, 8, 10])('adding a server to %i moves about 1/(N+1) of the keys', (serverCount) => {
    const before = buildRing(serversNamed(serverCount), VNODES_PER_SERVER, 'murmur3');
    const after = buildRing(serversNamed(serverCount + 1), VNODES_PER_SERVER, 'murmur3');
    const movedCount = countMoved(
      assignOwners(before, keyHashes),
      before.serverIds,
      assignOwners(after, keyHashes),
      after.serverIds,
    );
    const movedShare = movedCount / KEY_COUNT;
    const expectedShare = 1 / (serverCount + 1);
    const relativeTolerance = 4 * relativeSigmaOfMovedShare(serverCount);
    expect(relativeTolerance).toBeLessThan(0.35);
    expect(Math.abs(movedShare - expectedShare) / expectedShare).toBeLessThanOrEqual(
      relativeTolerance,
    );
    // Given the ring, only key sampling is random: the keys moved are those landing on the new
    // server's arcs, a binomial sample of its arc share (σ = √(p(1 − p)/K) ≈ 0.002).
    const newServerShare = arcShares(after)[serverCount]!;
    const samplingSigma = Math.sqrt((newServerShare * (1 - newServerShare)) / KEY_COUNT);
    expect(Math.abs(movedShare - newServerShare)).toBeLessThanOrEqual(4 * samplingSigma);
  });

  it.each([4, 8, 10])('modulo over %i servers moves about N/(N+1) of the keys', (serverCount) => {
    // A key keeps its server only when h mod N = h mod (N + 1), which holds for N of every
    // N·(N + 1) consecutive hashes: exactly 1/(N + 1) stay. Binomial σ ≈ 0.003, so 4σ ≈ 0.011,
    // well inside the ±0.05 the lab promises.
    const movedCount = countMoved(
      assignModulo(keyHashes, serverCount),
      serversNamed(serverCount).map((server) => server.id),
      assignModulo(keyHashes, serverCount + 1),
      serversNamed(serverCount + 1).map((server) => server.id),
    );
    const movedShare = movedCount / KEY_COUNT;
    const expectedShare = serverCount / (serverCount + 1);
    const tolerance = 4 * Math.sqrt((expectedShare * (1 - expectedShare)) / KEY_COUNT);
    expect(tolerance).toBeLessThan(0.05);
    expect(Math.abs(movedShare - expectedShare)).toBeLessThanOrEqual(tolerance);
  });

  it('more vnodes balance load: 160 per server spreads keys far more evenly than 1', () => {
    // With one vnode each, shares are spacings of 10 uniform points (CV ≈ 0.9); with 160 the
    // arc CV is ≈ 0.075 and key sampling adds ≈ 0.022, so 0.15 is about 4σ above expectation.
    const coefficientOfVariationWith = (vnodesPerServer: number) => {
      const ring = buildRing(serversNamed(10), vnodesPerServer, 'murmur3');
      const counts = countKeysPerServer(assignOwners(ring, keyHashes), 10);
      return loadStats(counts).coefficientOfVariation;
    };
    const spreadWithMany = coefficientOfVariationWith(VNODES_PER_SERVER);
    const spreadWithOne = coefficientOfVariationWith(1);
    expect(spreadWithMany).toBeLessThan(0.15);
    expect(spreadWithOne).toBeGreaterThan(3 * spreadWithMany);
  });
});
