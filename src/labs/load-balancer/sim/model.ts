/**
 * The load-balancing lab model: clients send a seeded stream of requests to a balancer, which
 * picks a server for each (or, at layer 4, for each connection). Servers have slots and a queue;
 * requests and replies cross links with latency. Active health checks and passive outlier
 * ejection decide which servers may take traffic; crashes, slowness and flapping are injected.
 *
 * Compare mode runs 2 to 4 balancers ("lanes") side by side on the very same requests: the
 * workload is drawn once and copied into every lane, and injected faults hit every lane's copy of
 * a server at the same moment. Health checks are shared too (they only depend on the servers).
 *
 * State is plain data; time is integer virtual ms; randomness comes from PRNG streams in state.
 */
import {
  createZipf,
  sampleLogNormal,
  sampleZipf,
  type ZipfTable,
} from '../../../kernel/distributions';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  scheduleEvent,
} from '../../../kernel/event-queue';
import { EVENT_LOG_CAPACITY } from '../../../kernel/limits';
import { createRng, nextFloat, type RngState } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import { createPicker, observePeakEwma, type Peer, type PickerState, pickPeer } from './algorithms';
import {
  ALGORITHM_SHORT,
  type AlgorithmName,
  type ArrivalName,
  BUCKET_MS,
  BUCKET_SAMPLES_MAX,
  BURST_FACTOR,
  BURST_OFF_MS_MEAN,
  BURST_ON_MS_MEAN,
  BURST_REQUESTS_MAX,
  CLIENT_HOPS_MAX,
  CLIENT_LATENCY_MS,
  COMPARE_LANES_MAX,
  CONCURRENCY_MAX,
  CONNECTION_LIFETIME_MS_MEAN,
  EJECTION_ERRORS_MAX,
  EJECTION_MS_MAX,
  EJECTION_MS_MIN,
  EWMA_DECAY_MS,
  FLAP_PERIOD_MS_MAX,
  FLAP_PERIOD_MS_MIN,
  HEALTH_INTERVAL_MS_MAX,
  HEALTH_INTERVAL_MS_MIN,
  HEALTH_THRESHOLD_MAX,
  HEALTH_TIMEOUT_MS_MAX,
  HEALTH_TIMEOUT_MS_MIN,
  isAlgorithmName,
  LANE_REQUESTS_MAX,
  LATENCY_MS_MAX,
  LATENCY_WINDOW_BUCKETS,
  type Layer,
  type PoolName,
  PROBE_SERVICE_MS,
  QUEUE_LIMIT_MAX,
  REQUESTS_PER_SECOND_MAX,
  SERIES_POINTS_MAX,
  SERVER_NUMBER_MAX,
  SERVERS_MAX,
  SERVICE_MS_MAX,
  SERVICE_MS_MIN,
  type SessionMode,
  SLOWNESS_MAX,
  serverIdOf,
  TIMEOUT_MS_MAX,
  TIMEOUT_MS_MIN,
  USERS_MAX,
  USERS_MIN,
  WEIGHT_MAX,
} from './constants';
import { unitHash } from './hash';
import { percentileOf } from './stats';

export interface LoadBalancerConfig {
  servers: number;
  algorithm: AlgorithmName;
  /** Comma-separated algorithms for compare mode (2 to 4), or '' for one balancer. */
  compare: string;
  requestsPerSecond: number;
  arrival: ArrivalName;
  users: number;
  concurrency: number;
  /** Service time of a request of cost 1 on a normal-speed server. */
  serviceMs: number;
  /** One-way latency between the balancer and each server. */
  latencyMs: number;
  queueLimit: number;
  sessions: SessionMode;
  layer: Layer;
  /** Layer 7 only: route /api and /static to separate pools. */
  pools: boolean;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  ejection: boolean;
  ejectionErrors: number;
  ejectionMs: number;
  timeoutMs: number;
}

/** The defaults of the page's URL config (config.ts), kept here so sim tests can use them. */
export const DEFAULT_CONFIG: LoadBalancerConfig = {
  servers: 4,
  algorithm: 'round-robin',
  compare: '',
  requestsPerSecond: 200,
  arrival: 'poisson',
  users: 200,
  concurrency: 8,
  serviceMs: 40,
  latencyMs: 20,
  queueLimit: 100,
  sessions: 'stateless',
  layer: 'l7',
  pools: false,
  healthIntervalMs: 1_000,
  healthTimeoutMs: 500,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  ejection: true,
  ejectionErrors: 5,
  ejectionMs: 10_000,
  timeoutMs: 3_000,
};

export type HealthState = 'healthy' | 'unhealthy';

/** A server as configured and as health checks see it (shared by every lane). */
export interface ServerSpec {
  id: string;
  weight: number;
  concurrency: number;
  serviceMs: number;
  latencyMs: number;
  queueLimit: number;
  /** Service times are multiplied by this (1 = normal). */
  slowness: number;
  pool: PoolName;
  crashed: boolean;
  crashedAtMs: number | null;
  /** 0 = not flapping; otherwise it crashes and recovers every period. */
  flapPeriodMs: number;
  flapToken: number;
  /** Graceful removal asked: no new requests; removed once nothing is left in flight. */
  removing: boolean;
  health: HealthState;
  healthOkStreak: number;
  healthFailStreak: number;
  lastProbeOk: boolean | null;
  /** When the failing streak that made it unhealthy began to be observed (for detection time). */
  unhealthyAtMs: number | null;
  failoverNoted: boolean;
}

/** One balancer's view and bookkeeping of one server. */
export interface LaneServer {
  id: string;
  /** Requests the balancer sent and has not heard back about. */
  inFlight: number;
  /** Requests in service at the server (its busy slots). */
  active: number;
  /** Request ids waiting at the server, oldest first. */
  queue: number[];
  connections: number;
  sessions: number;
  served: number;
  errors: number;
  dropped: number;
  servedInBucket: number;
  /** Busy slot-ms in the current bucket, and when `active` last changed. */
  busySlotMs: number;
  busySinceMs: number;
  utilisation: number;
  consecutiveErrors: number;
  ejectedUntilMs: number;
  ejections: number;
  ewmaMs: number;
  ewmaAtMs: number;
  /** Drained and gone from this lane (kept until every lane has drained it). */
  drained: boolean;
}

export type RequestPhase = 'to-server' | 'queued' | 'serving' | 'to-lb';
export type ReplyKind = 'ok' | 'rejected' | 'refused' | 'reset';
export type Outcome = 'ok' | 'error' | 'dropped';

export interface LaneRequest {
  id: number;
  clientId: number;
  cost: number;
  pool: PoolName;
  arrivedAtMs: number;
  serverId: string;
  attempt: number;
  /** When the balancer sent it to its server (the start of the balancer's latency sample). */
  dispatchedAtMs: number;
  phase: RequestPhase;
  sentAtMs: number;
  deliverAtMs: number;
  reply: ReplyKind | null;
  /** Set when the client got its answer; the request may still occupy a server (timed out). */
  outcome: Outcome | null;
  connectionLifetimeMs: number;
}

export interface Totals {
  arrived: number;
  ok: number;
  errors: number;
  dropped: number;
  timeouts: number;
  resets: number;
  failovers: number;
  logins: number;
  loggedOut: number;
  decisions: number;
}

export interface Bucket {
  startMs: number;
  samples: number[];
  ok: number;
  errors: number;
  dropped: number;
}

export interface Series {
  tSec: number[];
  p50: number[];
  p95: number[];
  p99: number[];
  ok: number[];
  errors: number[];
  dropped: number[];
}

export interface ClientHop {
  /** When the request left the client (in) or the reply left the balancer (out). */
  atMs: number;
  clientId: number;
  direction: 'in' | 'out';
  outcome: Outcome;
}

export interface Lane {
  index: number;
  algorithm: AlgorithmName;
  /** One picker per pool ('all' when pools are off), so each pool keeps its own rotation. */
  pickers: Record<'all' | PoolName, PickerState>;
  rng: RngState;
  servers: LaneServer[];
  requests: Record<number, LaneRequest>;
  pending: number;
  /** Deadline FIFO: pairs [deadlineMs, requestId], sorted by deadline; head at `timeoutHead`. */
  timeouts: number[];
  timeoutHead: number;
  /** Layer 4: each client's open connection. */
  connections: Record<number, { serverId: string; expiresAtMs: number }>;
  /** Sticky sessions: the server holding each logged-in client's session. */
  sticky: Record<number, string>;
  /** External session store: logged-in clients. */
  store: Record<number, 1>;
  totals: Totals;
  bucket: Bucket;
  windowSamples: number[][];
  window: { p50: number; p95: number; p99: number; count: number };
  series: Series;
  clientHops: ClientHop[];
}

export interface WireRequest {
  id: number;
  clientId: number;
  cost: number;
  pool: PoolName;
  path: string;
  header: boolean;
  sentAtMs: number;
  connectionLifetimeMs: number;
}

export type LbEvent =
  | { k: 'send' }
  | { k: 'atLb'; id: number }
  | { k: 'reach'; lane: number; id: number }
  | { k: 'done'; lane: number; id: number }
  | { k: 'reply'; lane: number; id: number }
  | { k: 'probe' }
  | { k: 'probeResult'; serverId: string; ok: boolean }
  | { k: 'flap'; serverId: string; token: number };

export interface LoadBalancerState {
  nowMs: number;
  seed: number;
  config: Omit<LoadBalancerConfig, 'servers' | 'algorithm' | 'compare'>;
  servers: ServerSpec[];
  nextServerNumber: number;
  lanes: Lane[];
  queue: EventQueue<LbEvent>;
  workloadRng: RngState;
  nextSendAtMsExact: number;
  burst: { on: boolean; untilMsExact: number };
  nextRequestId: number;
  /** Requests on their way from clients to the balancer, oldest first. */
  wire: WireRequest[];
  bucketEndMs: number;
  limitNoted: boolean;
  events: EventLog;
}

export type LoadBalancerCommand =
  | { type: 'addServer'; pool?: PoolName }
  | { type: 'removeServer'; serverId: string }
  | { type: 'setCrashed'; serverId: string; crashed: boolean }
  | { type: 'setSlowness'; serverId: string; slowness: number }
  | { type: 'setFlapping'; serverId: string; periodMs: number }
  | {
      type: 'setServer';
      serverId: string;
      weight?: number;
      concurrency?: number;
      serviceMs?: number;
      latencyMs?: number;
      queueLimit?: number;
      pool?: PoolName;
    }
  | { type: 'setAlgorithm'; lane: number; algorithm: AlgorithmName }
  | { type: 'setWorkload'; requestsPerSecond: number; arrival: ArrivalName }
  | { type: 'burst'; requests: number }
  | { type: 'setSessions'; mode: SessionMode }
  | { type: 'setLayer'; layer: Layer; pools: boolean }
  | {
      type: 'setHealth';
      intervalMs: number;
      timeoutMs: number;
      healthyThreshold: number;
      unhealthyThreshold: number;
    }
  | { type: 'setEjection'; enabled: boolean; consecutiveErrors: number; ejectionMs: number }
  | { type: 'setUpstreamTimeout'; timeoutMs: number };

// ---------------------------------------------------------------------------------------------
// Creation.

/** The algorithms of the lanes: the compare list when it holds 2 to 4 names, else the one. */
export function laneAlgorithmsOf(
  config: Pick<LoadBalancerConfig, 'algorithm' | 'compare'>,
): AlgorithmName[] {
  const names = config.compare
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const valid = names.filter(isAlgorithmName).slice(0, COMPARE_LANES_MAX);
  return valid.length >= 2 ? valid : [config.algorithm];
}

export function createLoadBalancerState(
  config: LoadBalancerConfig,
  seed: number,
): LoadBalancerState {
  const { servers, algorithm: _algorithm, compare: _compare, ...rest } = config;
  rest.users = clampInt(rest.users, USERS_MIN, USERS_MAX);
  const state: LoadBalancerState = {
    nowMs: 0,
    seed,
    config: { ...rest },
    servers: [],
    nextServerNumber: 1,
    lanes: [],
    queue: createEventQueue<LbEvent>(),
    workloadRng: createRng(seed, 1),
    nextSendAtMsExact: 0,
    burst: { on: false, untilMsExact: 0 },
    nextRequestId: 1,
    wire: [],
    bucketEndMs: BUCKET_MS,
    limitNoted: false,
    events: createEventLog(EVENT_LOG_CAPACITY),
  };
  const algorithms = laneAlgorithmsOf(config);
  state.lanes = algorithms.map((name, index) => createLane(index, name, seed));
  const count = clampInt(servers, 1, SERVERS_MAX);
  for (let i = 0; i < count; i += 1) addServerSpec(state, i % 4 === 3 ? 'static' : 'api');
  state.burst.untilMsExact = nextFloatExp(state.workloadRng, BURST_OFF_MS_MEAN);
  state.nextSendAtMsExact = nextSendGapMs(state, 0);
  scheduleSend(state);
  scheduleEvent(state.queue, state.config.healthIntervalMs, { k: 'probe' });
  log(
    state,
    'start',
    `${count} servers, ${algorithms.map((a) => ALGORITHM_SHORT[a]).join(' vs ')}, ${state.config.requestsPerSecond} requests/s (${state.config.arrival}), ${state.config.layer.toUpperCase()}.`,
  );
  return state;
}

function createLane(index: number, algorithm: AlgorithmName, seed: number): Lane {
  return {
    index,
    algorithm,
    pickers: { all: createPicker(), api: createPicker(), static: createPicker() },
    rng: createRng(seed, 100 + index),
    servers: [],
    requests: {},
    pending: 0,
    timeouts: [],
    timeoutHead: 0,
    connections: {},
    sticky: {},
    store: {},
    totals: {
      arrived: 0,
      ok: 0,
      errors: 0,
      dropped: 0,
      timeouts: 0,
      resets: 0,
      failovers: 0,
      logins: 0,
      loggedOut: 0,
      decisions: 0,
    },
    bucket: { startMs: 0, samples: [], ok: 0, errors: 0, dropped: 0 },
    windowSamples: [],
    window: { p50: 0, p95: 0, p99: 0, count: 0 },
    series: { tSec: [], p50: [], p95: [], p99: [], ok: [], errors: [], dropped: [] },
    clientHops: [],
  };
}

function addServerSpec(state: LoadBalancerState, pool: PoolName): ServerSpec {
  const id = serverIdOf(state.nextServerNumber);
  state.nextServerNumber += 1;
  const spec: ServerSpec = {
    id,
    weight: 1,
    concurrency: state.config.concurrency,
    serviceMs: state.config.serviceMs,
    latencyMs: state.config.latencyMs,
    queueLimit: state.config.queueLimit,
    slowness: 1,
    pool,
    crashed: false,
    crashedAtMs: null,
    flapPeriodMs: 0,
    flapToken: 0,
    removing: false,
    health: 'healthy',
    healthOkStreak: 0,
    healthFailStreak: 0,
    lastProbeOk: null,
    unhealthyAtMs: null,
    failoverNoted: false,
  };
  state.servers.push(spec);
  for (const lane of state.lanes) lane.servers.push(createLaneServer(id, state.nowMs));
  return spec;
}

function createLaneServer(id: string, nowMs: number): LaneServer {
  return {
    id,
    inFlight: 0,
    active: 0,
    queue: [],
    connections: 0,
    sessions: 0,
    served: 0,
    errors: 0,
    dropped: 0,
    servedInBucket: 0,
    busySlotMs: 0,
    busySinceMs: nowMs,
    utilisation: 0,
    consecutiveErrors: 0,
    ejectedUntilMs: 0,
    ejections: 0,
    ewmaMs: 0,
    ewmaAtMs: nowMs,
    drained: false,
  };
}

function log(state: LoadBalancerState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function laneLog(
  state: LoadBalancerState,
  lane: Lane,
  kind: string,
  text: string,
  important = false,
): void {
  const prefix = state.lanes.length > 1 ? `[${ALGORITHM_SHORT[lane.algorithm]}] ` : '';
  log(state, kind, `${prefix}${text}`, important);
}

function refuse(state: LoadBalancerState, text: string): void {
  log(state, 'refused', text, true);
}

// ---------------------------------------------------------------------------------------------
// Lookups.

export function specOf(state: LoadBalancerState, serverId: string): ServerSpec | undefined {
  for (const spec of state.servers) if (spec.id === serverId) return spec;
  return undefined;
}

function laneServerOf(lane: Lane, serverId: string): LaneServer | undefined {
  for (const server of lane.servers) if (server.id === serverId) return server;
  return undefined;
}

/** May this lane's balancer send a new request (or connection) to this server now? */
export function isEligible(state: LoadBalancerState, lane: Lane, index: number): boolean {
  const spec = state.servers[index];
  const server = lane.servers[index];
  if (!spec || !server) return false;
  return (
    !spec.removing &&
    !server.drained &&
    spec.health === 'healthy' &&
    server.ejectedUntilMs <= state.nowMs
  );
}

// ---------------------------------------------------------------------------------------------
// Commands.

export function applyLoadBalancerCommand(
  state: LoadBalancerState,
  command: LoadBalancerCommand,
): void {
  switch (command.type) {
    case 'addServer':
      addServer(state, command.pool ?? 'api');
      return;
    case 'removeServer':
      startDraining(state, command.serverId);
      return;
    case 'setCrashed': {
      const spec = specOf(state, command.serverId);
      if (!spec) {
        refuse(state, `There is no server ${command.serverId}.`);
        return;
      }
      if (command.crashed) crashServer(state, spec, 'crashed');
      else recoverServer(state, spec);
      if (!command.crashed && spec.flapPeriodMs > 0) stopFlapping(state, spec);
      return;
    }
    case 'setSlowness': {
      const spec = specOf(state, command.serverId);
      if (!spec) {
        refuse(state, `There is no server ${command.serverId}.`);
        return;
      }
      spec.slowness = clampNumber(command.slowness, 1, SLOWNESS_MAX);
      log(
        state,
        'fault',
        spec.slowness > 1
          ? `${spec.id} is now ${spec.slowness}× slower.`
          : `${spec.id} is back to normal speed.`,
        true,
      );
      return;
    }
    case 'setFlapping': {
      const spec = specOf(state, command.serverId);
      if (!spec) {
        refuse(state, `There is no server ${command.serverId}.`);
        return;
      }
      if (command.periodMs <= 0) {
        stopFlapping(state, spec);
        if (spec.crashed) recoverServer(state, spec);
        return;
      }
      spec.flapPeriodMs = clampInt(command.periodMs, FLAP_PERIOD_MS_MIN, FLAP_PERIOD_MS_MAX);
      spec.flapToken += 1;
      scheduleEvent(state.queue, state.nowMs + spec.flapPeriodMs, {
        k: 'flap',
        serverId: spec.id,
        token: spec.flapToken,
      });
      log(
        state,
        'fault',
        `${spec.id} starts flapping: down and up every ${spec.flapPeriodMs / 1000} s.`,
        true,
      );
      crashServer(state, spec, 'flapped down');
      return;
    }
    case 'setServer':
      setServer(state, command);
      return;
    case 'setAlgorithm': {
      const lane = state.lanes[command.lane];
      if (!lane) {
        refuse(state, `There is no balancer ${command.lane + 1}.`);
        return;
      }
      if (!isAlgorithmName(command.algorithm)) {
        refuse(state, `Unknown algorithm ${String(command.algorithm)}.`);
        return;
      }
      lane.algorithm = command.algorithm;
      lane.pickers = { all: createPicker(), api: createPicker(), static: createPicker() };
      laneLog(state, lane, 'config', `Algorithm → ${ALGORITHM_SHORT[command.algorithm]}.`, true);
      return;
    }
    case 'setWorkload':
      state.config.requestsPerSecond = clampInt(
        command.requestsPerSecond,
        0,
        REQUESTS_PER_SECOND_MAX,
      );
      if (command.requestsPerSecond > REQUESTS_PER_SECOND_MAX)
        refuse(state, `At most ${REQUESTS_PER_SECOND_MAX.toLocaleString('en-US')} requests/s.`);
      state.config.arrival = command.arrival === 'bursty' ? 'bursty' : 'poisson';
      state.nextSendAtMsExact = state.nowMs + nextSendGapMs(state, state.nowMs);
      scheduleSend(state);
      log(
        state,
        'config',
        `Workload: ${state.config.requestsPerSecond} requests/s, ${state.config.arrival}.`,
      );
      return;
    case 'burst': {
      const count = clampInt(command.requests, 0, BURST_REQUESTS_MAX);
      if (command.requests > BURST_REQUESTS_MAX)
        refuse(state, `A burst is at most ${BURST_REQUESTS_MAX.toLocaleString('en-US')} requests.`);
      for (let i = 0; i < count; i += 1) sendFromClient(state);
      log(state, 'burst', `A burst of ${count} requests leaves the clients at once.`, true);
      return;
    }
    case 'setSessions':
      setSessions(state, command.mode);
      return;
    case 'setLayer':
      state.config.layer = command.layer === 'l4' ? 'l4' : 'l7';
      state.config.pools = command.pools && state.config.layer === 'l7';
      if (state.config.layer === 'l7') for (const lane of state.lanes) closeAllConnections(lane);
      log(
        state,
        'config',
        state.config.layer === 'l4'
          ? 'Layer 4: the balancer sees TCP connections only and picks a server per connection.'
          : `Layer 7: the balancer reads each HTTP request${state.config.pools ? ' and routes /api and /static to their pools' : ''}.`,
        true,
      );
      return;
    case 'setHealth':
      state.config.healthIntervalMs = clampInt(
        command.intervalMs,
        HEALTH_INTERVAL_MS_MIN,
        HEALTH_INTERVAL_MS_MAX,
      );
      state.config.healthTimeoutMs = clampInt(
        command.timeoutMs,
        HEALTH_TIMEOUT_MS_MIN,
        HEALTH_TIMEOUT_MS_MAX,
      );
      state.config.healthyThreshold = clampInt(command.healthyThreshold, 1, HEALTH_THRESHOLD_MAX);
      state.config.unhealthyThreshold = clampInt(
        command.unhealthyThreshold,
        1,
        HEALTH_THRESHOLD_MAX,
      );
      log(
        state,
        'config',
        `Health checks every ${state.config.healthIntervalMs} ms, timeout ${state.config.healthTimeoutMs} ms, unhealthy after ${state.config.unhealthyThreshold} failures, healthy after ${state.config.healthyThreshold} passes.`,
      );
      return;
    case 'setEjection':
      state.config.ejection = command.enabled;
      state.config.ejectionErrors = clampInt(command.consecutiveErrors, 1, EJECTION_ERRORS_MAX);
      state.config.ejectionMs = clampInt(command.ejectionMs, EJECTION_MS_MIN, EJECTION_MS_MAX);
      log(
        state,
        'config',
        command.enabled
          ? `Outlier ejection on: ${state.config.ejectionErrors} errors in a row eject a server for ${state.config.ejectionMs / 1000} s × times ejected.`
          : 'Outlier ejection off.',
      );
      return;
    case 'setUpstreamTimeout':
      state.config.timeoutMs = clampInt(command.timeoutMs, TIMEOUT_MS_MIN, TIMEOUT_MS_MAX);
      log(state, 'config', `Upstream timeout ${state.config.timeoutMs} ms.`);
      return;
    default: {
      const unknown: never = command;
      refuse(state, `Unknown command ${JSON.stringify(unknown)}.`);
    }
  }
}

function addServer(state: LoadBalancerState, pool: PoolName): void {
  if (state.servers.length >= SERVERS_MAX) {
    refuse(state, `The pool holds at most ${SERVERS_MAX} servers.`);
    return;
  }
  if (state.nextServerNumber > SERVER_NUMBER_MAX) {
    refuse(state, `A run adds at most ${SERVER_NUMBER_MAX} servers in all.`);
    return;
  }
  const spec = addServerSpec(state, pool);
  log(
    state,
    'topology',
    `Added ${spec.id}${state.config.pools ? ` to the ${pool} pool` : ''}; it takes traffic at once.`,
    true,
  );
}

/** Graceful removal: the balancer stops sending new work; the server leaves once it is idle. */
function startDraining(state: LoadBalancerState, serverId: string): void {
  const spec = specOf(state, serverId);
  if (!spec) {
    refuse(state, `There is no server ${serverId}.`);
    return;
  }
  if (spec.removing) return;
  const staying = state.servers.filter((s) => !s.removing).length;
  if (staying <= 1) {
    refuse(state, 'The pool needs at least one server.');
    return;
  }
  spec.removing = true;
  const inFlight = state.lanes.reduce(
    (sum, lane) => sum + (laneServerOf(lane, serverId)?.inFlight ?? 0),
    0,
  );
  log(
    state,
    'topology',
    `Draining ${serverId}: no new requests; ${inFlight} in flight finish first.`,
    true,
  );
  for (const lane of state.lanes) dropConnectionsTo(lane, serverId);
  finishDrainingIfIdle(state, spec);
}

function serverIsIdle(lane: Lane, server: LaneServer): boolean {
  if (server.inFlight > 0 || server.active > 0 || server.queue.length > 0) return false;
  // Timed-out requests may still be in service or on the wire back.
  for (const key in lane.requests) if (lane.requests[key]!.serverId === server.id) return false;
  return true;
}

function finishDrainingIfIdle(state: LoadBalancerState, spec: ServerSpec): void {
  if (!spec.removing) return;
  let allDrained = true;
  for (const lane of state.lanes) {
    const server = laneServerOf(lane, spec.id);
    if (!server) continue;
    if (!server.drained && serverIsIdle(lane, server)) {
      server.drained = true;
      const lost = endSessionsOn(lane, spec.id);
      laneLog(
        state,
        lane,
        'topology',
        `${spec.id} drained: every request it held was answered.${lost > 0 ? ` ${lost} sticky sessions lived only there: those users are logged out.` : ''}`,
        true,
      );
    }
    if (!server.drained) allDrained = false;
  }
  if (!allDrained) return;
  const index = state.servers.indexOf(spec);
  state.servers.splice(index, 1);
  for (const lane of state.lanes) {
    const at = lane.servers.findIndex((s) => s.id === spec.id);
    if (at >= 0) lane.servers.splice(at, 1);
    for (const picker of Object.values(lane.pickers)) {
      delete picker.currentWeights[spec.id];
      // The rotation continues from the same neighbour; the lists it indexes shrink by one.
      if (picker.cursor >= at && picker.cursor > -1) picker.cursor -= 1;
    }
  }
  spec.flapToken += 1;
  log(state, 'topology', `${spec.id} removed with no request lost.`, true);
}

function setServer(
  state: LoadBalancerState,
  command: Extract<LoadBalancerCommand, { type: 'setServer' }>,
): void {
  const spec = specOf(state, command.serverId);
  if (!spec) {
    refuse(state, `There is no server ${command.serverId}.`);
    return;
  }
  const changes: string[] = [];
  if (command.weight !== undefined) {
    spec.weight = clampInt(command.weight, 1, WEIGHT_MAX);
    changes.push(`weight ${spec.weight}`);
  }
  if (command.concurrency !== undefined) {
    spec.concurrency = clampInt(command.concurrency, 1, CONCURRENCY_MAX);
    changes.push(`${spec.concurrency} slots`);
  }
  if (command.serviceMs !== undefined) {
    spec.serviceMs = clampInt(command.serviceMs, SERVICE_MS_MIN, SERVICE_MS_MAX);
    changes.push(`service ${spec.serviceMs} ms`);
  }
  if (command.latencyMs !== undefined) {
    spec.latencyMs = clampInt(command.latencyMs, 0, LATENCY_MS_MAX);
    changes.push(`latency ${spec.latencyMs} ms`);
  }
  if (command.queueLimit !== undefined) {
    spec.queueLimit = clampInt(command.queueLimit, 0, QUEUE_LIMIT_MAX);
    changes.push(`queue ${spec.queueLimit}`);
  }
  if (command.pool !== undefined) {
    spec.pool = command.pool === 'static' ? 'static' : 'api';
    changes.push(`${spec.pool} pool`);
  }
  // More slots take queued requests at once.
  for (const lane of state.lanes) {
    const server = laneServerOf(lane, spec.id);
    if (server) startQueuedWork(state, lane, server, spec);
  }
  log(state, 'config', `${spec.id}: ${changes.join(', ') || 'no change'}.`);
}

function setSessions(state: LoadBalancerState, mode: SessionMode): void {
  state.config.sessions = mode;
  for (const lane of state.lanes) {
    lane.sticky = {};
    lane.store = {};
    for (const server of lane.servers) server.sessions = 0;
  }
  log(
    state,
    'config',
    mode === 'stateless'
      ? 'Stateless app: any server can answer any request.'
      : mode === 'sticky'
        ? 'Sticky sessions: each user logs in on one server, and the balancer keeps them there.'
        : 'External session store: sessions live in a shared store, so any server can answer.',
    true,
  );
}

// ---------------------------------------------------------------------------------------------
// Faults.

function crashServer(state: LoadBalancerState, spec: ServerSpec, how: string): void {
  if (spec.crashed) return;
  spec.crashed = true;
  spec.crashedAtMs = state.nowMs;
  spec.failoverNoted = false;
  const lostPerLane: string[] = [];
  let resetTotal = 0;
  for (const lane of state.lanes) {
    const server = laneServerOf(lane, spec.id);
    if (!server) continue;
    // Work at the server dies with the process; the balancer hears a reset one latency later.
    for (const key in lane.requests) {
      const request = lane.requests[key]!;
      if (request.serverId !== spec.id) continue;
      if (request.phase !== 'queued' && request.phase !== 'serving') continue;
      if (request.outcome !== null) {
        delete lane.requests[key];
        continue;
      }
      resetTotal += 1;
      sendReply(state, lane, request, spec, 'reset');
    }
    setActive(state, server, 0);
    server.queue = [];
    dropConnectionsTo(lane, spec.id);
    const lost = endSessionsOn(lane, spec.id);
    if (lost > 0)
      lostPerLane.push(
        `${lost}${state.lanes.length > 1 ? ` (${ALGORITHM_SHORT[lane.algorithm]})` : ''}`,
      );
  }
  log(
    state,
    'fault',
    `${spec.id} ${how}: ${resetTotal} requests at it are reset.${lostPerLane.length > 0 ? ` Sticky sessions lost: ${lostPerLane.join(', ')} users logged out.` : ''}`,
    true,
  );
  finishDrainingIfIdle(state, spec);
}

function recoverServer(state: LoadBalancerState, spec: ServerSpec): void {
  if (!spec.crashed) return;
  spec.crashed = false;
  spec.crashedAtMs = null;
  log(
    state,
    'fault',
    `${spec.id} is back up${spec.health === 'unhealthy' ? `; it returns after ${state.config.healthyThreshold} passing health checks` : ''}.`,
    true,
  );
}

function stopFlapping(state: LoadBalancerState, spec: ServerSpec): void {
  if (spec.flapPeriodMs === 0) return;
  spec.flapPeriodMs = 0;
  spec.flapToken += 1;
  log(state, 'fault', `${spec.id} stops flapping.`);
}

function endSessionsOn(lane: Lane, serverId: string): number {
  let lost = 0;
  for (const key in lane.sticky) {
    if (lane.sticky[key] === serverId) {
      delete lane.sticky[key];
      lost += 1;
    }
  }
  const server = laneServerOf(lane, serverId);
  if (server) server.sessions = 0;
  lane.totals.loggedOut += lost;
  return lost;
}

function dropConnectionsTo(lane: Lane, serverId: string): void {
  for (const key in lane.connections) {
    if (lane.connections[key]!.serverId === serverId) delete lane.connections[key];
  }
  const server = laneServerOf(lane, serverId);
  if (server) server.connections = 0;
}

function closeAllConnections(lane: Lane): void {
  lane.connections = {};
  for (const server of lane.servers) server.connections = 0;
}

// ---------------------------------------------------------------------------------------------
// The workload: a seeded stream of requests from clients (Poisson, or bursty on/off phases).

function nextFloatExp(rng: RngState, mean: number): number {
  return -mean * Math.log(1 - nextFloat(rng));
}

/**
 * The gap to the next request from time `fromMs`. Bursty traffic switches between "on" phases at
 * BURST_FACTOR × the rate and quieter "off" phases, so the mean rate stays the configured one;
 * exponential gaps are memoryless, so a gap cut by a phase change is simply drawn again.
 */
function nextSendGapMs(state: LoadBalancerState, fromMs: number): number {
  const rate = state.config.requestsPerSecond;
  if (rate <= 0) return Number.POSITIVE_INFINITY;
  if (state.config.arrival === 'poisson') return nextFloatExp(state.workloadRng, 1000 / rate);
  const onShare = BURST_ON_MS_MEAN / (BURST_ON_MS_MEAN + BURST_OFF_MS_MEAN);
  const offFactor = (1 - onShare * BURST_FACTOR) / (1 - onShare);
  let at = fromMs;
  for (let guard = 0; guard < 1_000; guard += 1) {
    const phaseRate = rate * (state.burst.on ? BURST_FACTOR : offFactor);
    const gap = nextFloatExp(state.workloadRng, 1000 / phaseRate);
    if (at + gap <= state.burst.untilMsExact) return at + gap - fromMs;
    at = state.burst.untilMsExact;
    state.burst.on = !state.burst.on;
    state.burst.untilMsExact =
      at + nextFloatExp(state.workloadRng, state.burst.on ? BURST_ON_MS_MEAN : BURST_OFF_MS_MEAN);
  }
  return at - fromMs;
}

function scheduleSend(state: LoadBalancerState): void {
  if (!Number.isFinite(state.nextSendAtMsExact)) return;
  // A send event that a workload change made stale finds a later exact time and does nothing.
  scheduleEvent(state.queue, Math.max(state.nowMs, Math.ceil(state.nextSendAtMsExact)), {
    k: 'send',
  });
}

const zipfMemo: { key: string; table: ZipfTable | null } = { key: '', table: null };

/** Users send unequal shares of traffic (Zipf, s = 1): a few heavy clients, many light ones. */
function usersTable(users: number): ZipfTable {
  const key = String(users);
  if (zipfMemo.key !== key || !zipfMemo.table) {
    zipfMemo.key = key;
    zipfMemo.table = createZipf(users, 1);
  }
  return zipfMemo.table;
}

/** A client sends one request: drawn once, shared by every lane. */
function sendFromClient(state: LoadBalancerState): void {
  const rng = state.workloadRng;
  const clientId = sampleZipf(usersTable(state.config.users), rng);
  const baseCost = sampleLogNormal(rng, 1, 0.5);
  const isStatic = nextFloat(rng) < 0.5;
  const header = !isStatic && nextFloat(rng) < 0.1;
  const id = state.nextRequestId;
  state.nextRequestId += 1;
  // Static files and header-marked asset requests are cheap to serve.
  const cheap = isStatic || header;
  const request: WireRequest = {
    id,
    clientId,
    cost: cheap ? baseCost * 0.25 : baseCost,
    pool: routeToPool(isStatic ? '/static/app.js' : '/api/orders', header),
    path: isStatic ? '/static/app.js' : '/api/orders',
    header,
    sentAtMs: state.nowMs,
    connectionLifetimeMs: Math.max(
      1,
      Math.round(-CONNECTION_LIFETIME_MS_MEAN * Math.log(1 - unitHash(clientId, id))),
    ),
  };
  state.wire.push(request);
  scheduleEvent(state.queue, state.nowMs + CLIENT_LATENCY_MS, { k: 'atLb', id });
}

/**
 * Layer-7 routing rules, first match wins: a request marked with the header `x-asset: 1` goes to
 * the static pool whatever its path; then `/static/*` to static and everything else to api.
 */
export const ROUTE_RULES = [
  { match: 'header x-asset: 1', pool: 'static' },
  { match: 'path /static/*', pool: 'static' },
  { match: 'path /api/*', pool: 'api' },
] as const;

export function routeToPool(path: string, assetHeader: boolean): PoolName {
  if (assetHeader) return 'static';
  if (path.startsWith('/static/')) return 'static';
  return 'api';
}

// ---------------------------------------------------------------------------------------------
// The balancer.

function peersFor(
  state: LoadBalancerState,
  lane: Lane,
  pool: PoolName | null,
  exclude: string | null,
): Peer[] {
  const layer4 = state.config.layer === 'l4';
  const peers: Peer[] = [];
  for (let index = 0; index < state.servers.length; index += 1) {
    const spec = state.servers[index]!;
    if (pool !== null && spec.pool !== pool) continue;
    const server = lane.servers[index]!;
    peers.push({
      id: spec.id,
      weight: spec.weight,
      load: layer4 ? server.connections : server.inFlight,
      ewmaMs: server.ewmaMs,
      eligible: spec.id !== exclude && isEligible(state, lane, index),
    });
  }
  return peers;
}

function eligibleById(state: LoadBalancerState, lane: Lane, serverId: string): boolean {
  const index = state.servers.findIndex((s) => s.id === serverId);
  return index >= 0 && isEligible(state, lane, index);
}

/** One scheduling decision by the lane's algorithm; null when no server may take the request. */
export function chooseServer(
  state: LoadBalancerState,
  lane: Lane,
  clientId: number,
  pool: PoolName | null,
  exclude: string | null,
): string | null {
  const peers = peersFor(state, lane, pool, exclude);
  lane.totals.decisions += 1;
  const index = pickPeer(lane.algorithm, lane.pickers[pool ?? 'all'], lane.rng, peers, clientId);
  return index < 0 ? null : peers[index]!.id;
}

/** Sticky sessions first, then the algorithm; logs users in and out as sessions move. */
function routeRequest(
  state: LoadBalancerState,
  lane: Lane,
  request: LaneRequest,
  exclude: string | null,
): string | null {
  const pool = state.config.layer === 'l7' && state.config.pools ? request.pool : null;
  const mode = state.config.sessions;
  if (mode === 'sticky') {
    const pinned = lane.sticky[request.clientId];
    if (pinned !== undefined && pinned !== exclude && eligibleById(state, lane, pinned))
      return pinned;
    if (pinned !== undefined) {
      // The user's server can no longer be used: the session held in its memory is out of reach.
      delete lane.sticky[request.clientId];
      const holder = laneServerOf(lane, pinned);
      if (holder) holder.sessions = Math.max(0, holder.sessions - 1);
      lane.totals.loggedOut += 1;
    }
    const chosen = chooseServer(state, lane, request.clientId, pool, exclude);
    if (chosen !== null) {
      lane.sticky[request.clientId] = chosen;
      const holder = laneServerOf(lane, chosen);
      if (holder) holder.sessions += 1;
      lane.totals.logins += 1;
    }
    return chosen;
  }
  if (mode === 'external' && lane.store[request.clientId] === undefined) {
    lane.store[request.clientId] = 1;
    lane.totals.logins += 1;
  }
  return chooseServer(state, lane, request.clientId, pool, exclude);
}

/** Layer 4: reuse the client's open connection, or open one (a scheduling decision). */
function routeConnection(
  state: LoadBalancerState,
  lane: Lane,
  request: LaneRequest,
  exclude: string | null,
): string | null {
  const existing = lane.connections[request.clientId];
  if (existing) {
    if (
      existing.expiresAtMs > state.nowMs &&
      existing.serverId !== exclude &&
      eligibleById(state, lane, existing.serverId)
    ) {
      return existing.serverId;
    }
    closeConnection(lane, request.clientId);
  }
  const serverId = routeRequest(state, lane, request, exclude);
  if (serverId !== null) {
    lane.connections[request.clientId] = {
      serverId,
      expiresAtMs: state.nowMs + request.connectionLifetimeMs,
    };
    const server = laneServerOf(lane, serverId);
    if (server) server.connections += 1;
  }
  return serverId;
}

function closeConnection(lane: Lane, clientId: number): void {
  const connection = lane.connections[clientId];
  if (!connection) return;
  delete lane.connections[clientId];
  const server = laneServerOf(lane, connection.serverId);
  if (server) server.connections = Math.max(0, server.connections - 1);
}

/** A request reaches the balancer: every lane gets its own copy and decides for itself. */
function receiveAtBalancer(state: LoadBalancerState, wire: WireRequest): void {
  for (const lane of state.lanes) {
    lane.totals.arrived += 1;
    const request: LaneRequest = {
      id: wire.id,
      clientId: wire.clientId,
      cost: wire.cost,
      pool: wire.pool,
      arrivedAtMs: state.nowMs,
      serverId: '',
      attempt: 0,
      dispatchedAtMs: state.nowMs,
      phase: 'to-server',
      sentAtMs: state.nowMs,
      deliverAtMs: state.nowMs,
      reply: null,
      outcome: null,
      connectionLifetimeMs: wire.connectionLifetimeMs,
    };
    if (lane.pending >= LANE_REQUESTS_MAX) {
      if (!state.limitNoted) {
        state.limitNoted = true;
        laneLog(
          state,
          lane,
          'refused',
          `Limit reached: ${LANE_REQUESTS_MAX.toLocaleString('en-US')} requests held by one balancer; new ones are dropped.`,
          true,
        );
      }
      finish(state, lane, request, 'dropped');
      continue;
    }
    lane.pending += 1;
    pushDeadline(lane, state.nowMs + state.config.timeoutMs, request.id);
    dispatch(state, lane, request, null);
  }
}

function dispatch(
  state: LoadBalancerState,
  lane: Lane,
  request: LaneRequest,
  exclude: string | null,
): void {
  const serverId =
    state.config.layer === 'l4'
      ? routeConnection(state, lane, request, exclude)
      : routeRequest(state, lane, request, exclude);
  if (serverId === null) {
    // No healthy server in the pool: 503 from the balancer itself.
    lane.pending -= 1;
    finish(state, lane, request, 'dropped');
    return;
  }
  const spec = specOf(state, serverId)!;
  const server = laneServerOf(lane, serverId)!;
  server.inFlight += 1;
  request.serverId = serverId;
  request.phase = 'to-server';
  request.dispatchedAtMs = state.nowMs;
  request.sentAtMs = state.nowMs;
  request.deliverAtMs = state.nowMs + spec.latencyMs;
  lane.requests[request.id] = request;
  scheduleEvent(state.queue, request.deliverAtMs, { k: 'reach', lane: lane.index, id: request.id });
}

/** The client has its answer (ok, error or dropped): counted once, here. */
function finish(
  state: LoadBalancerState,
  lane: Lane,
  request: LaneRequest,
  outcome: Outcome,
): void {
  request.outcome = outcome;
  const bucket = lane.bucket;
  if (outcome === 'ok') {
    lane.totals.ok += 1;
    bucket.ok += 1;
    // End-to-end: client → balancer → server → balancer → client.
    const latency = state.nowMs - request.arrivedAtMs + 2 * CLIENT_LATENCY_MS;
    if (bucket.samples.length < BUCKET_SAMPLES_MAX) bucket.samples.push(latency);
  } else if (outcome === 'error') {
    lane.totals.errors += 1;
    bucket.errors += 1;
  } else {
    lane.totals.dropped += 1;
    bucket.dropped += 1;
  }
  lane.clientHops.push({
    atMs: state.nowMs,
    clientId: request.clientId,
    direction: 'out',
    outcome,
  });
  if (lane.clientHops.length > CLIENT_HOPS_MAX) lane.clientHops.shift();
}

/** The request reaches its server: refused if the server is down, else served, queued or rejected. */
function reachServer(state: LoadBalancerState, lane: Lane, request: LaneRequest): void {
  const spec = specOf(state, request.serverId);
  const server = laneServerOf(lane, request.serverId);
  if (!spec || !server) return;
  if (spec.crashed) {
    sendReply(state, lane, request, spec, 'refused');
    return;
  }
  if (server.active < spec.concurrency) {
    startService(state, lane, server, spec, request);
  } else if (server.queue.length < spec.queueLimit) {
    request.phase = 'queued';
    server.queue.push(request.id);
  } else {
    sendReply(state, lane, request, spec, 'rejected');
  }
}

function setActive(state: LoadBalancerState, server: LaneServer, active: number): void {
  server.busySlotMs += server.active * (state.nowMs - server.busySinceMs);
  server.busySinceMs = state.nowMs;
  server.active = active;
}

export function serviceTimeMs(
  spec: Pick<ServerSpec, 'serviceMs' | 'slowness'>,
  cost: number,
): number {
  return Math.max(1, Math.round(cost * spec.serviceMs * spec.slowness));
}

function startService(
  state: LoadBalancerState,
  lane: Lane,
  server: LaneServer,
  spec: ServerSpec,
  request: LaneRequest,
): void {
  setActive(state, server, server.active + 1);
  request.phase = 'serving';
  scheduleEvent(state.queue, state.nowMs + serviceTimeMs(spec, request.cost), {
    k: 'done',
    lane: lane.index,
    id: request.id,
  });
}

function startQueuedWork(
  state: LoadBalancerState,
  lane: Lane,
  server: LaneServer,
  spec: ServerSpec,
): void {
  while (server.active < spec.concurrency && server.queue.length > 0) {
    const id = server.queue.shift()!;
    const next = lane.requests[id];
    // A request whose client gave up still costs the server its work: the server cannot know.
    if (next) startService(state, lane, server, spec, next);
  }
}

function finishService(state: LoadBalancerState, lane: Lane, request: LaneRequest): void {
  if (request.phase !== 'serving') return;
  const spec = specOf(state, request.serverId);
  const server = laneServerOf(lane, request.serverId);
  if (!spec || !server) return;
  setActive(state, server, server.active - 1);
  sendReply(state, lane, request, spec, 'ok');
  startQueuedWork(state, lane, server, spec);
}

function sendReply(
  state: LoadBalancerState,
  lane: Lane,
  request: LaneRequest,
  spec: ServerSpec,
  reply: ReplyKind,
): void {
  request.phase = 'to-lb';
  request.reply = reply;
  request.sentAtMs = state.nowMs;
  request.deliverAtMs = state.nowMs + spec.latencyMs;
  scheduleEvent(state.queue, request.deliverAtMs, { k: 'reply', lane: lane.index, id: request.id });
}

/** The balancer hears back: a response, a 503, a refused connection or a reset. */
function receiveReply(state: LoadBalancerState, lane: Lane, request: LaneRequest): void {
  const spec = specOf(state, request.serverId);
  const server = laneServerOf(lane, request.serverId);
  const answered = request.outcome !== null;
  delete lane.requests[request.id];
  if (!server) return;
  if (answered) {
    // The client already had its timeout; the late reply only frees the server's bookkeeping.
    if (spec) finishDrainingIfIdle(state, spec);
    return;
  }
  server.inFlight -= 1;
  const reply = request.reply;
  if (reply === 'ok') {
    server.served += 1;
    server.servedInBucket += 1;
    server.consecutiveErrors = 0;
    server.ewmaMs = observePeakEwma(
      server.ewmaMs,
      server.ewmaAtMs,
      state.nowMs - request.dispatchedAtMs,
      state.nowMs,
      EWMA_DECAY_MS,
    );
    server.ewmaAtMs = state.nowMs;
    lane.pending -= 1;
    finish(state, lane, request, 'ok');
  } else if (reply === 'rejected') {
    server.dropped += 1;
    lane.pending -= 1;
    finish(state, lane, request, 'dropped');
  } else if (reply === 'refused' && request.attempt === 0) {
    noteFailure(state, lane, server);
    failover(state, lane, request);
  } else {
    if (reply === 'reset') lane.totals.resets += 1;
    noteFailure(state, lane, server);
    lane.pending -= 1;
    finish(state, lane, request, 'error');
  }
  if (spec) finishDrainingIfIdle(state, spec);
}

/** A refused connection is safe to retry (nothing was processed): try one other server. */
function failover(state: LoadBalancerState, lane: Lane, request: LaneRequest): void {
  const failed = request.serverId;
  const spec = specOf(state, failed);
  if (spec && !spec.failoverNoted) {
    spec.failoverNoted = true;
    laneLog(
      state,
      lane,
      'failover',
      `${failed} refused a connection; the balancer retries on another server (failover).`,
      true,
    );
  }
  request.attempt = 1;
  lane.totals.failovers += 1;
  dispatch(state, lane, request, failed);
}

/** Passive outlier detection (Envoy's consecutive gateway failures). */
function noteFailure(state: LoadBalancerState, lane: Lane, server: LaneServer): void {
  server.errors += 1;
  server.consecutiveErrors += 1;
  if (!state.config.ejection) return;
  if (server.consecutiveErrors < state.config.ejectionErrors) return;
  if (server.ejectedUntilMs > state.nowMs) return;
  const ejectedNow = lane.servers.filter((s) => s.ejectedUntilMs > state.nowMs).length;
  // Never eject more than half the pool: a shared fault would otherwise empty it.
  if ((ejectedNow + 1) * 2 > lane.servers.length) return;
  server.ejections += 1;
  server.consecutiveErrors = 0;
  server.ejectedUntilMs = state.nowMs + state.config.ejectionMs * server.ejections;
  laneLog(
    state,
    lane,
    'ejected',
    `${server.id} ejected after ${state.config.ejectionErrors} errors in a row, for ${(state.config.ejectionMs * server.ejections) / 1000} s.`,
    true,
  );
}

function pushDeadline(lane: Lane, deadlineMs: number, id: number): void {
  const list = lane.timeouts;
  let at = list.length;
  // Deadlines come almost always in order; a shorter timeout setting may need a step back.
  while (at - 2 >= lane.timeoutHead * 2 && list[at - 2]! > deadlineMs) at -= 2;
  list.splice(at, 0, deadlineMs, id);
}

function nextDeadlineMs(lane: Lane): number | null {
  const at = lane.timeoutHead * 2;
  return at < lane.timeouts.length ? lane.timeouts[at]! : null;
}

function expireDeadline(state: LoadBalancerState, lane: Lane): void {
  const at = lane.timeoutHead * 2;
  const id = lane.timeouts[at + 1]!;
  lane.timeoutHead += 1;
  if (lane.timeoutHead * 2 >= 4_096) {
    lane.timeouts.splice(0, lane.timeoutHead * 2);
    lane.timeoutHead = 0;
  }
  const request = lane.requests[id];
  if (!request || request.outcome !== null) return;
  const server = laneServerOf(lane, request.serverId);
  if (server) {
    server.inFlight -= 1;
    noteFailure(state, lane, server);
  }
  lane.totals.timeouts += 1;
  lane.pending -= 1;
  // The request may still be on its way, queued or in service: the server finishes it unaware,
  // and the balancer ignores the late reply.
  finish(state, lane, request, 'error');
}

// ---------------------------------------------------------------------------------------------
// Active health checks.

function probeAll(state: LoadBalancerState): void {
  const timeout = state.config.healthTimeoutMs;
  for (const spec of state.servers) {
    const roundTripMs = 2 * spec.latencyMs + Math.round(PROBE_SERVICE_MS * spec.slowness);
    // A crashed host does not answer: the probe fails when its timeout runs out.
    const answers = !spec.crashed && roundTripMs <= timeout;
    scheduleEvent(state.queue, state.nowMs + (answers ? roundTripMs : timeout), {
      k: 'probeResult',
      serverId: spec.id,
      ok: answers,
    });
  }
  scheduleEvent(state.queue, state.nowMs + state.config.healthIntervalMs, { k: 'probe' });
}

function probeResult(state: LoadBalancerState, serverId: string, answered: boolean): void {
  const spec = specOf(state, serverId);
  if (!spec) return;
  // A server that died while the probe was on its way does not answer either.
  const ok = answered && !spec.crashed;
  spec.lastProbeOk = ok;
  if (ok) {
    spec.healthOkStreak += 1;
    spec.healthFailStreak = 0;
    if (spec.health === 'unhealthy' && spec.healthOkStreak >= state.config.healthyThreshold) {
      spec.health = 'healthy';
      spec.unhealthyAtMs = null;
      log(
        state,
        'health',
        `${spec.id} passed ${spec.healthOkStreak} health checks: healthy, back in rotation.`,
        true,
      );
    }
    return;
  }
  spec.healthFailStreak += 1;
  spec.healthOkStreak = 0;
  if (spec.health === 'healthy' && spec.healthFailStreak >= state.config.unhealthyThreshold) {
    spec.health = 'unhealthy';
    spec.unhealthyAtMs = state.nowMs;
    const detection =
      spec.crashedAtMs !== null
        ? ` Detected ${((state.nowMs - spec.crashedAtMs) / 1000).toFixed(2)} s after it went down.`
        : '';
    log(
      state,
      'health',
      `${spec.id} failed ${spec.healthFailStreak} health checks in a row: unhealthy, no new requests.${detection}`,
      true,
    );
    for (const lane of state.lanes) dropConnectionsTo(lane, spec.id);
  }
}

function flap(state: LoadBalancerState, serverId: string, token: number): void {
  const spec = specOf(state, serverId);
  if (!spec || spec.flapToken !== token || spec.flapPeriodMs === 0) return;
  if (spec.crashed) recoverServer(state, spec);
  else crashServer(state, spec, 'flapped down');
  scheduleEvent(state.queue, state.nowMs + spec.flapPeriodMs, { k: 'flap', serverId, token });
}

// ---------------------------------------------------------------------------------------------
// Time.

function handleEvent(state: LoadBalancerState, event: LbEvent): void {
  switch (event.k) {
    case 'send': {
      if (Math.ceil(state.nextSendAtMsExact) > state.nowMs) return;
      while (Math.ceil(state.nextSendAtMsExact) <= state.nowMs) {
        sendFromClient(state);
        state.nextSendAtMsExact += nextSendGapMs(state, state.nextSendAtMsExact);
      }
      scheduleSend(state);
      return;
    }
    case 'atLb': {
      const wire = state.wire.shift();
      if (wire) receiveAtBalancer(state, wire);
      return;
    }
    case 'reach': {
      const lane = state.lanes[event.lane];
      const request = lane?.requests[event.id];
      if (lane && request && request.phase === 'to-server') reachServer(state, lane, request);
      return;
    }
    case 'done': {
      const lane = state.lanes[event.lane];
      const request = lane?.requests[event.id];
      if (lane && request) finishService(state, lane, request);
      return;
    }
    case 'reply': {
      const lane = state.lanes[event.lane];
      const request = lane?.requests[event.id];
      if (lane && request && request.phase === 'to-lb' && request.deliverAtMs === state.nowMs) {
        receiveReply(state, lane, request);
      }
      return;
    }
    case 'probe':
      probeAll(state);
      return;
    case 'probeResult':
      probeResult(state, event.serverId, event.ok);
      return;
    case 'flap':
      flap(state, event.serverId, event.token);
      return;
    default: {
      const unknown: never = event;
      throw new Error(`Unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** Closes the one-second metric bucket: percentiles, series, utilisation, expiries. */
function closeBucket(state: LoadBalancerState): void {
  const endMs = state.bucketEndMs;
  const savedNow = state.nowMs;
  state.nowMs = endMs;
  for (const lane of state.lanes) {
    const bucket = lane.bucket;
    const sorted = bucket.samples.slice().sort((a, b) => a - b);
    const series = lane.series;
    series.tSec.push(endMs / 1000);
    series.p50.push(percentileOf(sorted, 0.5));
    series.p95.push(percentileOf(sorted, 0.95));
    series.p99.push(percentileOf(sorted, 0.99));
    series.ok.push(bucket.ok);
    series.errors.push(bucket.errors);
    series.dropped.push(bucket.dropped);
    if (series.tSec.length > SERIES_POINTS_MAX) {
      for (const values of Object.values(series) as number[][]) values.shift();
    }
    lane.windowSamples.push(sorted);
    if (lane.windowSamples.length > LATENCY_WINDOW_BUCKETS) lane.windowSamples.shift();
    const all = lane.windowSamples.flat().sort((a, b) => a - b);
    lane.window = {
      p50: percentileOf(all, 0.5),
      p95: percentileOf(all, 0.95),
      p99: percentileOf(all, 0.99),
      count: all.length,
    };
    lane.bucket = { startMs: endMs, samples: [], ok: 0, errors: 0, dropped: 0 };
    for (let index = 0; index < lane.servers.length; index += 1) {
      const server = lane.servers[index]!;
      const spec = state.servers[index]!;
      setActive(state, server, server.active);
      server.utilisation = server.busySlotMs / (spec.concurrency * BUCKET_MS);
      server.busySlotMs = 0;
      server.servedInBucket = 0;
      if (server.ejectedUntilMs > 0 && server.ejectedUntilMs <= endMs) {
        server.ejectedUntilMs = 0;
        laneLog(state, lane, 'ejected', `${server.id}'s ejection ended: back in rotation.`);
      }
    }
    if (state.config.layer === 'l4') {
      for (const key in lane.connections) {
        if (lane.connections[key]!.expiresAtMs <= endMs) closeConnection(lane, Number(key));
      }
    }
  }
  state.bucketEndMs = endMs + BUCKET_MS;
  state.nowMs = Math.max(savedNow, endMs);
}

function nextDueMs(state: LoadBalancerState): number | null {
  let next = peekNextAtMs(state.queue);
  for (const lane of state.lanes) {
    const deadline = nextDeadlineMs(lane);
    if (deadline !== null && (next === null || deadline < next)) next = deadline;
  }
  return next;
}

export function advanceLoadBalancer(state: LoadBalancerState, atMs: number): void {
  for (let guard = 0; ; guard += 1) {
    if (guard > 50_000_000) throw new Error('the load balancer made no progress');
    const next = nextDueMs(state);
    const boundary = state.bucketEndMs;
    if ((next === null || next > atMs) && boundary > atMs) break;
    if (boundary <= atMs && (next === null || boundary <= next)) {
      closeBucket(state);
      continue;
    }
    const at = next!;
    state.nowMs = at;
    // Deadlines first: a reply that lands on the deadline millisecond is already too late.
    let expired = false;
    for (const lane of state.lanes) {
      const deadline = nextDeadlineMs(lane);
      if (deadline !== null && deadline <= at) {
        expireDeadline(state, lane);
        expired = true;
        break;
      }
    }
    if (expired) continue;
    const due = popNextDue(state.queue, at);
    if (due) handleEvent(state, due.event);
  }
  state.nowMs = atMs;
}

export function nextLoadBalancerEventAtMs(state: LoadBalancerState): number | null {
  const next = nextDueMs(state);
  return next === null ? state.bucketEndMs : Math.min(next, state.bucketEndMs);
}

// ---------------------------------------------------------------------------------------------

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function clampNumber(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}
