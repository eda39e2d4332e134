/**
 * Eviction policies over whole-number keys, as plain data with typed arrays indexed by key, so one
 * access costs a few array reads and a checkpoint is a structuredClone.
 *
 * Every policy has the same four operations: `isResident`, `touchKey` (a hit), `insertKey` (fill
 * after a miss; evicts when full and returns the victim) and `removeKey` (invalidation or expiry,
 * which leaves no ghost). `accessKey` is the classic "reference" of the literature: a hit, or a
 * miss that inserts.
 *
 * Linked lists run from head (newest / most recent) to tail (oldest / least recent) through
 * `older` and `newer`, both indexed by key.
 */
import { assert } from '../../../kernel/assert';
import { createRng, nextUint32, type RngState } from '../../../kernel/prng';
import type { PolicyName } from './constants';

export const NONE = -1;

/** Why a key was evicted; the live model turns it into a sentence. */
export type EvictReason =
  | 'lru'
  | 'lfu'
  | 'fifo'
  | 'random'
  | 'clock'
  | 'sieve'
  | 'arc-t1'
  | 'arc-t2'
  | '2q-a1in'
  | '2q-am'
  | 'wtinylfu-window'
  | 'wtinylfu-main'
  | 'none';

// List numbers per policy. `where[key]` holds list + 1, or 0 when the key is in no list.
const MAIN = 0;
const ARC_T1 = 0;
const ARC_T2 = 1;
const ARC_B1 = 2;
const ARC_B2 = 3;
const Q_A1IN = 0;
const Q_AM = 1;
const Q_A1OUT = 2;
const W_WINDOW = 0;
const W_PROBATION = 1;
const W_PROTECTED = 2;

/** W-TinyLFU's window is 1% of the cache (Caffeine's start); protected is 80% of the rest. */
export const WTINYLFU_WINDOW_SHARE = 0.01;
export const WTINYLFU_PROTECTED_SHARE = 0.8;
/** The count-min sketch: 4 rows of 4-bit counters, all halved after 10 × capacity increments. */
export const SKETCH_ROWS = 4;
export const SKETCH_COUNTER_MAX = 15;
export const SKETCH_SAMPLE_PER_SLOT = 10;

export interface PolicyCache {
  policy: PolicyName;
  capacity: number;
  keySpace: number;
  /** Resident entries (ghosts of ARC and 2Q are not counted). */
  size: number;
  where: Uint8Array;
  newer: Int32Array;
  older: Int32Array;
  heads: number[];
  tails: number[];
  lengths: number[];
  /** LFU: accesses while resident. */
  freq: Int32Array;
  /**
   * LFU's frequency buckets (O(1) LFU, Shah, Mitra & Matani 2010): one node per count in use, in
   * ascending count order through `bucketHigher`/`bucketLower`; each holds its keys in a list
   * (through `newer`/`older`) from the most recently used at `bucketHead` to the least at
   * `bucketTail`. The victim is the tail of the lowest bucket: fewest references, then least recent.
   */
  bucketOf: Int32Array;
  bucketCount: Int32Array;
  bucketHead: Int32Array;
  bucketTail: Int32Array;
  bucketHigher: Int32Array;
  bucketLower: Int32Array;
  freeBuckets: number[];
  lowestBucket: number;
  /** CLOCK's reference bit or SIEVE's visited bit. */
  bit: Uint8Array;
  /** CLOCK's ring and Random's dense array; slotOf maps a key to its index there. */
  slots: Int32Array;
  slotOf: Int32Array;
  /** CLOCK: a slot index. SIEVE: a key, or NONE to start from the tail. */
  hand: number;
  /** CLOCK: free slot indexes left by removals, used before the ring is full again. */
  freeSlots: number[];
  /** ARC's target size for T1 (a real number, as in the paper). */
  arcP: number;
  /** 2Q's A1in and A1out sizes. */
  kIn: number;
  kOut: number;
  /** W-TinyLFU's segment sizes: window, main (probation + protected) and protected. */
  windowMax: number;
  mainMax: number;
  protectedMax: number;
  /** W-TinyLFU's count-min sketch: SKETCH_ROWS rows of `sketchWidth` 4-bit counters, two a byte. */
  sketch: Uint8Array;
  sketchWidth: number;
  /** Increments since the last halving, and how many make a sample (then every counter halves). */
  sketchAdds: number;
  sketchSample: number;
  sketchResets: number;
  tick: number;
  rng: RngState;
  lastVictim: number;
  lastReason: EvictReason;
  /**
   * LFU: the victim's count; CLOCK and SIEVE: second chances given on the way; W-TinyLFU: the
   * victim's estimated frequency.
   */
  lastDetail: number;
  /** W-TinyLFU: the key that won the admission duel against the victim, and its estimate. */
  lastRival: number;
  lastRivalDetail: number;
}

const usesLists = (p: PolicyName) =>
  p === 'lru' ||
  p === 'fifo' ||
  p === 'sieve' ||
  p === 'arc' ||
  p === '2q' ||
  p === 'lfu' ||
  p === 'wtinylfu';
const usesSlots = (p: PolicyName) => p === 'clock' || p === 'random';

/** The smallest power of two ≥ n. */
function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function createPolicyCache(
  policy: PolicyName,
  capacity: number,
  keySpace: number,
  seed = 0,
): PolicyCache {
  assert(Number.isInteger(capacity) && capacity >= 1, `capacity must be ≥ 1 (got ${capacity})`);
  assert(Number.isInteger(keySpace) && keySpace >= 1, `key space must be ≥ 1 (got ${keySpace})`);
  const lists = usesLists(policy) ? keySpace : 0;
  const slotted = usesSlots(policy);
  const lfu = policy === 'lfu';
  const buckets = lfu ? capacity + 1 : 0;
  const tiny = policy === 'wtinylfu';
  const windowMax = Math.max(1, Math.round(capacity * WTINYLFU_WINDOW_SHARE));
  const mainMax = capacity - windowMax;
  const sketchWidth = tiny ? powerOfTwoAtLeast(Math.max(16, capacity)) : 0;
  const cache: PolicyCache = {
    policy,
    capacity,
    keySpace,
    size: 0,
    where: new Uint8Array(keySpace),
    newer: new Int32Array(lists).fill(NONE),
    older: new Int32Array(lists).fill(NONE),
    heads: [NONE, NONE, NONE, NONE],
    tails: [NONE, NONE, NONE, NONE],
    lengths: [0, 0, 0, 0],
    freq: new Int32Array(lfu ? keySpace : 0),
    bucketOf: new Int32Array(lfu ? keySpace : 0).fill(NONE),
    bucketCount: new Int32Array(buckets),
    bucketHead: new Int32Array(buckets).fill(NONE),
    bucketTail: new Int32Array(buckets).fill(NONE),
    bucketHigher: new Int32Array(buckets).fill(NONE),
    bucketLower: new Int32Array(buckets).fill(NONE),
    freeBuckets: [],
    lowestBucket: NONE,
    bit: new Uint8Array(policy === 'clock' || policy === 'sieve' ? keySpace : 0),
    slots: new Int32Array(slotted ? capacity : 0).fill(NONE),
    slotOf: new Int32Array(slotted ? keySpace : 0).fill(NONE),
    hand: policy === 'sieve' ? NONE : 0,
    freeSlots: [],
    arcP: 0,
    kIn: Math.max(1, Math.round(capacity * 0.25)),
    kOut: Math.max(1, Math.round(capacity * 0.5)),
    windowMax,
    mainMax,
    protectedMax: Math.floor(mainMax * WTINYLFU_PROTECTED_SHARE),
    sketch: new Uint8Array((SKETCH_ROWS * sketchWidth) / 2),
    sketchWidth,
    sketchAdds: 0,
    sketchSample: SKETCH_SAMPLE_PER_SLOT * capacity,
    sketchResets: 0,
    tick: 0,
    rng: createRng(seed, 7),
    lastVictim: NONE,
    lastReason: 'none',
    lastDetail: 0,
    lastRival: NONE,
    lastRivalDetail: 0,
  };
  // Bucket nodes are handed out from the end, so node 0 is used first.
  for (let node = buckets - 1; node >= 0; node -= 1) cache.freeBuckets.push(node);
  if (policy === 'clock') {
    // Free slots are handed out from the end of the array, so slot 0 fills first.
    for (let slot = capacity - 1; slot >= 0; slot -= 1) cache.freeSlots.push(slot);
  }
  return cache;
}

// ---------------------------------------------------------------------------------------------
// Linked lists indexed by key.

function linkHead(c: PolicyCache, list: number, key: number): void {
  const head = c.heads[list]!;
  c.older[key] = head;
  c.newer[key] = NONE;
  if (head !== NONE) c.newer[head] = key;
  else c.tails[list] = key;
  c.heads[list] = key;
  c.lengths[list]! += 1;
  c.where[key] = list + 1;
}

function unlink(c: PolicyCache, key: number): number {
  const list = c.where[key]! - 1;
  const newer = c.newer[key]!;
  const older = c.older[key]!;
  if (newer !== NONE) c.older[newer] = older;
  else c.heads[list] = older;
  if (older !== NONE) c.newer[older] = newer;
  else c.tails[list] = newer;
  c.newer[key] = NONE;
  c.older[key] = NONE;
  c.lengths[list]! -= 1;
  c.where[key] = 0;
  return list;
}

function moveToHead(c: PolicyCache, list: number, key: number): void {
  unlink(c, key);
  linkHead(c, list, key);
}

/** The keys of one list from head (newest) to tail. */
export function listKeys(c: PolicyCache, list: number): number[] {
  const keys: number[] = [];
  for (let key = c.heads[list]!; key !== NONE; key = c.older[key]!) keys.push(key);
  return keys;
}

// ---------------------------------------------------------------------------------------------
// LFU's frequency buckets.

/** A new bucket node for `count`, linked between `lower` and `higher` (either may be NONE). */
function newBucket(c: PolicyCache, count: number, lower: number, higher: number): number {
  const node = c.freeBuckets.pop();
  assert(node !== undefined, 'LFU has a free bucket node');
  c.bucketCount[node] = count;
  c.bucketHead[node] = NONE;
  c.bucketTail[node] = NONE;
  c.bucketLower[node] = lower;
  c.bucketHigher[node] = higher;
  if (lower !== NONE) c.bucketHigher[lower] = node;
  else c.lowestBucket = node;
  if (higher !== NONE) c.bucketLower[higher] = node;
  return node;
}

function dropBucket(c: PolicyCache, node: number): void {
  const lower = c.bucketLower[node]!;
  const higher = c.bucketHigher[node]!;
  if (lower !== NONE) c.bucketHigher[lower] = higher;
  else c.lowestBucket = higher;
  if (higher !== NONE) c.bucketLower[higher] = lower;
  c.freeBuckets.push(node);
}

/** Puts a key at the most recent end of a bucket. */
function bucketLinkHead(c: PolicyCache, node: number, key: number): void {
  const head = c.bucketHead[node]!;
  c.older[key] = head;
  c.newer[key] = NONE;
  if (head !== NONE) c.newer[head] = key;
  else c.bucketTail[node] = key;
  c.bucketHead[node] = key;
  c.bucketOf[key] = node;
  c.where[key] = 1;
}

/** Takes a key out of its bucket; drops the bucket when it empties. */
function bucketUnlink(c: PolicyCache, key: number): void {
  const node = c.bucketOf[key]!;
  const newer = c.newer[key]!;
  const older = c.older[key]!;
  if (newer !== NONE) c.older[newer] = older;
  else c.bucketHead[node] = older;
  if (older !== NONE) c.newer[older] = newer;
  else c.bucketTail[node] = newer;
  c.newer[key] = NONE;
  c.older[key] = NONE;
  c.bucketOf[key] = NONE;
  c.where[key] = 0;
  if (c.bucketHead[node] === NONE) dropBucket(c, node);
}

/** A hit: the key moves up to the bucket of its new count, as that bucket's most recent key. */
function lfuTouch(c: PolicyCache, key: number): void {
  const node = c.bucketOf[key]!;
  const count = c.freq[key]! + 1;
  c.freq[key] = count;
  const higher = c.bucketHigher[node]!;
  // Alone in its bucket, with no bucket for the new count above: the bucket itself moves up.
  if (
    c.bucketHead[node] === key &&
    c.bucketTail[node] === key &&
    (higher === NONE || c.bucketCount[higher] !== count)
  ) {
    c.bucketCount[node] = count;
    return;
  }
  const target =
    higher !== NONE && c.bucketCount[higher] === count ? higher : newBucket(c, count, node, higher);
  bucketUnlink(c, key);
  bucketLinkHead(c, target, key);
}

function lfuInsert(c: PolicyCache, key: number): void {
  if (c.size >= c.capacity) {
    const victim = c.bucketTail[c.lowestBucket]!;
    c.lastDetail = c.freq[victim]!;
    bucketUnlink(c, victim);
    c.size -= 1;
    noteVictim(c, victim, 'lfu');
  }
  const lowest = c.lowestBucket;
  const target =
    lowest !== NONE && c.bucketCount[lowest] === 1 ? lowest : newBucket(c, 1, NONE, lowest);
  c.freq[key] = 1;
  bucketLinkHead(c, target, key);
  c.size += 1;
}

// ---------------------------------------------------------------------------------------------
// W-TinyLFU's count-min sketch (Einziger, Friedman & Manes, ACM ToS 2017; Caffeine's
// FrequencySketch): each key increments one 4-bit counter in each of SKETCH_ROWS rows, picked by
// a hash of its own per row; its frequency is estimated as the smallest of them, which can only
// overcount (collisions), never undercount, until a reset. After `sketchSample` increments every
// counter is halved (the paper's "reset"), so old popularity fades.

/** A key's 32-bit hash (murmur3's finaliser over the key times the golden ratio). */
export function sketchHash(key: number): number {
  let h = Math.imul(key, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The column of a row for a hash: h + row × h′ (double hashing, Kirsch & Mitzenmacher 2006, with
 * h′ the hash's halves swapped and made odd), so one hash serves every row.
 */
function rowColumn(hash: number, row: number, width: number): number {
  return (hash + Math.imul(row, (hash >>> 16) | (hash << 16) | 1)) & (width - 1);
}

/** The counter a key uses in one row, as an index into the row (0 … width − 1). */
export function sketchColumn(key: number, row: number, width: number): number {
  return rowColumn(sketchHash(key), row, width);
}

/** One increment of every row's counter for the key (those not already at 15). */
export function sketchIncrement(c: PolicyCache, key: number): void {
  const sketch = c.sketch;
  const width = c.sketchWidth;
  const mask = width - 1;
  const hash = sketchHash(key);
  // rowColumn(hash, row, width), one row after the other: the low bits of hash + row × h′.
  const step = (hash >>> 16) | (hash << 16) | 1;
  let column = hash;
  let added = false;
  for (let rowStart = 0; rowStart < SKETCH_ROWS * width; rowStart += width) {
    const index = rowStart + (column & mask);
    column = (column + step) | 0;
    const byteIndex = index >> 1;
    const byte = sketch[byteIndex]!;
    const shift = (index & 1) << 2;
    if (((byte >> shift) & 0x0f) < SKETCH_COUNTER_MAX) {
      sketch[byteIndex] = byte + (1 << shift);
      added = true;
    }
  }
  if (!added) return;
  c.sketchAdds += 1;
  if (c.sketchAdds >= c.sketchSample) sketchReset(c);
}

/** The paper's reset: every counter and the sample count are halved (rounding down). */
export function sketchReset(c: PolicyCache): void {
  const sketch = c.sketch;
  // Both 4-bit counters of a byte halve at once: shift right, drop the bit that crossed over.
  for (let i = 0; i < sketch.length; i += 1) sketch[i] = (sketch[i]! >> 1) & 0x77;
  c.sketchAdds = Math.floor(c.sketchAdds / 2);
  c.sketchResets += 1;
}

/** The estimated frequency of a key: the smallest of its counters. */
export function sketchEstimate(c: PolicyCache, key: number): number {
  const sketch = c.sketch;
  const width = c.sketchWidth;
  const mask = width - 1;
  const hash = sketchHash(key);
  const step = (hash >>> 16) | (hash << 16) | 1;
  let column = hash;
  let estimate = SKETCH_COUNTER_MAX;
  for (let rowStart = 0; rowStart < SKETCH_ROWS * width; rowStart += width) {
    const index = rowStart + (column & mask);
    column = (column + step) | 0;
    const byte = sketch[index >> 1]!;
    const value = index & 1 ? byte >> 4 : byte & 0x0f;
    if (value < estimate) estimate = value;
  }
  return estimate;
}

// ---------------------------------------------------------------------------------------------
// The four operations.

export function isResident(c: PolicyCache, key: number): boolean {
  const where = c.where[key]!;
  if (where === 0) return false;
  if (c.policy === 'arc') return where === ARC_T1 + 1 || where === ARC_T2 + 1;
  if (c.policy === '2q') return where === Q_A1IN + 1 || where === Q_AM + 1;
  return true;
}

/**
 * An index drawn uniformly from 0 … range − 1: the kernel's `nextInt` (the same rejection of the
 * PCG output below (2^32 − range) mod range, so the same draws), without its argument checks,
 * which cost more than the draw in the curve job's million evictions.
 */
function drawIndex(rng: RngState, range: number): number {
  const threshold = (0x1_0000_0000 - range) % range;
  for (;;) {
    const draw = nextUint32(rng);
    if (draw >= threshold) return draw % range;
  }
}

/** A hit: updates the policy's metadata for a resident key. */
export function touchKey(c: PolicyCache, key: number): void {
  c.tick += 1;
  switch (c.policy) {
    case 'lru':
      moveToHead(c, MAIN, key);
      return;
    case 'fifo':
      return;
    case 'lfu':
      lfuTouch(c, key);
      return;
    case 'random':
      return;
    case 'clock':
    case 'sieve':
      c.bit[key] = 1;
      return;
    case 'arc':
      // Case I of the paper: a hit in T1 or T2 moves the key to the MRU end of T2.
      moveToHead(c, ARC_T2, key);
      return;
    case '2q':
      // A hit in Am refreshes its recency; a hit in A1in does nothing (it is a FIFO).
      if (c.where[key] === Q_AM + 1) moveToHead(c, Q_AM, key);
      return;
    case 'wtinylfu':
      touchTinyLfu(c, key);
      return;
    default:
      assertNever(c.policy);
  }
}

/**
 * Fills a key that is not resident, evicting first when the cache is full. Returns the evicted
 * key, or NONE. The reason is left in `lastReason` and `lastDetail`.
 */
export function insertKey(c: PolicyCache, key: number): number {
  c.tick += 1;
  c.lastVictim = NONE;
  c.lastReason = 'none';
  c.lastDetail = 0;
  c.lastRival = NONE;
  c.lastRivalDetail = 0;
  switch (c.policy) {
    case 'lru':
    case 'fifo':
      if (c.size >= c.capacity) {
        const victim = c.tails[MAIN]!;
        unlink(c, victim);
        c.size -= 1;
        noteVictim(c, victim, c.policy);
      }
      linkHead(c, MAIN, key);
      c.size += 1;
      break;
    case 'lfu':
      lfuInsert(c, key);
      break;
    case 'random':
      insertRandom(c, key);
      break;
    case 'clock':
      insertClock(c, key);
      break;
    case 'sieve':
      if (c.size >= c.capacity) evictSieve(c);
      c.bit[key] = 0;
      linkHead(c, MAIN, key);
      c.size += 1;
      break;
    case 'arc':
      insertArc(c, key);
      break;
    case '2q':
      insert2q(c, key);
      break;
    case 'wtinylfu':
      insertTinyLfu(c, key);
      break;
    default:
      assertNever(c.policy);
  }
  return c.lastVictim;
}

/** Random: a full cache gives up the key at a uniformly drawn index, and the newcomer takes it. */
function insertRandom(c: PolicyCache, key: number): void {
  if (c.size >= c.capacity) {
    const index = drawIndex(c.rng, c.size);
    const victim = c.slots[index]!;
    c.slotOf[victim] = NONE;
    c.where[victim] = 0;
    heapSet(c, index, key);
    c.where[key] = 1;
    noteVictim(c, victim, 'random');
  } else {
    heapSet(c, c.size, key);
    c.where[key] = 1;
    c.size += 1;
  }
}

/** Puts a key at an index of CLOCK's ring or Random's dense array. */
function heapSet(c: PolicyCache, index: number, key: number): void {
  c.slots[index] = key;
  c.slotOf[key] = index;
}

function noteVictim(c: PolicyCache, victim: number, reason: EvictReason): void {
  c.lastVictim = victim;
  c.lastReason = reason;
}

/**
 * CLOCK (second chance): the hand sweeps the ring; a set reference bit is cleared and the key
 * spared, the first clear bit is the victim, and the new key takes its slot with a clear bit.
 */
function insertClock(c: PolicyCache, key: number): void {
  if (c.size < c.capacity) {
    const slot = c.freeSlots.pop();
    assert(slot !== undefined, 'CLOCK has a free slot below capacity');
    heapSet(c, slot, key);
    c.bit[key] = 0;
    c.where[key] = 1;
    c.size += 1;
    return;
  }
  let spared = 0;
  for (;;) {
    const candidate = c.slots[c.hand]!;
    if (c.bit[candidate] === 0) break;
    c.bit[candidate] = 0;
    spared += 1;
    c.hand = (c.hand + 1) % c.capacity;
  }
  const victim = c.slots[c.hand]!;
  c.slotOf[victim] = NONE;
  c.where[victim] = 0;
  heapSet(c, c.hand, key);
  c.bit[key] = 0;
  c.where[key] = 1;
  c.hand = (c.hand + 1) % c.capacity;
  noteVictim(c, victim, 'clock');
  c.lastDetail = spared;
}

/**
 * SIEVE (Zhang et al., NSDI 2024): the hand walks from the tail towards the head, clearing
 * visited bits, and evicts the first unvisited key; it stays where it stopped for next time.
 */
function evictSieve(c: PolicyCache): void {
  let o = c.hand === NONE ? c.tails[MAIN]! : c.hand;
  let spared = 0;
  while (c.bit[o] === 1) {
    c.bit[o] = 0;
    spared += 1;
    o = c.newer[o]!;
    if (o === NONE) o = c.tails[MAIN]!;
  }
  c.hand = c.newer[o]!;
  unlink(c, o);
  c.size -= 1;
  noteVictim(c, o, 'sieve');
  c.lastDetail = spared;
}

/** ARC's REPLACE(x, p): evict from T1 into ghost B1, or from T2 into ghost B2. */
function arcReplace(c: PolicyCache, keyInB2: boolean): void {
  if (c.size < c.capacity) return;
  const t1 = c.lengths[ARC_T1]!;
  // With removals (invalidation, expiry) T2 can be empty here; then T1 gives up its LRU end.
  const fromT1 = t1 >= 1 && ((keyInB2 && t1 === c.arcP) || t1 > c.arcP || c.lengths[ARC_T2] === 0);
  if (fromT1) {
    const victim = c.tails[ARC_T1]!;
    unlink(c, victim);
    linkHead(c, ARC_B1, victim);
    noteVictim(c, victim, 'arc-t1');
  } else {
    const victim = c.tails[ARC_T2]!;
    unlink(c, victim);
    linkHead(c, ARC_B2, victim);
    noteVictim(c, victim, 'arc-t2');
  }
  c.size -= 1;
  c.lastDetail = c.arcP;
}

/** ARC (Megiddo & Modha, FAST 2003), cases II–IV of the paper's figure 4. */
function insertArc(c: PolicyCache, key: number): void {
  const where = c.where[key]!;
  const b1 = c.lengths[ARC_B1]!;
  const b2 = c.lengths[ARC_B2]!;
  if (where === ARC_B1 + 1) {
    c.arcP = Math.min(c.capacity, c.arcP + Math.max(b2 / b1, 1));
    arcReplace(c, false);
    unlink(c, key);
    linkHead(c, ARC_T2, key);
  } else if (where === ARC_B2 + 1) {
    c.arcP = Math.max(0, c.arcP - Math.max(b1 / b2, 1));
    arcReplace(c, true);
    unlink(c, key);
    linkHead(c, ARC_T2, key);
  } else {
    const t1 = c.lengths[ARC_T1]!;
    const t2 = c.lengths[ARC_T2]!;
    if (t1 + b1 >= c.capacity) {
      if (t1 < c.capacity) {
        unlink(c, c.tails[ARC_B1]!);
        arcReplace(c, false);
      } else {
        const victim = c.tails[ARC_T1]!;
        unlink(c, victim);
        c.size -= 1;
        noteVictim(c, victim, 'arc-t1');
        c.lastDetail = c.arcP;
      }
    } else if (t1 + t2 + b1 + b2 >= c.capacity) {
      if (t1 + t2 + b1 + b2 >= 2 * c.capacity) unlink(c, c.tails[ARC_B2]!);
      arcReplace(c, false);
    }
    linkHead(c, ARC_T1, key);
  }
  c.size += 1;
}

/** 2Q (Johnson & Shasha, VLDB 1994), the full version with A1in, A1out and Am. */
function insert2q(c: PolicyCache, key: number): void {
  if (c.size >= c.capacity) {
    const a1in = c.lengths[Q_A1IN]!;
    if (a1in > c.kIn || c.lengths[Q_AM] === 0) {
      const victim = c.tails[Q_A1IN]!;
      unlink(c, victim);
      linkHead(c, Q_A1OUT, victim);
      if (c.lengths[Q_A1OUT]! > c.kOut) unlink(c, c.tails[Q_A1OUT]!);
      noteVictim(c, victim, '2q-a1in');
    } else {
      const victim = c.tails[Q_AM]!;
      unlink(c, victim);
      noteVictim(c, victim, '2q-am');
    }
    c.size -= 1;
  }
  if (c.where[key] === Q_A1OUT + 1) {
    unlink(c, key);
    linkHead(c, Q_AM, key);
  } else {
    linkHead(c, Q_A1IN, key);
  }
  c.size += 1;
}

/**
 * W-TinyLFU (Einziger, Friedman & Manes 2017), as Caffeine runs it with a fixed window: a hit
 * counts in the sketch and refreshes recency; in probation it promotes the key to protected,
 * whose least recent key (when over its size) drops back to probation.
 */
function touchTinyLfu(c: PolicyCache, key: number): void {
  sketchIncrement(c, key);
  const list = c.where[key]! - 1;
  if (list !== W_PROBATION) {
    moveToHead(c, list, key);
    return;
  }
  unlink(c, key);
  linkHead(c, W_PROTECTED, key);
  if (c.lengths[W_PROTECTED]! > c.protectedMax) {
    const demoted = c.tails[W_PROTECTED]!;
    unlink(c, demoted);
    linkHead(c, W_PROBATION, demoted);
  }
}

/**
 * A miss enters the window (an LRU). When the window overflows, its least recent key is the
 * candidate for the main cache: it goes in free while the main cache has room; otherwise it duels
 * the main cache's victim (probation's least recent key) and is admitted only if the sketch
 * estimates it strictly more frequent. The loser is evicted.
 */
function insertTinyLfu(c: PolicyCache, key: number): void {
  sketchIncrement(c, key);
  linkHead(c, W_WINDOW, key);
  c.size += 1;
  if (c.lengths[W_WINDOW]! <= c.windowMax) return;
  const candidate = c.tails[W_WINDOW]!;
  unlink(c, candidate);
  if (c.lengths[W_PROBATION]! + c.lengths[W_PROTECTED]! < c.mainMax) {
    linkHead(c, W_PROBATION, candidate);
    return;
  }
  c.size -= 1;
  // With removals (invalidation, expiry) probation can be empty while protected is full.
  const mainVictim = c.tails[W_PROBATION] !== NONE ? c.tails[W_PROBATION]! : c.tails[W_PROTECTED]!;
  if (mainVictim === NONE) {
    // A one-slot cache has no main segment: the window alone is an LRU.
    noteVictim(c, candidate, 'wtinylfu-window');
    return;
  }
  const candidateFrequency = sketchEstimate(c, candidate);
  const victimFrequency = sketchEstimate(c, mainVictim);
  if (candidateFrequency > victimFrequency) {
    unlink(c, mainVictim);
    linkHead(c, W_PROBATION, candidate);
    noteVictim(c, mainVictim, 'wtinylfu-main');
    c.lastDetail = victimFrequency;
    c.lastRival = candidate;
    c.lastRivalDetail = candidateFrequency;
  } else {
    noteVictim(c, candidate, 'wtinylfu-window');
    c.lastDetail = candidateFrequency;
    c.lastRival = mainVictim;
    c.lastRivalDetail = victimFrequency;
  }
}

/** Takes a resident key out (invalidation, expiry, a crash); no ghost is kept. */
export function removeKey(c: PolicyCache, key: number): void {
  assert(isResident(c, key), `key ${key} is not resident`);
  switch (c.policy) {
    case 'lfu':
      bucketUnlink(c, key);
      c.size -= 1;
      return;
    case 'random': {
      const index = c.slotOf[key]!;
      const last = c.slots[c.size - 1]!;
      c.size -= 1;
      c.slotOf[key] = NONE;
      c.where[key] = 0;
      if (index < c.size) heapSet(c, index, last);
      c.slots[c.size] = NONE;
      return;
    }
    case 'clock': {
      const slot = c.slotOf[key]!;
      c.slots[slot] = NONE;
      c.slotOf[key] = NONE;
      c.where[key] = 0;
      c.bit[key] = 0;
      c.freeSlots.push(slot);
      c.size -= 1;
      return;
    }
    case 'sieve':
      if (c.hand === key) c.hand = c.newer[key]!;
      c.bit[key] = 0;
      unlink(c, key);
      c.size -= 1;
      return;
    default:
      unlink(c, key);
      c.size -= 1;
  }
}

/** One reference: a hit, or a miss that inserts (and may evict). Returns true on a hit. */
export function accessKey(c: PolicyCache, key: number): boolean {
  if (isResident(c, key)) {
    touchKey(c, key);
    c.lastVictim = NONE;
    return true;
  }
  insertKey(c, key);
  return false;
}

/**
 * Replays trace[from, to) through the policy's own hit and fill steps, picked once for the slice
 * instead of once per reference; returns the hits. Only hits are counted: the victim and reason
 * fields are not kept up to date. For the curve job (replay.ts).
 */
export function replayStep(c: PolicyCache, trace: Int32Array, from: number, to: number): number {
  const where = c.where;
  let hits = 0;
  switch (c.policy) {
    case 'lfu':
      for (let i = from; i < to; i += 1) {
        const key = trace[i]!;
        if (where[key] !== 0) {
          hits += 1;
          lfuTouch(c, key);
        } else lfuInsert(c, key);
      }
      break;
    case 'random':
      for (let i = from; i < to; i += 1) {
        const key = trace[i]!;
        if (where[key] !== 0) hits += 1;
        else insertRandom(c, key);
      }
      break;
    case 'arc':
      for (let i = from; i < to; i += 1) {
        const key = trace[i]!;
        const list = where[key]!;
        if (list === ARC_T1 + 1 || list === ARC_T2 + 1) {
          hits += 1;
          moveToHead(c, ARC_T2, key);
        } else insertArc(c, key);
      }
      break;
    case '2q':
      for (let i = from; i < to; i += 1) {
        const key = trace[i]!;
        const list = where[key]!;
        if (list === Q_AM + 1) {
          hits += 1;
          moveToHead(c, Q_AM, key);
        } else if (list === Q_A1IN + 1) hits += 1;
        else insert2q(c, key);
      }
      break;
    case 'wtinylfu':
      for (let i = from; i < to; i += 1) {
        const key = trace[i]!;
        if (where[key] !== 0) {
          hits += 1;
          touchTinyLfu(c, key);
        } else insertTinyLfu(c, key);
      }
      break;
    default:
      for (let i = from; i < to; i += 1) if (accessKey(c, trace[i]!)) hits += 1;
      return hits;
  }
  c.tick += to - from;
  return hits;
}

/**
 * The policy's own structure agrees with itself: list lengths add up to the resident count;
 * W-TinyLFU's segments stay within their sizes and its counters within 4 bits; LFU's buckets run
 * in ascending counts and hold exactly the keys with their count. For the invariant checker.
 */
export function checkPolicyInvariants(c: PolicyCache): void {
  assert(c.size >= 0 && c.size <= c.capacity, `${c.policy}: resident ${c.size} ≤ capacity`);
  if (c.policy === 'wtinylfu') {
    const [windowLength, probation, protectedLength] = c.lengths as [number, number, number];
    assert(windowLength + probation + protectedLength === c.size, 'W-TinyLFU: segments add up');
    assert(windowLength <= c.windowMax, `W-TinyLFU: window ${windowLength} ≤ ${c.windowMax}`);
    assert(probation + protectedLength <= c.mainMax, 'W-TinyLFU: main within its size');
    assert(protectedLength <= c.protectedMax, 'W-TinyLFU: protected within its size');
    assert(c.sketchAdds < c.sketchSample, 'W-TinyLFU: the sketch resets at its sample size');
  }
  if (c.policy === 'lfu') {
    let keys = 0;
    let previous = 0;
    for (let node = c.lowestBucket; node !== NONE; node = c.bucketHigher[node]!) {
      const count = c.bucketCount[node]!;
      assert(count > previous, 'LFU: buckets run in ascending counts');
      assert(c.bucketHead[node] !== NONE, 'LFU: no empty bucket is kept');
      previous = count;
      for (let key = c.bucketHead[node]!; key !== NONE; key = c.older[key]!) {
        assert(c.freq[key] === count && c.bucketOf[key] === node, 'LFU: a key sits in its bucket');
        keys += 1;
      }
    }
    assert(keys === c.size, `LFU: buckets hold ${keys} keys, resident ${c.size}`);
  }
  if (c.policy === 'lru' || c.policy === 'fifo' || c.policy === 'sieve') {
    assert(c.lengths[MAIN] === c.size, `${c.policy}: the list holds every resident key`);
  }
}

/** Empties the cache, ghosts and all. */
export function clearCache(c: PolicyCache): void {
  const fresh = createPolicyCache(c.policy, c.capacity, c.keySpace);
  Object.assign(c, { ...fresh, rng: c.rng, tick: c.tick });
}

// ---------------------------------------------------------------------------------------------
// Reading the cache for the stage.

/** Resident keys, first the next victim (as far as it can be told without more requests). */
export function evictionOrder(c: PolicyCache): number[] {
  switch (c.policy) {
    case 'lru':
    case 'fifo':
      return listKeys(c, MAIN).reverse();
    case 'lfu': {
      // Buckets from the fewest references up, each from its least recent key.
      const keys: number[] = [];
      for (let node = c.lowestBucket; node !== NONE; node = c.bucketHigher[node]!) {
        for (let key = c.bucketTail[node]!; key !== NONE; key = c.newer[key]!) keys.push(key);
      }
      return keys;
    }
    case 'random':
      return Array.from(c.slots.subarray(0, c.size));
    case 'clock': {
      // The hand takes clear bits in ring order first; set bits only on its second pass.
      const clear: number[] = [];
      const set: number[] = [];
      for (let i = 0; i < c.capacity; i += 1) {
        const key = c.slots[(c.hand + i) % c.capacity]!;
        if (key === NONE) continue;
        (c.bit[key] === 1 ? set : clear).push(key);
      }
      return [...clear, ...set];
    }
    case 'sieve': {
      const clear: number[] = [];
      const set: number[] = [];
      const start = c.hand === NONE ? c.tails[MAIN]! : c.hand;
      let key = start;
      for (let i = 0; i < c.size && key !== NONE; i += 1) {
        (c.bit[key] === 1 ? set : clear).push(key);
        key = c.newer[key]!;
        if (key === NONE) key = c.tails[MAIN]!;
      }
      return [...clear, ...set];
    }
    case 'arc': {
      const t1 = listKeys(c, ARC_T1).reverse();
      const t2 = listKeys(c, ARC_T2).reverse();
      return t1.length > c.arcP ? [...t1, ...t2] : [...t2, ...t1];
    }
    case '2q': {
      const a1in = listKeys(c, Q_A1IN).reverse();
      const am = listKeys(c, Q_AM).reverse();
      return a1in.length > c.kIn || am.length === 0 ? [...a1in, ...am] : [...am, ...a1in];
    }
    case 'wtinylfu':
      return tinyLfuOrder(c);
    default:
      return assertNever(c.policy);
  }
}

/**
 * W-TinyLFU's next victims: the loser of the duel the next miss would hold (the window's least
 * recent key against probation's), then main from probation's least recent key, then the window.
 */
function tinyLfuOrder(c: PolicyCache): number[] {
  const windowKeys = listKeys(c, W_WINDOW).reverse();
  const main = [...listKeys(c, W_PROBATION).reverse(), ...listKeys(c, W_PROTECTED).reverse()];
  const candidate = windowKeys[0];
  const duel =
    candidate !== undefined &&
    windowKeys.length >= c.windowMax &&
    main.length >= c.mainMax &&
    main.length > 0;
  if (duel && sketchEstimate(c, candidate) <= sketchEstimate(c, main[0]!)) {
    return [...windowKeys, ...main];
  }
  return [...main, ...windowKeys];
}

/** The list a key sits in, for ARC, 2Q and W-TinyLFU ("T1", "A1in", "window", …), or null. */
export function listNameOf(c: PolicyCache, key: number): string | null {
  const where = c.where[key]!;
  if (where === 0) return null;
  if (c.policy === 'arc') return ['T1', 'T2', 'B1', 'B2'][where - 1] ?? null;
  if (c.policy === '2q') return ['A1in', 'Am', 'A1out'][where - 1] ?? null;
  if (c.policy === 'wtinylfu') return ['window', 'probation', 'protected'][where - 1] ?? null;
  return null;
}

/** W-TinyLFU: the sketch's frequency estimate of a key (resident or not). */
export function frequencyEstimateOf(c: PolicyCache, key: number): number | null {
  return c.sketchWidth > 0 ? sketchEstimate(c, key) : null;
}

/** W-TinyLFU's sketch at a glance, for the stage. */
export interface SketchView {
  rows: number;
  width: number;
  adds: number;
  sample: number;
  resets: number;
  windowMax: number;
  protectedMax: number;
  mainMax: number;
}

export function sketchViewOf(c: PolicyCache): SketchView | null {
  if (c.sketchWidth === 0) return null;
  return {
    rows: SKETCH_ROWS,
    width: c.sketchWidth,
    adds: c.sketchAdds,
    sample: c.sketchSample,
    resets: c.sketchResets,
    windowMax: c.windowMax,
    protectedMax: c.protectedMax,
    mainMax: c.mainMax,
  };
}

export function ghostCount(c: PolicyCache): number {
  if (c.policy === 'arc') return c.lengths[ARC_B1]! + c.lengths[ARC_B2]!;
  if (c.policy === '2q') return c.lengths[Q_A1OUT]!;
  return 0;
}

/** Per-key metadata a slot shows: LFU's count, CLOCK's or SIEVE's bit. */
export function policyBitOf(c: PolicyCache, key: number): number | null {
  return c.bit.length > 0 ? c.bit[key]! : null;
}

export function lfuCountOf(c: PolicyCache, key: number): number | null {
  return c.freq.length > 0 ? c.freq[key]! : null;
}

function assertNever(value: never): never {
  throw new Error(`unknown policy ${String(value)}`);
}
