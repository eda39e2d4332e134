/**
 * Versions of a register value and how replicas reconcile them.
 *
 * Last-write-wins orders versions by (timestamp, coordinator, value): a total order, so a replica
 * keeps one version. Vector clocks (Lamport 1978; Fidge, Mattern 1988; as in Dynamo) order
 * versions only partially: a version that happened before another is dropped, and concurrent ones
 * are kept side by side as siblings until a client writes a value that has seen them all.
 * Clock entries are per client (Riak's original "client id" vector clocks), so two clients' blind
 * writes through the same coordinator are still seen as concurrent.
 */
import type { ConflictMode } from './constants';

export interface Version {
  /** The written value (unique per write; 0 is the initial value). */
  value: number;
  /** The coordinator's clock when it accepted the write (LWW order). */
  ts: number;
  /** The coordinating replica's index (LWW tie-break); -1 for the initial value. */
  node: number;
  /** Vector clock, one entry per client. */
  clock: number[];
}

export function initialVersion(clients: number): Version {
  return { value: 0, ts: 0, node: -1, clock: new Array<number>(clients).fill(0) };
}

/** LWW order: positive when a is newer than b. */
export function compareLww(a: Version, b: Version): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.node !== b.node) return a.node - b.node;
  return a.value - b.value;
}

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

/** How clock a relates to clock b in the happened-before order. */
export function compareClocks(a: readonly number[], b: readonly number[]): ClockOrder {
  let less = false;
  let greater = false;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x < y) less = true;
    else if (x > y) greater = true;
  }
  if (less && greater) return 'concurrent';
  if (less) return 'before';
  if (greater) return 'after';
  return 'equal';
}

/** The least clock that is ≥ both (entry-wise max). */
export function joinClocks(a: readonly number[], b: readonly number[]): number[] {
  const length = Math.max(a.length, b.length);
  const joined = new Array<number>(length);
  for (let i = 0; i < length; i += 1) joined[i] = Math.max(a[i] ?? 0, b[i] ?? 0);
  return joined;
}

export function clockOfSiblings(siblings: readonly Version[], clients: number): number[] {
  let clock = new Array<number>(clients).fill(0);
  for (const sibling of siblings) clock = joinClocks(clock, sibling.clock);
  return clock;
}

/** The newest version under LWW. */
export function newestLww(versions: readonly Version[]): Version | null {
  let best: Version | null = null;
  for (const version of versions)
    if (best === null || compareLww(version, best) > 0) best = version;
  return best;
}

/**
 * Reconciles two sets of versions. LWW keeps the single newest; vector clocks keep every version
 * no other version happened after (dropping duplicates), sorted by value for a stable order.
 */
export function reconcile(
  mode: ConflictMode,
  a: readonly Version[],
  b: readonly Version[],
): Version[] {
  if (mode === 'lww') {
    const best = newestLww([...a, ...b]);
    return best === null ? [] : [best];
  }
  const all = [...a, ...b];
  const kept: Version[] = [];
  for (const candidate of all) {
    let dominated = false;
    for (const other of all) {
      const order = compareClocks(candidate.clock, other.clock);
      if (order === 'before') {
        dominated = true;
        break;
      }
    }
    if (dominated) continue;
    if (kept.some((k) => compareClocks(k.clock, candidate.clock) === 'equal')) continue;
    kept.push(candidate);
  }
  return kept.sort((x, y) => x.value - y.value);
}

/** True when `have` already holds everything `target` holds (reconciling adds nothing). */
export function covers(
  mode: ConflictMode,
  have: readonly Version[],
  target: readonly Version[],
): boolean {
  if (target.length === 0) return true;
  if (mode === 'lww') {
    const mine = newestLww(have);
    const theirs = newestLww(target);
    return theirs === null || (mine !== null && compareLww(mine, theirs) >= 0);
  }
  // Every target version is equal to or happened before one we have.
  return target.every((t) =>
    have.some((h) => {
      const order = compareClocks(t.clock, h.clock);
      return order === 'equal' || order === 'before';
    }),
  );
}

export function sameVersions(
  mode: ConflictMode,
  a: readonly Version[],
  b: readonly Version[],
): boolean {
  return covers(mode, a, b) && covers(mode, b, a);
}

/** A 32-bit hash of a version set (for Merkle leaves): FNV-1a over its numbers. */
export function hashVersions(versions: readonly Version[]): number {
  let hash = 0x811c9dc5;
  const take = (n: number) => {
    hash = Math.imul(hash ^ (n & 0xffff), 0x01000193);
    hash = Math.imul(hash ^ (n >>> 16), 0x01000193);
  };
  for (const version of versions) {
    take(version.value);
    take(version.ts);
    take(version.node + 1);
    for (const entry of version.clock) take(entry);
  }
  return hash >>> 0;
}
