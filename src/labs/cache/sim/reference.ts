/**
 * Reference models of every policy, written the plainest way (arrays, scans, splices) straight
 * from each paper's description, for the property tests to check the fast typed-array versions
 * against. Slow on purpose: nothing here is clever.
 */
import { createRng, nextInt } from '../../../kernel/prng';
import type { PolicyName } from './constants';
import { sketchColumn } from './policies';

export interface ReferenceCache {
  /** A reference: hit, or miss that inserts; returns the victim key or null. */
  access(key: number): { hit: boolean; victim: number | null };
  remove(key: number): void;
  /** Resident keys, sorted ascending. */
  contents(): number[];
}

export function createReference(policy: PolicyName, capacity: number, seed = 0): ReferenceCache {
  switch (policy) {
    case 'lru':
      return listModel(capacity, true);
    case 'fifo':
      return listModel(capacity, false);
    case 'lfu':
      return lfuModel(capacity);
    case 'random':
      return randomModel(capacity, seed);
    case 'clock':
      return clockModel(capacity);
    case 'sieve':
      return sieveModel(capacity);
    case 'arc':
      return arcModel(capacity);
    case '2q':
      return twoQModel(capacity);
    case 'wtinylfu':
      return tinyLfuModel(capacity);
    default: {
      const unknown: never = policy;
      throw new Error(`unknown policy ${String(unknown)}`);
    }
  }
}

const sorted = (keys: number[]) => [...keys].sort((a, b) => a - b);

/** LRU (move to front on a hit) and FIFO (never move); both evict the back. Front = newest. */
function listModel(capacity: number, moveOnHit: boolean): ReferenceCache {
  const queue: number[] = [];
  return {
    access(key) {
      const at = queue.indexOf(key);
      if (at >= 0) {
        if (moveOnHit) {
          queue.splice(at, 1);
          queue.unshift(key);
        }
        return { hit: true, victim: null };
      }
      const victim = queue.length >= capacity ? queue.pop()! : null;
      queue.unshift(key);
      return { hit: false, victim };
    },
    remove(key) {
      queue.splice(queue.indexOf(key), 1);
    },
    contents: () => sorted(queue),
  };
}

/** LFU: evict the smallest count, ties to the least recently used; counts start at 1. */
function lfuModel(capacity: number): ReferenceCache {
  const entries: { key: number; count: number; lastUse: number }[] = [];
  let tick = 0;
  return {
    access(key) {
      tick += 1;
      const entry = entries.find((e) => e.key === key);
      if (entry) {
        entry.count += 1;
        entry.lastUse = tick;
        return { hit: true, victim: null };
      }
      let victim: number | null = null;
      if (entries.length >= capacity) {
        let worst = 0;
        for (let i = 1; i < entries.length; i += 1) {
          const e = entries[i]!;
          const w = entries[worst]!;
          if (e.count < w.count || (e.count === w.count && e.lastUse < w.lastUse)) worst = i;
        }
        victim = entries[worst]!.key;
        entries.splice(worst, 1);
      }
      entries.push({ key, count: 1, lastUse: tick });
      return { hit: false, victim };
    },
    remove(key) {
      entries.splice(
        entries.findIndex((e) => e.key === key),
        1,
      );
    },
    contents: () => sorted(entries.map((e) => e.key)),
  };
}

/**
 * Random: a dense array; the victim's index is drawn uniformly from the same seeded stream and
 * the newcomer takes its place; a removal moves the last key into the hole.
 */
function randomModel(capacity: number, seed: number): ReferenceCache {
  const dense: number[] = [];
  const rng = createRng(seed, 7);
  return {
    access(key) {
      if (dense.includes(key)) return { hit: true, victim: null };
      if (dense.length < capacity) {
        dense.push(key);
        return { hit: false, victim: null };
      }
      const index = nextInt(rng, 0, dense.length);
      const victim = dense[index]!;
      dense[index] = key;
      return { hit: false, victim };
    },
    remove(key) {
      const index = dense.indexOf(key);
      const last = dense.pop()!;
      if (index < dense.length) dense[index] = last;
    },
    contents: () => sorted(dense),
  };
}

/**
 * CLOCK: a ring of slots with reference bits. A hit sets the bit. When full, the hand clears set
 * bits as it passes and evicts the first clear one; the newcomer takes that slot (bit clear) and
 * the hand moves one on. Removed slots are reused last-freed first.
 */
function clockModel(capacity: number): ReferenceCache {
  const ring: ({ key: number; ref: boolean } | null)[] = new Array(capacity).fill(null);
  const free: number[] = [];
  for (let slot = capacity - 1; slot >= 0; slot -= 1) free.push(slot);
  let hand = 0;
  return {
    access(key) {
      const entry = ring.find((e) => e?.key === key);
      if (entry) {
        entry.ref = true;
        return { hit: true, victim: null };
      }
      if (free.length > 0) {
        ring[free.pop()!] = { key, ref: false };
        return { hit: false, victim: null };
      }
      while (ring[hand]!.ref) {
        ring[hand]!.ref = false;
        hand = (hand + 1) % capacity;
      }
      const victim = ring[hand]!.key;
      ring[hand] = { key, ref: false };
      hand = (hand + 1) % capacity;
      return { hit: false, victim };
    },
    remove(key) {
      const slot = ring.findIndex((e) => e?.key === key);
      ring[slot] = null;
      free.push(slot);
    },
    contents: () => sorted(ring.filter((e) => e !== null).map((e) => e.key)),
  };
}

/**
 * SIEVE: a FIFO queue (index 0 = newest) with visited bits; the hand moves from the oldest towards
 * the newest, wrapping to the oldest, clearing bits, and evicts the first unvisited key.
 */
function sieveModel(capacity: number): ReferenceCache {
  const queue: { key: number; visited: boolean }[] = [];
  let hand: number | null = null;
  return {
    access(key) {
      const entry = queue.find((e) => e.key === key);
      if (entry) {
        entry.visited = true;
        return { hit: true, victim: null };
      }
      let victim: number | null = null;
      if (queue.length >= capacity) {
        let index = hand === null ? queue.length - 1 : queue.findIndex((e) => e.key === hand);
        while (queue[index]!.visited) {
          queue[index]!.visited = false;
          index = index === 0 ? queue.length - 1 : index - 1;
        }
        victim = queue[index]!.key;
        hand = index === 0 ? null : queue[index - 1]!.key;
        queue.splice(index, 1);
      }
      queue.unshift({ key, visited: false });
      return { hit: false, victim };
    },
    remove(key) {
      const index = queue.findIndex((e) => e.key === key);
      if (hand === key) hand = index === 0 ? null : queue[index - 1]!.key;
      queue.splice(index, 1);
    },
    contents: () => sorted(queue.map((e) => e.key)),
  };
}

/** ARC, transcribed from figure 4 of Megiddo & Modha (2003). Index 0 of each list is its MRU end. */
function arcModel(c: number): ReferenceCache {
  const t1: number[] = [];
  const t2: number[] = [];
  const b1: number[] = [];
  const b2: number[] = [];
  let p = 0;
  const drop = (list: number[], key: number) => list.splice(list.indexOf(key), 1);
  const replace = (inB2: boolean): number | null => {
    if (t1.length + t2.length < c) return null;
    if (t1.length >= 1 && ((inB2 && t1.length === p) || t1.length > p || t2.length === 0)) {
      const victim = t1.pop()!;
      b1.unshift(victim);
      return victim;
    }
    const victim = t2.pop()!;
    b2.unshift(victim);
    return victim;
  };
  return {
    access(x) {
      if (t1.includes(x) || t2.includes(x)) {
        drop(t1.includes(x) ? t1 : t2, x);
        t2.unshift(x);
        return { hit: true, victim: null };
      }
      if (b1.includes(x)) {
        p = Math.min(c, p + Math.max(b2.length / b1.length, 1));
        const victim = replace(false);
        drop(b1, x);
        t2.unshift(x);
        return { hit: false, victim };
      }
      if (b2.includes(x)) {
        p = Math.max(0, p - Math.max(b1.length / b2.length, 1));
        const victim = replace(true);
        drop(b2, x);
        t2.unshift(x);
        return { hit: false, victim };
      }
      let victim: number | null = null;
      if (t1.length + b1.length >= c) {
        if (t1.length < c) {
          b1.pop();
          victim = replace(false);
        } else {
          victim = t1.pop()!;
        }
      } else if (t1.length + t2.length + b1.length + b2.length >= c) {
        if (t1.length + t2.length + b1.length + b2.length >= 2 * c) b2.pop();
        victim = replace(false);
      }
      t1.unshift(x);
      return { hit: false, victim };
    },
    remove(key) {
      drop(t1.includes(key) ? t1 : t2, key);
    },
    contents: () => sorted([...t1, ...t2]),
  };
}

/** 2Q (full version): A1in FIFO of Kin, A1out ghost FIFO of Kout, Am LRU. Index 0 = newest. */
function twoQModel(c: number): ReferenceCache {
  const kIn = Math.max(1, Math.round(c * 0.25));
  const kOut = Math.max(1, Math.round(c * 0.5));
  const a1in: number[] = [];
  const a1out: number[] = [];
  const am: number[] = [];
  const reclaim = (): number | null => {
    if (a1in.length + am.length < c) return null;
    if (a1in.length > kIn || am.length === 0) {
      const victim = a1in.pop()!;
      a1out.unshift(victim);
      if (a1out.length > kOut) a1out.pop();
      return victim;
    }
    return am.pop()!;
  };
  return {
    access(x) {
      if (am.includes(x)) {
        am.splice(am.indexOf(x), 1);
        am.unshift(x);
        return { hit: true, victim: null };
      }
      if (a1in.includes(x)) return { hit: true, victim: null };
      const victim = reclaim();
      if (a1out.includes(x)) {
        a1out.splice(a1out.indexOf(x), 1);
        am.unshift(x);
      } else {
        a1in.unshift(x);
      }
      return { hit: false, victim };
    },
    remove(key) {
      const list = am.includes(key) ? am : a1in;
      list.splice(list.indexOf(key), 1);
    },
    contents: () => sorted([...a1in, ...am]),
  };
}

/**
 * A count-min sketch the plain way: 4 rows of counters as numbers that stop at 15, each key
 * counted in one column per row (the same hash columns as the fast one, which pack two 4-bit
 * counters a byte); every counter and the sample count halve (rounding down) after
 * 10 × capacity increments.
 */
export function createReferenceSketch(capacity: number) {
  let width = 16;
  while (width < capacity) width *= 2;
  const rows = [0, 1, 2, 3].map(() => new Array<number>(width).fill(0));
  const sample = 10 * capacity;
  let adds = 0;
  let resets = 0;
  const columns = (key: number) => rows.map((_, row) => sketchColumn(key, row, width));
  return {
    increment(key: number) {
      let added = false;
      columns(key).forEach((column, row) => {
        if (rows[row]![column]! < 15) {
          rows[row]![column]! += 1;
          added = true;
        }
      });
      if (!added) return;
      adds += 1;
      if (adds === sample) {
        for (const counters of rows) {
          for (let i = 0; i < width; i += 1) counters[i] = Math.floor(counters[i]! / 2);
        }
        adds = Math.floor(adds / 2);
        resets += 1;
      }
    },
    estimate: (key: number) => Math.min(...columns(key).map((column, row) => rows[row]![column]!)),
    resets: () => resets,
  };
}

/**
 * W-TinyLFU with a fixed 1% window (at least one slot), main = the rest as a segmented LRU with
 * 80% protected. Index 0 of each list is its most recent end.
 */
function tinyLfuModel(capacity: number): ReferenceCache {
  const windowMax = Math.max(1, Math.round(capacity / 100));
  const mainMax = capacity - windowMax;
  const protectedMax = Math.floor(mainMax * 0.8);
  const sketch = createReferenceSketch(capacity);
  const windowList: number[] = [];
  const probation: number[] = [];
  const protectedList: number[] = [];
  const drop = (list: number[], key: number) => list.splice(list.indexOf(key), 1);
  return {
    access(key) {
      sketch.increment(key);
      if (windowList.includes(key)) {
        drop(windowList, key);
        windowList.unshift(key);
        return { hit: true, victim: null };
      }
      if (protectedList.includes(key)) {
        drop(protectedList, key);
        protectedList.unshift(key);
        return { hit: true, victim: null };
      }
      if (probation.includes(key)) {
        drop(probation, key);
        protectedList.unshift(key);
        if (protectedList.length > protectedMax) probation.unshift(protectedList.pop()!);
        return { hit: true, victim: null };
      }
      windowList.unshift(key);
      if (windowList.length <= windowMax) return { hit: false, victim: null };
      const candidate = windowList.pop()!;
      if (probation.length + protectedList.length < mainMax) {
        probation.unshift(candidate);
        return { hit: false, victim: null };
      }
      const mainVictim = probation.at(-1) ?? protectedList.at(-1);
      if (mainVictim === undefined) return { hit: false, victim: candidate };
      if (sketch.estimate(candidate) > sketch.estimate(mainVictim)) {
        drop(probation.includes(mainVictim) ? probation : protectedList, mainVictim);
        probation.unshift(candidate);
        return { hit: false, victim: mainVictim };
      }
      return { hit: false, victim: candidate };
    },
    remove(key) {
      for (const list of [windowList, probation, protectedList])
        if (list.includes(key)) drop(list, key);
    },
    contents: () => sorted([...windowList, ...probation, ...protectedList]),
  };
}

/** Belady's MIN with bypass, by brute force: scan the future for each resident key. */
export function optHitsNaive(trace: readonly number[], capacity: number): number {
  const cache: number[] = [];
  let hits = 0;
  const nextUse = (key: number, from: number) => {
    for (let j = from; j < trace.length; j += 1) if (trace[j] === key) return j;
    return Number.POSITIVE_INFINITY;
  };
  for (let i = 0; i < trace.length; i += 1) {
    const key = trace[i]!;
    if (cache.includes(key)) {
      hits += 1;
      continue;
    }
    if (cache.length < capacity) {
      cache.push(key);
      continue;
    }
    let farthest = 0;
    let farthestUse = -1;
    for (let k = 0; k < cache.length; k += 1) {
      const use = nextUse(cache[k]!, i + 1);
      if (use > farthestUse) {
        farthestUse = use;
        farthest = k;
      }
    }
    if (nextUse(key, i + 1) < farthestUse) cache[farthest] = key;
  }
  return hits;
}
