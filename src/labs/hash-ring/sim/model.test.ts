import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createZipf, zipfProbability } from '../../../kernel/distributions';
import { ZIPF_RANKS_MAX } from '../../../kernel/limits';
import { seedFromString } from '../../../kernel/prng';
import { DEFAULT_VNODE_COUNTS, type VnodeCurveParams, type VnodeCurveResult } from './batch';
import {
  KEY_NAME_LENGTH_MAX,
  KEYS_BULK_MAX,
  NAMED_KEYS_MAX,
  SERVERS_MAX,
  VNODES_TOTAL_MAX,
} from './constants';
import { HASH_NAMES, type HashName, hashString } from './hash';
import hashRingSim from './index';
import { checkHashRingInvariants } from './invariants';
import {
  advanceHashRing,
  applyHashRingCommand,
  createHashRingState,
  type HashRingCommand,
  type HashRingConfig,
  type HashRingState,
  keyHashesOf,
  keyNameAt,
  keysTotalOf,
  moduloOwnersOf,
  nextRequestAtMs,
  ownersOf,
  type RecentRequest,
} from './model';
import { assignOwners, buildRing, ownerByScan, preferenceList } from './ring';
import { viewHashRing } from './snapshot';

const BASE: HashRingConfig = {
  servers: 4,
  vnodesPerServer: 50,
  hash: 'murmur3',
  replicationFactor: 3,
  keys: 2_000,
  popularity: 'uniform',
  zipfExponent: 1.1,
  requestsPerSecond: 0,
};

function config(overrides: Partial<HashRingConfig> = {}): HashRingConfig {
  return { ...BASE, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// From-scratch references. They read only the plain state (servers, key names, config) and never
// the model's memoised derived data.

function keyNamesOf(state: HashRingState): string[] {
  const names = [...state.namedKeys];
  for (let i = 0; i < state.bulkKeyCount; i += 1) names.push(`key-${i}`);
  return names;
}

function keyHashesFromScratch(state: HashRingState): Uint32Array {
  return Uint32Array.from(keyNamesOf(state), (name) => hashString(state.config.hash, name));
}

function ringFromScratch(state: HashRingState) {
  return buildRing(
    state.servers.map((s) => ({ id: s.id, weight: s.weight, failed: s.failed })),
    state.config.vnodesPerServer,
    state.config.hash,
  );
}

/** Each key's owner id by brute-force scan of every vnode (null when no server is live). */
function ownerIdsByScan(state: HashRingState): (string | null)[] {
  const ring = ringFromScratch(state);
  return Array.from(keyHashesFromScratch(state), (h) => {
    const owner = ownerByScan(ring, h);
    return owner < 0 ? null : (ring.serverIds[owner] ?? null);
  });
}

/** Each key's owner id with a freshly built ring and assignOwners (fast, for properties). */
function ownerIdsFresh(state: HashRingState): (string | null)[] {
  const ring = ringFromScratch(state);
  const owners = assignOwners(ring, keyHashesFromScratch(state));
  return Array.from(owners, (o) => (o < 0 ? null : (ring.serverIds[o] ?? null)));
}

/** Each key's owner under hash mod N over the live servers, in server order. */
function moduloIdsFromScratch(state: HashRingState): (string | null)[] {
  const live = state.servers.filter((s) => !s.failed).map((s) => s.id);
  return Array.from(keyHashesFromScratch(state), (h) =>
    live.length === 0 ? null : (live[h % live.length] ?? null),
  );
}

function ownerIdsFromModel(state: HashRingState): (string | null)[] {
  return Array.from(ownersOf(state).owners, (o) => (o < 0 ? null : (state.servers[o]?.id ?? null)));
}

function countDifferent<T>(a: readonly T[], b: readonly T[]): number {
  expect(a.length).toBe(b.length);
  let moved = 0;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) moved += 1;
  return moved;
}

function lastEvent(state: HashRingState) {
  return state.events.items.at(-1);
}

/** Collects every request served while advancing in steps short enough that none is pruned. */
function collectRequests(state: HashRingState, untilMs: number, stepMs = 200): RecentRequest[] {
  const served: RecentRequest[] = [];
  for (let t = state.nowMs + stepMs; t <= untilMs; t += stepMs) {
    const before = state.requestsTotal;
    advanceHashRing(state, t);
    const added = state.requestsTotal - before;
    expect(added).toBeLessThanOrEqual(256);
    if (added > 0) served.push(...state.recentRequests.slice(-added));
  }
  return served;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const serverIdArb = fc.integer({ min: 1, max: 9 }).map((n) => `S${n}`);

const commandArb: fc.Arbitrary<HashRingCommand> = fc.oneof(
  fc.record({ type: fc.constant('addServer' as const), weight: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ type: 'addServer' as const }),
  fc.record({ type: fc.constant('removeServer' as const), serverId: serverIdArb }),
  fc.record({
    type: fc.constant('setFailed' as const),
    serverId: serverIdArb,
    failed: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('setWeight' as const),
    serverId: serverIdArb,
    weight: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    type: fc.constant('setVnodes' as const),
    vnodesPerServer: fc.integer({ min: 1, max: 80 }),
  }),
  fc.record({ type: fc.constant('setHash' as const), hash: fc.constantFrom(...HASH_NAMES) }),
  fc.record({
    type: fc.constant('setReplicationFactor' as const),
    replicationFactor: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    type: fc.constant('addKey' as const),
    key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('user:1', 'user:2', ' ', '')),
  }),
  fc.record({
    type: fc.constant('setBulkKeys' as const),
    count: fc.integer({ min: 0, max: 1_500 }),
  }),
  fc.constant({ type: 'clearKeys' as const }),
  fc.record({
    type: fc.constant('lookup' as const),
    key: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  }),
  fc.record({
    type: fc.constant('setWorkload' as const),
    popularity: fc.constantFrom('uniform' as const, 'zipf' as const),
    zipfExponent: fc.double({ min: 0, max: 3, noNaN: true }),
    requestsPerSecond: fc.integer({ min: 0, max: 300 }),
  }),
);

type Step = { kind: 'apply'; command: HashRingCommand } | { kind: 'advance'; ms: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('apply' as const), command: commandArb }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4_000 }) }),
);

const configArb: fc.Arbitrary<HashRingConfig> = fc.record({
  servers: fc.integer({ min: 0, max: 6 }),
  vnodesPerServer: fc.integer({ min: 1, max: 80 }),
  hash: fc.constantFrom(...HASH_NAMES),
  replicationFactor: fc.integer({ min: 1, max: 5 }),
  keys: fc.integer({ min: 0, max: 1_500 }),
  popularity: fc.constantFrom('uniform' as const, 'zipf' as const),
  zipfExponent: fc.double({ min: 0, max: 3, noNaN: true }),
  requestsPerSecond: fc.integer({ min: 0, max: 300 }),
});

function runSteps(
  cfg: HashRingConfig,
  seed: number,
  steps: readonly Step[],
  after?: (s: HashRingState) => void,
) {
  const state = createHashRingState(cfg, seed);
  after?.(state);
  for (const step of steps) {
    if (step.kind === 'apply') applyHashRingCommand(state, step.command);
    else advanceHashRing(state, state.nowMs + step.ms);
    after?.(state);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------

describe('hash-ring model: determinism', () => {
  it('property: same seed + same commands give identical states and snapshots', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(stepArb, { maxLength: 20 }),
        (cfg, seed, steps) => {
          const a = runSteps(cfg, seed, steps);
          const b = runSteps(cfg, seed, steps);
          expect(structuredClone(b)).toEqual(structuredClone(a));
          expect(viewHashRing(b, {})).toEqual(viewHashRing(a, {}));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a checkpoint made with structuredClone continues exactly like the original', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(stepArb, { maxLength: 10 }),
        fc.array(stepArb, { maxLength: 10 }),
        (cfg, seed, first, second) => {
          const original = runSteps(cfg, seed, first);
          const copy = structuredClone(original);
          for (const state of [original, copy]) {
            for (const step of second) {
              if (step.kind === 'apply') applyHashRingCommand(state, step.command);
              else advanceHashRing(state, state.nowMs + step.ms);
            }
          }
          expect(copy).toEqual(original);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('different seeds give different request streams (the check above can fail)', () => {
    const cfg = config({ requestsPerSecond: 50 });
    const a = createHashRingState(cfg, 1);
    const b = createHashRingState(cfg, 2);
    const ra = collectRequests(a, 5_000);
    const rb = collectRequests(b, 5_000);
    expect(ra.map((r) => r.keyIndex)).not.toEqual(rb.map((r) => r.keyIndex));
  });
});

describe('hash-ring model: invariants', () => {
  it('property: invariants and from-scratch owners hold after every step', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(stepArb, { maxLength: 20 }),
        (cfg, seed, steps) => {
          let lastNow = 0;
          let lastTotal = 0;
          runSteps(cfg, seed, steps, (state) => {
            checkHashRingInvariants(state);
            expect(ownerIdsFromModel(state)).toEqual(ownerIdsFresh(state));
            const modulo = moduloOwnersOf(state);
            expect(Array.from(modulo.owners, (o) => modulo.liveIds[o] ?? null)).toEqual(
              moduloIdsFromScratch(state),
            );
            expect(keysTotalOf(state)).toBe(state.namedKeys.length + state.bulkKeyCount);
            expect(new Set(state.namedKeys).size).toBe(state.namedKeys.length);
            // Server ids are never reused: every id number is below the next one to hand out.
            for (const s of state.servers) {
              expect(Number(s.id.slice(1))).toBeLessThan(state.nextServerNumber);
            }
            expect(state.nowMs).toBeGreaterThanOrEqual(lastNow);
            expect(state.events.total).toBeGreaterThanOrEqual(lastTotal);
            lastNow = state.nowMs;
            lastTotal = state.events.total;
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the invariant checker rejects a broken state (so the property above can fail)', () => {
    const state = createHashRingState(config(), 1);
    checkHashRingInvariants(state);
    const broken = structuredClone(state);
    broken.servers.push({ ...broken.servers[0]!, requestCount: 0 });
    expect(() => checkHashRingInvariants(broken)).toThrow('server ids are unique');
    const served = structuredClone(state);
    served.servers[0]!.requestCount = 5;
    expect(() => checkHashRingInvariants(served)).toThrow('served requests never exceed');
    const late = structuredClone(state);
    late.nowMs = 1.5;
    expect(() => checkHashRingInvariants(late)).toThrow('time is an integer');
  });
});

describe('hash-ring model: rebalancing worked examples', () => {
  it('adding a server moves keys only to it; movedOnRing and movedModulo match from-scratch counts', () => {
    const state = createHashRingState(config(), 3);
    const ringBefore = ownerIdsByScan(state);
    const moduloBefore = moduloIdsFromScratch(state);
    applyHashRingCommand(state, { type: 'addServer' });
    expect(state.servers.map((s) => s.id)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    const ringAfter = ownerIdsByScan(state);
    const moduloAfter = moduloIdsFromScratch(state);
    for (let k = 0; k < ringAfter.length; k += 1) {
      if (ringAfter[k] !== ringBefore[k]) expect(ringAfter[k]).toBe('S5');
    }
    const movedOnRing = countDifferent(ringBefore, ringAfter);
    const movedModulo = countDifferent(moduloBefore, moduloAfter);
    expect(state.lastChange).toEqual({
      atMs: 0,
      description: 'Added S5',
      keysTotal: 2_000,
      movedOnRing,
      movedModulo,
      idealFraction: 1 / 5,
      serversBefore: 4,
      serversAfter: 5,
    });
    // The lesson's point: about 1/5 move on the ring, about 4/5 under mod N.
    expect(movedOnRing / 2_000).toBeGreaterThan(0.05);
    expect(movedOnRing / 2_000).toBeLessThan(0.4);
    expect(movedModulo / 2_000).toBeGreaterThan(0.75);
    expect(movedModulo / 2_000).toBeLessThan(0.85);
    expect(ownerIdsFromModel(state)).toEqual(ringAfter);
    const event = lastEvent(state);
    expect(event).toMatchObject({ atMs: 0, kind: 'rebalance', important: true });
    expect(event?.text).toContain(`ring moved ${movedOnRing.toLocaleString('en-US')} keys`);
    expect(event?.text).toContain(`hash mod N moved ${movedModulo.toLocaleString('en-US')} keys`);
    expect(event?.text).toContain('Ideal: 20.0%.');
  });

  it('removing a live server moves exactly its keys, and only to live servers', () => {
    const state = createHashRingState(config({ servers: 5 }), 4);
    const before = ownerIdsByScan(state);
    const moduloBefore = moduloIdsFromScratch(state);
    const ownedByS2 = before.filter((id) => id === 'S2').length;
    expect(ownedByS2).toBeGreaterThan(0);
    applyHashRingCommand(state, { type: 'removeServer', serverId: 'S2' });
    const after = ownerIdsByScan(state);
    for (let k = 0; k < after.length; k += 1) {
      if (after[k] !== before[k]) expect(before[k]).toBe('S2');
      expect(after[k]).not.toBe('S2');
    }
    expect(state.lastChange).toMatchObject({
      description: 'Removed S2',
      movedOnRing: ownedByS2,
      movedModulo: countDifferent(moduloBefore, moduloIdsFromScratch(state)),
      idealFraction: 1 / 5,
      serversBefore: 5,
      serversAfter: 4,
    });
  });

  it('a failed server keeps its vnodes but no keys; removing it then moves nothing', () => {
    const state = createHashRingState(config(), 5);
    const before = ownerIdsByScan(state);
    const ownedByS3 = before.filter((id) => id === 'S3').length;
    applyHashRingCommand(state, { type: 'setFailed', serverId: 'S3', failed: true });
    const failed = ownerIdsByScan(state);
    expect(failed.filter((id) => id === 'S3')).toHaveLength(0);
    expect(countDifferent(before, failed)).toBe(ownedByS3);
    expect(state.lastChange).toMatchObject({
      description: 'S3 failed',
      movedOnRing: ownedByS3,
      idealFraction: 1 / 4,
      serversBefore: 4,
      serversAfter: 3,
    });
    expect(viewHashRing(state, {}).servers.find((s) => s.id === 'S3')).toMatchObject({
      failed: true,
      vnodeCount: 50,
      keyCount: 0,
      arcShare: 0,
    });

    applyHashRingCommand(state, { type: 'removeServer', serverId: 'S3' });
    expect(state.servers.map((s) => s.id)).toEqual(['S1', 'S2', 'S4']);
    expect(state.lastChange).toEqual({
      atMs: 0,
      description: 'Removed S3',
      keysTotal: 2_000,
      movedOnRing: 0,
      movedModulo: 0,
      idealFraction: null,
      serversBefore: 3,
      serversAfter: 3,
    });
    expect(ownerIdsByScan(state)).toEqual(failed);
  });

  it('recovering a failed server gives its keys back', () => {
    const state = createHashRingState(config(), 6);
    const healthy = ownerIdsByScan(state);
    applyHashRingCommand(state, { type: 'setFailed', serverId: 'S1', failed: true });
    applyHashRingCommand(state, { type: 'setFailed', serverId: 'S1', failed: false });
    expect(ownerIdsFromModel(state)).toEqual(healthy);
    expect(state.lastChange).toMatchObject({
      description: 'S1 recovered',
      movedOnRing: healthy.filter((id) => id === 'S1').length,
      idealFraction: 1 / 4,
    });
    // Setting the same state again is a no-op, with no event.
    const total = state.events.total;
    applyHashRingCommand(state, { type: 'setFailed', serverId: 'S1', failed: false });
    expect(state.events.total).toBe(total);
  });

  it('weight, vnodes and hash changes record from-scratch moved counts', () => {
    const state = createHashRingState(config(), 7);
    const changes: HashRingCommand[] = [
      { type: 'setWeight', serverId: 'S2', weight: 3 },
      { type: 'setVnodes', vnodesPerServer: 10 },
      { type: 'setHash', hash: 'xxhash32' },
    ];
    for (const change of changes) {
      const before = ownerIdsByScan(state);
      const moduloBefore = moduloIdsFromScratch(state);
      applyHashRingCommand(state, change);
      const after = ownerIdsByScan(state);
      expect(state.lastChange?.movedOnRing).toBe(countDifferent(before, after));
      expect(state.lastChange?.idealFraction).toBeNull();
      // mod N only depends on the key hashes and the live count: only a new hash moves keys.
      const movedModulo = countDifferent(moduloBefore, moduloIdsFromScratch(state));
      expect(state.lastChange?.movedModulo).toBe(movedModulo);
      if (change.type !== 'setHash') expect(movedModulo).toBe(0);
      else expect(movedModulo).toBeGreaterThan(1_000);
    }
    // A weight-3 server holds three times the vnodes.
    expect(viewHashRing(state, {}).servers.find((s) => s.id === 'S2')?.vnodeCount).toBe(30);
  });

  it('server ids are never reused after a removal', () => {
    const state = createHashRingState(config(), 8);
    applyHashRingCommand(state, { type: 'removeServer', serverId: 'S4' });
    applyHashRingCommand(state, { type: 'addServer' });
    expect(state.servers.map((s) => s.id)).toEqual(['S1', 'S2', 'S3', 'S5']);
  });

  it('a lookup names the owner a brute-force scan finds and the distinct replicas after it', () => {
    const state = createHashRingState(config({ replicationFactor: 3 }), 9);
    applyHashRingCommand(state, { type: 'lookup', key: '  user:42 ' });
    expect(state.lookupKey).toBe('user:42');
    const ring = ringFromScratch(state);
    const keyHash = hashString('murmur3', 'user:42');
    const owner = ring.serverIds[ownerByScan(ring, keyHash)];
    const lookup = viewHashRing(state, {}).lookup;
    expect(lookup?.keyHash).toBe(keyHash);
    expect(lookup?.preferenceIds[0]).toBe(owner);
    expect(lookup?.preferenceIds).toHaveLength(3);
    expect(new Set(lookup?.preferenceIds).size).toBe(3);
    expect(lookup?.preferenceIds).toEqual(
      preferenceList(ring, keyHash, 3).map((i) => ring.serverIds[i]),
    );
    expect(lookup?.moduloOwnerId).toBe(`S${(keyHash % 4) + 1}`);
    expect(lastEvent(state)).toMatchObject({ kind: 'lookup', important: true });
    expect(lastEvent(state)?.text).toContain(
      `0x${keyHash.toString(16).padStart(8, '0')} → ${owner}`,
    );
  });
});

describe('hash-ring model: refusals', () => {
  function expectRefused(state: HashRingState, command: HashRingCommand, text: string): void {
    const servers = structuredClone(state.servers);
    const namedKeys = [...state.namedKeys];
    const lastChange = structuredClone(state.lastChange);
    const nextServerNumber = state.nextServerNumber;
    const vnodes = state.config.vnodesPerServer;
    const total = state.events.total;
    applyHashRingCommand(state, command);
    expect(state.events.total).toBe(total + 1);
    expect(lastEvent(state)).toMatchObject({ kind: 'refused', important: true });
    expect(lastEvent(state)?.text).toContain(text);
    expect(state.servers).toEqual(servers);
    expect(state.namedKeys).toEqual(namedKeys);
    expect(state.lastChange).toEqual(lastChange);
    expect(state.nextServerNumber).toBe(nextServerNumber);
    expect(state.config.vnodesPerServer).toBe(vnodes);
    checkHashRingInvariants(state);
  }

  it('refuses a server past SERVERS_MAX', () => {
    const state = createHashRingState(
      config({ servers: SERVERS_MAX, vnodesPerServer: 1, keys: 50 }),
      1,
    );
    expectRefused(state, { type: 'addServer' }, `at most ${SERVERS_MAX} servers`);
    expect(state.servers).toHaveLength(SERVERS_MAX);
  });

  it('refuses changes past VNODES_TOTAL_MAX virtual nodes', () => {
    const state = createHashRingState(config({ servers: 90, vnodesPerServer: 1, keys: 0 }), 1);
    for (let n = 1; n <= 13; n += 1) {
      applyHashRingCommand(state, { type: 'setWeight', serverId: `S${n}`, weight: 10 });
    }
    // Weights now add up to 90 + 13 × 9 = 207; 207 × 500 > 100,000.
    const limit = VNODES_TOTAL_MAX.toLocaleString('en-US');
    expectRefused(state, { type: 'setVnodes', vnodesPerServer: 500 }, limit);
    applyHashRingCommand(state, { type: 'setVnodes', vnodesPerServer: 480 });
    expect(state.config.vnodesPerServer).toBe(480);
    // 207 × 480 = 99,360: one more weight-2 server (960 vnodes) or one more weight-10 is too many.
    expectRefused(state, { type: 'addServer', weight: 2 }, limit);
    expectRefused(state, { type: 'setWeight', serverId: 'S14', weight: 10 }, limit);
    applyHashRingCommand(state, { type: 'addServer', weight: 1 });
    expect(state.servers).toHaveLength(91);
  });

  it('refuses a duplicate named key, an empty key and a too-long key', () => {
    const state = createHashRingState(config(), 1);
    applyHashRingCommand(state, { type: 'addKey', key: 'alpha' });
    expect(state.namedKeys).toEqual(['alpha']);
    expect(keyNameAt(state, 0)).toBe('alpha');
    expect(keyNameAt(state, 1)).toBe('key-0');
    expectRefused(state, { type: 'addKey', key: 'alpha' }, 'already on the ring');
    expectRefused(state, { type: 'addKey', key: '  alpha ' }, 'already on the ring');
    expectRefused(state, { type: 'addKey', key: '' }, 'at least one character');
    expectRefused(state, { type: 'addKey', key: '   ' }, 'at least one character');
    expectRefused(
      state,
      { type: 'addKey', key: 'k'.repeat(KEY_NAME_LENGTH_MAX + 1) },
      `at most ${KEY_NAME_LENGTH_MAX} characters`,
    );
    expect(keysTotalOf(state)).toBe(2_001);
  });

  it('refuses commands that name a server that does not exist', () => {
    const state = createHashRingState(config(), 1);
    expectRefused(state, { type: 'removeServer', serverId: 'S9' }, 'no server S9');
    expectRefused(state, { type: 'setFailed', serverId: 'S9', failed: true }, 'no server S9');
    expectRefused(state, { type: 'setWeight', serverId: 'S9', weight: 2 }, 'no server S9');
  });
});

describe('hash-ring model: requests over time', () => {
  it('property: uniform requests at rate r for T seconds number rT ± 5√(rT)', () => {
    // Arrivals are a Poisson process, so the count has mean and variance rT; 5σ leaves a false
    // failure chance below one in a million per run.
    const rate = 50;
    const seconds = 60;
    const mean = rate * seconds;
    const tolerance = 5 * Math.sqrt(mean);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const state = createHashRingState(config({ requestsPerSecond: rate, keys: 100 }), seed);
        advanceHashRing(state, seconds * 1_000);
        expect(Math.abs(state.requestsTotal - mean)).toBeLessThanOrEqual(tolerance);
        const served = state.servers.reduce((sum, s) => sum + s.requestCount, 0);
        expect(served).toBe(state.requestsTotal);
      }),
      { numRuns: 40 },
    );
  });

  it('uniform popularity spreads requests evenly over keys (each within 5σ of a binomial)', () => {
    const state = createHashRingState(config({ requestsPerSecond: 100, keys: 10 }), 21);
    const requests = collectRequests(state, 60_000);
    expect(requests).toHaveLength(state.requestsTotal);
    const counts = new Array<number>(10).fill(0);
    for (const r of requests) counts[r.keyIndex] = (counts[r.keyIndex] ?? 0) + 1;
    const n = requests.length;
    const sigma = Math.sqrt(n * 0.1 * 0.9);
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThanOrEqual(5 * sigma);
  });

  it('each request goes to the ring owner of its key', () => {
    const state = createHashRingState(config({ requestsPerSecond: 100, keys: 300 }), 22);
    applyHashRingCommand(state, { type: 'setFailed', serverId: 'S2', failed: true });
    const owners = ownerIdsByScan(state);
    const requests = collectRequests(state, 5_000);
    expect(requests.length).toBeGreaterThan(300);
    for (const r of requests) {
      expect(r.ownerId).toBe(owners[r.keyIndex]);
      expect(r.keyHash).toBe(hashString('murmur3', `key-${r.keyIndex}`));
    }
    expect(state.servers.find((s) => s.id === 'S2')?.requestCount).toBe(0);
  });

  it('with Zipf popularity key 0 is the most requested key, at its Zipf share', () => {
    const keys = 1_000;
    const exponent = 1.1;
    const p0 = zipfProbability(createZipf(keys, exponent), 0);
    let key0Wins = 0;
    let key0Count = 0;
    let totalCount = 0;
    for (let seed = 1; seed <= 20; seed += 1) {
      const state = createHashRingState(
        config({ popularity: 'zipf', zipfExponent: exponent, requestsPerSecond: 100, keys }),
        seed,
      );
      const requests = collectRequests(state, 30_000);
      const counts = new Map<number, number>();
      for (const r of requests) counts.set(r.keyIndex, (counts.get(r.keyIndex) ?? 0) + 1);
      const [mostRequested] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [-1];
      if (mostRequested === 0) key0Wins += 1;
      key0Count += counts.get(0) ?? 0;
      totalCount += requests.length;
    }
    expect(key0Wins).toBeGreaterThanOrEqual(18);
    const sigma = Math.sqrt((p0 * (1 - p0)) / totalCount);
    expect(Math.abs(key0Count / totalCount - p0)).toBeLessThanOrEqual(5 * sigma);
  });

  it('a rate of zero schedules nothing; setWorkload starts the stream from now', () => {
    const state = createHashRingState(config({ requestsPerSecond: 0 }), 1);
    expect(nextRequestAtMs(state)).toBeNull();
    advanceHashRing(state, 10_000);
    expect(state.requestsTotal).toBe(0);
    applyHashRingCommand(state, {
      type: 'setWorkload',
      popularity: 'uniform',
      zipfExponent: 1,
      requestsPerSecond: 10,
    });
    const next = nextRequestAtMs(state);
    expect(next).not.toBeNull();
    expect(next).toBeGreaterThanOrEqual(10_000);
    advanceHashRing(state, next!);
    expect(state.requestsTotal).toBe(1);
    expect(state.recentRequests[0]?.atMs).toBeGreaterThanOrEqual(10_000);
  });
});

describe('hash-ring model: view()', () => {
  it('omits the ring and keys parts when `known` holds their versions, and includes them otherwise', () => {
    const state = createHashRingState(config(), 1);
    const full = viewHashRing(state, {});
    expect(full.ring?.positions.length).toBe(4 * 50);
    expect(full.keys?.positions.length).toBe(2_000);
    expect(full.keys?.positions).toEqual(keyHashesFromScratch(state));
    const known = { ...full.versions };
    const lean = viewHashRing(state, known);
    expect(lean.ring).toBeNull();
    expect(lean.keys).toBeNull();
    expect(lean.versions).toEqual(full.versions);
    // A stale ring version brings the ring back; the keys version alone still saves the keys.
    const staleRing = viewHashRing(state, { ...known, ring: 'old' });
    expect(staleRing.ring).not.toBeNull();
    expect(staleRing.keys).toBeNull();

    applyHashRingCommand(state, { type: 'addKey', key: 'user:7' });
    const afterKey = viewHashRing(state, known);
    expect(afterKey.ring).toBeNull();
    expect(afterKey.keys?.names).toEqual(['user:7']);
    expect(afterKey.keys?.positions[0]).toBe(hashString('murmur3', 'user:7'));

    applyHashRingCommand(state, { type: 'addServer' });
    const afterServer = viewHashRing(state, { ...afterKey.versions });
    expect(afterServer.ring?.positions.length).toBe(5 * 50);
    expect(afterServer.keys).not.toBeNull();
    expect(afterServer.keys?.owners.length).toBe(2_001);
  });

  it('summarises per-server keys as a from-scratch count', () => {
    const state = createHashRingState(config({ servers: 6 }), 2);
    const owners = ownerIdsByScan(state);
    const view = viewHashRing(state, {});
    for (const server of view.servers) {
      expect(server.keyCount).toBe(owners.filter((id) => id === server.id).length);
    }
    expect(view.keysTotal).toBe(2_000);
    expect(view.modulo.counts.reduce((a, b) => a + b, 0)).toBe(2_000);
  });
});

/** Runs the vnodeCurve job to the end through the LabSim, keeping every progress step. */
function drainJob(
  state: HashRingState,
  params: VnodeCurveParams,
): { done: number[]; total: number; result: VnodeCurveResult } {
  const job = hashRingSim.batch?.(state, 'vnodeCurve', params);
  if (!job) throw new Error('the hash ring has batch jobs');
  const done: number[] = [];
  let total = -1;
  for (;;) {
    const next = job.next();
    if (next.done) return { done, total, result: next.value as VnodeCurveResult };
    done.push(next.value.done);
    total = next.value.total;
  }
}

describe('hash-ring model: the vnodeCurve batch job', () => {
  it('yields progress to the total and spreads keys better at 500 vnodes than at 1, for each hash', () => {
    const state = createHashRingState(config({ vnodesPerServer: 100 }), 1);
    const { done, total, result } = drainJob(state, {});
    expect(total).toBe(HASH_NAMES.length * (DEFAULT_VNODE_COUNTS.length + 1));
    expect(done).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(result.keysUsed).toBe(100_000);
    expect(result.syntheticKeys).toBe(true);
    expect(result.servers).toBe(4);
    expect(result.points).toHaveLength(HASH_NAMES.length * DEFAULT_VNODE_COUNTS.length);
    for (const hash of HASH_NAMES) {
      const at = (v: number) =>
        result.points.find((p) => p.hash === hash && p.vnodesPerServer === v);
      const one = at(1);
      const many = at(500);
      expect(one).toBeDefined();
      expect(many).toBeDefined();
      expect(many!.stdDevOverMean).toBeLessThan(one!.stdDevOverMean);
      // With V vnodes per server the arc spread shrinks like 1/√V: about 0.04 at 500.
      expect(many!.stdDevOverMean).toBeLessThan(0.15);
      expect(many!.maxOverMean).toBeGreaterThanOrEqual(1);
    }
  });

  it('a point equals a from-scratch spread of the generated keys', () => {
    const state = createHashRingState(config({ servers: 3 }), 1);
    const { result } = drainJob(state, { vnodeCounts: [7], hashes: ['fnv1a'] });
    const point = result.points[0];
    const servers = state.servers.map((s) => ({ id: s.id, weight: 1, failed: false }));
    const ring = buildRing(servers, 7, 'fnv1a');
    const counts = [0, 0, 0];
    for (let i = 0; i < 100_000; i += 1) {
      const owner = ownerByScan(ring, hashString('fnv1a', `key-${i}`));
      counts[owner] = (counts[owner] ?? 0) + 1;
    }
    const mean = 100_000 / 3;
    const stdDev = Math.sqrt(counts.reduce((s, c) => s + (c - mean) ** 2, 0) / 3);
    expect(point?.stdDevOverMean).toBeCloseTo(stdDev / mean, 12);
    expect(point?.maxOverMean).toBeCloseTo(Math.max(...counts) / mean, 12);
  });

  it('an unknown batch job name throws', () => {
    const state = createHashRingState(config(), 1);
    expect(() => hashRingSim.batch?.(state, 'nope', {})).toThrow('Unknown batch job "nope"');
  });
});

describe('hash-ring model: regressions', () => {
  it('"costarring" and "liquid" collide under FNV-1a 32 (precondition of the next test)', () => {
    expect(seedFromString('costarring')).toBe(seedFromString('liquid'));
  });

  // Regression (fixed): keysSignatureOf (model.ts) is a 32-bit FNV-1a over the named keys, and keyHashesOf /
  // ownersOf are memoised by that signature, so two different key sets with the same signature
  // share memoised hashes and owners. "liquid" gets the hash of "costarring".
  it('a key set whose signature collides with an earlier one still gets its own hashes', () => {
    const state = createHashRingState(config({ keys: 0 }), 1);
    applyHashRingCommand(state, { type: 'addKey', key: 'costarring' });
    const firstView = viewHashRing(state, {});
    applyHashRingCommand(state, { type: 'clearKeys' });
    applyHashRingCommand(state, { type: 'addKey', key: 'liquid' });
    expect(keyHashesOf(state)[0]).toBe(hashString('murmur3', 'liquid'));
    expect(ownerIdsFromModel(state)).toEqual(ownerIdsByScan(state));
    // The UI would also keep drawing the old key, since the keys version did not change.
    expect(viewHashRing(state, firstView.versions).keys).not.toBeNull();
  });

  // Regression (fixed): the same signature also ignores key boundaries when a key contains U+001F (the separator
  // keysSignatureOf mixes in after each key), so ["a\u001fb", "c"] and ["a", "b\u001fc"] collide.
  it('keys containing the signature separator do not alias another key set', () => {
    const state = createHashRingState(config({ keys: 0 }), 1);
    applyHashRingCommand(state, { type: 'addKey', key: 'a\u001fb' });
    applyHashRingCommand(state, { type: 'addKey', key: 'c' });
    keyHashesOf(state);
    applyHashRingCommand(state, { type: 'clearKeys' });
    applyHashRingCommand(state, { type: 'addKey', key: 'a' });
    applyHashRingCommand(state, { type: 'addKey', key: 'b\u001fc' });
    expect(Array.from(keyHashesOf(state))).toEqual([
      hashString('murmur3', 'a'),
      hashString('murmur3', 'b\u001fc'),
    ]);
  });

  // Regression: KEYS_BULK_MAX + NAMED_KEYS_MAX exceeds ZIPF_RANKS_MAX, so a million generated
  // keys plus one named key used to make createZipf(1,000,001, s) throw from view() and advanceTo().
  // The model now caps named + generated keys at the Zipf table's size and refuses the extra key.
  it('a million generated keys plus a named key is refused, and Zipf keeps working', () => {
    expect(KEYS_BULK_MAX + NAMED_KEYS_MAX).toBeGreaterThan(ZIPF_RANKS_MAX);
    const state = createHashRingState(
      config({ keys: KEYS_BULK_MAX, popularity: 'zipf', requestsPerSecond: 40 }),
      1,
    );
    applyHashRingCommand(state, { type: 'addKey', key: 'user:1' });
    expect(state.namedKeys).toEqual([]);
    expect(state.events.items.at(-1)?.kind).toBe('refused');
    expect(() => viewHashRing(state, {})).not.toThrow();
    expect(() => advanceHashRing(state, 1_000)).not.toThrow();
  });
});

describe('hash-ring model: hash choice', () => {
  it.each(HASH_NAMES)('the %s ring places keys where hashString says', (hash: HashName) => {
    const state = createHashRingState(config({ hash, keys: 200 }), 1);
    expect(Array.from(keyHashesOf(state))).toEqual(Array.from(keyHashesFromScratch(state)));
    expect(ownerIdsFromModel(state)).toEqual(ownerIdsByScan(state));
  });
});
