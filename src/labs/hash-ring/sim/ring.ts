/**
 * Consistent hashing on a ring of 32-bit positions (0 … 2^32 − 1), after Karger et al. (1997).
 *
 * Each physical server places `weight × vnodesPerServer` virtual nodes (vnodes) on the ring. A
 * key belongs to the first vnode at or clockwise after the key's hash, skipping the vnodes of
 * failed servers. The ring is plain data (typed arrays, strings), so lab states that hold it
 * survive structuredClone, and every query below is a pure function of the ring and its inputs.
 */

import { type HashName, hashString } from './hash';

/** The most vnodes one ring may hold; bounds memory, build time and SVG marks. */
export const RING_VNODES_MAX = 100_000;
/** Owners are stored as Uint16, so server indexes must fit in 0 … 65,534. */
export const RING_SERVERS_MAX = 65_535;
/** Ordinals are stored as Uint16, so one server may place at most 65,536 vnodes. */
export const SERVER_VNODES_MAX = 65_536;
/** `lookupWalk` records at most this many vnodes, so an animation stays short. */
export const LOOKUP_WALK_VISITS_MAX = 64;

/** The number of distinct positions on the ring. */
export const RING_POSITION_COUNT = 2 ** 32;

export interface RingServer {
  id: string;
  /** A positive integer capacity multiplier: weight 2 places twice the vnodes. */
  weight: number;
  failed: boolean;
}

export interface Ring {
  /** Vnode positions, sorted ascending; ties ordered by (owner, ordinal). */
  positions: Uint32Array;
  /** For each position, the index into `serverIds` of the server that placed it. */
  owners: Uint16Array;
  /** For each position, which of its server's vnodes it is (0-based). */
  vnodeOrdinals: Uint16Array;
  serverIds: string[];
  /** Per server: 1 when failed, 0 when live. */
  failed: Uint8Array;
}

export interface LookupWalk {
  /** The successor of the key's hash, or -1 on an empty ring. */
  startIndex: number;
  /** Position indexes visited in order, ending at the owner's vnode when one was found. */
  visitedIndexes: number[];
  /** Server index of the owner, or -1 when no server is live. */
  owner: number;
}

export interface LoadStats {
  mean: number;
  /** Population standard deviation. */
  stdDev: number;
  min: number;
  max: number;
  /** max / mean: 1 is perfect balance. 0 when the mean is 0. */
  maxOverMean: number;
  /** stdDev / mean. 0 when the mean is 0. */
  coefficientOfVariation: number;
}

export function vnodeCountOf(weight: number, vnodesPerServer: number): number {
  return weight * vnodesPerServer;
}

/** The text hashed to place a vnode; it is part of the placement, so it never changes. */
export function vnodeLabelOf(serverId: string, ordinal: number): string {
  return `${serverId}#${ordinal}`;
}

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${what} must be a positive integer, got ${value}.`);
  }
}

function assertBuildable(servers: readonly RingServer[], vnodesPerServer: number): number {
  if (servers.length > RING_SERVERS_MAX) {
    throw new Error(
      `A ring holds at most ${RING_SERVERS_MAX} servers; ${servers.length} were given.`,
    );
  }
  assertPositiveInteger(vnodesPerServer, 'vnodesPerServer');
  const seenIds = new Set<string>();
  let vnodeCountTotal = 0;
  for (const server of servers) {
    if (seenIds.has(server.id))
      throw new Error(`Server ids must be unique; "${server.id}" repeats.`);
    seenIds.add(server.id);
    assertPositiveInteger(server.weight, `The weight of server "${server.id}"`);
    const vnodeCount = vnodeCountOf(server.weight, vnodesPerServer);
    if (vnodeCount > SERVER_VNODES_MAX) {
      throw new Error(
        `Server "${server.id}" would place ${vnodeCount} vnodes; one server places at most ${SERVER_VNODES_MAX}.`,
      );
    }
    vnodeCountTotal += vnodeCount;
  }
  if (vnodeCountTotal > RING_VNODES_MAX) {
    throw new Error(
      `A ring holds at most ${RING_VNODES_MAX} vnodes; these servers would place ${vnodeCountTotal}.`,
    );
  }
  return vnodeCountTotal;
}

/**
 * Vnodes are created in (server index, ordinal) order, so their creation index is that
 * tie-break. Packing position × 2^17 + creation index into one float (at most 49 bits, exact)
 * lets a native numeric sort produce the total order in one pass.
 */
const CREATION_INDEX_SPAN = 2 ** 17;

export function buildRing(
  servers: readonly RingServer[],
  vnodesPerServer: number,
  hash: HashName,
): Ring {
  const vnodeCountTotal = assertBuildable(servers, vnodesPerServer);
  const sortKeys = new Float64Array(vnodeCountTotal);
  const ownerByCreation = new Uint16Array(vnodeCountTotal);
  const ordinalByCreation = new Uint16Array(vnodeCountTotal);
  let creationIndex = 0;
  servers.forEach((server, serverIndex) => {
    const vnodeCount = vnodeCountOf(server.weight, vnodesPerServer);
    for (let ordinal = 0; ordinal < vnodeCount; ordinal++) {
      const position = hashString(hash, vnodeLabelOf(server.id, ordinal));
      sortKeys[creationIndex] = position * CREATION_INDEX_SPAN + creationIndex;
      ownerByCreation[creationIndex] = serverIndex;
      ordinalByCreation[creationIndex] = ordinal;
      creationIndex++;
    }
  });
  sortKeys.sort();
  const ring: Ring = {
    positions: new Uint32Array(vnodeCountTotal),
    owners: new Uint16Array(vnodeCountTotal),
    vnodeOrdinals: new Uint16Array(vnodeCountTotal),
    serverIds: servers.map((server) => server.id),
    failed: Uint8Array.from(servers, (server) => (server.failed ? 1 : 0)),
  };
  for (let i = 0; i < vnodeCountTotal; i++) {
    const sortKey = sortKeys[i]!;
    const createdAt = sortKey % CREATION_INDEX_SPAN;
    ring.positions[i] = (sortKey - createdAt) / CREATION_INDEX_SPAN;
    ring.owners[i] = ownerByCreation[createdAt]!;
    ring.vnodeOrdinals[i] = ordinalByCreation[createdAt]!;
  }
  return ring;
}

/** A copy of the ring with one server failed or recovered; vnode placement is shared. */
export function withServerFailed(ring: Ring, serverIndex: number, failed: boolean): Ring {
  if (!Number.isInteger(serverIndex) || serverIndex < 0 || serverIndex >= ring.serverIds.length) {
    throw new Error(`No server at index ${serverIndex}; the ring has ${ring.serverIds.length}.`);
  }
  const failedCopy = ring.failed.slice();
  failedCopy[serverIndex] = failed ? 1 : 0;
  return { ...ring, failed: failedCopy };
}

export function liveServerCount(ring: Ring): number {
  let count = 0;
  for (let i = 0; i < ring.failed.length; i++) if (ring.failed[i] === 0) count++;
  return count;
}

/**
 * Index of the first position ≥ keyHash, wrapping to 0 past the top of the ring; -1 when the
 * ring is empty. Among equal positions it returns the first, so ties resolve by (owner, ordinal).
 */
export function successorIndex(ring: Ring, keyHash: number): number {
  const { positions } = ring;
  if (positions.length === 0) return -1;
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positions[middle]! < keyHash) low = middle + 1;
    else high = middle;
  }
  return low === positions.length ? 0 : low;
}

function nextIndex(ring: Ring, index: number): number {
  return index + 1 === ring.positions.length ? 0 : index + 1;
}

function isLiveAt(ring: Ring, index: number): boolean {
  return ring.failed[ring.owners[index]!] === 0;
}

/** The owning server index of a key hash, walking clockwise past failed servers; -1 if none. */
export function ownerOf(ring: Ring, keyHash: number): number {
  let index = successorIndex(ring, keyHash);
  if (index < 0) return -1;
  for (let step = 0; step < ring.positions.length; step++) {
    if (isLiveAt(ring, index)) return ring.owners[index]!;
    index = nextIndex(ring, index);
  }
  return -1;
}

/**
 * The vnodes a lookup visits, for animation. A walk past many failed vnodes keeps its first
 * LOOKUP_WALK_VISITS_MAX − 1 steps and the final one, so the owner's vnode is always shown.
 */
export function lookupWalk(ring: Ring, keyHash: number): LookupWalk {
  const startIndex = successorIndex(ring, keyHash);
  const visitedIndexes: number[] = [];
  if (startIndex < 0) return { startIndex, visitedIndexes, owner: -1 };
  let index = startIndex;
  for (let step = 0; step < ring.positions.length; step++) {
    const live = isLiveAt(ring, index);
    if (visitedIndexes.length < LOOKUP_WALK_VISITS_MAX - 1 || live) visitedIndexes.push(index);
    if (live) return { startIndex, visitedIndexes, owner: ring.owners[index]! };
    index = nextIndex(ring, index);
  }
  return { startIndex, visitedIndexes, owner: -1 };
}

/**
 * The first `replicationFactor` distinct live servers clockwise from the key (Dynamo's
 * preference list); fewer when fewer servers are live. The first entry is `ownerOf`.
 */
export function preferenceList(ring: Ring, keyHash: number, replicationFactor: number): number[] {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 0) {
    throw new Error(`replicationFactor must be a non-negative integer, got ${replicationFactor}.`);
  }
  const servers: number[] = [];
  let index = successorIndex(ring, keyHash);
  if (index < 0) return servers;
  // Every server has at least one vnode, so a walk finds every live server within one lap.
  const wantedCount = Math.min(replicationFactor, liveServerCount(ring));
  for (let step = 0; step < ring.positions.length && servers.length < wantedCount; step++) {
    const owner = ring.owners[index]!;
    if (ring.failed[owner] === 0 && !servers.includes(owner)) servers.push(owner);
    index = nextIndex(ring, index);
  }
  return servers;
}

/**
 * For each position index, the live server a key landing there ends up with (-1 when no server
 * is live). Two backward passes carry the nearest live owner across the top of the ring.
 */
export function liveOwnerByPosition(ring: Ring): Int32Array {
  const positionCount = ring.positions.length;
  const liveOwners = new Int32Array(positionCount);
  let carriedOwner = -1;
  for (let step = 2 * positionCount - 1; step >= 0; step--) {
    const index = step % positionCount;
    if (isLiveAt(ring, index)) carriedOwner = ring.owners[index]!;
    liveOwners[index] = carriedOwner;
  }
  return liveOwners;
}

/**
 * `bucketStarts[b]` is the first position index whose top `bucketBits` bits are ≥ b, so the
 * successor of a hash lies in its own bucket or is the next bucket's first position.
 */
function bucketStartsOf(positions: Uint32Array, bucketBits: number): Uint32Array {
  const bucketCount = 2 ** bucketBits;
  const shift = 32 - bucketBits;
  const bucketStarts = new Uint32Array(bucketCount + 1);
  let index = 0;
  for (let bucket = 0; bucket <= bucketCount; bucket++) {
    while (index < positions.length && positions[index]! >>> shift < bucket) index++;
    bucketStarts[bucket] = index;
  }
  return bucketStarts;
}

/** About one position per bucket keeps the scan inside a bucket to a step or two on average. */
function bucketBitsFor(positionCount: number): number {
  return Math.min(16, Math.max(1, Math.ceil(Math.log2(positionCount + 1))));
}

function outputFor(keyCount: number, out: Int32Array | undefined): Int32Array {
  if (out === undefined) return new Int32Array(keyCount);
  if (out.length < keyCount) {
    throw new Error(`The output array holds ${out.length} owners; ${keyCount} are needed.`);
  }
  return out;
}

/**
 * The owner of every key hash (−1 when no server is live), equal to `ownerOf` for each.
 * Instead of a binary search per key it resolves failed servers once per position and finds
 * each successor through a bucket table over the top bits of the hash: O(keys + vnodes).
 */
export function assignOwners(ring: Ring, keyHashes: Uint32Array, out?: Int32Array): Int32Array {
  const owners = outputFor(keyHashes.length, out);
  const { positions } = ring;
  if (positions.length === 0 || liveServerCount(ring) === 0) {
    owners.fill(-1, 0, keyHashes.length);
    return owners;
  }
  const liveOwners = liveOwnerByPosition(ring);
  const bucketBits = bucketBitsFor(positions.length);
  const shift = 32 - bucketBits;
  const bucketStarts = bucketStartsOf(positions, bucketBits);
  for (let k = 0; k < keyHashes.length; k++) {
    const keyHash = keyHashes[k]!;
    const bucket = keyHash >>> shift;
    let index = bucketStarts[bucket]!;
    const bucketEnd = bucketStarts[bucket + 1]!;
    while (index < bucketEnd && positions[index]! < keyHash) index++;
    owners[k] = liveOwners[index === positions.length ? 0 : index]!;
  }
  return owners;
}

/** Classic `hash mod N` sharding over the live servers, for contrast; -1 when none is live. */
export function moduloOwner(keyHash: number, liveCount: number): number {
  return liveCount > 0 ? keyHash % liveCount : -1;
}

export function assignModulo(
  keyHashes: Uint32Array,
  liveCount: number,
  out?: Int32Array,
): Int32Array {
  if (!Number.isInteger(liveCount) || liveCount < 0) {
    throw new Error(`liveCount must be a non-negative integer, got ${liveCount}.`);
  }
  const owners = outputFor(keyHashes.length, out);
  for (let k = 0; k < keyHashes.length; k++) owners[k] = moduloOwner(keyHashes[k]!, liveCount);
  return owners;
}

/** Where each server of `fromIds` sits in `toIds`: its index there, or -2 when it is gone. */
function indexMapByServerId(fromIds: readonly string[], toIds: readonly string[]): Int32Array {
  const indexById = new Map<string, number>();
  toIds.forEach((id, index) => {
    indexById.set(id, index);
  });
  return Int32Array.from(fromIds, (id) => indexById.get(id) ?? -2);
}

/**
 * How many keys changed owner between two assignments. Server indexes differ between rings,
 * so owners are compared by server id; "no owner" (-1) equals only "no owner".
 */
export function countMoved(
  beforeOwners: Int32Array,
  beforeIds: readonly string[],
  afterOwners: Int32Array,
  afterIds: readonly string[],
): number {
  if (beforeOwners.length !== afterOwners.length) {
    throw new Error(
      `Both assignments must cover the same keys: ${beforeOwners.length} before, ${afterOwners.length} after.`,
    );
  }
  const afterIndexOfBefore = indexMapByServerId(beforeIds, afterIds);
  let movedCount = 0;
  for (let k = 0; k < beforeOwners.length; k++) {
    const before = beforeOwners[k]!;
    const beforeInAfter = before < 0 ? -1 : afterIndexOfBefore[before]!;
    if (beforeInAfter !== afterOwners[k]) movedCount++;
  }
  return movedCount;
}

/** How many keys each server owns; keys without an owner (-1) are not counted. */
export function countKeysPerServer(owners: Int32Array, serverCount: number): Uint32Array {
  const counts = new Uint32Array(serverCount);
  for (let k = 0; k < owners.length; k++) {
    const owner = owners[k]!;
    if (owner >= 0) counts[owner]!++;
  }
  return counts;
}

/**
 * The fraction of the ring (so of uniformly hashed keys) each server owns. Position i owns the
 * hashes after position i − 1 up to and including its own; position 0 also owns the wrap-around
 * arc above the last position. A failed server's arcs go to the next live server clockwise.
 * All zeros when no server is live.
 */
export function arcShares(ring: Ring): Float64Array {
  const shares = new Float64Array(ring.serverIds.length);
  const { positions } = ring;
  const positionCount = positions.length;
  if (positionCount === 0 || liveServerCount(ring) === 0) return shares;
  const liveOwners = liveOwnerByPosition(ring);
  // Integer arc lengths add up to exactly 2^32, so only the final division rounds.
  const arcLengths = new Float64Array(ring.serverIds.length);
  for (let i = 0; i < positionCount; i++) {
    const previous =
      i === 0 ? positions[positionCount - 1]! - RING_POSITION_COUNT : positions[i - 1]!;
    arcLengths[liveOwners[i]!]! += positions[i]! - previous;
  }
  for (let s = 0; s < shares.length; s++) shares[s] = arcLengths[s]! / RING_POSITION_COUNT;
  return shares;
}

export function loadStats(counts: ArrayLike<number>): LoadStats {
  const count = counts.length;
  if (count === 0) {
    return { mean: 0, stdDev: 0, min: 0, max: 0, maxOverMean: 0, coefficientOfVariation: 0 };
  }
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const value = counts[i]!;
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const mean = sum / count;
  let squaredDeviationSum = 0;
  for (let i = 0; i < count; i++) squaredDeviationSum += (counts[i]! - mean) ** 2;
  const stdDev = Math.sqrt(squaredDeviationSum / count);
  return {
    mean,
    stdDev,
    min,
    max,
    maxOverMean: mean > 0 ? max / mean : 0,
    coefficientOfVariation: mean > 0 ? stdDev / mean : 0,
  };
}

/**
 * Reference owner by brute force, for tests: of all live vnodes, the one the shortest clockwise
 * distance from the key, ties broken by (owner, ordinal). It reads every vnode and does not rely
 * on the positions being sorted, so it can catch a bad sort as well as a bad search.
 */
export function ownerByScan(ring: Ring, keyHash: number): number {
  let bestIndex = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ring.positions.length; i++) {
    if (!isLiveAt(ring, i)) continue;
    const position = ring.positions[i]!;
    const distance =
      position >= keyHash ? position - keyHash : position - keyHash + RING_POSITION_COUNT;
    if (distance < bestDistance || (distance === bestDistance && vnodeBefore(ring, i, bestIndex))) {
      bestIndex = i;
      bestDistance = distance;
    }
  }
  return bestIndex < 0 ? -1 : ring.owners[bestIndex]!;
}

function vnodeBefore(ring: Ring, a: number, b: number): boolean {
  const ownerA = ring.owners[a]!;
  const ownerB = ring.owners[b]!;
  return ownerA !== ownerB ? ownerA < ownerB : ring.vnodeOrdinals[a]! < ring.vnodeOrdinals[b]!;
}

/** Everything a well-formed ring promises; an empty list means it holds. For tests and checks. */
export function ringInvariantViolations(ring: Ring): string[] {
  const violations: string[] = [];
  const positionCount = ring.positions.length;
  if (ring.owners.length !== positionCount || ring.vnodeOrdinals.length !== positionCount) {
    violations.push('positions, owners and vnodeOrdinals differ in length');
  }
  if (ring.failed.length !== ring.serverIds.length) {
    violations.push('failed does not have one flag per server');
  }
  const vnodeCounts = new Uint32Array(ring.serverIds.length);
  for (let i = 0; i < positionCount; i++) {
    const owner = ring.owners[i]!;
    if (owner >= ring.serverIds.length) violations.push(`owner of position ${i} is out of range`);
    else vnodeCounts[owner]!++;
    if (i > 0 && !vnodeInOrder(ring, i - 1, i))
      violations.push(`positions ${i - 1} and ${i} are out of order`);
  }
  // preferenceList relies on this: a live server is always reachable within one lap.
  vnodeCounts.forEach((count, server) => {
    if (count === 0) violations.push(`server ${ring.serverIds[server]} has no vnode`);
  });
  return violations;
}

function vnodeInOrder(ring: Ring, earlier: number, later: number): boolean {
  const positionEarlier = ring.positions[earlier]!;
  const positionLater = ring.positions[later]!;
  if (positionEarlier !== positionLater) return positionEarlier < positionLater;
  return vnodeBefore(ring, earlier, later);
}
