/**
 * Replaying a recorded trace through a policy as fast as it goes, for the hit-ratio curve job
 * (twenty million references per policy). The result is exactly what `accessKey` would give, one
 * reference at a time, on the same PolicyCache; only the work per reference shrinks:
 *
 * - the policy is picked once per slice, not once per reference;
 * - LRU, FIFO, CLOCK, SIEVE and W-TinyLFU run as loops over local copies of their heads, tails,
 *   hands and sizes (written back at the end of the slice), with the list (and sketch) operations
 *   inlined;
 * - the others call their policy's own touch and insert steps directly.
 *
 * Only hits are counted: the reasons and victims `insertKey` leaves behind for the live model are
 * not kept up to date here. replay.test.ts checks hits and every structure against `accessKey`.
 */
import {
  accessKey,
  NONE,
  type PolicyCache,
  replayStep,
  SKETCH_COUNTER_MAX,
  SKETCH_ROWS,
  sketchHash,
  sketchReset,
} from './policies';

/** Replays trace[from, to) through the cache; returns the number of hits. */
export function replayTrace(c: PolicyCache, trace: Int32Array, from: number, to: number): number {
  switch (c.policy) {
    case 'lru':
      return replayList(c, trace, from, to, true);
    case 'fifo':
      return replayList(c, trace, from, to, false);
    case 'clock':
      return replayClock(c, trace, from, to);
    case 'sieve':
      return replaySieve(c, trace, from, to);
    case 'wtinylfu':
      // The inlined sketch below unrolls exactly four rows.
      return SKETCH_ROWS === 4 ? replayTinyLfu(c, trace, from, to) : replayStep(c, trace, from, to);
    case 'lfu':
    case 'random':
    case 'arc':
    case '2q':
      return replayStep(c, trace, from, to);
    default:
      return replayGeneric(c, trace, from, to);
  }
}

function replayGeneric(c: PolicyCache, trace: Int32Array, from: number, to: number): number {
  let hits = 0;
  for (let i = from; i < to; i += 1) if (accessKey(c, trace[i]!)) hits += 1;
  return hits;
}

/** LRU (a hit moves the key to the head) or FIFO (a hit changes nothing); the tail is evicted. */
function replayList(
  c: PolicyCache,
  trace: Int32Array,
  from: number,
  to: number,
  moveOnHit: boolean,
): number {
  const { where, newer, older, capacity } = c;
  let head = c.heads[0]!;
  let tail = c.tails[0]!;
  let size = c.size;
  let hits = 0;
  for (let i = from; i < to; i += 1) {
    const key = trace[i]!;
    if (where[key] !== 0) {
      hits += 1;
      if (!moveOnHit || key === head) continue;
      // Not the head, so it has a newer neighbour.
      const newerKey = newer[key]!;
      const olderKey = older[key]!;
      older[newerKey] = olderKey;
      if (olderKey !== NONE) newer[olderKey] = newerKey;
      else tail = newerKey;
      older[key] = head;
      newer[key] = NONE;
      newer[head] = key;
      head = key;
      continue;
    }
    if (size >= capacity) {
      const victim = tail;
      const newerKey = newer[victim]!;
      tail = newerKey;
      if (newerKey !== NONE) older[newerKey] = NONE;
      else head = NONE;
      newer[victim] = NONE;
      older[victim] = NONE;
      where[victim] = 0;
      size -= 1;
    }
    older[key] = head;
    newer[key] = NONE;
    if (head !== NONE) newer[head] = key;
    else tail = key;
    head = key;
    where[key] = 1;
    size += 1;
  }
  c.heads[0] = head;
  c.tails[0] = tail;
  c.lengths[0] = size;
  c.size = size;
  c.tick += to - from;
  return hits;
}

/** CLOCK: a hit sets the reference bit; a miss fills a free slot or sweeps the hand. */
function replayClock(c: PolicyCache, trace: Int32Array, from: number, to: number): number {
  const { where, bit, slots, slotOf, capacity, freeSlots } = c;
  let hand = c.hand;
  let size = c.size;
  let hits = 0;
  for (let i = from; i < to; i += 1) {
    const key = trace[i]!;
    if (where[key] !== 0) {
      hits += 1;
      bit[key] = 1;
      continue;
    }
    let slot: number;
    if (size < capacity) {
      slot = freeSlots.pop()!;
      size += 1;
    } else {
      for (;;) {
        const candidate = slots[hand]!;
        if (bit[candidate] === 0) break;
        bit[candidate] = 0;
        hand = hand + 1 === capacity ? 0 : hand + 1;
      }
      slot = hand;
      const victim = slots[slot]!;
      slotOf[victim] = NONE;
      where[victim] = 0;
      hand = hand + 1 === capacity ? 0 : hand + 1;
    }
    slots[slot] = key;
    slotOf[key] = slot;
    bit[key] = 0;
    where[key] = 1;
  }
  c.hand = hand;
  c.size = size;
  c.tick += to - from;
  return hits;
}

/** SIEVE: a hit sets the visited bit; the hand walks from the tail towards the head. */
function replaySieve(c: PolicyCache, trace: Int32Array, from: number, to: number): number {
  const { where, newer, older, bit, capacity } = c;
  let head = c.heads[0]!;
  let tail = c.tails[0]!;
  let hand = c.hand;
  let size = c.size;
  let hits = 0;
  for (let i = from; i < to; i += 1) {
    const key = trace[i]!;
    if (where[key] !== 0) {
      hits += 1;
      bit[key] = 1;
      continue;
    }
    if (size >= capacity) {
      let victim = hand === NONE ? tail : hand;
      while (bit[victim] === 1) {
        bit[victim] = 0;
        victim = newer[victim]!;
        if (victim === NONE) victim = tail;
      }
      const newerKey = newer[victim]!;
      const olderKey = older[victim]!;
      hand = newerKey;
      if (newerKey !== NONE) older[newerKey] = olderKey;
      else head = olderKey;
      if (olderKey !== NONE) newer[olderKey] = newerKey;
      else tail = newerKey;
      newer[victim] = NONE;
      older[victim] = NONE;
      where[victim] = 0;
      size -= 1;
    }
    bit[key] = 0;
    older[key] = head;
    newer[key] = NONE;
    if (head !== NONE) newer[head] = key;
    else tail = key;
    head = key;
    where[key] = 1;
    size += 1;
  }
  c.heads[0] = head;
  c.tails[0] = tail;
  c.lengths[0] = size;
  c.hand = hand;
  c.size = size;
  c.tick += to - from;
  return hits;
}

/**
 * W-TinyLFU (see policies.ts) with its lists (window 0, probation 1, protected 2) and its sketch
 * worked on in local variables. The sketch's four rows are unrolled, with the same columns (double
 * hashing) as `sketchIncrement` and `sketchEstimate`.
 */
function replayTinyLfu(c: PolicyCache, trace: Int32Array, from: number, to: number): number {
  const { where, newer, older, heads, tails, lengths, sketch, windowMax, mainMax, protectedMax } =
    c;
  const width = c.sketchWidth;
  const mask = width - 1;
  let size = c.size;
  let hits = 0;
  const unlink = (key: number): void => {
    const list = where[key]! - 1;
    const newerKey = newer[key]!;
    const olderKey = older[key]!;
    if (newerKey !== NONE) older[newerKey] = olderKey;
    else heads[list] = olderKey;
    if (olderKey !== NONE) newer[olderKey] = newerKey;
    else tails[list] = newerKey;
    newer[key] = NONE;
    older[key] = NONE;
    lengths[list]! -= 1;
    where[key] = 0;
  };
  const linkHead = (list: number, key: number): void => {
    const head = heads[list]!;
    older[key] = head;
    newer[key] = NONE;
    if (head !== NONE) newer[head] = key;
    else tails[list] = key;
    heads[list] = key;
    lengths[list]! += 1;
    where[key] = list + 1;
  };
  // The four rows unrolled (SKETCH_ROWS is 4); columns as in `sketchIncrement`.
  const bump = (index: number): boolean => {
    const byteIndex = index >> 1;
    const byte = sketch[byteIndex]!;
    const shift = (index & 1) << 2;
    if (((byte >> shift) & 0x0f) >= SKETCH_COUNTER_MAX) return false;
    sketch[byteIndex] = byte + (1 << shift);
    return true;
  };
  const counter = (index: number): number => {
    const byte = sketch[index >> 1]!;
    return index & 1 ? byte >> 4 : byte & 0x0f;
  };
  const increment = (key: number): void => {
    const hash = sketchHash(key);
    const step = (hash >>> 16) | (hash << 16) | 1;
    const c1 = (hash + step) | 0;
    const c2 = (c1 + step) | 0;
    const c3 = (c2 + step) | 0;
    const a0 = bump(hash & mask);
    const a1 = bump(width + (c1 & mask));
    const a2 = bump(2 * width + (c2 & mask));
    const a3 = bump(3 * width + (c3 & mask));
    if (!(a0 || a1 || a2 || a3)) return;
    c.sketchAdds += 1;
    if (c.sketchAdds >= c.sketchSample) sketchReset(c);
  };
  const estimate = (key: number): number => {
    const hash = sketchHash(key);
    const step = (hash >>> 16) | (hash << 16) | 1;
    const c1 = (hash + step) | 0;
    const c2 = (c1 + step) | 0;
    const c3 = (c2 + step) | 0;
    return Math.min(
      counter(hash & mask),
      counter(width + (c1 & mask)),
      counter(2 * width + (c2 & mask)),
      counter(3 * width + (c3 & mask)),
    );
  };
  for (let i = from; i < to; i += 1) {
    const key = trace[i]!;
    increment(key);
    const list = where[key]! - 1;
    if (list >= 0) {
      hits += 1;
      if (list === 1) {
        unlink(key);
        linkHead(2, key);
        if (lengths[2]! > protectedMax) {
          const demoted = tails[2]!;
          unlink(demoted);
          linkHead(1, demoted);
        }
      } else if (heads[list] !== key) {
        unlink(key);
        linkHead(list, key);
      }
      continue;
    }
    linkHead(0, key);
    size += 1;
    if (lengths[0]! <= windowMax) continue;
    const candidate = tails[0]!;
    unlink(candidate);
    if (lengths[1]! + lengths[2]! < mainMax) {
      linkHead(1, candidate);
      continue;
    }
    size -= 1;
    const mainVictim = tails[1] !== NONE ? tails[1]! : tails[2]!;
    if (mainVictim === NONE) continue;
    if (estimate(candidate) > estimate(mainVictim)) {
      unlink(mainVictim);
      linkHead(1, candidate);
    }
  }
  c.size = size;
  c.tick += to - from;
  return hits;
}
