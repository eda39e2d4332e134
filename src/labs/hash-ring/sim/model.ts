/**
 * The consistent-hashing lab model: servers and keys on a 32-bit hash ring, a seeded request
 * workload over time, and the bookkeeping that makes rebalancing visible (keys moved on the ring
 * against keys moved by `hash mod N`).
 *
 * State is plain data. Derived structures (the sorted ring, every key's hash and owner) are
 * memoised by content signature outside the state, so checkpoints stay small and a replay after
 * a seek reuses them.
 */

import { createZipf, sampleZipf, type ZipfTable } from '../../../kernel/distributions';
import { EVENT_LOG_CAPACITY } from '../../../kernel/limits';
import { createRng, nextFloat, type RngState } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import {
  formatHash,
  KEY_NAME_LENGTH_MAX,
  KEYS_BULK_MAX,
  KEYS_TOTAL_MAX,
  LOAD_BUCKET_MS,
  NAMED_KEYS_MAX,
  REPLICATION_FACTOR_MAX,
  REQUEST_FLIGHT_MS,
  REQUESTS_PER_SECOND_MAX,
  SERVERS_MAX,
  VNODES_PER_SERVER_MAX,
  VNODES_TOTAL_MAX,
  WEIGHT_MAX,
} from './constants';
import { type HashName, hashString } from './hash';
import {
  arcShares,
  assignModulo,
  assignOwners,
  buildRing,
  countMoved,
  lookupWalk,
  moduloOwner,
  preferenceList,
  type Ring,
  type RingServer,
} from './ring';

const RECENT_REQUESTS_MAX = 256;
const LOAD_BUCKETS_MAX = 120;

export type KeyPopularity = 'uniform' | 'zipf';

export interface HashRingConfig {
  servers: number;
  vnodesPerServer: number;
  hash: HashName;
  replicationFactor: number;
  keys: number;
  popularity: KeyPopularity;
  zipfExponent: number;
  requestsPerSecond: number;
}

export interface ServerState {
  id: string;
  weight: number;
  failed: boolean;
  requestCount: number;
}

export type HashRingCommand =
  | { type: 'addServer'; weight?: number }
  | { type: 'removeServer'; serverId: string }
  | { type: 'setFailed'; serverId: string; failed: boolean }
  | { type: 'setWeight'; serverId: string; weight: number }
  | { type: 'setVnodes'; vnodesPerServer: number }
  | { type: 'setHash'; hash: HashName }
  | { type: 'setReplicationFactor'; replicationFactor: number }
  | { type: 'addKey'; key: string }
  | { type: 'setBulkKeys'; count: number }
  | { type: 'clearKeys' }
  | { type: 'lookup'; key: string | null }
  | {
      type: 'setWorkload';
      popularity: KeyPopularity;
      zipfExponent: number;
      requestsPerSecond: number;
    };

/** What the last change to the ring did to key placement: consistent hashing against mod N. */
export interface ChangeSummary {
  atMs: number;
  description: string;
  keysTotal: number;
  movedOnRing: number;
  movedModulo: number;
  /** The share an ideal scheme moves (1/N after adding, 1/N before removing), or null. */
  idealFraction: number | null;
  serversBefore: number;
  serversAfter: number;
}

export interface RecentRequest {
  atMs: number;
  keyIndex: number;
  keyHash: number;
  ownerId: string;
}

export interface LoadBucket {
  startMs: number;
  counts: Record<string, number>;
}

export interface HashRingState {
  nowMs: number;
  seed: number;
  config: Omit<HashRingConfig, 'servers' | 'keys'>;
  servers: ServerState[];
  nextServerNumber: number;
  namedKeys: string[];
  bulkKeyCount: number;
  /** Content signature of the key set (see keysSignatureOf). */
  keysSignature: string;
  lookupKey: string | null;
  rng: RngState;
  nextRequestAtMsExact: number;
  requestsTotal: number;
  recentRequests: RecentRequest[];
  loadBuckets: LoadBucket[];
  lastChange: ChangeSummary | null;
  events: EventLog;
}

export function serverIdOf(serverNumber: number): string {
  return `S${serverNumber}`;
}

export function keyNameAt(state: Pick<HashRingState, 'namedKeys'>, index: number): string {
  const named = state.namedKeys[index];
  return named ?? `key-${index - state.namedKeys.length}`;
}

export function keysTotalOf(state: Pick<HashRingState, 'namedKeys' | 'bulkKeyCount'>): number {
  return state.namedKeys.length + state.bulkKeyCount;
}

function keysSignatureOf(namedKeys: readonly string[], bulkKeyCount: number): string {
  // Two independent 32-bit hashes over a length-prefixed encoding: no separator can alias two key
  // sets, and a chance collision needs both hashes to collide at once (about 1 in 2^64).
  let fnv = 0x811c9dc5;
  let mixed = 0x9747b28c;
  const take = (code: number) => {
    fnv = Math.imul(fnv ^ code, 0x01000193);
    mixed = Math.imul(mixed ^ code, 0x5bd1e995);
    mixed ^= mixed >>> 15;
  };
  for (const key of namedKeys) {
    take(key.length);
    for (let i = 0; i < key.length; i += 1) take(key.charCodeAt(i));
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `${namedKeys.length}:${hex(fnv)}${hex(mixed)}:${bulkKeyCount}`;
}

export function ringSignatureOf(state: HashRingState): string {
  const servers = state.servers.map((s) => `${s.id}*${s.weight}${s.failed ? 'x' : ''}`).join(',');
  return `${state.config.hash}|${state.config.vnodesPerServer}|${servers}`;
}

// ---------------------------------------------------------------------------------------------
// Memoised derived data. Pure functions of their signatures, so sharing them across states,
// checkpoints and replays cannot change a result.

const MEMO_CAPACITY = 6;

function memoise<V>(capacity: number): (key: string, make: () => V) => V {
  const entries = new Map<string, V>();
  return (key, make) => {
    const hit = entries.get(key);
    if (hit !== undefined) {
      entries.delete(key);
      entries.set(key, hit);
      return hit;
    }
    const value = make();
    entries.set(key, value);
    if (entries.size > capacity) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return value;
  };
}

const ringMemo = memoise<Ring>(MEMO_CAPACITY);
const keyHashesMemo = memoise<Uint32Array>(3);
const ownersMemo = memoise<{ owners: Int32Array; counts: Int32Array }>(MEMO_CAPACITY);
const zipfMemo = memoise<ZipfTable>(2);
const moduloMemo = memoise<ModuloAssignment>(4);
const arcSharesMemo = memoise<Float64Array>(MEMO_CAPACITY);

export function zipfTableOf(state: HashRingState, keysTotal: number): ZipfTable {
  return zipfMemo(`${keysTotal}|${state.config.zipfExponent}`, () =>
    createZipf(keysTotal, state.config.zipfExponent),
  );
}

export function ringOf(state: HashRingState): Ring {
  return ringMemo(ringSignatureOf(state), () =>
    buildRing(toRingServers(state.servers), state.config.vnodesPerServer, state.config.hash),
  );
}

function toRingServers(servers: readonly ServerState[]): RingServer[] {
  return servers.map((s) => ({ id: s.id, weight: s.weight, failed: s.failed }));
}

export function keyHashesOf(state: HashRingState): Uint32Array {
  return keyHashesMemo(`${state.config.hash}|${state.keysSignature}`, () => {
    const total = keysTotalOf(state);
    const hashes = new Uint32Array(total);
    for (let i = 0; i < total; i += 1)
      hashes[i] = hashString(state.config.hash, keyNameAt(state, i));
    return hashes;
  });
}

/** Every key's owner (a server index) and the key count per server. */
export function ownersOf(state: HashRingState): { owners: Int32Array; counts: Int32Array } {
  return ownersMemo(`${ringSignatureOf(state)}|${state.keysSignature}`, () => {
    const owners = assignOwners(ringOf(state), keyHashesOf(state));
    const counts = new Int32Array(state.servers.length);
    for (const owner of owners) if (owner >= 0) counts[owner] = (counts[owner] ?? 0) + 1;
    return { owners, counts };
  });
}

function liveServerIds(servers: readonly ServerState[]): string[] {
  return servers.filter((s) => !s.failed).map((s) => s.id);
}

/** Owners under `hash mod N` over the live servers (indexes into `liveIds`), and counts. */
export function moduloOwnersOf(state: HashRingState): ModuloAssignment {
  const liveIds = liveServerIds(state.servers);
  return moduloMemo(`${state.config.hash}|${state.keysSignature}|${liveIds.join(',')}`, () => {
    const owners = assignModulo(keyHashesOf(state), liveIds.length);
    const counts = new Array<number>(liveIds.length).fill(0);
    for (const owner of owners) if (owner >= 0) counts[owner] = (counts[owner] ?? 0) + 1;
    return { owners, liveIds, counts };
  });
}

export interface ModuloAssignment {
  owners: Int32Array;
  liveIds: string[];
  counts: number[];
}

/** The fraction of the ring each server answers for (failed servers' arcs pass clockwise). */
export function arcSharesOf(state: HashRingState): Float64Array {
  return arcSharesMemo(ringSignatureOf(state), () => arcShares(ringOf(state)));
}

// ---------------------------------------------------------------------------------------------
// Creation and commands.

export function createHashRingState(config: HashRingConfig, seed: number): HashRingState {
  const state: HashRingState = {
    nowMs: 0,
    seed,
    config: {
      vnodesPerServer: config.vnodesPerServer,
      hash: config.hash,
      replicationFactor: config.replicationFactor,
      popularity: config.popularity,
      zipfExponent: config.zipfExponent,
      requestsPerSecond: config.requestsPerSecond,
    },
    servers: [],
    nextServerNumber: 1,
    namedKeys: [],
    bulkKeyCount: config.keys,
    keysSignature: keysSignatureOf([], config.keys),
    lookupKey: null,
    rng: createRng(seed, 1),
    nextRequestAtMsExact: 0,
    requestsTotal: 0,
    recentRequests: [],
    loadBuckets: [],
    lastChange: null,
    events: createEventLog(EVENT_LOG_CAPACITY),
  };
  for (let i = 0; i < config.servers; i += 1) {
    state.servers.push(newServer(state, 1));
  }
  state.nextRequestAtMsExact = nextArrivalGapMs(state);
  log(
    state,
    'start',
    `${config.servers} servers × ${config.vnodesPerServer} virtual nodes, ${config.keys.toLocaleString('en-US')} keys, ${config.hash}.`,
  );
  return state;
}

function newServer(state: HashRingState, weight: number): ServerState {
  const server = { id: serverIdOf(state.nextServerNumber), weight, failed: false, requestCount: 0 };
  state.nextServerNumber += 1;
  return server;
}

function log(state: HashRingState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function refuse(state: HashRingState, text: string): void {
  log(state, 'refused', text, true);
}

function totalVnodes(servers: readonly ServerState[], vnodesPerServer: number): number {
  let total = 0;
  for (const server of servers) total += server.weight * vnodesPerServer;
  return total;
}

export function applyHashRingCommand(state: HashRingState, command: HashRingCommand): void {
  switch (command.type) {
    case 'addServer':
      addServer(state, command.weight ?? 1);
      return;
    case 'removeServer':
      removeServer(state, command.serverId);
      return;
    case 'setFailed':
      setFailed(state, command.serverId, command.failed);
      return;
    case 'setWeight':
      setWeight(state, command.serverId, command.weight);
      return;
    case 'setVnodes':
      setVnodes(state, command.vnodesPerServer);
      return;
    case 'setHash':
      changeRing(state, `Hash function → ${command.hash}`, null, () => {
        state.config.hash = command.hash;
      });
      return;
    case 'setReplicationFactor':
      state.config.replicationFactor = clampInt(
        command.replicationFactor,
        1,
        REPLICATION_FACTOR_MAX,
      );
      log(state, 'config', `Replication factor ${state.config.replicationFactor}.`);
      return;
    case 'addKey':
      addKey(state, command.key);
      return;
    case 'setBulkKeys':
      setBulkKeys(state, command.count);
      return;
    case 'clearKeys':
      state.namedKeys = [];
      state.bulkKeyCount = 0;
      state.keysSignature = keysSignatureOf([], 0);
      state.lookupKey = null;
      log(state, 'keys', 'All keys removed.');
      return;
    case 'lookup':
      lookupKey(state, command.key);
      return;
    case 'setWorkload':
      state.config.popularity = command.popularity;
      state.config.zipfExponent = clampNumber(command.zipfExponent, 0, 3);
      state.config.requestsPerSecond = clampInt(
        command.requestsPerSecond,
        0,
        REQUESTS_PER_SECOND_MAX,
      );
      state.nextRequestAtMsExact = state.nowMs + nextArrivalGapMs(state);
      log(
        state,
        'config',
        `Workload: ${state.config.requestsPerSecond} requests/s, ${
          state.config.popularity === 'zipf'
            ? `Zipf s = ${state.config.zipfExponent}`
            : 'uniform keys'
        }.`,
      );
      return;
    default: {
      const unknown: never = command;
      refuse(state, `Unknown command ${JSON.stringify(unknown)}.`);
    }
  }
}

function addServer(state: HashRingState, weight: number): void {
  if (state.servers.length >= SERVERS_MAX) {
    refuse(state, `The ring holds at most ${SERVERS_MAX} servers.`);
    return;
  }
  const safeWeight = clampInt(weight, 1, WEIGHT_MAX);
  const vnodes = totalVnodes(state.servers, state.config.vnodesPerServer);
  if (vnodes + safeWeight * state.config.vnodesPerServer > VNODES_TOTAL_MAX) {
    refuse(state, `At most ${VNODES_TOTAL_MAX.toLocaleString('en-US')} virtual nodes in all.`);
    return;
  }
  const liveBefore = liveServerIds(state.servers).length;
  const server = newServer(state, safeWeight);
  changeRing(state, `Added ${server.id}`, 1 / (liveBefore + 1), () => {
    state.servers.push(server);
  });
}

function removeServer(state: HashRingState, serverId: string): void {
  const index = state.servers.findIndex((s) => s.id === serverId);
  if (index < 0) {
    refuse(state, `There is no server ${serverId}.`);
    return;
  }
  const server = state.servers[index]!;
  const liveBefore = liveServerIds(state.servers).length;
  changeRing(state, `Removed ${serverId}`, server.failed ? null : 1 / liveBefore, () => {
    state.servers.splice(index, 1);
  });
}

function setFailed(state: HashRingState, serverId: string, failed: boolean): void {
  const server = state.servers.find((s) => s.id === serverId);
  if (!server) {
    refuse(state, `There is no server ${serverId}.`);
    return;
  }
  if (server.failed === failed) return;
  const liveBefore = liveServerIds(state.servers).length;
  const ideal = failed ? 1 / liveBefore : 1 / (liveBefore + 1);
  changeRing(state, failed ? `${serverId} failed` : `${serverId} recovered`, ideal, () => {
    server.failed = failed;
  });
}

function setWeight(state: HashRingState, serverId: string, weight: number): void {
  const server = state.servers.find((s) => s.id === serverId);
  if (!server) {
    refuse(state, `There is no server ${serverId}.`);
    return;
  }
  const safeWeight = clampInt(weight, 1, WEIGHT_MAX);
  if (safeWeight === server.weight) return;
  const others =
    totalVnodes(state.servers, state.config.vnodesPerServer) -
    server.weight * state.config.vnodesPerServer;
  if (others + safeWeight * state.config.vnodesPerServer > VNODES_TOTAL_MAX) {
    refuse(state, `At most ${VNODES_TOTAL_MAX.toLocaleString('en-US')} virtual nodes in all.`);
    return;
  }
  changeRing(state, `${serverId} weight ${server.weight} → ${safeWeight}`, null, () => {
    server.weight = safeWeight;
  });
}

function setVnodes(state: HashRingState, vnodesPerServer: number): void {
  const safe = clampInt(vnodesPerServer, 1, VNODES_PER_SERVER_MAX);
  if (safe === state.config.vnodesPerServer) return;
  const weights = state.servers.reduce((sum, s) => sum + s.weight, 0);
  if (weights * safe > VNODES_TOTAL_MAX) {
    refuse(state, `At most ${VNODES_TOTAL_MAX.toLocaleString('en-US')} virtual nodes in all.`);
    return;
  }
  changeRing(
    state,
    `Virtual nodes ${state.config.vnodesPerServer} → ${safe} per server`,
    null,
    () => {
      state.config.vnodesPerServer = safe;
    },
  );
}

/**
 * Applies a change to the ring and records what it did to key placement, on the ring and under
 * `hash mod N`, so the learner can compare the two on every change.
 */
function changeRing(
  state: HashRingState,
  description: string,
  idealFraction: number | null,
  mutate: () => void,
): void {
  const idsBefore = state.servers.map((s) => s.id);
  const ownersBefore = ownersOf(state).owners;
  const moduloBefore = moduloOwnersOf(state);
  const serversBefore = moduloBefore.liveIds.length;
  mutate();
  const idsAfter = state.servers.map((s) => s.id);
  const ownersAfter = ownersOf(state).owners;
  const moduloAfter = moduloOwnersOf(state);
  const keysTotal = ownersAfter.length;
  const movedOnRing = countMoved(ownersBefore, idsBefore, ownersAfter, idsAfter);
  const movedModulo = countMoved(
    moduloBefore.owners,
    moduloBefore.liveIds,
    moduloAfter.owners,
    moduloAfter.liveIds,
  );
  state.lastChange = {
    atMs: state.nowMs,
    description,
    keysTotal,
    movedOnRing,
    movedModulo,
    idealFraction,
    serversBefore,
    serversAfter: moduloAfter.liveIds.length,
  };
  log(state, 'rebalance', describeChange(state.lastChange), true);
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function describeChange(change: ChangeSummary): string {
  const of = (n: number) =>
    change.keysTotal === 0
      ? '0 keys'
      : `${n.toLocaleString('en-US')} keys (${formatPercent(n / change.keysTotal)})`;
  const ideal =
    change.idealFraction === null ? '' : ` Ideal: ${formatPercent(change.idealFraction)}.`;
  return `${change.description}: ring moved ${of(change.movedOnRing)}; hash mod N moved ${of(change.movedModulo)}.${ideal}`;
}

function addKey(state: HashRingState, rawKey: string): void {
  const key = rawKey.trim();
  if (key.length === 0) {
    refuse(state, 'A key needs at least one character.');
    return;
  }
  if (key.length > KEY_NAME_LENGTH_MAX) {
    refuse(state, `Keys are at most ${KEY_NAME_LENGTH_MAX} characters.`);
    return;
  }
  if (state.namedKeys.length >= NAMED_KEYS_MAX) {
    refuse(state, `At most ${NAMED_KEYS_MAX.toLocaleString('en-US')} named keys.`);
    return;
  }
  if (keysTotalOf(state) >= KEYS_TOTAL_MAX) {
    refuse(state, `At most ${KEYS_TOTAL_MAX.toLocaleString('en-US')} keys in all.`);
    return;
  }
  if (state.namedKeys.includes(key) || isGeneratedKeyName(key, state.bulkKeyCount)) {
    refuse(state, `Key "${key}" is already on the ring.`);
    return;
  }
  state.namedKeys = [...state.namedKeys, key];
  state.keysSignature = keysSignatureOf(state.namedKeys, state.bulkKeyCount);
  state.lookupKey = key;
  log(state, 'keys', `Added key "${key}".`);
  describeLookup(state, key);
}

function isGeneratedKeyName(key: string, bulkKeyCount: number): boolean {
  const match = /^key-(\d+)$/.exec(key);
  return match !== null && Number(match[1]) < bulkKeyCount && String(Number(match[1])) === match[1];
}

function setBulkKeys(state: HashRingState, count: number): void {
  const room = Math.min(KEYS_BULK_MAX, KEYS_TOTAL_MAX - state.namedKeys.length);
  if (count > room) {
    refuse(
      state,
      `At most ${KEYS_TOTAL_MAX.toLocaleString('en-US')} keys in all: ${room.toLocaleString('en-US')} generated keys fit beside the named ones.`,
    );
  }
  const safe = clampInt(count, 0, room);
  state.bulkKeyCount = safe;
  state.keysSignature = keysSignatureOf(state.namedKeys, safe);
  log(
    state,
    'keys',
    `${safe.toLocaleString('en-US')} generated keys (key-0 … key-${Math.max(0, safe - 1)}).`,
  );
}

function lookupKey(state: HashRingState, key: string | null): void {
  const trimmed = key?.trim() ?? '';
  state.lookupKey = trimmed.length > 0 ? trimmed.slice(0, KEY_NAME_LENGTH_MAX) : null;
  if (state.lookupKey) describeLookup(state, state.lookupKey);
}

function describeLookup(state: HashRingState, key: string): void {
  const lookup = lookupOf(state, key);
  if (!lookup) return;
  const owner = lookup.preferenceIds[0] ?? 'no live server';
  const replicas = lookup.preferenceIds.slice(1);
  log(
    state,
    'lookup',
    `"${key}" hashes to ${formatHash(lookup.keyHash)} → ${owner}${
      replicas.length > 0 ? ` (replicas ${replicas.join(', ')})` : ''
    }; hash mod ${lookup.moduloCount} → ${lookup.moduloOwnerId ?? '—'}.`,
    true,
  );
}

export interface LookupResult {
  key: string;
  keyHash: number;
  /** Ring position indexes walked clockwise from the key to its owner. */
  walk: number[];
  preferenceIds: string[];
  moduloOwnerId: string | null;
  moduloCount: number;
}

export function lookupOf(state: HashRingState, key: string): LookupResult | null {
  return lookupFromRing(state, ringOf(state), key);
}

function lookupFromRing(state: HashRingState, ring: Ring, key: string): LookupResult | null {
  const keyHash = hashString(state.config.hash, key);
  const walk = ring.positions.length > 0 ? lookupWalk(ring, keyHash).visitedIndexes : [];
  const preference = preferenceList(ring, keyHash, state.config.replicationFactor);
  const liveIds = liveServerIds(state.servers);
  const moduloIndex = liveIds.length > 0 ? moduloOwner(keyHash, liveIds.length) : -1;
  return {
    key,
    keyHash,
    walk,
    preferenceIds: preference.map((index) => state.servers[index]!.id),
    moduloOwnerId: liveIds[moduloIndex] ?? null,
    moduloCount: liveIds.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Time: a Poisson stream of requests for keys, picked uniformly or by Zipf popularity.

function nextArrivalGapMs(state: HashRingState): number {
  const rate = state.config.requestsPerSecond;
  if (rate <= 0) return Number.POSITIVE_INFINITY;
  const u = nextFloat(state.rng);
  return (-Math.log(1 - u) * 1000) / rate;
}

function pickKeyIndex(state: HashRingState, keysTotal: number): number {
  if (state.config.popularity === 'zipf') {
    return sampleZipf(zipfTableOf(state, keysTotal), state.rng);
  }
  return Math.min(keysTotal - 1, Math.floor(nextFloat(state.rng) * keysTotal));
}

export function advanceHashRing(state: HashRingState, atMs: number): void {
  const keysTotal = keysTotalOf(state);
  // The ring and keys do not change while time passes, so their derived arrays are fetched once.
  const served =
    keysTotal > 0 && state.servers.length > 0 && state.nextRequestAtMsExact <= atMs
      ? { owners: ownersOf(state).owners, keyHashes: keyHashesOf(state) }
      : null;
  while (state.nextRequestAtMsExact <= atMs) {
    const requestAtMs = Math.floor(state.nextRequestAtMsExact);
    state.nowMs = Math.max(state.nowMs, requestAtMs);
    if (served) serveRequest(state, requestAtMs, keysTotal, served.owners, served.keyHashes);
    state.nextRequestAtMsExact += nextArrivalGapMs(state);
  }
  state.nowMs = atMs;
  const horizon = atMs - REQUEST_FLIGHT_MS;
  let stale = 0;
  while (stale < state.recentRequests.length && state.recentRequests[stale]!.atMs < horizon)
    stale += 1;
  if (stale > 0) state.recentRequests.splice(0, stale);
}

function serveRequest(
  state: HashRingState,
  atMs: number,
  keysTotal: number,
  owners: Int32Array,
  keyHashes: Uint32Array,
): void {
  const keyIndex = pickKeyIndex(state, keysTotal);
  const owner = owners[keyIndex] ?? -1;
  state.requestsTotal += 1;
  if (owner < 0) return;
  const server = state.servers[owner]!;
  server.requestCount += 1;
  const keyHash = keyHashes[keyIndex] ?? 0;
  state.recentRequests.push({ atMs, keyIndex, keyHash, ownerId: server.id });
  if (state.recentRequests.length > RECENT_REQUESTS_MAX) state.recentRequests.shift();
  const bucketStart = atMs - (atMs % LOAD_BUCKET_MS);
  let bucket = state.loadBuckets.at(-1);
  if (!bucket || bucket.startMs !== bucketStart) {
    bucket = { startMs: bucketStart, counts: {} };
    state.loadBuckets.push(bucket);
    if (state.loadBuckets.length > LOAD_BUCKETS_MAX) state.loadBuckets.shift();
  }
  bucket.counts[server.id] = (bucket.counts[server.id] ?? 0) + 1;
}

export function nextRequestAtMs(state: HashRingState): number | null {
  return Number.isFinite(state.nextRequestAtMsExact) ? Math.ceil(state.nextRequestAtMsExact) : null;
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function clampNumber(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}
