/**
 * The load-balance curve: for each hash function and virtual-node count, build the ring for the
 * current servers and measure how evenly the keys spread (std dev / mean and max / mean of keys
 * per server). One slice per point, so the runner can report progress and cancel.
 */
import type { BatchJob } from '../../../kernel/sim';
import { VNODES_TOTAL_MAX } from './constants';
import { HASH_NAMES, type HashName, hashString } from './hash';
import { type HashRingState, keyNameAt, keysTotalOf } from './model';
import { assignOwners, buildRing, loadStats } from './ring';

export interface VnodeCurveParams {
  vnodeCounts?: number[];
  hashes?: HashName[];
}

export interface VnodeCurvePoint {
  hash: HashName;
  vnodesPerServer: number;
  stdDevOverMean: number;
  maxOverMean: number;
}

export interface VnodeCurveResult {
  keysUsed: number;
  syntheticKeys: boolean;
  servers: number;
  points: VnodeCurvePoint[];
}

export const DEFAULT_VNODE_COUNTS = [1, 2, 5, 10, 20, 50, 100, 200, 500];
/** Below this many keys the spread is mostly sampling noise, so the curve uses generated keys. */
export const CURVE_KEYS_MIN = 10_000;
const CURVE_KEYS_SYNTHETIC = 100_000;

export function* runVnodeCurve(
  state: HashRingState,
  params: VnodeCurveParams | undefined,
): BatchJob<VnodeCurveResult> {
  const live = state.servers.filter((s) => !s.failed).map((s) => ({ ...s, failed: false }));
  const weights = live.reduce((sum, s) => sum + s.weight, 0);
  const vnodeCounts = (params?.vnodeCounts ?? DEFAULT_VNODE_COUNTS).filter(
    (v) => Number.isInteger(v) && v >= 1 && v * weights <= VNODES_TOTAL_MAX,
  );
  const hashes = params?.hashes ?? [...HASH_NAMES];
  const keysTotal = keysTotalOf(state);
  const syntheticKeys = keysTotal < CURVE_KEYS_MIN;
  const keysUsed = syntheticKeys ? CURVE_KEYS_SYNTHETIC : keysTotal;
  const nameAt = (i: number) => (syntheticKeys ? `key-${i}` : keyNameAt(state, i));
  const total = hashes.length * (vnodeCounts.length + 1);
  const label = `Spread of ${keysUsed.toLocaleString('en-US')} keys over ${live.length} servers`;
  const points: VnodeCurvePoint[] = [];
  let done = 0;
  for (const hash of hashes) {
    const keyHashes = new Uint32Array(keysUsed);
    for (let i = 0; i < keysUsed; i += 1) keyHashes[i] = hashString(hash, nameAt(i));
    done += 1;
    yield { done, total, label };
    for (const vnodes of vnodeCounts) {
      if (live.length > 0) {
        const ring = buildRing(live, vnodes, hash);
        const owners = assignOwners(ring, keyHashes);
        const counts = new Array<number>(live.length).fill(0);
        for (const owner of owners) counts[owner] = (counts[owner] ?? 0) + 1;
        // Weighted servers should hold keys in proportion to weight: compare per unit of weight.
        const perWeight = counts.map((c, i) => c / live[i]!.weight);
        const stats = loadStats(perWeight);
        points.push({
          hash,
          vnodesPerServer: vnodes,
          stdDevOverMean: stats.coefficientOfVariation,
          maxOverMean: stats.maxOverMean,
        });
      }
      done += 1;
      yield { done, total, label };
    }
  }
  return { keysUsed, syntheticKeys, servers: live.length, points };
}
