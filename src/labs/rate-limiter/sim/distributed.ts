/**
 * Distributed limiting: 2 to 4 gateways enforce one per-client fixed-window limit through a
 * shared counter store, over the kernel's simulated network. Three strategies:
 *
 * - racy: readCounter (GET), decide, writeCounter (SET count + 1). Two gateways that read the
 *   same count both accept, and the later write overwrites the earlier: overshoot.
 * - atomic: incrementCounter (INCR returns the new count); accept when it is within the limit.
 *   The store serialises increments, so nothing is accepted over the limit.
 * - sync: each gateway decides locally from its own count plus the others' counts it learnt at
 *   its last synchronisation, and every syncMs sends its count and learns theirs. Each gateway
 *   alone never passes the limit, so the overshoot per window stays below (gateways − 1) × limit,
 *   and it shrinks as the sync interval does.
 *
 * "Accepted over the limit" is counted against the ground truth (every acceptance the lane
 * made, per client and window), not against what the store believes.
 */
import {
  createNetwork,
  deliverDue,
  isDropped,
  type Network,
  nextMessageAtMs,
  sendMessage,
} from '../../../kernel/network';
import type { RngState } from '../../../kernel/prng';
import type { DistributedStrategy } from './constants';

export type StoreMessage =
  | { op: 'get'; requestId: number; key: string; window: number }
  | { op: 'value'; requestId: number; key: string; window: number; count: number }
  | { op: 'set'; key: string; window: number; count: number }
  | { op: 'incr'; requestId: number; key: string; window: number }
  | { op: 'incremented'; requestId: number; key: string; window: number; count: number }
  | { op: 'sync'; gateway: number; window: number; counts: Record<string, number> }
  | { op: 'synced'; window: number; others: Record<string, number> };

export interface GatewayKeyState {
  window: number;
  /** This gateway's acceptances for the key in the window (exact, local). */
  own: number;
  /** The other gateways' acceptances it learnt at its last synchronisation. */
  othersKnown: number;
}

export interface GatewayState {
  id: string;
  keys: Record<string, GatewayKeyState>;
  handled: number;
}

/** A request a gateway is holding while it waits for the store. */
export interface PendingDecision {
  requestId: number;
  client: number;
  attempt: number;
  atMs: number;
  gateway: number;
  key: string;
  window: number;
}

export interface DistributedLane {
  strategy: DistributedStrategy;
  net: Network<StoreMessage>;
  rng: RngState;
  gateways: GatewayState[];
  /** Racy and atomic: the store's counter per "key|window". */
  counters: Record<string, number>;
  /** Sync: the latest count each gateway reported, per "key|window". */
  reported: Record<string, number[]>;
  pending: Record<string, PendingDecision>;
  syncMs: number;
  nextSyncAtMs: number;
  /** Ground truth: acceptances per "key|window". */
  acceptedByWindow: Record<string, number>;
  overshoot: number;
  /** The largest overshoot in one window for one key. */
  overshootWindowMax: number;
  windowsOver: number;
  messagesSent: number;
  latestWindow: number;
}

export const STORE_NODE = 'store';

export function gatewayId(index: number): string {
  return `gw${index + 1}`;
}

export function createDistributedLane(
  strategy: DistributedStrategy,
  gateways: number,
  syncMs: number,
  storeLatencyMs: number,
  rng: RngState,
): DistributedLane {
  const nodes = [STORE_NODE, ...Array.from({ length: gateways }, (_, i) => gatewayId(i))];
  const low = Math.max(1, Math.round(storeLatencyMs / 2));
  const high = Math.max(low, Math.round((storeLatencyMs * 3) / 2));
  return {
    strategy,
    net: createNetwork<StoreMessage>(nodes, {
      latency: { kind: 'uniform', minMs: low, maxMs: high },
      lossProbability: 0,
    }),
    rng,
    gateways: Array.from({ length: gateways }, (_, i) => ({
      id: gatewayId(i),
      keys: {},
      handled: 0,
    })),
    counters: {},
    reported: {},
    pending: {},
    syncMs,
    nextSyncAtMs: strategy === 'sync' ? syncMs : Number.POSITIVE_INFINITY,
    acceptedByWindow: {},
    overshoot: 0,
    overshootWindowMax: 0,
    windowsOver: 0,
    messagesSent: 0,
    latestWindow: 0,
  };
}

/** The largest overshoot the sync strategy can reach in one window for one key. */
export function syncOvershootBound(gateways: number, limit: number): number {
  return (gateways - 1) * limit;
}

function send(
  lane: DistributedLane,
  from: string,
  to: string,
  payload: StoreMessage,
  nowMs: number,
) {
  sendMessage(lane.net, lane.rng, from, to, payload, nowMs);
  lane.messagesSent += 1;
}

function counterKey(key: string, window: number): string {
  return `${key}|${window}`;
}

/** Ground truth: counts an acceptance and any overshoot it causes. */
export function tallyAcceptance(lane: DistributedLane, key: string, window: number, limit: number) {
  const k = counterKey(key, window);
  const count = (lane.acceptedByWindow[k] ?? 0) + 1;
  lane.acceptedByWindow[k] = count;
  if (count > limit) {
    lane.overshoot += 1;
    if (count === limit + 1) lane.windowsOver += 1;
    lane.overshootWindowMax = Math.max(lane.overshootWindowMax, count - limit);
    return true;
  }
  return false;
}

/** Drops per-window records two windows old, so the state stays bounded. */
export function forgetOldWindows(lane: DistributedLane, window: number): void {
  if (window <= lane.latestWindow) return;
  lane.latestWindow = window;
  const keep = (k: string) => Number(k.slice(k.lastIndexOf('|') + 1)) >= window - 1;
  for (const record of [lane.acceptedByWindow, lane.counters, lane.reported]) {
    for (const k of Object.keys(record)) if (!keep(k)) delete record[k as keyof typeof record];
  }
}

export type GatewayVerdict =
  | { kind: 'pending' }
  | { kind: 'decided'; allowed: boolean; count: number };

/**
 * A request reaches gateway g. Racy and atomic ask the store and answer later; sync decides
 * at once from the gateway's local view.
 */
export function receiveAtGateway(
  lane: DistributedLane,
  request: PendingDecision,
  limit: number,
  nowMs: number,
): GatewayVerdict {
  const gateway = lane.gateways[request.gateway]!;
  gateway.handled += 1;
  forgetOldWindows(lane, request.window);
  switch (lane.strategy) {
    case 'racy':
      lane.pending[request.requestId] = request;
      readCounter(lane, request, nowMs);
      return { kind: 'pending' };
    case 'atomic':
      lane.pending[request.requestId] = request;
      incrementCounter(lane, request, nowMs);
      return { kind: 'pending' };
    case 'sync':
      return decideLocally(gateway, request, limit);
  }
}

export function readCounter(lane: DistributedLane, r: PendingDecision, nowMs: number): void {
  const payload = { op: 'get', requestId: r.requestId, key: r.key, window: r.window } as const;
  send(lane, gatewayId(r.gateway), STORE_NODE, payload, nowMs);
}

export function incrementCounter(lane: DistributedLane, r: PendingDecision, nowMs: number): void {
  const payload = { op: 'incr', requestId: r.requestId, key: r.key, window: r.window } as const;
  send(lane, gatewayId(r.gateway), STORE_NODE, payload, nowMs);
}

function keyStateOf(gateway: GatewayState, key: string, window: number): GatewayKeyState {
  let state = gateway.keys[key];
  if (!state || state.window < window) {
    state = { window, own: 0, othersKnown: 0 };
    gateway.keys[key] = state;
  }
  return state;
}

/** Sync strategy: accept when own + others-known stays under the limit. */
export function decideLocally(
  gateway: GatewayState,
  r: PendingDecision,
  limit: number,
): GatewayVerdict {
  const state = keyStateOf(gateway, r.key, r.window);
  const count = state.own + state.othersKnown;
  const allowed = count < limit;
  if (allowed) state.own += 1;
  return { kind: 'decided', allowed, count: allowed ? count + 1 : count };
}

/** Sync strategy: every gateway reports its counts for the current window. */
export function synchroniseCounters(lane: DistributedLane, windowMs: number, nowMs: number) {
  const window = Math.floor(nowMs / windowMs);
  lane.gateways.forEach((gateway, index) => {
    const counts: Record<string, number> = {};
    for (const [key, state] of Object.entries(gateway.keys)) {
      if (state.window === window) counts[key] = state.own;
    }
    send(lane, gateway.id, STORE_NODE, { op: 'sync', gateway: index, window, counts }, nowMs);
  });
}

export interface StoreReply {
  request: PendingDecision;
  allowed: boolean;
  count: number;
}

/**
 * Delivers every message due by nowMs: the store answers, and gateways holding requests decide.
 * Returns the decided requests in delivery order.
 */
export function deliverStoreMessages(lane: DistributedLane, limit: number, nowMs: number) {
  const decided: StoreReply[] = [];
  for (const message of deliverDue(lane.net, nowMs)) {
    if (isDropped(message)) continue;
    const at = message.deliverAtMs;
    const p = message.payload;
    switch (p.op) {
      case 'get': {
        const count = lane.counters[counterKey(p.key, p.window)] ?? 0;
        send(lane, STORE_NODE, message.from, { ...p, op: 'value', count }, at);
        break;
      }
      case 'set':
        // A blind write: whatever another gateway wrote in between is lost.
        lane.counters[counterKey(p.key, p.window)] = p.count;
        break;
      case 'incr': {
        const k = counterKey(p.key, p.window);
        const count = (lane.counters[k] ?? 0) + 1;
        lane.counters[k] = count;
        send(lane, STORE_NODE, message.from, { ...p, op: 'incremented', count }, at);
        break;
      }
      case 'value': {
        const request = lane.pending[p.requestId];
        if (!request) break;
        delete lane.pending[p.requestId];
        const allowed = p.count < limit;
        if (allowed) {
          writeCounter(lane, request, p.count + 1, at);
        }
        decided.push({ request, allowed, count: allowed ? p.count + 1 : p.count });
        break;
      }
      case 'incremented': {
        const request = lane.pending[p.requestId];
        if (!request) break;
        delete lane.pending[p.requestId];
        decided.push({ request, allowed: p.count <= limit, count: p.count });
        break;
      }
      case 'sync': {
        const others: Record<string, number> = {};
        for (const [key, count] of Object.entries(p.counts)) {
          const k = counterKey(key, p.window);
          const reports = lane.reported[k] ?? new Array<number>(lane.gateways.length).fill(0);
          // Counts only grow within a window, so a late, older report never lowers one.
          reports[p.gateway] = Math.max(reports[p.gateway] ?? 0, count);
          lane.reported[k] = reports;
        }
        for (const [k, reports] of Object.entries(lane.reported)) {
          const bar = k.lastIndexOf('|');
          if (Number(k.slice(bar + 1)) !== p.window) continue;
          const total = reports.reduce((a, b) => a + b, 0);
          others[k.slice(0, bar)] = total - (reports[p.gateway] ?? 0);
        }
        send(lane, STORE_NODE, message.from, { op: 'synced', window: p.window, others }, at);
        break;
      }
      case 'synced': {
        const gateway = lane.gateways.find((g) => g.id === message.to);
        if (!gateway) break;
        for (const [key, others] of Object.entries(p.others)) {
          const state = keyStateOf(gateway, key, p.window);
          if (state.window === p.window) state.othersKnown = Math.max(state.othersKnown, others);
        }
        break;
      }
    }
  }
  return decided;
}

export function writeCounter(
  lane: DistributedLane,
  r: PendingDecision,
  count: number,
  nowMs: number,
) {
  send(
    lane,
    gatewayId(r.gateway),
    STORE_NODE,
    { op: 'set', key: r.key, window: r.window, count },
    nowMs,
  );
}

export function nextDistributedEventAtMs(lane: DistributedLane): number | null {
  const next = Math.min(nextMessageAtMs(lane.net) ?? Infinity, lane.nextSyncAtMs);
  return Number.isFinite(next) ? next : null;
}
