/**
 * What the rate-limiter views draw: a small, serialisable summary of the state. Request dots
 * travel as typed arrays, since a busy lane has a thousand of them on screen.
 */

import { queueSize } from '../../../kernel/event-queue';
import { isDropped, messageEndAtMs, messagesInFlight } from '../../../kernel/network';
import { createLimiter, type LimiterPicture, pictureOf } from './algorithms';
import {
  type AlgorithmId,
  CLIENT_IPS,
  clientKey,
  clientName,
  type DistributedStrategy,
  DOT_LIFE_MS,
  DOT_TRAVEL_MS,
  type KeyBy,
  type LabMode,
  type RetryBehaviour,
  type TrafficPattern,
} from './constants';
import { syncOvershootBound } from './distributed';
import {
  type ClientTally,
  type LimitSettings,
  queuedTotal,
  type RecentRequest,
  type SeriesBucket,
  tiersOf,
} from './lane';
import { laneLabel, type RateLimiterState } from './model';
import { clientRates } from './traffic';

export interface DotsPart {
  count: number;
  id: Int32Array;
  client: Uint8Array;
  atMs: Float64Array;
  decidedAtMs: Float64Array;
  forwardAtMs: Float64Array;
  /** 200, 429, or 0 while pending. */
  status: Uint16Array;
  gateway: Int8Array;
}

export interface MessageView {
  id: number;
  from: string;
  to: string;
  op: string;
  sentAtMs: number;
  endAtMs: number;
}

export interface DistributedView {
  strategy: DistributedStrategy;
  gateways: { id: string; handled: number }[];
  messages: MessageView[];
  overshoot: number;
  overshootWindowMax: number;
  windowsOver: number;
  /** The sync strategy's bound on the overshoot per window and key, (gateways − 1) × limit. */
  bound: number | null;
  messagesSent: number;
  pendingDecisions: number;
}

export interface LaneView {
  index: number;
  algorithm: AlgorithmId | DistributedStrategy;
  label: string;
  arrivals: number;
  attempts: number;
  accepted: number;
  rejected: number;
  delayed: number;
  retried: number;
  gaveUp: number;
  retriesRefused: number;
  pendingRetries: number;
  maxInWindow: number;
  maxInWindowAtMs: number;
  maxInWindowClient: number;
  perClient: ClientTally[];
  picture: LimiterPicture | null;
  queued: number;
  dots: DotsPart;
  /** The newest decided requests, newest last, for the inspector. */
  latest: RecentRequest[];
  series: SeriesBucket[];
  dist: DistributedView | null;
}

export interface ClientView {
  index: number;
  name: string;
  key: string;
  ip: string;
  abusive: boolean;
  ratePerSecond: number;
}

export interface SelectedView {
  lane: number;
  laneLabel: string;
  request: RecentRequest;
  statusLine: string;
  headers: [string, string][];
}

export interface RateLimiterSnapshot {
  atMs: number;
  mode: LabMode;
  algorithms: AlgorithmId[];
  limits: LimitSettings;
  keyBy: KeyBy;
  abuseFactor: number;
  clients: ClientView[];
  retry: RetryBehaviour;
  pattern: TrafficPattern;
  ratePerSecond: number;
  gateways: number;
  syncMs: number;
  storeLatencyMs: number;
  lanes: LaneView[];
  focusClient: number;
  selected: SelectedView | null;
  generation: number;
  /** Changes when a setting or the lanes change (for panels that re-render only then). */
  settingsVersion: string;
}

const SERIES_SHOWN = 60;
const LATEST_SHOWN = 8;
const MESSAGES_SHOWN = 200;

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(3).replace(/0+$/, '');
}

/** The HTTP response a limiter would send for a request (IETF RateLimit fields and X- variants). */
export function responseHeaders(request: RecentRequest): {
  statusLine: string;
  headers: [string, string][];
} {
  if (request.status === 0) {
    return { statusLine: '(waiting for the counter store)', headers: [] };
  }
  const resetSeconds = Math.ceil(request.resetMs / 1000);
  const headers: [string, string][] = [
    ['RateLimit-Limit', String(request.headerLimit)],
    ['RateLimit-Remaining', String(request.remaining)],
    ['RateLimit-Reset', String(resetSeconds)],
    ['RateLimit-Policy', `${request.headerLimit};w=${seconds(request.headerWindowMs)}`],
    ['X-RateLimit-Limit', String(request.headerLimit)],
    ['X-RateLimit-Remaining', String(request.remaining)],
    ['X-RateLimit-Reset', String(Math.ceil((request.decidedAtMs + request.resetMs) / 1000))],
  ];
  if (request.status === 429) {
    headers.unshift(['Retry-After', String(Math.ceil(request.retryAfterMs / 1000))]);
  }
  return {
    statusLine: request.status === 429 ? 'HTTP/1.1 429 Too Many Requests' : 'HTTP/1.1 200 OK',
    headers,
  };
}

function dotVisible(r: RecentRequest, nowMs: number): boolean {
  // A dot lives from its arrival until DOT_LIFE_MS after it left the limiter.
  if (r.atMs > nowMs) return false;
  if (r.status === 0) return true;
  const leftAt = (r.forwardAtMs >= 0 ? r.forwardAtMs : r.decidedAtMs) + DOT_TRAVEL_MS;
  return leftAt + DOT_LIFE_MS > nowMs;
}

/** The visible dots as typed arrays, in two passes over the recent list (no per-dot objects). */
export function dotsOf(recent: readonly RecentRequest[], nowMs: number): DotsPart {
  let n = 0;
  for (const r of recent) if (dotVisible(r, nowMs)) n += 1;
  const dots: DotsPart = {
    count: n,
    id: new Int32Array(n),
    client: new Uint8Array(n),
    atMs: new Float64Array(n),
    decidedAtMs: new Float64Array(n),
    forwardAtMs: new Float64Array(n),
    status: new Uint16Array(n),
    gateway: new Int8Array(n),
  };
  let i = 0;
  for (const r of recent) {
    if (!dotVisible(r, nowMs)) continue;
    dots.id[i] = r.id;
    dots.client[i] = r.client;
    dots.atMs[i] = r.atMs;
    dots.decidedAtMs[i] = r.decidedAtMs;
    dots.forwardAtMs[i] = r.forwardAtMs;
    dots.status[i] = r.status;
    dots.gateway[i] = r.gateway;
    i += 1;
  }
  return dots;
}

/** The newest `count` decided requests up to now, oldest first (a scan from the end). */
export function latestDecided(
  recent: readonly RecentRequest[],
  nowMs: number,
  count: number,
): RecentRequest[] {
  const found: RecentRequest[] = [];
  for (let i = recent.length - 1; i >= 0 && found.length < count; i -= 1) {
    const r = recent[i]!;
    if (r.status !== 0 && r.atMs <= nowMs) found.push(r);
  }
  return found.reverse();
}

export function viewRateLimiter(
  state: RateLimiterState,
  _known: Readonly<Record<string, string>>,
): RateLimiterSnapshot {
  const abusive = state.clients.abuseFactor > 1;
  const rates = clientRates(state.traffic.settings);
  const clients: ClientView[] = Array.from({ length: state.clients.clients }, (_, index) => ({
    index,
    name: clientName(index, abusive),
    key: clientKey(index, abusive, state.clients.keyBy),
    ip: CLIENT_IPS[index] ?? '',
    abusive: abusive && index === 0,
    ratePerSecond: rates[index] ?? 0,
  }));
  const focusKey = clients[state.focusClient]?.key ?? '';
  const tierParams = tiersOf(state.limits).client[0]!.params;
  const lanes: LaneView[] = state.lanes.map((lane, index) => {
    const limiter = lane.limiters[focusKey]?.[0];
    const dist = lane.dist;
    return {
      index,
      algorithm: lane.algorithm,
      label: laneLabel(lane),
      arrivals: lane.arrivals,
      attempts: lane.attempts,
      accepted: lane.accepted,
      rejected: lane.rejected,
      delayed: lane.delayed,
      retried: lane.retried,
      gaveUp: lane.gaveUp,
      retriesRefused: lane.retriesRefused,
      pendingRetries: queueSize(lane.retries),
      maxInWindow: lane.maxInWindow,
      maxInWindowAtMs: lane.maxInWindowAtMs,
      maxInWindowClient: lane.maxInWindowClient,
      perClient: lane.perClient.map((t) => ({ ...t })),
      picture:
        dist === null
          ? pictureOf(
              lane.algorithm as AlgorithmId,
              limiter ?? createLimiter(lane.algorithm as AlgorithmId, tierParams),
              tierParams,
              state.nowMs,
            )
          : null,
      queued: queuedTotal(lane, state.limits, state.nowMs),
      dots: dotsOf(lane.recent, state.nowMs),
      latest: latestDecided(lane.recent, state.nowMs, LATEST_SHOWN),
      series: lane.series.slice(-SERIES_SHOWN).map((b) => ({ ...b })),
      dist:
        dist === null
          ? null
          : {
              strategy: dist.strategy,
              gateways: dist.gateways.map((g) => ({ id: g.id, handled: g.handled })),
              messages: messagesInFlight(dist.net, state.nowMs)
                .slice(0, MESSAGES_SHOWN)
                .map((m) => ({
                  id: m.id,
                  from: m.from,
                  to: m.to,
                  op: isDropped(m) ? 'dropped' : m.payload.op,
                  sentAtMs: m.sentAtMs,
                  endAtMs: messageEndAtMs(m),
                })),
              overshoot: dist.overshoot,
              overshootWindowMax: dist.overshootWindowMax,
              windowsOver: dist.windowsOver,
              bound:
                dist.strategy === 'sync'
                  ? syncOvershootBound(dist.gateways.length, state.limits.limit)
                  : dist.strategy === 'atomic'
                    ? 0
                    : null,
              messagesSent: dist.messagesSent,
              pendingDecisions: Object.keys(dist.pending).length,
            },
    };
  });
  return {
    atMs: state.nowMs,
    mode: state.distributed.mode,
    algorithms: [...state.algorithms],
    limits: { ...state.limits },
    keyBy: state.clients.keyBy,
    abuseFactor: state.clients.abuseFactor,
    clients,
    retry: state.retry,
    pattern: state.traffic.settings.pattern,
    ratePerSecond: state.traffic.settings.ratePerSecond,
    gateways: state.distributed.gateways,
    syncMs: state.distributed.syncMs,
    storeLatencyMs: state.distributed.storeLatencyMs,
    lanes,
    focusClient: state.focusClient,
    selected: selectedOf(state),
    generation: state.generation,
    settingsVersion: JSON.stringify([
      state.generation,
      state.algorithms,
      state.limits,
      state.clients,
      state.retry,
      state.traffic.settings.pattern,
      state.traffic.settings.ratePerSecond,
      state.distributed,
      state.focusClient,
    ]),
  };
}

function selectedOf(state: RateLimiterState): SelectedView | null {
  if (!state.selected) return null;
  const lane = state.lanes[state.selected.lane];
  const request = lane?.recent.find((r) => r.id === state.selected?.id);
  if (!lane || !request) return null;
  return {
    lane: state.selected.lane,
    laneLabel: laneLabel(lane),
    request: { ...request },
    ...responseHeaders(request),
  };
}
