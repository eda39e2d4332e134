/**
 * The caching lab model: an app reading and writing keys through a cache in front of a slower
 * database, on a virtual clock.
 *
 * - Requests arrive as a Poisson stream; each reads or writes a key drawn from the workload.
 * - The cache is one of the eviction policies of policies.ts; entries carry a version, the time
 *   the value was read from the database (TTL counts from then, like HTTP's Age) and a dirty flag.
 * - A read miss sends a query to the database, which answers `dbLatencyMs` later; meanwhile more
 *   misses for the same key either send their own query (a stampede) or wait for the first one
 *   (single flight). XFetch's probabilistic early refresh renews a hot entry before it expires.
 * - Writes follow the write policy: invalidate, write-through, write-around (all commit in the
 *   database first) or write-back (commit in the cache, flushed later; a crash loses them).
 * - A read is stale when it returns a version older than the newest committed one; the stale
 *   window is how long ago that newer version was committed.
 * - Optional compare lanes run other policies over exactly the same key stream.
 *
 * Cache operations take no virtual time here (their latency is added to response times); the
 * database is where time passes, which is what makes stampedes and stale races happen.
 */
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  scheduleEvent,
} from '../../../kernel/event-queue';
import { EVENT_LOG_CAPACITY } from '../../../kernel/limits';
import { createRng, nextFloat, nextInt, type RngState } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import {
  ACTIVE_EXPIRY_INTERVAL_MS,
  ACTIVE_EXPIRY_ROUNDS_MAX,
  ACTIVE_EXPIRY_SAMPLE,
  DB_IN_FLIGHT_MAX,
  KEY_TTL_OVERRIDES_MAX,
  type PolicyName,
  parsePolicyList,
  policyLabel,
  RECENT_EVICTIONS_MAX,
  RECENT_REQUESTS_MAX,
  REQUEST_FLASH_MS,
  type ReadStrategy,
  SERIES_BUCKET_MS,
  SERIES_BUCKETS_MAX,
  STAMPEDE_THRESHOLD,
  type WorkloadKind,
  type WritePolicy,
} from './constants';
import {
  accessKey,
  clearCache,
  createPolicyCache,
  type EvictReason,
  insertKey,
  NONE,
  type PolicyCache,
  removeKey,
  touchKey,
} from './policies';
import { createWorkload, nextIsWrite, nextKey, type WorkloadState } from './workload';

export type OnOff = 'on' | 'off';

export interface CacheConfig {
  policy: PolicyName;
  capacity: number;
  keys: number;
  workload: WorkloadKind;
  zipfS: number;
  writePercent: number;
  requestsPerSecond: number;
  cacheLatencyMs: number;
  dbLatencyMs: number;
  /** 0 = entries never expire. */
  ttlMs: number;
  ttlJitterPercent: number;
  activeExpiry: OnOff;
  readStrategy: ReadStrategy;
  writePolicy: WritePolicy;
  flushIntervalMs: number;
  singleFlight: OnOff;
  /** XFetch's β; 0 turns probabilistic early refresh off. */
  earlyRefreshBeta: number;
  /** Compare lanes, e.g. "lru,lfu,arc"; empty for none. */
  compare: string;
}

export type CacheCommand =
  | { type: 'set'; settings: Partial<CacheConfig> }
  | { type: 'expireKey'; key: number }
  | { type: 'setKeyTtl'; key: number; ttlMs: number | null }
  | { type: 'crash' }
  | { type: 'readBurst'; key: number; count: number };

export interface Entry {
  key: number;
  slot: number;
  version: number;
  /** When the value was read from the database (or written, for write-through and write-back). */
  readAtMs: number;
  /** -1 = never. */
  expiresAtMs: number;
  insertedAtMs: number;
  lastAccessMs: number;
  hits: number;
  dirty: boolean;
  /** When a newer version than this entry's was committed; -1 while it is the newest. */
  staleSinceMs: number;
}

export interface Fetch {
  id: number;
  key: number;
  kind: 'miss' | 'refresh';
  startedAtMs: number;
  doneAtMs: number;
  readVersion: number;
  /** When a newer version was committed while this query was in flight; -1 if none. */
  supersededAtMs: number;
  waiters: number;
  /** Whether single flight was on when the query was sent. */
  singleFlight: boolean;
}

export interface MissBurst {
  key: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Database queries sent for the key while the burst lasted. */
  queries: number;
  /** Requests that waited on a query already in flight (single flight). */
  waiters: number;
}

export interface Counters {
  requests: number;
  reads: number;
  writes: number;
  hits: number;
  misses: number;
  coalesced: number;
  staleReads: number;
  maxStaleWindowMs: number;
  dbReads: number;
  dbWrites: number;
  dbRefused: number;
  fills: number;
  evictions: number;
  expiredLazy: number;
  expiredActive: number;
  expiredForced: number;
  invalidations: number;
  earlyRefreshes: number;
  flushedEntries: number;
  writeBacksOnEvict: number;
  crashes: number;
  lostDirtyEntries: number;
  lostWrites: number;
  latencySumMs: number;
  latencyCount: number;
}

export interface SeriesBucket {
  startMs: number;
  hits: number;
  misses: number;
  dbQueries: number;
  staleReads: number;
  dbInFlightPeak: number;
  laneHits: number[];
  laneRequests: number;
}

export interface RecentRequest {
  atMs: number;
  key: number;
  outcome: 'hit' | 'stale' | 'miss' | 'coalesced' | 'write';
  /** For hits: when the served value was read from the database (its age is atMs − this). */
  servedReadAtMs: number;
}

export interface EvictionNote {
  atMs: number;
  key: number;
  text: string;
}

export interface Lane {
  policy: PolicyName;
  cache: PolicyCache;
  hits: number;
  misses: number;
  evictions: number;
  sinceMs: number;
}

type CacheEvent =
  | { type: 'fetchDone'; fetchId: number }
  | { type: 'writeDone'; key: number; policy: WritePolicy }
  | { type: 'expirySweep'; generation: number }
  | { type: 'flush'; generation: number };

export interface CacheState {
  nowMs: number;
  seed: number;
  settings: CacheConfig;
  cache: PolicyCache;
  entries: Record<number, Entry>;
  /** Key in each slot, or -1. Slots give the stage stable places for entries. */
  slots: number[];
  freeSlots: number[];
  workload: WorkloadState;
  arrivalRng: RngState;
  expiryRng: RngState;
  nextArrivalMsExact: number;
  queue: EventQueue<CacheEvent>;
  /** The version the database holds, per key. */
  dbVersion: number[];
  /** The newest committed version per key (ahead of the database only under write-back). */
  latestVersion: number[];
  fetches: Record<number, Fetch>;
  fetchIdsByKey: Record<number, number[]>;
  nextFetchId: number;
  bursts: Record<number, MissBurst>;
  recentBursts: MissBurst[];
  dbInFlight: number;
  dbInFlightPeak: number;
  keyTtlMs: Record<number, number>;
  expiryGeneration: number;
  flushGeneration: number;
  counters: Counters;
  series: SeriesBucket[];
  recentRequests: RecentRequest[];
  recentEvictions: EvictionNote[];
  lanes: Lane[];
  events: EventLog;
  narration: { stampede: NarrationThrottle; burst: NarrationThrottle };
}

export const BURSTS_KEPT = 16;
/** Stampedes and miss bursts are told at most once a virtual second each (with a count of the rest). */
export const NARRATION_INTERVAL_MS = 1_000;
export const NARRATION_IMPORTANT_EVERY = 10;

export interface NarrationThrottle {
  /** When one was last told, or −1. */
  lastMs: number;
  /** How many happened since without being told. */
  skipped: number;
  /** How many were told. */
  told: number;
}

function newCounters(): Counters {
  return {
    requests: 0,
    reads: 0,
    writes: 0,
    hits: 0,
    misses: 0,
    coalesced: 0,
    staleReads: 0,
    maxStaleWindowMs: 0,
    dbReads: 0,
    dbWrites: 0,
    dbRefused: 0,
    fills: 0,
    evictions: 0,
    expiredLazy: 0,
    expiredActive: 0,
    expiredForced: 0,
    invalidations: 0,
    earlyRefreshes: 0,
    flushedEntries: 0,
    writeBacksOnEvict: 0,
    crashes: 0,
    lostDirtyEntries: 0,
    lostWrites: 0,
    latencySumMs: 0,
    latencyCount: 0,
  };
}

export function compareList(settings: CacheConfig): PolicyName[] {
  return parsePolicyList(settings.compare) ?? [];
}

function newLanes(state: CacheState): Lane[] {
  return compareList(state.settings).map((policy, index) => ({
    policy,
    cache: createPolicyCache(
      policy,
      state.settings.capacity,
      state.settings.keys,
      state.seed + index,
    ),
    hits: 0,
    misses: 0,
    evictions: 0,
    sinceMs: state.nowMs,
  }));
}

export function createCacheState(config: CacheConfig, seed: number): CacheState {
  const settings = { ...config };
  const state: CacheState = {
    nowMs: 0,
    seed,
    settings,
    cache: createPolicyCache(settings.policy, settings.capacity, settings.keys, seed),
    entries: {},
    slots: new Array<number>(settings.capacity).fill(NONE),
    freeSlots: freeSlotStack(settings.capacity),
    workload: createWorkload(
      settings.workload,
      settings.keys,
      settings.zipfS,
      settings.writePercent / 100,
      seed,
      10,
    ),
    arrivalRng: createRng(seed, 20),
    expiryRng: createRng(seed, 30),
    nextArrivalMsExact: 0,
    queue: createEventQueue<CacheEvent>(),
    dbVersion: new Array<number>(settings.keys).fill(0),
    latestVersion: new Array<number>(settings.keys).fill(0),
    fetches: {},
    fetchIdsByKey: {},
    nextFetchId: 1,
    bursts: {},
    recentBursts: [],
    dbInFlight: 0,
    dbInFlightPeak: 0,
    keyTtlMs: {},
    expiryGeneration: 0,
    flushGeneration: 0,
    counters: newCounters(),
    series: [],
    recentRequests: [],
    recentEvictions: [],
    lanes: [],
    events: createEventLog(EVENT_LOG_CAPACITY),
    narration: {
      stampede: { lastMs: -1, skipped: 0, told: 0 },
      burst: { lastMs: -1, skipped: 0, told: 0 },
    },
  };
  state.lanes = newLanes(state);
  state.nextArrivalMsExact = arrivalGapMs(state);
  scheduleExpirySweep(state);
  scheduleFlush(state);
  log(
    state,
    'start',
    `${policyLabel(settings.policy)} cache of ${settings.capacity} slots over ${settings.keys.toLocaleString('en-US')} keys; ${settings.requestsPerSecond} requests/s, ${settings.writePercent}% writes; database ${settings.dbLatencyMs} ms.`,
  );
  return state;
}

function freeSlotStack(capacity: number): number[] {
  const stack: number[] = [];
  for (let slot = capacity - 1; slot >= 0; slot -= 1) stack.push(slot);
  return stack;
}

function log(state: CacheState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

/**
 * Narrates a recurring kind of event at most once per NARRATION_INTERVAL_MS of virtual time,
 * saying how many more happened meanwhile; under heavy load a stampede a millisecond would
 * otherwise flood the log, the timeline and the screen reader. Only one in
 * NARRATION_IMPORTANT_EVERY is spoken (important).
 */
function narrateThrottled(
  state: CacheState,
  throttle: NarrationThrottle,
  kind: string,
  text: string,
  noun: string,
): void {
  if (throttle.lastMs >= 0 && state.nowMs - throttle.lastMs < NARRATION_INTERVAL_MS) {
    throttle.skipped += 1;
    return;
  }
  const skipped = throttle.skipped;
  const more =
    skipped > 0
      ? ` (${skipped.toLocaleString('en-US')} more ${noun}${skipped === 1 ? '' : 's'} since the last one told here)`
      : '';
  log(state, kind, `${text}${more}`, throttle.told % NARRATION_IMPORTANT_EVERY === 0);
  throttle.lastMs = state.nowMs;
  throttle.skipped = 0;
  throttle.told += 1;
}

// ---------------------------------------------------------------------------------------------
// Time.

function arrivalGapMs(state: CacheState): number {
  const rate = state.settings.requestsPerSecond;
  if (rate <= 0) return Number.POSITIVE_INFINITY;
  return (-Math.log(1 - nextFloat(state.arrivalRng)) * 1000) / rate;
}

export function nextEventAtMs(state: CacheState): number | null {
  const queued = peekNextAtMs(state.queue);
  const arrival = Number.isFinite(state.nextArrivalMsExact)
    ? Math.ceil(state.nextArrivalMsExact)
    : null;
  if (queued === null) return arrival;
  if (arrival === null) return queued;
  return Math.min(queued, arrival);
}

export function advanceCache(state: CacheState, atMs: number): void {
  for (;;) {
    const queued = peekNextAtMs(state.queue);
    const arrival = state.nextArrivalMsExact;
    const arrivalMs = Math.floor(arrival);
    const arrivalDue = arrival <= atMs;
    const queuedDue = queued !== null && queued <= atMs;
    if (!arrivalDue && !queuedDue) break;
    if (queuedDue && (!arrivalDue || queued <= arrivalMs)) {
      const next = popNextDue(state.queue, atMs)!;
      state.nowMs = Math.max(state.nowMs, next.atMs);
      handleEvent(state, next.event);
    } else {
      state.nowMs = Math.max(state.nowMs, arrivalMs);
      serveRequest(state);
      state.nextArrivalMsExact += arrivalGapMs(state);
    }
  }
  state.nowMs = atMs;
  trimRecent(state);
}

function trimRecent(state: CacheState): void {
  const horizon = state.nowMs - REQUEST_FLASH_MS;
  let drop = 0;
  while (drop < state.recentRequests.length && state.recentRequests[drop]!.atMs < horizon)
    drop += 1;
  if (drop > 0) state.recentRequests.splice(0, drop);
}

function handleEvent(state: CacheState, event: CacheEvent): void {
  switch (event.type) {
    case 'fetchDone':
      completeFetch(state, event.fetchId);
      return;
    case 'writeDone':
      commitWrite(state, event.key, event.policy);
      return;
    case 'expirySweep':
      if (event.generation !== state.expiryGeneration) return;
      sweepExpired(state);
      scheduleExpirySweep(state);
      return;
    case 'flush':
      if (event.generation !== state.flushGeneration) return;
      flushDirty(state);
      scheduleFlush(state);
      return;
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

function bucketNow(state: CacheState): SeriesBucket {
  const startMs = state.nowMs - (state.nowMs % SERIES_BUCKET_MS);
  let bucket = state.series.at(-1);
  if (!bucket || bucket.startMs !== startMs) {
    bucket = {
      startMs,
      hits: 0,
      misses: 0,
      dbQueries: 0,
      staleReads: 0,
      dbInFlightPeak: state.dbInFlight,
      laneHits: state.lanes.map(() => 0),
      laneRequests: 0,
    };
    state.series.push(bucket);
    if (state.series.length > SERIES_BUCKETS_MAX) state.series.shift();
  }
  return bucket;
}

function noteRequest(
  state: CacheState,
  key: number,
  outcome: RecentRequest['outcome'],
  servedReadAtMs = -1,
): void {
  state.recentRequests.push({ atMs: state.nowMs, key, outcome, servedReadAtMs });
  if (state.recentRequests.length > RECENT_REQUESTS_MAX) state.recentRequests.shift();
}

// ---------------------------------------------------------------------------------------------
// Requests.

function serveRequest(state: CacheState): void {
  const key = nextKey(state.workload);
  const write = nextIsWrite(state.workload);
  state.counters.requests += 1;
  feedLanes(state, key);
  if (write) writeKey(state, key);
  else readKey(state, key);
}

/** Compare lanes see every request as one reference to its key: eviction alone, no TTL. */
function feedLanes(state: CacheState, key: number): void {
  if (state.lanes.length === 0) return;
  const bucket = bucketNow(state);
  bucket.laneRequests += 1;
  state.lanes.forEach((lane, index) => {
    if (accessKey(lane.cache, key)) {
      lane.hits += 1;
      bucket.laneHits[index] = (bucket.laneHits[index] ?? 0) + 1;
    } else {
      lane.misses += 1;
      if (lane.cache.lastVictim !== NONE) lane.evictions += 1;
    }
  });
}

/** The entry for a key if it may be served: an expired one is dropped here (lazy expiry). */
function liveEntry(state: CacheState, key: number): Entry | null {
  const entry = state.entries[key];
  if (!entry) return null;
  if (entry.expiresAtMs >= 0 && state.nowMs >= entry.expiresAtMs) {
    dropEntry(state, key, 'lazy');
    return null;
  }
  return entry;
}

function addLatency(state: CacheState, ms: number): void {
  state.counters.latencySumMs += ms;
  state.counters.latencyCount += 1;
}

export function readKey(state: CacheState, key: number): void {
  const { settings, counters } = state;
  counters.reads += 1;
  const entry = liveEntry(state, key);
  const bucket = bucketNow(state);
  if (entry) {
    touchKey(state.cache, key);
    entry.hits += 1;
    entry.lastAccessMs = state.nowMs;
    counters.hits += 1;
    bucket.hits += 1;
    addLatency(state, settings.cacheLatencyMs);
    const stale = entry.version < state.latestVersion[key]!;
    if (stale) {
      counters.staleReads += 1;
      bucket.staleReads += 1;
      const windowMs = state.nowMs - entry.staleSinceMs;
      if (windowMs > counters.maxStaleWindowMs) counters.maxStaleWindowMs = windowMs;
    }
    noteRequest(state, key, stale ? 'stale' : 'hit', entry.readAtMs);
    maybeRefreshEarly(state, entry);
    return;
  }
  counters.misses += 1;
  bucket.misses += 1;
  const inFlight = state.fetchIdsByKey[key];
  if (settings.singleFlight === 'on' && inFlight && inFlight.length > 0) {
    const fetch = state.fetches[inFlight[0]!]!;
    fetch.waiters += 1;
    counters.coalesced += 1;
    const burst = state.bursts[key];
    if (burst) burst.waiters += 1;
    addLatency(state, fetch.doneAtMs - state.nowMs + settings.cacheLatencyMs);
    noteRequest(state, key, 'coalesced');
    return;
  }
  const fetch = startFetch(state, key, 'miss');
  const fillMs = settings.readStrategy === 'cache-aside' ? settings.cacheLatencyMs : 0;
  if (fetch) addLatency(state, settings.cacheLatencyMs + settings.dbLatencyMs + fillMs);
  noteRequest(state, key, 'miss');
}

/**
 * XFetch (Vattani, Chierichetti & Lowenstein, VLDB 2015): refresh now if
 * now − Δ·β·ln(u) ≥ expiry, with Δ the time a refresh takes and u uniform in (0, 1]. The closer
 * the expiry, the likelier one request renews the entry, so it never expires under load.
 */
function maybeRefreshEarly(state: CacheState, entry: Entry): void {
  const beta = state.settings.earlyRefreshBeta;
  if (beta <= 0 || entry.expiresAtMs < 0 || entry.dirty) return;
  if ((state.fetchIdsByKey[entry.key]?.length ?? 0) > 0) return;
  const u = 1 - nextFloat(state.expiryRng);
  const gapMs = -state.settings.dbLatencyMs * beta * Math.log(u);
  if (state.nowMs + gapMs >= entry.expiresAtMs) {
    if (startFetch(state, entry.key, 'refresh')) state.counters.earlyRefreshes += 1;
  }
}

function startFetch(state: CacheState, key: number, kind: Fetch['kind']): Fetch | null {
  if (state.dbInFlight >= DB_IN_FLIGHT_MAX) {
    state.counters.dbRefused += 1;
    if (state.counters.dbRefused === 1 || state.counters.dbRefused % 1000 === 0) {
      log(
        state,
        'refused',
        `The database refused a query: ${DB_IN_FLIGHT_MAX.toLocaleString('en-US')} already in flight (${state.counters.dbRefused} refused so far).`,
        true,
      );
    }
    return null;
  }
  const fetch: Fetch = {
    id: state.nextFetchId,
    key,
    kind,
    startedAtMs: state.nowMs,
    doneAtMs: state.nowMs + state.settings.dbLatencyMs,
    readVersion: state.dbVersion[key]!,
    supersededAtMs: -1,
    waiters: 0,
    singleFlight: state.settings.singleFlight === 'on',
  };
  state.nextFetchId += 1;
  state.fetches[fetch.id] = fetch;
  const ids = state.fetchIdsByKey[key] ?? [];
  ids.push(fetch.id);
  state.fetchIdsByKey[key] = ids;
  noteDbQuery(state);
  state.counters.dbReads += 1;
  let burst = state.bursts[key];
  if (!burst) {
    burst = { key, startedAtMs: state.nowMs, endedAtMs: -1, queries: 0, waiters: 0 };
    state.bursts[key] = burst;
  }
  burst.queries += 1;
  if (ids.length === STAMPEDE_THRESHOLD) {
    narrateThrottled(
      state,
      state.narration.stampede,
      'stampede',
      `Stampede on key ${key}: ${ids.length} database queries for it in flight at once.`,
      'stampede',
    );
  }
  scheduleEvent(state.queue, fetch.doneAtMs, { type: 'fetchDone', fetchId: fetch.id });
  return fetch;
}

function noteDbQuery(state: CacheState): void {
  state.dbInFlight += 1;
  if (state.dbInFlight > state.dbInFlightPeak) state.dbInFlightPeak = state.dbInFlight;
  const bucket = bucketNow(state);
  bucket.dbQueries += 1;
  if (state.dbInFlight > bucket.dbInFlightPeak) bucket.dbInFlightPeak = state.dbInFlight;
}

function dbDone(state: CacheState): void {
  state.dbInFlight -= 1;
}

function completeFetch(state: CacheState, fetchId: number): void {
  const fetch = state.fetches[fetchId];
  if (!fetch) return;
  delete state.fetches[fetchId];
  dbDone(state);
  const ids = state.fetchIdsByKey[fetch.key] ?? [];
  const remaining = ids.filter((id) => id !== fetchId);
  if (remaining.length > 0) state.fetchIdsByKey[fetch.key] = remaining;
  else delete state.fetchIdsByKey[fetch.key];
  if (fetch.key < state.settings.keys) fillEntry(state, fetch);
  if (remaining.length === 0) endBurst(state, fetch.key);
}

function endBurst(state: CacheState, key: number): void {
  const burst = state.bursts[key];
  if (!burst) return;
  delete state.bursts[key];
  burst.endedAtMs = state.nowMs;
  state.recentBursts.push(burst);
  if (state.recentBursts.length > BURSTS_KEPT) state.recentBursts.shift();
  if (burst.queries >= STAMPEDE_THRESHOLD || burst.waiters >= STAMPEDE_THRESHOLD) {
    const requests = burst.queries + burst.waiters;
    narrateThrottled(
      state,
      state.narration.burst,
      'burst',
      burst.queries === 1
        ? `Single flight: 1 database query answered ${requests} requests for key ${key}.`
        : `Miss burst on key ${key} over: ${burst.queries} database queries for ${requests} requests in ${burst.endedAtMs - burst.startedAtMs} ms.`,
      'miss burst',
    );
  }
}

/** The database's answer arrives: the cache stores it (set by the app or by the cache itself). */
function fillEntry(state: CacheState, fetch: Fetch): void {
  state.counters.fills += 1;
  const existing = state.entries[fetch.key];
  // Under write-back the cache holds newer data than the database: never overwrite it.
  if (existing?.dirty) return;
  const expiresAtMs = expiryFor(state, fetch.key, fetch.startedAtMs);
  if (existing) {
    existing.version = fetch.readVersion;
    existing.readAtMs = fetch.startedAtMs;
    existing.expiresAtMs = expiresAtMs;
    existing.staleSinceMs = fetch.supersededAtMs;
    return;
  }
  const entry = insertEntry(state, fetch.key);
  entry.version = fetch.readVersion;
  entry.readAtMs = fetch.startedAtMs;
  entry.expiresAtMs = expiresAtMs;
  entry.staleSinceMs = fetch.supersededAtMs;
}

/** TTL for a key read at `readAtMs`: its own TTL or the default, with optional jitter. */
function expiryFor(state: CacheState, key: number, readAtMs: number): number {
  const ttl = state.keyTtlMs[key] ?? state.settings.ttlMs;
  if (ttl <= 0) return -1;
  const jitter = state.settings.ttlJitterPercent / 100;
  const factor = jitter > 0 ? 1 + (2 * nextFloat(state.expiryRng) - 1) * jitter : 1;
  return readAtMs + Math.max(1, Math.round(ttl * factor));
}

/** Puts a key into the policy and a slot, evicting first if the policy says so. */
function insertEntry(state: CacheState, key: number): Entry {
  const victim = insertKey(state.cache, key);
  let slot: number;
  if (victim !== NONE) {
    const { lastReason, lastDetail, lastRival, lastRivalDetail } = state.cache;
    const victimEntry = state.entries[victim]!;
    slot = victimEntry.slot;
    noteEviction(state, victimEntry, lastReason, lastDetail, {
      key: lastRival,
      detail: lastRivalDetail,
    });
    releaseEntry(state, victimEntry, false);
  } else {
    slot = state.freeSlots.pop()!;
  }
  const entry: Entry = {
    key,
    slot,
    version: state.latestVersion[key]!,
    readAtMs: state.nowMs,
    expiresAtMs: -1,
    insertedAtMs: state.nowMs,
    lastAccessMs: state.nowMs,
    hits: 0,
    dirty: false,
    staleSinceMs: -1,
  };
  state.entries[key] = entry;
  state.slots[slot] = key;
  return entry;
}

/** Writes a dirty entry to the database (write-back's flush). */
function flushEntry(state: CacheState, entry: Entry): void {
  if (!entry.dirty) return;
  state.dbVersion[entry.key] = entry.version;
  entry.dirty = false;
  state.counters.dbWrites += 1;
  state.counters.flushedEntries += 1;
  bucketNow(state).dbQueries += 1;
}

/** Frees an entry's slot (flushing it first when dirty, unless the cache crashed). */
function releaseEntry(state: CacheState, entry: Entry, freeSlot: boolean): void {
  if (entry.dirty) {
    flushEntry(state, entry);
    state.counters.writeBacksOnEvict += 1;
  }
  delete state.entries[entry.key];
  state.slots[entry.slot] = NONE;
  if (freeSlot) state.freeSlots.push(entry.slot);
}

function dropEntry(state: CacheState, key: number, why: 'lazy' | 'active' | 'forced'): void {
  const entry = state.entries[key];
  if (!entry) return;
  removeKey(state.cache, key);
  releaseEntry(state, entry, true);
  if (why === 'lazy') state.counters.expiredLazy += 1;
  else if (why === 'active') state.counters.expiredActive += 1;
  else state.counters.expiredForced += 1;
}

function ageText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The sentence the stage shows for an eviction: which key, and the policy's reason. */
export function evictionReasonText(
  reason: EvictReason,
  detail: number,
  entry: Pick<Entry, 'lastAccessMs' | 'insertedAtMs' | 'hits'>,
  nowMs: number,
  rival: { key: number; detail: number } = { key: NONE, detail: 0 },
): string {
  const idle = ageText(nowMs - entry.lastAccessMs);
  const inCache = ageText(nowMs - entry.insertedAtMs);
  switch (reason) {
    case 'lru':
      return `least recently used (last read ${idle} ago)`;
    case 'lfu':
      return `least frequently used (${detail} reference${detail === 1 ? '' : 's'}; ties go to the least recent)`;
    case 'fifo':
      return `first in, first out (in the cache for ${inCache}, ${entry.hits} hits)`;
    case 'random':
      return 'picked at random';
    case 'clock':
      return `the clock hand found its reference bit clear (${detail} key${detail === 1 ? '' : 's'} got a second chance first)`;
    case 'sieve':
      return `the sieve hand found it unvisited since it last passed (${detail} visited key${detail === 1 ? '' : 's'} spared)`;
    case 'arc-t1':
      return `LRU end of ARC's recency list T1 (T1 was over its target p = ${detail.toFixed(1)}); remembered in ghost list B1`;
    case 'arc-t2':
      return `LRU end of ARC's frequency list T2 (T1 within its target p = ${detail.toFixed(1)}); remembered in ghost list B2`;
    case '2q-a1in':
      return `oldest in 2Q's probation FIFO A1in (seen once); remembered in ghost list A1out`;
    case '2q-am':
      return `least recently used in 2Q's main list Am`;
    case 'wtinylfu-window':
      return rival.key === NONE
        ? `least recent in W-TinyLFU's window, and a one-slot cache has no main segment to admit it to`
        : `left W-TinyLFU's window but was refused admission: estimated frequency ${detail} is not above main victim key ${rival.key}'s ${rival.detail}`;
    case 'wtinylfu-main':
      return `least recent in W-TinyLFU's probation segment, and key ${rival.key} leaving the window is estimated more frequent (${rival.detail} > ${detail})`;
    case 'none':
      return 'evicted';
    default: {
      const unknown: never = reason;
      return String(unknown);
    }
  }
}

function noteEviction(
  state: CacheState,
  entry: Entry,
  reason: EvictReason,
  detail: number,
  rival: { key: number; detail: number },
): void {
  state.counters.evictions += 1;
  const text = `Evicted key ${entry.key}: ${evictionReasonText(reason, detail, entry, state.nowMs, rival)}.`;
  state.recentEvictions.push({ atMs: state.nowMs, key: entry.key, text });
  if (state.recentEvictions.length > RECENT_EVICTIONS_MAX) state.recentEvictions.shift();
  // The first evictions are narrated; after that the stage lists them, so the log stays readable.
  if (state.counters.evictions <= 3) log(state, 'evict', text, state.counters.evictions === 1);
}

// ---------------------------------------------------------------------------------------------
// Writes.

function writeKey(state: CacheState, key: number): void {
  const { settings, counters } = state;
  counters.writes += 1;
  noteRequest(state, key, 'write');
  if (settings.writePolicy === 'write-back') {
    addLatency(state, settings.cacheLatencyMs);
    writeBack(state, key);
    return;
  }
  if (state.dbInFlight >= DB_IN_FLIGHT_MAX) {
    counters.dbRefused += 1;
    return;
  }
  addLatency(state, settings.cacheLatencyMs + settings.dbLatencyMs);
  counters.dbWrites += 1;
  noteDbQuery(state);
  scheduleEvent(state.queue, state.nowMs + settings.dbLatencyMs, {
    type: 'writeDone',
    key,
    policy: settings.writePolicy,
  });
}

/** A newer version exists from now on: queries in flight for the key will bring back old data. */
function supersede(state: CacheState, key: number): void {
  for (const id of state.fetchIdsByKey[key] ?? []) {
    const fetch = state.fetches[id]!;
    if (fetch.supersededAtMs < 0) fetch.supersededAtMs = state.nowMs;
  }
}

/** Write-back: the write commits in the cache only and is marked dirty. */
function writeBack(state: CacheState, key: number): void {
  state.latestVersion[key] = state.latestVersion[key]! + 1;
  supersede(state, key);
  let entry = state.entries[key];
  if (entry) touchKey(state.cache, key);
  else entry = insertEntry(state, key);
  entry.version = state.latestVersion[key]!;
  entry.readAtMs = state.nowMs;
  entry.expiresAtMs = expiryFor(state, key, state.nowMs);
  entry.lastAccessMs = state.nowMs;
  entry.staleSinceMs = -1;
  entry.dirty = true;
}

/** A database write lands; the cache then follows the write policy it was sent under. */
function commitWrite(state: CacheState, key: number, policy: WritePolicy): void {
  dbDone(state);
  if (key >= state.settings.keys) return;
  state.dbVersion[key] = state.latestVersion[key]! + 1;
  state.latestVersion[key] = state.dbVersion[key]!;
  supersede(state, key);
  const entry = state.entries[key];
  switch (policy) {
    case 'invalidate':
      if (entry) {
        removeKey(state.cache, key);
        releaseEntry(state, entry, true);
        state.counters.invalidations += 1;
      }
      return;
    case 'write-through': {
      const target = entry ?? insertEntry(state, key);
      if (entry) touchKey(state.cache, key);
      target.version = state.latestVersion[key]!;
      target.readAtMs = state.nowMs;
      target.expiresAtMs = expiryFor(state, key, state.nowMs);
      target.staleSinceMs = -1;
      return;
    }
    case 'write-around':
      if (entry && entry.staleSinceMs < 0) entry.staleSinceMs = state.nowMs;
      return;
    case 'write-back':
      // A write sent before switching to write-back commits like write-through.
      if (entry && !entry.dirty) {
        entry.version = state.latestVersion[key]!;
        entry.readAtMs = state.nowMs;
        entry.staleSinceMs = -1;
      }
      return;
    default: {
      const unknown: never = policy;
      throw new Error(`unknown write policy ${String(unknown)}`);
    }
  }
}

function flushDirty(state: CacheState): void {
  for (const entry of Object.values(state.entries)) flushEntry(state, entry);
}

function scheduleFlush(state: CacheState): void {
  state.flushGeneration += 1;
  if (state.settings.writePolicy !== 'write-back') return;
  scheduleEvent(state.queue, state.nowMs + state.settings.flushIntervalMs, {
    type: 'flush',
    generation: state.flushGeneration,
  });
}

// ---------------------------------------------------------------------------------------------
// Expiry.

function scheduleExpirySweep(state: CacheState): void {
  state.expiryGeneration += 1;
  if (state.settings.activeExpiry !== 'on') return;
  scheduleEvent(state.queue, state.nowMs + ACTIVE_EXPIRY_INTERVAL_MS, {
    type: 'expirySweep',
    generation: state.expiryGeneration,
  });
}

/**
 * Active expiry as Redis does it: test a random sample of slots, delete the expired ones, and go
 * again at once while more than a quarter of the sample had expired.
 */
function sweepExpired(state: CacheState): void {
  if (state.cache.size === 0) return;
  const capacity = state.settings.capacity;
  for (let round = 0; round < ACTIVE_EXPIRY_ROUNDS_MAX; round += 1) {
    let expired = 0;
    for (let i = 0; i < ACTIVE_EXPIRY_SAMPLE; i += 1) {
      const key = state.slots[nextInt(state.expiryRng, 0, capacity)]!;
      if (key === NONE) continue;
      const entry = state.entries[key]!;
      if (entry.expiresAtMs >= 0 && state.nowMs >= entry.expiresAtMs) {
        dropEntry(state, key, 'active');
        expired += 1;
      }
    }
    if (expired * 4 <= ACTIVE_EXPIRY_SAMPLE) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands.

export function applyCacheCommand(state: CacheState, command: CacheCommand): void {
  switch (command.type) {
    case 'set':
      applySettings(state, command.settings);
      return;
    case 'expireKey':
      if (!validKey(state, command.key)) return;
      if (!state.entries[command.key]) {
        log(state, 'expire', `Key ${command.key} is not in the cache; nothing to expire.`);
        return;
      }
      dropEntry(state, command.key, 'forced');
      log(state, 'expire', `Key ${command.key} expired now: its next reads miss.`, true);
      return;
    case 'setKeyTtl':
      setKeyTtl(state, command.key, command.ttlMs);
      return;
    case 'crash':
      crashCache(state);
      return;
    case 'readBurst':
      readBurst(state, command.key, command.count);
      return;
    default: {
      const unknown: never = command;
      log(state, 'refused', `Unknown command ${JSON.stringify(unknown)}.`, true);
    }
  }
}

function validKey(state: CacheState, key: number): boolean {
  if (Number.isInteger(key) && key >= 0 && key < state.settings.keys) return true;
  log(state, 'refused', `Key ${key} is outside 0 … ${state.settings.keys - 1}.`, true);
  return false;
}

function setKeyTtl(state: CacheState, key: number, ttlMs: number | null): void {
  if (!validKey(state, key)) return;
  if (ttlMs === null) {
    delete state.keyTtlMs[key];
    log(state, 'ttl', `Key ${key} uses the default TTL again.`);
    return;
  }
  if (!(key in state.keyTtlMs) && Object.keys(state.keyTtlMs).length >= KEY_TTL_OVERRIDES_MAX) {
    log(state, 'refused', `At most ${KEY_TTL_OVERRIDES_MAX} keys can have their own TTL.`, true);
    return;
  }
  state.keyTtlMs[key] = Math.max(0, Math.round(ttlMs));
  log(
    state,
    'ttl',
    `Key ${key} now has its own TTL: ${ttlMs > 0 ? ageText(ttlMs) : 'never expires'} (from its next fill).`,
  );
}

function readBurst(state: CacheState, key: number, count: number): void {
  if (!validKey(state, key)) return;
  const n = Math.max(0, Math.min(Math.round(count), 1_000));
  for (let i = 0; i < n; i += 1) {
    state.counters.requests += 1;
    feedLanes(state, key);
    readKey(state, key);
  }
  log(state, 'burst', `${n} reads of key ${key} arrive at once.`);
}

/** The cache process dies: every entry is gone, and dirty ones never reach the database. */
function crashCache(state: CacheState): void {
  const entries = Object.values(state.entries);
  let dirty = 0;
  let lostWrites = 0;
  for (const entry of entries) {
    if (!entry.dirty) continue;
    dirty += 1;
    lostWrites += entry.version - state.dbVersion[entry.key]!;
    // The lost writes never happened as far as anyone can now read.
    state.latestVersion[entry.key] = state.dbVersion[entry.key]!;
  }
  state.counters.crashes += 1;
  state.counters.lostDirtyEntries += dirty;
  state.counters.lostWrites += lostWrites;
  resetCacheContents(state);
  log(
    state,
    'crash',
    `The cache crashed: ${entries.length} entries gone${
      dirty > 0
        ? `, ${dirty} of them dirty: ${lostWrites} write${lostWrites === 1 ? '' : 's'} never reached the database and are lost`
        : ', none dirty, so nothing was lost but warmth'
    }.`,
    true,
  );
}

function resetCacheContents(state: CacheState): void {
  state.cache = createPolicyCache(
    state.settings.policy,
    state.settings.capacity,
    state.settings.keys,
    state.seed + state.counters.crashes,
  );
  state.entries = {};
  state.slots = new Array<number>(state.settings.capacity).fill(NONE);
  state.freeSlots = freeSlotStack(state.settings.capacity);
}

function applySettings(state: CacheState, patch: Partial<CacheConfig>): void {
  const before = state.settings;
  const next: CacheConfig = { ...before, ...patch };
  if (parsePolicyList(next.compare) === null) {
    log(state, 'refused', `Unknown policy in compare list "${next.compare}".`, true);
    return;
  }
  const changed = (Object.keys(patch) as (keyof CacheConfig)[]).filter(
    (k) => patch[k] !== undefined && patch[k] !== before[k],
  );
  if (changed.length === 0) return;
  // Leaving write-back: write every dirty entry out first, so switching loses nothing.
  if (before.writePolicy === 'write-back' && next.writePolicy !== 'write-back') flushDirty(state);
  const rebuild =
    next.policy !== before.policy || next.capacity !== before.capacity || next.keys !== before.keys;
  if (rebuild) flushDirty(state);
  state.settings = next;
  if (next.keys !== before.keys) resizeKeys(state, before.keys, next.keys);
  if (rebuild) {
    resetCacheContents(state);
    for (const key of Object.keys(state.keyTtlMs)) {
      if (Number(key) >= next.keys) delete state.keyTtlMs[Number(key)];
    }
  }
  const w = state.workload;
  w.kind = next.workload;
  w.keys = next.keys;
  w.zipfS = next.zipfS;
  w.writeShare = next.writePercent / 100;
  if (w.scanCursor >= next.keys) w.scanCursor = 0;
  if (w.hotOffset >= next.keys) w.hotOffset = 0;
  if (next.requestsPerSecond !== before.requestsPerSecond) {
    state.nextArrivalMsExact = state.nowMs + arrivalGapMs(state);
  }
  if (next.activeExpiry !== before.activeExpiry) scheduleExpirySweep(state);
  if (next.writePolicy !== before.writePolicy || next.flushIntervalMs !== before.flushIntervalMs) {
    scheduleFlush(state);
  }
  if (rebuild || next.compare !== before.compare) state.lanes = newLanes(state);
  log(state, 'config', describeChanges(before, next, changed, rebuild), true);
}

function resizeKeys(state: CacheState, from: number, to: number): void {
  if (to > from) {
    for (let key = from; key < to; key += 1) {
      state.dbVersion.push(0);
      state.latestVersion.push(0);
    }
  } else {
    state.dbVersion.length = to;
    state.latestVersion.length = to;
  }
}

const SETTING_LABELS: Record<keyof CacheConfig, string> = {
  policy: 'policy',
  capacity: 'capacity',
  keys: 'keys',
  workload: 'workload',
  zipfS: 'Zipf s',
  writePercent: 'writes %',
  requestsPerSecond: 'requests/s',
  cacheLatencyMs: 'cache latency ms',
  dbLatencyMs: 'database latency ms',
  ttlMs: 'TTL ms',
  ttlJitterPercent: 'TTL jitter %',
  activeExpiry: 'active expiry',
  readStrategy: 'reads',
  writePolicy: 'writes',
  flushIntervalMs: 'flush every ms',
  singleFlight: 'single flight',
  earlyRefreshBeta: 'early refresh β',
  compare: 'compare',
};

function describeChanges(
  before: CacheConfig,
  next: CacheConfig,
  changed: (keyof CacheConfig)[],
  rebuild: boolean,
): string {
  const parts = changed.map(
    (k) => `${SETTING_LABELS[k]} ${String(before[k]) || '—'} → ${String(next[k]) || '—'}`,
  );
  const suffix = rebuild
    ? ` The cache restarts empty: ${policyLabel(next.policy)}, ${next.capacity} slots.`
    : '';
  return `${parts.join('; ')}.${suffix}`;
}

// ---------------------------------------------------------------------------------------------
// Derived figures.

export function hitRatioOf(hits: number, misses: number): number {
  const total = hits + misses;
  return total > 0 ? hits / total : 0;
}

/** Entries past their expiry that lazy expiry has not met yet (memory held by dead data). */
export function expiredResidentCount(state: CacheState): number {
  let count = 0;
  for (const entry of Object.values(state.entries)) {
    if (entry.expiresAtMs >= 0 && state.nowMs >= entry.expiresAtMs) count += 1;
  }
  return count;
}

export function dirtyCount(state: CacheState): number {
  let count = 0;
  for (const entry of Object.values(state.entries)) if (entry.dirty) count += 1;
  return count;
}

export { clearCache };
