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
import { createRng, nextInt, type RngState } from '../../../kernel/prng';
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
  /** LFU: accesses while resident; with lastUse the heap order. */
  freq: Int32Array;
  lastUse: Int32Array;
  /** CLOCK's reference bit or SIEVE's visited bit. */
  bit: Uint8Array;
  /** CLOCK's ring, Random's dense array, LFU's heap; slotOf maps a key to its index there. */
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
  tick: number;
  rng: RngState;
  lastVictim: number;
  lastReason: EvictReason;
  /** LFU: the victim's count; CLOCK and SIEVE: second chances given on the way. */
  lastDetail: number;
}

const usesLists = (p: PolicyName) =>
  p === 'lru' || p === 'fifo' || p === 'sieve' || p === 'arc' || p === '2q';
const usesSlots = (p: PolicyName) => p === 'clock' || p === 'random' || p === 'lfu';

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
    freq: new Int32Array(policy === 'lfu' ? keySpace : 0),
    lastUse: new Int32Array(policy === 'lfu' ? keySpace : 0),
    bit: new Uint8Array(policy === 'clock' || policy === 'sieve' ? keySpace : 0),
    slots: new Int32Array(slotted ? capacity : 0).fill(NONE),
    slotOf: new Int32Array(slotted ? keySpace : 0).fill(NONE),
    hand: policy === 'sieve' ? NONE : 0,
    freeSlots: [],
    arcP: 0,
    kIn: Math.max(1, Math.round(capacity * 0.25)),
    kOut: Math.max(1, Math.round(capacity * 0.5)),
    tick: 0,
    rng: createRng(seed, 7),
    lastVictim: NONE,
    lastReason: 'none',
    lastDetail: 0,
  };
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
// LFU's binary min-heap over (count, last use), in `slots` with positions in `slotOf`.

function lfuBefore(c: PolicyCache, a: number, b: number): boolean {
  const fa = c.freq[a]!;
  const fb = c.freq[b]!;
  return fa < fb || (fa === fb && c.lastUse[a]! < c.lastUse[b]!);
}

function heapSet(c: PolicyCache, index: number, key: number): void {
  c.slots[index] = key;
  c.slotOf[key] = index;
}

function heapUp(c: PolicyCache, start: number): void {
  let index = start;
  const key = c.slots[index]!;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    const parentKey = c.slots[parent]!;
    if (!lfuBefore(c, key, parentKey)) break;
    heapSet(c, index, parentKey);
    index = parent;
  }
  heapSet(c, index, key);
}

function heapDown(c: PolicyCache, start: number): void {
  let index = start;
  const key = c.slots[index]!;
  const n = c.size;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= n) break;
    const right = left + 1;
    let child = left;
    if (right < n && lfuBefore(c, c.slots[right]!, c.slots[left]!)) child = right;
    const childKey = c.slots[child]!;
    if (!lfuBefore(c, childKey, key)) break;
    heapSet(c, index, childKey);
    index = child;
  }
  heapSet(c, index, key);
}

function heapRemoveAt(c: PolicyCache, index: number): void {
  const removed = c.slots[index]!;
  const last = c.slots[c.size - 1]!;
  c.size -= 1;
  c.slots[c.size] = NONE;
  c.slotOf[removed] = NONE;
  c.where[removed] = 0;
  if (index < c.size) {
    heapSet(c, index, last);
    heapUp(c, index);
    heapDown(c, c.slotOf[last]!);
  }
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
      c.freq[key]! += 1;
      c.lastUse[key] = c.tick;
      heapDown(c, c.slotOf[key]!);
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
      if (c.size >= c.capacity) {
        const victim = c.slots[0]!;
        c.lastDetail = c.freq[victim]!;
        heapRemoveAt(c, 0);
        noteVictim(c, victim, 'lfu');
      }
      c.freq[key] = 1;
      c.lastUse[key] = c.tick;
      c.where[key] = 1;
      heapSet(c, c.size, key);
      c.size += 1;
      heapUp(c, c.size - 1);
      break;
    case 'random':
      if (c.size >= c.capacity) {
        const index = nextInt(c.rng, 0, c.size);
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
    default:
      assertNever(c.policy);
  }
  return c.lastVictim;
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

/** Takes a resident key out (invalidation, expiry, a crash); no ghost is kept. */
export function removeKey(c: PolicyCache, key: number): void {
  assert(isResident(c, key), `key ${key} is not resident`);
  switch (c.policy) {
    case 'lfu':
      heapRemoveAt(c, c.slotOf[key]!);
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
      const keys = Array.from(c.slots.subarray(0, c.size));
      return keys.sort((a, b) => (lfuBefore(c, a, b) ? -1 : lfuBefore(c, b, a) ? 1 : 0));
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
    default:
      return assertNever(c.policy);
  }
}

/** The list a key sits in, for ARC and 2Q ("T1", "A1in", …), or null. */
export function listNameOf(c: PolicyCache, key: number): string | null {
  const where = c.where[key]!;
  if (where === 0) return null;
  if (c.policy === 'arc') return ['T1', 'T2', 'B1', 'B2'][where - 1] ?? null;
  if (c.policy === '2q') return ['A1in', 'Am', 'A1out'][where - 1] ?? null;
  return null;
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
