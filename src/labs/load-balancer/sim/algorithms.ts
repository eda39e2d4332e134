/**
 * The balancing algorithms as pure picks over the pool, in the order the balancer lists its
 * servers. Each returns the index of the chosen peer, or -1 when no peer may take traffic.
 *
 * `load` is what the balancer can see of a server's work: requests it has sent and not yet heard
 * back about (layer 7), or open connections (layer 4).
 */
import { nextInt, type RngState } from '../../../kernel/prng';
import type { AlgorithmName } from './constants';
import { clientIpOf, hash32 } from './hash';
import { affinityRingOf, ringOwner } from './ring';

export interface Peer {
  id: string;
  weight: number;
  load: number;
  /** Peak-EWMA latency estimate in ms (0 before the first sample). */
  ewmaMs: number;
  eligible: boolean;
}

/** The balancer's own memory between picks: plain data, kept in the lane state. */
export interface PickerState {
  /** The position of the last pick, where round robin and tie-breaks continue from. */
  cursor: number;
  /** Smooth weighted round robin's current weight per server id. */
  currentWeights: Record<string, number>;
}

export function createPicker(): PickerState {
  return { cursor: -1, currentWeights: {} };
}

/** Round robin: the next eligible peer after the last one picked, in list order. */
export function pickRoundRobin(picker: PickerState, peers: readonly Peer[]): number {
  const count = peers.length;
  for (let step = 1; step <= count; step += 1) {
    const index = (((picker.cursor + step) % count) + count) % count;
    if (peers[index]!.eligible) {
      picker.cursor = index;
      return index;
    }
  }
  return -1;
}

/**
 * Smooth weighted round robin, as nginx's ngx_http_upstream_get_peer: every eligible peer's
 * current weight grows by its weight, the largest current weight wins (the first on ties), and
 * the winner pays back the total. Weights {a:5, b:1, c:1} give a a b a c a a, spread out instead
 * of a a a a a b c.
 */
export function pickSmoothWeighted(picker: PickerState, peers: readonly Peer[]): number {
  let total = 0;
  let best = -1;
  let bestWeight = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < peers.length; index += 1) {
    const peer = peers[index]!;
    if (!peer.eligible) continue;
    const current = (picker.currentWeights[peer.id] ?? 0) + peer.weight;
    picker.currentWeights[peer.id] = current;
    total += peer.weight;
    if (current > bestWeight) {
      bestWeight = current;
      best = index;
    }
  }
  if (best < 0) return -1;
  const winner = peers[best]!.id;
  picker.currentWeights[winner] = (picker.currentWeights[winner] ?? 0) - total;
  picker.cursor = best;
  return best;
}

/** Uniformly random among eligible peers (one draw). */
export function pickRandom(rng: RngState, peers: readonly Peer[]): number {
  const eligible = eligibleIndexes(peers);
  if (eligible.length === 0) return -1;
  return eligible[nextInt(rng, 0, eligible.length)]!;
}

function eligibleIndexes(peers: readonly Peer[]): number[] {
  const eligible: number[] = [];
  for (let index = 0; index < peers.length; index += 1)
    if (peers[index]!.eligible) eligible.push(index);
  return eligible;
}

/**
 * The eligible peer with the least cost; ties go round robin (the first tied peer after the last
 * pick), as nginx's least_conn breaks ties by its round robin.
 */
function pickLeast(
  picker: PickerState,
  peers: readonly Peer[],
  isBetter: (candidate: Peer, best: Peer) => boolean,
): number {
  const count = peers.length;
  let best = -1;
  for (let step = 1; step <= count; step += 1) {
    const index = (((picker.cursor + step) % count) + count) % count;
    const peer = peers[index]!;
    if (!peer.eligible) continue;
    if (best < 0 || isBetter(peer, peers[best]!)) best = index;
  }
  if (best >= 0) picker.cursor = best;
  return best;
}

/** Least connections: the fewest outstanding requests (or open connections at layer 4). */
export function pickLeastConnections(picker: PickerState, peers: readonly Peer[]): number {
  return pickLeast(picker, peers, (a, b) => a.load < b.load);
}

/** Weighted least connections: the least load per unit of weight (compared without division). */
export function pickWeightedLeastConnections(picker: PickerState, peers: readonly Peer[]): number {
  return pickLeast(picker, peers, (a, b) => a.load * b.weight < b.load * a.weight);
}

/** Least response time: Finagle's peak EWMA cost, latency estimate × (outstanding + 1). */
export function peakEwmaCost(peer: Peer): number {
  return peer.ewmaMs * (peer.load + 1);
}

export function pickPeakEwma(picker: PickerState, peers: readonly Peer[]): number {
  return pickLeast(picker, peers, (a, b) => peakEwmaCost(a) < peakEwmaCost(b));
}

/**
 * Power of two choices (Mitzenmacher): two distinct eligible peers chosen uniformly (two draws),
 * the one with less load wins, the first drawn on a tie.
 */
export function pickPowerOfTwo(rng: RngState, peers: readonly Peer[]): number {
  const eligible = eligibleIndexes(peers);
  if (eligible.length === 0) return -1;
  if (eligible.length === 1) return eligible[0]!;
  const first = nextInt(rng, 0, eligible.length);
  let second = nextInt(rng, 0, eligible.length - 1);
  if (second >= first) second += 1;
  const a = eligible[first]!;
  const b = eligible[second]!;
  return peers[b]!.load < peers[a]!.load ? b : a;
}

/**
 * IP hash: the client address hashed onto the pool list; if that server may not take traffic,
 * the next one in the list does (so only that server's clients move).
 */
export function pickIpHash(peers: readonly Peer[], clientId: number): number {
  const count = peers.length;
  if (count === 0) return -1;
  const start = hash32(clientIpOf(clientId)) % count;
  for (let step = 0; step < count; step += 1) {
    const index = (start + step) % count;
    if (peers[index]!.eligible) return index;
  }
  return -1;
}

/** Consistent-hash affinity: the client's hash on a ring of the pool's servers. */
export function pickConsistentHash(peers: readonly Peer[], clientId: number): number {
  const ring = affinityRingOf(peers.map((p) => p.id));
  const byId: Record<string, number> = {};
  for (let index = 0; index < peers.length; index += 1) byId[peers[index]!.id] = index;
  const owner = ringOwner(ring, hash32(clientIpOf(clientId)), (id) => {
    const index = byId[id];
    return index !== undefined && peers[index]!.eligible;
  });
  return owner === null ? -1 : byId[owner]!;
}

/** One scheduling decision by the named algorithm. */
export function pickPeer(
  algorithm: AlgorithmName,
  picker: PickerState,
  rng: RngState,
  peers: readonly Peer[],
  clientId: number,
): number {
  switch (algorithm) {
    case 'round-robin':
      return pickRoundRobin(picker, peers);
    case 'smooth-weighted':
      return pickSmoothWeighted(picker, peers);
    case 'random':
      return pickRandom(rng, peers);
    case 'least-connections':
      return pickLeastConnections(picker, peers);
    case 'weighted-least-connections':
      return pickWeightedLeastConnections(picker, peers);
    case 'peak-ewma':
      return pickPeakEwma(picker, peers);
    case 'power-of-two':
      return pickPowerOfTwo(rng, peers);
    case 'ip-hash':
      return pickIpHash(peers, clientId);
    case 'consistent-hash':
      return pickConsistentHash(peers, clientId);
    default: {
      const unknown: never = algorithm;
      throw new Error(`Unknown algorithm ${String(unknown)}`);
    }
  }
}

/**
 * Peak EWMA's update on a latency sample (Finagle): a sample above the estimate replaces it at
 * once (the peak), one below pulls it down with weight e^(−Δt/τ) on the old value.
 */
export function observePeakEwma(
  estimateMs: number,
  estimateAtMs: number,
  sampleMs: number,
  nowMs: number,
  decayMs: number,
): number {
  if (sampleMs > estimateMs) return sampleMs;
  const keep = Math.exp(-Math.max(0, nowMs - estimateAtMs) / decayMs);
  return estimateMs * keep + sampleMs * (1 - keep);
}
