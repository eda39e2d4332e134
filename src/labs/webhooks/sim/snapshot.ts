/**
 * What the webhooks views draw: per-lane figures (delay percentiles, requests, empty responses,
 * load, open connections, duplicates), the recent messages and events for the timeline, the
 * webhook delivery state (retry schedules, dead letters, the herd's attempt histogram).
 */
import {
  ATTEMPT_BUCKET_MS,
  HISTORY_MS,
  LANE_IDS,
  LANE_LABELS,
  type LaneId,
  LOAD_BUCKET_MS,
  LOAD_WINDOW_S,
  STAGE_EVENTS_MAX,
  type WebhooksConfig,
} from './constants';
import type { AttemptRecord, DeadLetter, LaneStats, ProducedEvent, WebhooksState } from './model';

/** Bits of `MessageColumns.flags`. */
export const MESSAGE_UP = 1;
export const MESSAGE_DROPPED = 2;
export const MESSAGE_DUPLICATE = 4;
export const MESSAGE_PING = 8;
/** A poll answered with no events (drawn with an ∅ where it lands). */
export const MESSAGE_EMPTY_POLL = 16;

/**
 * The recent messages as columns: the large scene keeps 2,000 of them, and typed arrays cross to
 * the page as one copy each, where 2,000 small objects cost a structured clone of every field on
 * every frame.
 */
export interface MessageColumns {
  count: number;
  /** The network's message id: a message's identity across snapshots. */
  id: Float64Array;
  sentAtMs: Float64Array;
  endAtMs: Float64Array;
  /** Index into LANE_IDS. */
  lane: Uint8Array;
  flags: Uint8Array;
}

export interface DelayStats {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface LaneView {
  id: LaneId;
  label: string;
  delay: DelayStats;
  /** Events this lane's consumer knows of, out of all produced. */
  known: number;
  requests: number;
  emptyResponses: number;
  messages: number;
  /** Requests per second over the last LOAD_WINDOW_S completed seconds. */
  requestsPerSecond: number;
  /** Requests per second over the whole run. */
  requestsPerSecondAll: number;
  openConnections: number;
  duplicatesProcessed: number;
  duplicatesIgnored: number;
  /** Requests in each completed second, oldest first: [second start ms, count]. */
  load: [number, number][];
}

export interface FocusDelivery {
  id: number;
  eventSeq: number;
  result: 'active' | 'delivered' | 'dead';
  phase: 'inflight' | 'scheduled' | 'waiting';
  attempts: AttemptRecord[];
  nextAttemptAtMs: number | null;
  lastDelayMs: number;
  firstAttemptAtMs: number;
}

export interface WebhooksSnapshot {
  atMs: number;
  versions: Record<string, string>;
  config: WebhooksConfig;
  eventsTotal: number;
  producerUp: boolean;
  producerUpAtMs: number | null;
  consumerDown: boolean;
  consumerUpAtMs: number | null;
  receiversDown: boolean;
  receiversUpAtMs: number | null;
  lanes: LaneView[];
  events: ProducedEvent[];
  messages: MessageColumns;
  socket: { phase: 'closed' | 'connecting' | 'open'; reconnects: number; lastSeq: number };
  webhook: {
    receivers: number;
    delivered: number;
    retries: number;
    deadLettered: number;
    herdDelivered: number;
    herdDeadLettered: number;
    activeCount: number;
    inFlight: number;
    attemptsTotal: number;
    signaturesVerified: number;
    signaturesRejected: number;
    forgedSent: number;
    lateResponses: number;
    /** Events the lane's receiver processed more than once, and at most how often. */
    processedTwiceOrMore: number;
    maxTimesProcessed: number;
    /** Events processed exactly once by the lane's receiver. */
    processedOnce: number;
    dlq: DeadLetter[];
    dlqTotal: number;
    focus: FocusDelivery[];
    attemptBuckets: [number, number][];
    attemptPeak: { count: number; atMs: number };
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export function delayStatsOf(stats: LaneStats): DelayStats {
  const sorted = stats.delaysSorted;
  return {
    count: sorted.length,
    meanMs: sorted.length > 0 ? stats.delaySumMs / sorted.length : null,
    p50Ms: percentileOfSorted(sorted, 0.5),
    p95Ms: percentileOfSorted(sorted, 0.95),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : null,
  };
}

function openConnectionsOf(state: WebhooksState, lane: LaneId): number {
  switch (lane) {
    case 'short':
      return 0;
    case 'long':
      return state.held.length;
    case 'webhook':
      return Object.values(state.webhook.active).filter(
        (d) => d.receiver === 0 && d.phase === 'inflight',
      ).length;
    case 'socket':
      return state.connections.length;
    default: {
      const unknown: never = lane;
      return unknown;
    }
  }
}

function laneView(state: WebhooksState, lane: LaneId): LaneView {
  const stats = state.lanes[lane];
  const currentBucket = state.nowMs - (state.nowMs % LOAD_BUCKET_MS);
  const complete = stats.loadBuckets.filter(([start]) => start < currentBucket);
  const windowStart = currentBucket - LOAD_WINDOW_S * LOAD_BUCKET_MS;
  let recent = 0;
  for (const [start, count] of complete) if (start >= windowStart) recent += count;
  const windowSeconds = Math.min(LOAD_WINDOW_S, Math.floor(state.nowMs / LOAD_BUCKET_MS));
  // Fill the seconds with no requests, so the load series has no false bridges.
  const load: [number, number][] = [];
  const first = Math.max(0, currentBucket - 60 * LOAD_BUCKET_MS);
  let index = 0;
  for (let start = first; start < currentBucket; start += LOAD_BUCKET_MS) {
    while (index < complete.length && complete[index]![0] < start) index += 1;
    const bucket = complete[index];
    load.push([start, bucket && bucket[0] === start ? bucket[1] : 0]);
  }
  return {
    id: lane,
    label: LANE_LABELS[lane],
    delay: delayStatsOf(stats),
    known: stats.delaysSorted.length,
    requests: stats.requests,
    emptyResponses: stats.emptyResponses,
    messages: stats.messages,
    requestsPerSecond: windowSeconds > 0 ? recent / windowSeconds : 0,
    requestsPerSecondAll: state.nowMs > 0 ? (stats.requests * 1000) / state.nowMs : 0,
    openConnections: openConnectionsOf(state, lane),
    duplicatesProcessed: stats.duplicatesProcessed,
    duplicatesIgnored: stats.duplicatesIgnored,
    load,
  };
}

export function viewWebhooks(state: WebhooksState): WebhooksSnapshot {
  const horizon = state.nowMs - HISTORY_MS;
  const webhook = state.webhook;
  let processedTwiceOrMore = 0;
  let processedOnce = 0;
  let maxTimesProcessed = 0;
  for (let seq = 1; seq < webhook.timesProcessed.length; seq += 1) {
    const times = webhook.timesProcessed[seq]!;
    if (times === 1) processedOnce += 1;
    if (times > 1) processedTwiceOrMore += 1;
    if (times > maxTimesProcessed) maxTimesProcessed = times;
  }
  let firstEvent = state.produced.length;
  while (firstEvent > 0 && state.produced[firstEvent - 1]!.createdAtMs >= horizon) firstEvent -= 1;
  firstEvent = Math.max(firstEvent, state.produced.length - STAGE_EVENTS_MAX);
  const active = Object.values(webhook.active);
  return {
    atMs: state.nowMs,
    versions: {},
    config: { ...state.config },
    eventsTotal: state.produced.length,
    producerUp: state.producer.up,
    producerUpAtMs: state.producer.upAtMs,
    consumerDown: state.consumer.down,
    consumerUpAtMs: state.consumer.upAtMs,
    receiversDown: state.receiversDown.down,
    receiversUpAtMs: state.receiversDown.upAtMs,
    lanes: LANE_IDS.map((lane) => laneView(state, lane)),
    events: state.produced.slice(firstEvent).map((e) => ({
      ...e,
      knownAtMs: [...e.knownAtMs] as ProducedEvent['knownAtMs'],
    })),
    messages: messageColumns(state, horizon),
    socket: {
      phase: state.socket.phase,
      reconnects: state.socket.reconnects,
      lastSeq: state.socket.lastSeq,
    },
    webhook: {
      receivers: webhook.receivers,
      delivered: webhook.delivered,
      retries: webhook.retries,
      deadLettered: webhook.deadLettered,
      herdDelivered: webhook.herdDelivered,
      herdDeadLettered: webhook.herdDeadLettered,
      activeCount: webhook.activeCount,
      inFlight: active.filter((d) => d.phase === 'inflight').length,
      attemptsTotal: webhook.attemptsTotal,
      signaturesVerified: webhook.signaturesVerified,
      signaturesRejected: webhook.signaturesRejected,
      forgedSent: webhook.forgedSent,
      lateResponses: webhook.lateResponses,
      processedTwiceOrMore,
      maxTimesProcessed,
      processedOnce,
      dlq: webhook.dlq.slice(-20).map((d) => ({ ...d })),
      dlqTotal: webhook.dlqTotal,
      focus: webhook.focus.map((d) => ({
        id: d.id,
        eventSeq: d.eventSeq,
        result: d.result,
        phase: d.phase,
        attempts: d.attempts.map((a) => ({ ...a })),
        nextAttemptAtMs: d.nextAttemptAtMs,
        lastDelayMs: d.lastDelayMs,
        firstAttemptAtMs: d.firstAttemptAtMs,
      })),
      attemptBuckets: state.attemptBuckets
        .filter(([start]) => start + ATTEMPT_BUCKET_MS >= horizon)
        .map(([start, count]) => [start, count] as [number, number]),
      attemptPeak: { ...state.attemptPeak },
    },
  };
}

function messageColumns(state: WebhooksState, horizon: number): MessageColumns {
  const recent = state.messages.filter((m) => m.endAtMs >= horizon);
  const columns: MessageColumns = {
    count: recent.length,
    id: new Float64Array(recent.length),
    sentAtMs: new Float64Array(recent.length),
    endAtMs: new Float64Array(recent.length),
    lane: new Uint8Array(recent.length),
    flags: new Uint8Array(recent.length),
  };
  recent.forEach((m, i) => {
    columns.id[i] = m.id;
    columns.sentAtMs[i] = m.sentAtMs;
    columns.endAtMs[i] = m.endAtMs;
    columns.lane[i] = LANE_IDS.indexOf(m.lane);
    columns.flags[i] =
      (m.up ? MESSAGE_UP : 0) |
      (m.dropped ? MESSAGE_DROPPED : 0) |
      (m.duplicate ? MESSAGE_DUPLICATE : 0) |
      (m.kind === 'ping' ? MESSAGE_PING : 0) |
      (m.kind === 'pollResponse' && m.label === '200 []' ? MESSAGE_EMPTY_POLL : 0);
  });
  return columns;
}
