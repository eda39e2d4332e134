/**
 * The rate-limiting lab model: seeded client traffic driving 1 to 6 lanes in lockstep. In local
 * mode each lane is a limiting algorithm; in distributed mode each lane is a strategy for sharing
 * one limit across gateways over the simulated network. Commands fire bursts, change the traffic,
 * the limits, the lanes, the clients' retry behaviour, and pick a request to inspect.
 */
import { assert } from '../../../kernel/assert';
import { peekNextAtMs, popNextDue } from '../../../kernel/event-queue';
import { EVENT_LOG_CAPACITY } from '../../../kernel/limits';
import { createRng, type RngState, splitRng } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import {
  ABUSE_FACTOR_MAX,
  ALGORITHM_IDS,
  ALGORITHM_LABELS,
  type AlgorithmId,
  BURST_COUNT_MAX,
  CLIENTS_MAX,
  CLIENTS_MIN,
  clientKey,
  clientName,
  DISTRIBUTED_STRATEGIES,
  GATEWAYS_MAX,
  GATEWAYS_MIN,
  GLOBAL_LIMIT_MAX,
  type KeyBy,
  LANES_MAX,
  LANES_MIN,
  type LabMode,
  LIMIT_MAX,
  MINUTE_LIMIT_MAX,
  PATTERN_LABELS,
  RATE_PER_SECOND_MAX,
  RETRY_LABELS,
  type RetryBehaviour,
  STORE_LATENCY_MS_MAX,
  STRATEGY_LABELS,
  SYNC_MS_MAX,
  SYNC_MS_MIN,
  type TrafficPattern,
  WINDOW_MS_MAX,
  WINDOW_MS_MIN,
} from './constants';
import {
  createDistributedLane,
  deliverStoreMessages,
  nextDistributedEventAtMs,
  type PendingDecision,
  receiveAtGateway,
  synchroniseCounters,
  tallyAcceptance,
} from './distributed';
import {
  countOffered,
  createLane,
  decideRequest,
  type LaneState,
  type LimitSettings,
  pushRecent,
  queuedTotal,
  type RecentRequest,
  type RetryContext,
  recordOutcome,
  scheduleRetry,
  seriesBucketAt,
} from './lane';
import {
  createTraffic,
  nextArrivalAtMs,
  restartTraffic,
  type TrafficState,
  takeArrivalsAt,
} from './traffic';

export interface RateLimiterConfig {
  mode: LabMode;
  /** Comma-separated algorithm ids, one lane each (local mode). */
  lanes: string;
  limit: number;
  windowMs: number;
  burst: number;
  minuteLimit: number;
  globalLimit: number;
  pattern: TrafficPattern;
  ratePerSecond: number;
  clients: number;
  /** How many times a normal client's rate the first client sends; 1 = nobody is abusive. */
  abuseFactor: number;
  keyBy: KeyBy;
  retry: RetryBehaviour;
  gateways: number;
  syncMs: number;
  storeLatencyMs: number;
}

export interface ClientSettings {
  clients: number;
  abuseFactor: number;
  keyBy: KeyBy;
}

export interface DistributedSettings {
  mode: LabMode;
  gateways: number;
  syncMs: number;
  storeLatencyMs: number;
}

export type RateLimiterCommand =
  | { type: 'fireBurst'; count: number; client: number }
  | { type: 'setTraffic'; pattern: TrafficPattern; ratePerSecond: number }
  | { type: 'setClients'; clients: number; abuseFactor: number; keyBy: KeyBy }
  | {
      type: 'setLimits';
      limit: number;
      windowMs: number;
      burst: number;
      minuteLimit: number;
      globalLimit: number;
    }
  | { type: 'setLanes'; lanes: AlgorithmId[] }
  | { type: 'setRetry'; retry: RetryBehaviour }
  | {
      type: 'setDistributed';
      mode: LabMode;
      gateways: number;
      syncMs: number;
      storeLatencyMs: number;
    }
  | { type: 'selectRequest'; lane: number; id: number }
  | { type: 'clearSelection' }
  | { type: 'focusClient'; client: number };

export interface RateLimiterState {
  nowMs: number;
  seed: number;
  rng: RngState;
  algorithms: AlgorithmId[];
  limits: LimitSettings;
  clients: ClientSettings;
  distributed: DistributedSettings;
  retry: RetryBehaviour;
  traffic: TrafficState;
  lanes: LaneState[];
  /** How many times the lanes were rebuilt; part of each distributed lane's random stream label. */
  generation: number;
  selected: { lane: number; id: number } | null;
  focusClient: number;
  events: EventLog;
  /** Whether "too many retries waiting" was already reported (once per lane build). */
  retryLimitReported: boolean;
}

export function parseLanes(text: string): AlgorithmId[] | null {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length < LANES_MIN || ids.length > LANES_MAX) return null;
  if (new Set(ids).size !== ids.length) return null;
  for (const id of ids) if (!ALGORITHM_IDS.includes(id as AlgorithmId)) return null;
  return ids as AlgorithmId[];
}

function log(state: RateLimiterState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function refuse(state: RateLimiterState, text: string): void {
  log(state, 'refused', text, true);
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function sanitiseLimits(l: LimitSettings): LimitSettings {
  return {
    limit: clampInt(l.limit, 1, LIMIT_MAX),
    windowMs: clampInt(l.windowMs, WINDOW_MS_MIN, WINDOW_MS_MAX),
    burst: clampInt(l.burst, 1, LIMIT_MAX),
    minuteLimit: clampInt(l.minuteLimit, 0, MINUTE_LIMIT_MAX),
    globalLimit: clampInt(l.globalLimit, 0, GLOBAL_LIMIT_MAX),
  };
}

function trafficSettingsOf(
  state: Pick<RateLimiterState, 'limits' | 'clients'>,
  pattern: TrafficPattern,
  ratePerSecond: number,
) {
  return {
    pattern,
    ratePerSecond,
    clients: state.clients.clients,
    abuseFactor: state.clients.abuseFactor,
    limit: state.limits.limit,
    windowMs: state.limits.windowMs,
  };
}

export function createRateLimiterState(config: RateLimiterConfig, seed: number): RateLimiterState {
  const rng = createRng(seed, 3);
  const algorithms = parseLanes(config.lanes) ?? ['token-bucket'];
  const limits = sanitiseLimits(config);
  const clients: ClientSettings = {
    clients: clampInt(config.clients, CLIENTS_MIN, CLIENTS_MAX),
    abuseFactor: clampInt(config.abuseFactor, 1, ABUSE_FACTOR_MAX),
    keyBy: config.keyBy,
  };
  const state: RateLimiterState = {
    nowMs: 0,
    seed,
    rng,
    algorithms,
    limits,
    clients,
    distributed: {
      mode: config.mode,
      gateways: clampInt(config.gateways, GATEWAYS_MIN, GATEWAYS_MAX),
      syncMs: clampInt(config.syncMs, SYNC_MS_MIN, SYNC_MS_MAX),
      storeLatencyMs: clampInt(config.storeLatencyMs, 0, STORE_LATENCY_MS_MAX),
    },
    retry: config.retry,
    traffic: createTraffic(
      trafficSettingsOf(
        { limits, clients },
        config.pattern,
        clampInt(config.ratePerSecond, 0, RATE_PER_SECOND_MAX),
      ),
      splitRng(rng, 'traffic'),
      0,
    ),
    lanes: [],
    generation: 0,
    selected: null,
    focusClient: 0,
    events: createEventLog(EVENT_LOG_CAPACITY),
    retryLimitReported: false,
  };
  buildLanes(state);
  log(state, 'start', describeSetup(state));
  return state;
}

function describeSetup(state: RateLimiterState): string {
  const l = state.limits;
  const what =
    state.distributed.mode === 'distributed'
      ? `${state.distributed.gateways} gateways sharing one fixed-window counter (sync every ${state.distributed.syncMs} ms)`
      : state.algorithms.map((a) => ALGORITHM_LABELS[a]).join(', ');
  const extra = [
    l.minuteLimit > 0 ? `${l.minuteLimit}/min per client` : '',
    l.globalLimit > 0 ? `${l.globalLimit} per window overall` : '',
  ].filter((s) => s !== '');
  return `${what}: ${l.limit} requests per ${l.windowMs} ms per client (burst ${l.burst})${
    extra.length > 0 ? `, ${extra.join(', ')}` : ''
  }; ${PATTERN_LABELS[state.traffic.settings.pattern].toLowerCase()} traffic from ${state.clients.clients} clients.`;
}

/** Lanes start afresh: new limiter states and counters, the same traffic. */
function buildLanes(state: RateLimiterState): void {
  state.generation += 1;
  state.selected = null;
  state.retryLimitReported = false;
  const clients = state.clients.clients;
  if (state.distributed.mode === 'distributed') {
    const d = state.distributed;
    state.lanes = DISTRIBUTED_STRATEGIES.map((strategy, index) =>
      createLane(
        strategy,
        state.limits,
        clients,
        createDistributedLane(
          strategy,
          d.gateways,
          d.syncMs,
          d.storeLatencyMs,
          // Every strategy sees the same network latencies for the same sequence of messages.
          splitRng(createRng(state.seed, 11), `net-${state.generation}-${index}`),
        ),
      ),
    );
    for (const lane of state.lanes) {
      if (lane.dist && lane.dist.strategy === 'sync') {
        lane.dist.nextSyncAtMs = state.nowMs + d.syncMs;
      }
    }
  } else {
    state.lanes = state.algorithms.map((algorithm) =>
      createLane(algorithm, state.limits, clients, null),
    );
  }
}

export function applyRateLimiterCommand(state: RateLimiterState, command: RateLimiterCommand) {
  switch (command.type) {
    case 'fireBurst':
      fireBurst(state, command.count, command.client);
      return;
    case 'setTraffic': {
      const rate = clampInt(command.ratePerSecond, 0, RATE_PER_SECOND_MAX);
      state.traffic.settings = trafficSettingsOf(state, command.pattern, rate);
      restartTraffic(state.traffic, state.nowMs);
      log(
        state,
        'config',
        `Traffic: ${PATTERN_LABELS[command.pattern].toLowerCase()}, ${rate} requests/s in all.`,
      );
      return;
    }
    case 'setClients':
      state.clients = {
        clients: clampInt(command.clients, CLIENTS_MIN, CLIENTS_MAX),
        abuseFactor: clampInt(command.abuseFactor, 1, ABUSE_FACTOR_MAX),
        keyBy: command.keyBy === 'ip' ? 'ip' : 'user',
      };
      state.focusClient = Math.min(state.focusClient, state.clients.clients - 1);
      rebuildAfterChange(
        state,
        `Clients: ${state.clients.clients}, keyed by ${state.clients.keyBy === 'ip' ? 'IP address' : 'user'}${state.clients.abuseFactor > 1 ? `, ${clientName(0, true)} sends ${state.clients.abuseFactor}× as much` : ''}.`,
      );
      return;
    case 'setLimits':
      state.limits = sanitiseLimits(command);
      rebuildAfterChange(state, 'Limits changed; every counter starts afresh.');
      return;
    case 'setLanes': {
      const lanes = parseLanes(command.lanes.join(','));
      if (!lanes) {
        refuse(state, `Compare needs ${LANES_MIN} to ${LANES_MAX} different algorithms.`);
        return;
      }
      state.algorithms = lanes;
      if (state.distributed.mode === 'distributed') {
        log(
          state,
          'config',
          `Algorithms set to ${lanes.map((a) => ALGORITHM_LABELS[a]).join(', ')} (used in local mode).`,
        );
        return;
      }
      rebuildAfterChange(state, `Lanes: ${lanes.map((a) => ALGORITHM_LABELS[a]).join(', ')}.`);
      return;
    }
    case 'setRetry':
      state.retry = command.retry;
      log(state, 'config', `Clients now: ${RETRY_LABELS[command.retry].toLowerCase()}.`);
      return;
    case 'setDistributed':
      state.distributed = {
        mode: command.mode === 'distributed' ? 'distributed' : 'local',
        gateways: clampInt(command.gateways, GATEWAYS_MIN, GATEWAYS_MAX),
        syncMs: clampInt(command.syncMs, SYNC_MS_MIN, SYNC_MS_MAX),
        storeLatencyMs: clampInt(command.storeLatencyMs, 0, STORE_LATENCY_MS_MAX),
      };
      rebuildAfterChange(state, describeSetup(state));
      return;
    case 'selectRequest': {
      const lane = state.lanes[command.lane];
      const found = lane?.recent.find((r) => r.id === command.id);
      if (!found) {
        refuse(state, `Request #${command.id} is no longer on screen.`);
        return;
      }
      state.selected = { lane: command.lane, id: command.id };
      return;
    }
    case 'clearSelection':
      state.selected = null;
      return;
    case 'focusClient':
      state.focusClient = clampInt(command.client, 0, state.clients.clients - 1);
      return;
    default: {
      const unknown: never = command;
      refuse(state, `Unknown command ${JSON.stringify(unknown)}.`);
    }
  }
}

function rebuildAfterChange(state: RateLimiterState, text: string): void {
  state.traffic.settings = trafficSettingsOf(
    state,
    state.traffic.settings.pattern,
    state.traffic.settings.ratePerSecond,
  );
  restartTraffic(state.traffic, state.nowMs);
  buildLanes(state);
  log(state, 'config', text);
}

function fireBurst(state: RateLimiterState, rawCount: number, rawClient: number): void {
  const count = clampInt(rawCount, 1, BURST_COUNT_MAX);
  if (rawCount > BURST_COUNT_MAX) {
    refuse(state, `A burst is at most ${BURST_COUNT_MAX} requests; sending ${count}.`);
  }
  const client = clampInt(rawClient, 0, state.clients.clients - 1);
  const before = state.lanes.map((lane) => ({
    accepted: lane.accepted + lane.delayed,
    rejected: lane.rejected,
  }));
  for (let i = 0; i < count; i += 1) {
    for (let index = 0; index < state.lanes.length; index += 1) {
      receiveAttempt(state, index, client, 1, state.nowMs);
    }
  }
  const name = clientName(client, state.clients.abuseFactor > 1);
  const summary = state.lanes
    .map((lane, index) => {
      const b = before[index]!;
      const label = lane.dist
        ? STRATEGY_LABELS[lane.dist.strategy]
        : ALGORITHM_LABELS[lane.algorithm as AlgorithmId];
      const pending = lane.dist ? ' (waiting for the store)' : '';
      return `${label}: ${lane.accepted + lane.delayed - b.accepted} accepted, ${lane.rejected - b.rejected} got 429${pending}`;
    })
    .join('; ');
  log(state, 'burst', `Burst of ${count} from ${name}. ${summary}.`, true);
}

function retryContext(state: RateLimiterState): RetryContext {
  return {
    retry: state.retry,
    onRefused: () => {
      if (state.retryLimitReported) return;
      state.retryLimitReported = true;
      refuse(state, 'Too many retries waiting; further retries are dropped.');
    },
  };
}

/** One attempt (a first try or a retry) of a client reaches lane `index` at atMs. */
export function receiveAttempt(
  state: RateLimiterState,
  index: number,
  client: number,
  attempt: number,
  atMs: number,
  record = true,
): void {
  const lane = state.lanes[index]!;
  const key = clientKey(client, state.clients.abuseFactor > 1, state.clients.keyBy);
  countOffered(lane, atMs, attempt === 1, record);
  const id = lane.nextId;
  lane.nextId += 1;
  if (lane.dist) {
    const window = Math.floor(atMs / state.limits.windowMs);
    const gateway = id % lane.dist.gateways.length;
    const pending: PendingDecision = { requestId: id, client, attempt, atMs, gateway, key, window };
    const verdict = receiveAtGateway(lane.dist, pending, state.limits.limit, atMs);
    if (verdict.kind === 'pending') {
      if (record) pushRecent(lane, pendingRequest(state, pending));
      return;
    }
    finishDistributed(state, lane, pending, verdict.allowed, verdict.count, atMs, record, false);
    return;
  }
  const outcome = decideRequest(lane, key, state.limits, atMs);
  const request: RecentRequest = {
    id,
    client,
    attempt,
    atMs,
    decidedAtMs: atMs,
    gateway: -1,
    ...outcome,
  };
  recordOutcome(
    lane,
    request,
    state.limits.windowMs,
    record ? queuedTotal(lane, state.limits, atMs) : 0,
    record,
  );
  if (record) pushRecent(lane, request);
  if (outcome.status === 429) {
    scheduleRetry(lane, client, attempt, atMs, outcome.retryAfterMs, retryContext(state));
  }
}

function pendingRequest(state: RateLimiterState, p: PendingDecision): RecentRequest {
  return {
    id: p.requestId,
    client: p.client,
    attempt: p.attempt,
    atMs: p.atMs,
    decidedAtMs: -1,
    forwardAtMs: -1,
    status: 0,
    delayMs: 0,
    retryAfterMs: 0,
    remaining: 0,
    resetMs: 0,
    headerLimit: state.limits.limit,
    headerWindowMs: state.limits.windowMs,
    refusedBy: null,
    gateway: p.gateway,
  };
}

function finishDistributed(
  state: RateLimiterState,
  lane: LaneState,
  p: PendingDecision,
  allowed: boolean,
  count: number,
  atMs: number,
  record: boolean,
  wasPending: boolean,
): void {
  const { limit, windowMs } = state.limits;
  const windowEndMs = (p.window + 1) * windowMs;
  let over = false;
  if (allowed && lane.dist) over = tallyAcceptance(lane.dist, p.key, p.window, limit);
  const request: RecentRequest = {
    ...pendingRequest(state, p),
    decidedAtMs: atMs,
    forwardAtMs: allowed ? atMs : -1,
    status: allowed ? 200 : 429,
    retryAfterMs: allowed ? 0 : Math.max(1, windowEndMs - atMs),
    remaining: Math.max(0, limit - count),
    resetMs: Math.max(0, windowEndMs - atMs),
    refusedBy: allowed ? null : 'second',
  };
  recordOutcome(lane, request, windowMs, 0, record);
  if (record && over) seriesBucketAt(lane, atMs).overshoot += 1;
  if (record) {
    if (wasPending) replaceRecent(lane, request);
    else pushRecent(lane, request);
  }
  if (!allowed)
    scheduleRetry(lane, p.client, p.attempt, atMs, request.retryAfterMs, retryContext(state));
}

function replaceRecent(lane: LaneState, request: RecentRequest): void {
  for (let i = lane.recent.length - 1; i >= 0; i -= 1) {
    if (lane.recent[i]!.id === request.id) {
      lane.recent[i] = request;
      return;
    }
  }
}

/** The next lane event: a retry, a store message or a sync tick. */
function nextLaneEventAtMs(lane: LaneState): number | null {
  const retry = peekNextAtMs(lane.retries);
  const dist = lane.dist ? nextDistributedEventAtMs(lane.dist) : null;
  if (retry === null) return dist;
  if (dist === null) return retry;
  return Math.min(retry, dist);
}

export function nextRateLimiterEventAtMs(state: RateLimiterState): number | null {
  let next = nextArrivalAtMs(state.traffic) ?? Infinity;
  for (const lane of state.lanes) next = Math.min(next, nextLaneEventAtMs(lane) ?? Infinity);
  return Number.isFinite(next) ? next : null;
}

/** Runs lane events due at atMs: store replies, sync ticks, then the clients' retries. */
function runLaneEvents(state: RateLimiterState, index: number, atMs: number): void {
  const lane = state.lanes[index]!;
  if (lane.dist) {
    const dist = lane.dist;
    for (;;) {
      if (dist.nextSyncAtMs <= atMs) {
        synchroniseCounters(dist, state.limits.windowMs, dist.nextSyncAtMs);
        dist.nextSyncAtMs += dist.syncMs;
      }
      const replies = deliverStoreMessages(dist, state.limits.limit, atMs);
      for (const reply of replies) {
        finishDistributed(state, lane, reply.request, reply.allowed, reply.count, atMs, true, true);
      }
      if (
        replies.length === 0 &&
        dist.nextSyncAtMs > atMs &&
        (nextDistributedEventAtMs(dist) ?? Infinity) > atMs
      )
        break;
    }
  }
  let retry = popNextDue(lane.retries, atMs);
  while (retry !== null) {
    receiveAttempt(state, index, retry.event.client, retry.event.attempt, atMs);
    retry = popNextDue(lane.retries, atMs);
  }
}

export function advanceRateLimiter(state: RateLimiterState, atMs: number): void {
  assert(atMs >= state.nowMs, `time never goes back (${state.nowMs} → ${atMs})`);
  for (;;) {
    const next = nextRateLimiterEventAtMs(state);
    if (next === null || next > atMs) break;
    state.nowMs = Math.max(state.nowMs, next);
    for (let index = 0; index < state.lanes.length; index += 1) runLaneEvents(state, index, next);
    if ((nextArrivalAtMs(state.traffic) ?? Infinity) <= next) {
      const arrivals = takeArrivalsAt(state.traffic, next);
      for (const arrival of arrivals) {
        for (let index = 0; index < state.lanes.length; index += 1) {
          receiveAttempt(state, index, arrival.client, 1, arrival.atMs);
        }
      }
    }
  }
  state.nowMs = atMs;
  pruneSelection(state);
}

function pruneSelection(state: RateLimiterState): void {
  if (!state.selected) return;
  const lane = state.lanes[state.selected.lane];
  if (!lane?.recent.some((r) => r.id === state.selected?.id)) state.selected = null;
}

export function laneLabel(lane: LaneState): string {
  return lane.dist
    ? STRATEGY_LABELS[lane.dist.strategy]
    : ALGORITHM_LABELS[lane.algorithm as AlgorithmId];
}
