/**
 * A small consistent-hash ring for client affinity: each server gets RING_VNODES points, a client
 * belongs to the first point clockwise from its hash whose server may take traffic.
 *
 * The hash-ring lab has a full ring; labs do not import each other, so this one is written for
 * this lab alone (a shared ring could move to the kernel).
 */
import { RING_VNODES } from './constants';
import { hash32 } from './hash';

export interface AffinityRing {
  /** Sorted point hashes. */
  points: Uint32Array;
  /** The server id at each point. */
  owners: string[];
}

export function buildAffinityRing(
  serverIds: readonly string[],
  vnodes = RING_VNODES,
): AffinityRing {
  const entries: { point: number; owner: string }[] = [];
  for (const id of serverIds) {
    for (let v = 0; v < vnodes; v += 1) entries.push({ point: hash32(`${id}#${v}`), owner: id });
  }
  // Ties (two points with one hash) break by server id, so the ring never depends on input order.
  entries.sort((a, b) => a.point - b.point || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  return {
    points: Uint32Array.from(entries, (e) => e.point),
    owners: entries.map((e) => e.owner),
  };
}

/** The index of the first point at or after `hash`, wrapping to 0 past the end. */
export function firstPointAtOrAfter(ring: AffinityRing, hash: number): number {
  let low = 0;
  let high = ring.points.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ring.points[middle]! < hash) low = middle + 1;
    else high = middle;
  }
  return low === ring.points.length ? 0 : low;
}

/** Walks clockwise from the key's hash to the first server `accepts` allows; null if none. */
export function ringOwner(
  ring: AffinityRing,
  hash: number,
  accepts: (serverId: string) => boolean,
): string | null {
  const count = ring.points.length;
  if (count === 0) return null;
  const start = firstPointAtOrAfter(ring, hash);
  const refused = new Set<string>();
  for (let step = 0; step < count; step += 1) {
    const owner = ring.owners[(start + step) % count]!;
    if (refused.has(owner)) continue;
    if (accepts(owner)) return owner;
    refused.add(owner);
  }
  return null;
}

const ringMemo = new Map<string, AffinityRing>();
const RING_MEMO_MAX = 8;

/** Rings are pure functions of their server ids, so they are memoised outside the state. */
export function affinityRingOf(serverIds: readonly string[]): AffinityRing {
  const key = serverIds.join(',');
  const hit = ringMemo.get(key);
  if (hit) return hit;
  const ring = buildAffinityRing(serverIds);
  ringMemo.set(key, ring);
  if (ringMemo.size > RING_MEMO_MAX) {
    const oldest = ringMemo.keys().next().value;
    if (oldest !== undefined) ringMemo.delete(oldest);
  }
  return ring;
}
