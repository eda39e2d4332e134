/**
 * What the load-balancer views draw: per server its settings and health, and per balancer (lane)
 * its view of each server, the requests on the wire, totals, percentiles and series.
 */
import { CLIENT_LATENCY_MS, FLIGHTS_DRAWN_MAX } from './constants';
import type {
  ClientHop,
  HealthState,
  LoadBalancerState,
  Outcome,
  ReplyKind,
  Series,
  Totals,
} from './model';

export interface ServerView {
  id: string;
  weight: number;
  concurrency: number;
  serviceMs: number;
  latencyMs: number;
  queueLimit: number;
  slowness: number;
  pool: 'api' | 'static';
  crashed: boolean;
  flapping: boolean;
  removing: boolean;
  health: HealthState;
  healthOkStreak: number;
  healthFailStreak: number;
  lastProbeOk: boolean | null;
  crashedAtMs: number | null;
  /** When health checks marked it unhealthy (null while healthy). */
  unhealthyAtMs: number | null;
}

export interface LaneServerView {
  id: string;
  inFlight: number;
  active: number;
  queued: number;
  connections: number;
  sessions: number;
  served: number;
  errors: number;
  dropped: number;
  utilisation: number;
  ejected: boolean;
  ewmaMs: number;
  drained: boolean;
}

export interface Flight {
  /** Index into the snapshot's servers. */
  server: number;
  towardServer: boolean;
  sentAtMs: number;
  deliverAtMs: number;
  kind: 'request' | ReplyKind;
  /** The client already gave up on it (timed out). */
  abandoned: boolean;
}

export interface LaneView {
  index: number;
  algorithm: LoadBalancerState['lanes'][number]['algorithm'];
  servers: LaneServerView[];
  totals: Totals;
  pending: number;
  window: { p50: number; p95: number; p99: number; count: number };
  series: Series;
  flights: Flight[];
  hops: { atMs: number; clientId: number; direction: 'in' | 'out'; outcome: Outcome }[];
  loggedIn: number;
  openConnections: number;
}

export interface LoadBalancerSnapshot {
  atMs: number;
  config: LoadBalancerState['config'];
  servers: ServerView[];
  lanes: LaneView[];
  /** Requests on their way from clients to the balancer. */
  wire: { sentAtMs: number; clientId: number }[];
  requestsSent: number;
}

/** Series points sent per frame (the charts show the last three minutes). */
const SERIES_SENT = 180;

function tail(series: Series): Series {
  const from = Math.max(0, series.tSec.length - SERIES_SENT);
  return {
    tSec: series.tSec.slice(from),
    p50: series.p50.slice(from),
    p95: series.p95.slice(from),
    p99: series.p99.slice(from),
    ok: series.ok.slice(from),
    errors: series.errors.slice(from),
    dropped: series.dropped.slice(from),
  };
}

export function viewLoadBalancer(state: LoadBalancerState): LoadBalancerSnapshot {
  const now = state.nowMs;
  const indexOf: Record<string, number> = {};
  state.servers.forEach((spec, index) => {
    indexOf[spec.id] = index;
  });
  const servers: ServerView[] = state.servers.map((spec) => ({
    id: spec.id,
    weight: spec.weight,
    concurrency: spec.concurrency,
    serviceMs: spec.serviceMs,
    latencyMs: spec.latencyMs,
    queueLimit: spec.queueLimit,
    slowness: spec.slowness,
    pool: spec.pool,
    crashed: spec.crashed,
    flapping: spec.flapPeriodMs > 0,
    removing: spec.removing,
    health: spec.health,
    healthOkStreak: spec.healthOkStreak,
    healthFailStreak: spec.healthFailStreak,
    lastProbeOk: spec.lastProbeOk,
    crashedAtMs: spec.crashedAtMs,
    unhealthyAtMs: spec.unhealthyAtMs,
  }));
  const lanes: LaneView[] = state.lanes.map((lane) => {
    const flights: Flight[] = [];
    for (const key in lane.requests) {
      if (flights.length >= FLIGHTS_DRAWN_MAX) break;
      const request = lane.requests[key]!;
      if (request.phase !== 'to-server' && request.phase !== 'to-lb') continue;
      const server = indexOf[request.serverId];
      if (server === undefined) continue;
      flights.push({
        server,
        towardServer: request.phase === 'to-server',
        sentAtMs: request.sentAtMs,
        deliverAtMs: request.deliverAtMs,
        kind: request.phase === 'to-server' ? 'request' : (request.reply ?? 'ok'),
        abandoned: request.outcome !== null,
      });
    }
    const hops: ClientHop[] = [];
    // Replies to clients are recorded in time order: walk back until they have all landed.
    for (let i = lane.clientHops.length - 1; i >= 0; i -= 1) {
      const hop = lane.clientHops[i]!;
      if (hop.atMs + CLIENT_LATENCY_MS < now) break;
      hops.push(hop);
    }
    let openConnections = 0;
    for (const server of lane.servers) openConnections += server.connections;
    return {
      index: lane.index,
      algorithm: lane.algorithm,
      servers: lane.servers.map((server) => ({
        id: server.id,
        inFlight: server.inFlight,
        active: server.active,
        queued: server.queue.length,
        connections: server.connections,
        sessions: server.sessions,
        served: server.served,
        errors: server.errors,
        dropped: server.dropped,
        utilisation: server.utilisation,
        ejected: server.ejectedUntilMs > now,
        ewmaMs: server.ewmaMs,
        drained: server.drained,
      })),
      totals: { ...lane.totals },
      pending: lane.pending,
      window: { ...lane.window },
      series: tail(lane.series),
      flights,
      hops,
      loggedIn:
        state.config.sessions === 'sticky'
          ? Object.keys(lane.sticky).length
          : state.config.sessions === 'external'
            ? Object.keys(lane.store).length
            : 0,
      openConnections,
    };
  });
  return {
    atMs: now,
    config: { ...state.config },
    servers,
    lanes,
    wire: state.wire.map((w) => ({ sentAtMs: w.sentAtMs, clientId: w.clientId })),
    requestsSent: state.nextRequestId - 1,
  };
}
