/**
 * The webhooks-vs-polling lab model. A pizza shop (the producer) has "pizza ready" events; four
 * consumers learn of them in four ways over one simulated network:
 *
 * - short polling: ask every interval, get whatever is new (often nothing);
 * - long polling: ask, and the shop holds the request until an event or the hold timeout;
 * - webhook: the shop POSTs each event to the receiver, signed with HMAC-SHA256, and retries
 *   failures with capped exponential backoff and jitter until a dead-letter queue;
 * - persistent connection (WebSocket/SSE style): one open connection the shop pushes on, with
 *   heartbeats, gap detection by sequence number, and reconnect with resume (Last-Event-ID).
 *
 * State is plain data; every message goes through the kernel network (sentAtMs/deliverAtMs), so
 * the view can draw requests and responses in flight. Time is integer virtual ms.
 */
import { assert } from '../../../kernel/assert';
import { sampleExponential } from '../../../kernel/distributions';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  queueSize,
  scheduleEvent,
} from '../../../kernel/event-queue';
import { EVENT_LOG_CAPACITY, MESSAGES_IN_FLIGHT_MAX } from '../../../kernel/limits';
import {
  addNode,
  createNetwork,
  deliverDue,
  isDropped,
  isNodeDown,
  type LinkSpec,
  type NetMessage,
  type Network,
  nextMessageAtMs,
  pendingMessageCount,
  sendMessage,
  setLink,
  setNodeDown,
} from '../../../kernel/network';
import { createRng, nextInt, type RngState, splitRng } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import { type BackoffPolicy, backoffDelayMs } from './backoff';
import {
  ATTEMPT_BUCKET_MS,
  ATTEMPT_BUCKETS_KEPT,
  BACKOFF_BASE_MS_MAX,
  BACKOFF_BASE_MS_MIN,
  BACKOFF_CAP_MS_MAX,
  BACKOFF_FACTOR_MAX,
  DEAD_LETTERS_KEPT_MAX,
  DELIVERIES_ACTIVE_MAX,
  EVENTS_MAX,
  EVENTS_PER_MINUTE_MAX,
  EXTRA_RECEIVERS_MAX,
  eventIdOf,
  FAULT_PERCENT_MAX,
  FOCUS_DELIVERIES_MAX,
  HEARTBEAT_MS,
  HELD_POLLS_MAX,
  HISTORY_MS,
  HOLD_TIMEOUT_MS_MAX,
  HOLD_TIMEOUT_MS_MIN,
  type JitterKind,
  LANE_IDS,
  LANE_LABELS,
  LATENCY_MS_MAX,
  LATENCY_MS_MIN,
  type LaneId,
  LOAD_BUCKET_MS,
  LOAD_BUCKETS_KEPT,
  MAX_ATTEMPTS_MAX,
  MESSAGES_KEPT_MAX,
  OUTAGE_MS_MAX,
  OUTAGE_MS_MIN,
  POLL_BATCH_MAX,
  POLL_INTERVAL_MS_MAX,
  POLL_INTERVAL_MS_MIN,
  PROCESSING_MS_MAX,
  RECONNECT_BASE_MS,
  RECONNECT_CAP_MS,
  receiverNodeId,
  SIGNATURE_TOLERANCE_MS,
  SILENCE_MS_MAX,
  WEBHOOK_SECRET,
  WEBHOOK_TIMEOUT_MS_MAX,
  WEBHOOK_TIMEOUT_MS_MIN,
  type WebhooksConfig,
} from './constants';
import { constantTimeEqual, hmacSha256Hex } from './sha256';

export type { LaneId, WebhooksConfig } from './constants';

export const SHOP = 'shop';
export const SHORT = 'short';
export const LONG = 'long';
export const SOCKET = 'socket';
export const ATTACKER = 'attacker';
/** Below the kernel's hard limit, so a flood is refused here with a message instead of a crash. */
export const IN_FLIGHT_SOFT_MAX = MESSAGES_IN_FLIGHT_MAX - 500;
/** A stream catches up on a backlog this many events per push round (each event or heartbeat). */
export const STREAM_BURST_MAX = 500;

// ---------------------------------------------------------------------------------------------
// Messages, timers and state.

export interface EventRef {
  seq: number;
  createdAtMs: number;
}

export type Payload =
  | { kind: 'poll'; lane: 'short' | 'long'; requestId: number; sinceSeq: number }
  | {
      kind: 'pollResponse';
      lane: 'short' | 'long';
      requestId: number;
      events: EventRef[];
      /** Held until an event came (long polling) or the hold timed out: for the view. */
      held: boolean;
    }
  | {
      kind: 'webhook';
      deliveryId: number;
      receiver: number;
      attempt: number;
      eventSeq: number;
      body: string;
      /** The Stripe-style signature header: `t=<ms>,v1=<hex HMAC-SHA256 of "t.body">`. */
      signature: string;
    }
  | { kind: 'webhookResponse'; deliveryId: number; attempt: number; status: number }
  | { kind: 'connect'; connId: number; resumeFromSeq: number }
  | { kind: 'connected'; connId: number }
  | { kind: 'push'; connId: number; seq: number }
  /** A heartbeat that also says how far the stream has got, so a lost push shows as a gap. */
  | { kind: 'ping'; connId: number; sentSeq: number }
  | { kind: 'close'; connId: number };

type Timer =
  | { kind: 'arrival'; gen: number }
  | { kind: 'shortPoll'; gen: number }
  | { kind: 'longPollTimeout'; gen: number; requestId: number }
  | { kind: 'holdExpire'; requestId: number; gen: number }
  | { kind: 'attempt'; deliveryId: number }
  | { kind: 'attemptTimeout'; deliveryId: number; attempt: number }
  | {
      kind: 'receiverRespond';
      receiver: number;
      deliveryId: number;
      attempt: number;
      status: number;
    }
  | { kind: 'heartbeat'; gen: number }
  | { kind: 'socketWatchdog'; gen: number }
  | { kind: 'socketReconnect'; gen: number }
  | { kind: 'consumerUp'; gen: number }
  | { kind: 'producerUp'; gen: number }
  | { kind: 'receiversUp'; gen: number };

export interface ProducedEvent {
  seq: number;
  createdAtMs: number;
  source: 'poisson' | 'button';
  /** When each lane's consumer first knew of it (LANE_IDS order), or -1. */
  knownAtMs: [number, number, number, number];
}

export interface LaneStats {
  /** Notification delays (event → consumer knows) in ms, kept sorted for exact percentiles. */
  delaysSorted: number[];
  delaySumMs: number;
  requests: number;
  emptyResponses: number;
  messages: number;
  duplicatesProcessed: number;
  duplicatesIgnored: number;
  /** Requests per LOAD_BUCKET_MS bucket: [bucket start, count] pairs, newest last. */
  loadBuckets: [number, number][];
}

export type AttemptOutcome = 'pending' | 'ok' | 'timeout' | 'rejected' | 'restart';

export interface AttemptRecord {
  attempt: number;
  atMs: number;
  /** The backoff delay that preceded this attempt (0 for the first). */
  delayBeforeMs: number;
  outcome: AttemptOutcome;
  endedAtMs: number | null;
}

export interface Delivery {
  id: number;
  receiver: number;
  eventSeq: number;
  /** Attempts made so far. */
  attempt: number;
  phase: 'inflight' | 'scheduled' | 'waiting';
  nextAttemptAtMs: number | null;
  lastDelayMs: number;
  firstAttemptAtMs: number;
  /** Kept for the lane's own receiver (0) only, for the retry-schedule axis. */
  attempts: AttemptRecord[];
  result: 'active' | 'delivered' | 'dead';
}

export interface DeadLetter {
  deliveryId: number;
  eventSeq: number;
  receiver: number;
  attempts: number;
  lastOutcome: AttemptOutcome;
  atMs: number;
}

export interface MessageRecord {
  id: number;
  lane: LaneId;
  kind: Payload['kind'];
  /** True for client → shop (requests, connects), false for shop → client. */
  up: boolean;
  sentAtMs: number;
  endAtMs: number;
  dropped: boolean;
  label: string;
  duplicate: boolean;
}

interface HeldPoll {
  requestId: number;
  sinceSeq: number;
  heldAtMs: number;
}

export interface WebhooksState {
  nowMs: number;
  seed: number;
  config: WebhooksConfig;
  rngArrivals: RngState;
  rngNet: RngState;
  rngJitter: RngState;
  net: Network<Payload>;
  timers: EventQueue<Timer>;
  producer: { up: boolean; gen: number; upAtMs: number | null; restarts: number };
  arrivalGen: number;
  produced: ProducedEvent[];
  refusedEvents: number;
  overloadDrops: number;
  lanes: Record<LaneId, LaneStats>;
  short: { gen: number; lastSeq: number; nextRequestId: number };
  long: { gen: number; lastSeq: number; nextRequestId: number; outstanding: number | null };
  held: HeldPoll[];
  holdGen: number;
  socket: {
    gen: number;
    lastSeq: number;
    phase: 'closed' | 'connecting' | 'open';
    connId: number | null;
    nextConnId: number;
    lastHeardAtMs: number;
    connectSentAtMs: number;
    reconnectAttempt: number;
    reconnects: number;
    watchdogGen: number;
  };
  /** Connections the shop believes open: connId → seq pushed so far. */
  connections: { connId: number; sentSeq: number }[];
  webhook: {
    receivers: number;
    nodesAdded: number;
    nextDeliveryId: number;
    active: Record<string, Delivery>;
    activeCount: number;
    /** Times the lane's receiver processed each event, by seq (index 0 unused). */
    timesProcessed: number[];
    delivered: number;
    retries: number;
    deadLettered: number;
    herdDelivered: number;
    herdDeadLettered: number;
    attemptsTotal: number;
    signaturesVerified: number;
    signaturesRejected: number;
    forgedSent: number;
    lateResponses: number;
    dlq: DeadLetter[];
    dlqTotal: number;
    /** The lane receiver's recent deliveries that failed at least once, newest last. */
    focus: Delivery[];
  };
  attemptBuckets: [number, number][];
  attemptPeak: { count: number; atMs: number };
  consumer: { down: boolean; gen: number; upAtMs: number | null };
  receiversDown: { down: boolean; gen: number; upAtMs: number | null };
  messages: MessageRecord[];
  events: EventLog;
}

export type WebhooksCommand =
  | { type: 'fireEvent'; count?: number }
  | { type: 'setRate'; eventsPerMinute: number }
  | { type: 'setPolling'; pollIntervalMs: number; holdTimeoutMs: number }
  | {
      type: 'setWebhook';
      webhookTimeoutMs: number;
      maxAttempts: number;
      backoffBaseMs: number;
      backoffFactor: number;
      backoffCapMs: number;
      jitter: JitterKind;
      processingMs: number;
    }
  | { type: 'setDedupe'; dedupe: boolean }
  | { type: 'setNetwork'; latencyMs: number; dropPercent: number; duplicatePercent: number }
  | { type: 'setConsumerDown'; down: boolean; durationMs?: number }
  | { type: 'restartProducer'; downMs: number }
  | { type: 'failReceivers'; durationMs: number }
  | { type: 'setReceivers'; extraReceivers: number }
  | { type: 'sendForged' }
  | { type: 'redrive' };

export const LANE_INDEX: Record<LaneId, number> = { short: 0, long: 1, webhook: 2, socket: 3 };

// ---------------------------------------------------------------------------------------------
// Creation.

function linkFor(config: WebhooksConfig): LinkSpec {
  const spread = Math.floor(config.latencyMs / 4);
  return {
    latency: {
      kind: 'uniform',
      minMs: config.latencyMs - spread,
      maxMs: config.latencyMs + spread,
    },
    lossProbability: config.dropPercent / 100,
    duplicateProbability: config.duplicatePercent / 100,
  };
}

/**
 * The persistent connection is one TCP stream: in order (constant latency) and never duplicated.
 * A lost segment is modelled as a gap the client detects by sequence number, then it resumes.
 */
function streamLinkFor(config: WebhooksConfig): LinkSpec {
  return {
    latency: { kind: 'constant', ms: config.latencyMs },
    lossProbability: config.dropPercent / 100,
  };
}

function emptyLane(): LaneStats {
  return {
    delaysSorted: [],
    delaySumMs: 0,
    requests: 0,
    emptyResponses: 0,
    messages: 0,
    duplicatesProcessed: 0,
    duplicatesIgnored: 0,
    loadBuckets: [],
  };
}

export function createWebhooksState(config: WebhooksConfig, seed: number): WebhooksState {
  const root = createRng(seed, 8);
  const safe = sanitizeConfig(config);
  const state: WebhooksState = {
    nowMs: 0,
    seed,
    config: safe,
    rngArrivals: splitRng(root, 'arrivals'),
    rngNet: splitRng(root, 'network'),
    rngJitter: splitRng(root, 'jitter'),
    net: createNetwork<Payload>([SHOP, SHORT, LONG, SOCKET, ATTACKER], linkFor(safe)),
    timers: createEventQueue(),
    producer: { up: true, gen: 0, upAtMs: null, restarts: 0 },
    arrivalGen: 0,
    produced: [],
    refusedEvents: 0,
    overloadDrops: 0,
    lanes: { short: emptyLane(), long: emptyLane(), webhook: emptyLane(), socket: emptyLane() },
    short: { gen: 0, lastSeq: 0, nextRequestId: 1 },
    long: { gen: 0, lastSeq: 0, nextRequestId: 1, outstanding: null },
    held: [],
    holdGen: 0,
    socket: {
      gen: 0,
      lastSeq: 0,
      phase: 'closed',
      connId: null,
      nextConnId: 1,
      lastHeardAtMs: 0,
      connectSentAtMs: 0,
      reconnectAttempt: 0,
      reconnects: 0,
      watchdogGen: 0,
    },
    connections: [],
    webhook: {
      receivers: 0,
      nodesAdded: 0,
      nextDeliveryId: 1,
      active: {},
      activeCount: 0,
      timesProcessed: [0],
      delivered: 0,
      retries: 0,
      deadLettered: 0,
      herdDelivered: 0,
      herdDeadLettered: 0,
      attemptsTotal: 0,
      signaturesVerified: 0,
      signaturesRejected: 0,
      forgedSent: 0,
      lateResponses: 0,
      dlq: [],
      dlqTotal: 0,
      focus: [],
    },
    attemptBuckets: [],
    attemptPeak: { count: 0, atMs: 0 },
    consumer: { down: false, gen: 0, upAtMs: null },
    receiversDown: { down: false, gen: 0, upAtMs: null },
    messages: [],
    events: createEventLog(EVENT_LOG_CAPACITY),
  };
  applyStreamLink(state);
  ensureReceivers(state, 1 + safe.extraReceivers);
  log(
    state,
    'start',
    `Pizza shop open: ${safe.eventsPerMinute} events/min; polling every ${seconds(safe.pollIntervalMs)}, long polls held up to ${seconds(safe.holdTimeoutMs)}, ${1 + safe.extraReceivers} webhook receiver${safe.extraReceivers > 0 ? 's' : ''}.`,
  );
  scheduleArrival(state);
  schedule(state, 0, { kind: 'shortPoll', gen: state.short.gen });
  sendLongPoll(state);
  schedule(state, 0, { kind: 'socketReconnect', gen: state.socket.gen });
  schedule(state, HEARTBEAT_MS, { kind: 'heartbeat', gen: state.producer.gen });
  return state;
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function clampNumber(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}

/** The config within the simulation's limits (the URL schema refuses worse; this is the backstop). */
export function sanitizeConfig(config: WebhooksConfig): WebhooksConfig {
  const backoffBaseMs = clampInt(config.backoffBaseMs, BACKOFF_BASE_MS_MIN, BACKOFF_BASE_MS_MAX);
  return {
    eventsPerMinute: clampNumber(config.eventsPerMinute, 0, EVENTS_PER_MINUTE_MAX),
    pollIntervalMs: clampInt(config.pollIntervalMs, POLL_INTERVAL_MS_MIN, POLL_INTERVAL_MS_MAX),
    holdTimeoutMs: clampInt(config.holdTimeoutMs, HOLD_TIMEOUT_MS_MIN, HOLD_TIMEOUT_MS_MAX),
    latencyMs: clampInt(config.latencyMs, LATENCY_MS_MIN, LATENCY_MS_MAX),
    dropPercent: clampNumber(config.dropPercent, 0, FAULT_PERCENT_MAX),
    duplicatePercent: clampNumber(config.duplicatePercent, 0, FAULT_PERCENT_MAX),
    webhookTimeoutMs: clampInt(
      config.webhookTimeoutMs,
      WEBHOOK_TIMEOUT_MS_MIN,
      WEBHOOK_TIMEOUT_MS_MAX,
    ),
    maxAttempts: clampInt(config.maxAttempts, 1, MAX_ATTEMPTS_MAX),
    backoffBaseMs,
    backoffFactor: clampNumber(config.backoffFactor, 1, BACKOFF_FACTOR_MAX),
    backoffCapMs: clampInt(config.backoffCapMs, backoffBaseMs, BACKOFF_CAP_MS_MAX),
    jitter: config.jitter,
    dedupe: config.dedupe,
    extraReceivers: clampInt(config.extraReceivers, 0, EXTRA_RECEIVERS_MAX),
    processingMs: clampInt(config.processingMs, 0, PROCESSING_MS_MAX),
  };
}

export function policyOf(config: WebhooksConfig): BackoffPolicy {
  return {
    baseMs: config.backoffBaseMs,
    factor: config.backoffFactor,
    capMs: config.backoffCapMs,
    jitter: config.jitter,
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;
}

function log(state: WebhooksState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function refuse(state: WebhooksState, text: string): void {
  log(state, 'refused', text, true);
}

function schedule(state: WebhooksState, atMs: number, timer: Timer): void {
  scheduleEvent(state.timers, Math.max(state.nowMs, Math.round(atMs)), timer);
}

function applyStreamLink(state: WebhooksState): void {
  setLink(state.net, SHOP, SOCKET, streamLinkFor(state.config));
  setLink(state.net, SOCKET, SHOP, streamLinkFor(state.config));
}

/** Makes sure `count` receivers exist on the network (receiver 0 is the lane's own). */
function ensureReceivers(state: WebhooksState, count: number): void {
  while (state.webhook.nodesAdded < count) {
    addNode(state.net, receiverNodeId(state.webhook.nodesAdded));
    state.webhook.nodesAdded += 1;
  }
  state.webhook.receivers = count;
  refreshReceiverNodes(state);
}

function refreshReceiverNodes(state: WebhooksState): void {
  for (let i = 0; i < state.webhook.nodesAdded; i += 1) {
    const down = state.receiversDown.down || (i === 0 && state.consumer.down);
    setNodeDown(state.net, receiverNodeId(i), down);
  }
}

// ---------------------------------------------------------------------------------------------
// Sending, with a record of every lane message for the stage.

function laneOfPayload(payload: Payload): LaneId {
  switch (payload.kind) {
    case 'poll':
    case 'pollResponse':
      return payload.lane;
    case 'webhook':
    case 'webhookResponse':
      return 'webhook';
    default:
      return 'socket';
  }
}

function labelOf(payload: Payload): string {
  switch (payload.kind) {
    case 'poll':
      return payload.lane === 'short' ? 'GET /events' : 'GET /events?wait';
    case 'pollResponse':
      return payload.events.length === 0 ? '200 []' : `200 [${payload.events.length}]`;
    case 'webhook':
      return `POST #${payload.eventSeq} (try ${payload.attempt})`;
    case 'webhookResponse':
      return String(payload.status);
    case 'connect':
      return 'connect';
    case 'connected':
      return 'open';
    case 'push':
      return `#${payload.seq}`;
    case 'ping':
      return 'ping';
    case 'close':
      return 'close';
    default: {
      const unknown: never = payload;
      return String(unknown);
    }
  }
}

function isRecorded(payload: Payload, from: string, to: string): boolean {
  if (from === ATTACKER || to === ATTACKER) return true;
  if (payload.kind === 'webhook') return payload.receiver === 0;
  if (payload.kind === 'webhookResponse') return from === receiverNodeId(0);
  return true;
}

function recordMessage(state: WebhooksState, message: NetMessage<Payload>): void {
  const { payload } = message;
  if (!isRecorded(payload, message.from, message.to)) return;
  const dropped = isDropped(message);
  state.messages.push({
    id: message.id,
    lane: laneOfPayload(payload),
    kind: payload.kind,
    up: message.to === SHOP,
    sentAtMs: message.sentAtMs,
    endAtMs: dropped ? message.droppedAtMs : message.deliverAtMs,
    dropped,
    label: labelOf(payload),
    duplicate: message.duplicateOfId !== null,
  });
  if (state.messages.length > MESSAGES_KEPT_MAX) state.messages.shift();
}

function send(state: WebhooksState, from: string, to: string, payload: Payload): void {
  if (pendingMessageCount(state.net) >= IN_FLIGHT_SOFT_MAX) {
    // The wire is saturated: the message is lost, and the protocols' own timeouts recover.
    state.overloadDrops += 1;
    if (state.overloadDrops === 1) {
      refuse(
        state,
        `More than ${IN_FLIGHT_SOFT_MAX.toLocaleString('en-US')} messages in flight: further messages are dropped until the network drains.`,
      );
    }
    return;
  }
  const before = state.net.nextMessageId;
  const message = sendMessage(state.net, state.rngNet, from, to, payload, state.nowMs);
  const lane = laneOfPayload(payload);
  if (from !== ATTACKER && to !== ATTACKER && isRecorded(payload, from, to)) {
    state.lanes[lane].messages += state.net.nextMessageId - before;
  }
  recordMessage(state, message);
  if (state.net.nextMessageId - before > 1) {
    // The link made a copy: find it among the pending messages, so the stage draws it too.
    const copyId = before + 1;
    // It was enqueued last, so it sits near the end of the heap array: search from there.
    const items = state.net.pending.items;
    for (let i = items.length - 1; i >= 0; i -= 1) {
      if (items[i]!.event.id === copyId) {
        recordMessage(state, items[i]!.event);
        break;
      }
    }
  }
}

function countRequest(state: WebhooksState, lane: LaneId): void {
  const stats = state.lanes[lane];
  stats.requests += 1;
  const start = state.nowMs - (state.nowMs % LOAD_BUCKET_MS);
  const last = stats.loadBuckets.at(-1);
  if (last && last[0] === start) last[1] += 1;
  else {
    stats.loadBuckets.push([start, 1]);
    if (stats.loadBuckets.length > LOAD_BUCKETS_KEPT) stats.loadBuckets.shift();
  }
}

/** The consumer of a lane learns of an event: the first time sets its notification delay. */
function noteKnown(state: WebhooksState, lane: LaneId, seq: number): boolean {
  const event = state.produced[seq - 1];
  assert(event !== undefined, `event #${seq} exists`);
  const index = LANE_INDEX[lane];
  if (event.knownAtMs[index]! >= 0) return false;
  event.knownAtMs[index] = state.nowMs;
  const delay = state.nowMs - event.createdAtMs;
  const stats = state.lanes[lane];
  insertSorted(stats.delaysSorted, delay);
  stats.delaySumMs += delay;
  return true;
}

export function insertSorted(sorted: number[], value: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, value);
}

// ---------------------------------------------------------------------------------------------
// The producer: events, polls answered or held, pushes and heartbeats.

function scheduleArrival(state: WebhooksState): void {
  state.arrivalGen += 1;
  const rate = state.config.eventsPerMinute;
  if (rate <= 0) return;
  const gapMs = sampleExponential(state.rngArrivals, 60_000 / rate);
  schedule(state, state.nowMs + Math.max(1, Math.round(gapMs)), {
    kind: 'arrival',
    gen: state.arrivalGen,
  });
}

/** A pizza is ready: the shop records the event and tells whoever it can tell right away. */
export function produceEvent(state: WebhooksState, source: ProducedEvent['source']): boolean {
  if (!state.producer.up) {
    if (source === 'button') refuse(state, 'The shop’s server is restarting: no event recorded.');
    return false;
  }
  if (state.produced.length >= EVENTS_MAX) {
    state.refusedEvents += 1;
    if (state.refusedEvents === 1) {
      refuse(state, `The shop keeps at most ${EVENTS_MAX.toLocaleString('en-US')} events.`);
    }
    return false;
  }
  const seq = state.produced.length + 1;
  state.produced.push({ seq, createdAtMs: state.nowMs, source, knownAtMs: [-1, -1, -1, -1] });
  state.webhook.timesProcessed.push(0);
  log(
    state,
    'event',
    `Pizza ready: event #${seq}${source === 'button' ? ' (button)' : ''}.`,
    source === 'button',
  );
  answerHeldPolls(state);
  pushToConnections(state);
  fanOutWebhooks(state, seq);
  return true;
}

function eventsSince(state: WebhooksState, sinceSeq: number): EventRef[] {
  const from = Math.max(0, sinceSeq);
  return state.produced
    .slice(from, from + POLL_BATCH_MAX)
    .map((e) => ({ seq: e.seq, createdAtMs: e.createdAtMs }));
}

/** The shop answers a poll: at once for short polling; long polls wait for news or the timeout. */
function serveEventsRequest(
  state: WebhooksState,
  payload: Extract<Payload, { kind: 'poll' }>,
): void {
  const events = eventsSince(state, payload.sinceSeq);
  const from = payload.lane === 'short' ? SHORT : LONG;
  if (payload.lane === 'short' || events.length > 0) {
    send(state, SHOP, from, {
      kind: 'pollResponse',
      lane: payload.lane,
      requestId: payload.requestId,
      events,
      held: false,
    });
    return;
  }
  holdLongPoll(state, payload);
}

function holdLongPoll(state: WebhooksState, payload: Extract<Payload, { kind: 'poll' }>): void {
  if (state.held.length >= HELD_POLLS_MAX) {
    refuse(state, `The shop holds at most ${HELD_POLLS_MAX} long polls; answering at once.`);
    send(state, SHOP, LONG, {
      kind: 'pollResponse',
      lane: 'long',
      requestId: payload.requestId,
      events: [],
      held: false,
    });
    return;
  }
  state.held.push({
    requestId: payload.requestId,
    sinceSeq: payload.sinceSeq,
    heldAtMs: state.nowMs,
  });
  schedule(state, state.nowMs + state.config.holdTimeoutMs, {
    kind: 'holdExpire',
    requestId: payload.requestId,
    gen: state.holdGen,
  });
}

function answerHeldPolls(state: WebhooksState): void {
  const held = state.held;
  state.held = [];
  for (const poll of held) {
    send(state, SHOP, LONG, {
      kind: 'pollResponse',
      lane: 'long',
      requestId: poll.requestId,
      events: eventsSince(state, poll.sinceSeq),
      held: true,
    });
  }
}

function expireHeldPoll(state: WebhooksState, requestId: number): void {
  const index = state.held.findIndex((p) => p.requestId === requestId);
  if (index < 0) return;
  state.held.splice(index, 1);
  send(state, SHOP, LONG, {
    kind: 'pollResponse',
    lane: 'long',
    requestId,
    events: [],
    held: true,
  });
}

/** Pushes what each open stream has not had yet, at most STREAM_BURST_MAX at a time. */
function pushToConnections(state: WebhooksState): void {
  const latest = state.produced.length;
  for (const connection of state.connections) {
    const until = Math.min(latest, connection.sentSeq + STREAM_BURST_MAX);
    while (connection.sentSeq < until) {
      connection.sentSeq += 1;
      send(state, SHOP, SOCKET, {
        kind: 'push',
        connId: connection.connId,
        seq: connection.sentSeq,
      });
    }
  }
}

function openConnection(
  state: WebhooksState,
  payload: Extract<Payload, { kind: 'connect' }>,
): void {
  // One client, one stream: a new connection replaces any the shop still believes open.
  state.connections = [{ connId: payload.connId, sentSeq: Math.max(0, payload.resumeFromSeq) }];
  send(state, SHOP, SOCKET, { kind: 'connected', connId: payload.connId });
  pushToConnections(state);
}

function sendHeartbeats(state: WebhooksState): void {
  pushToConnections(state);
  for (const connection of state.connections) {
    send(state, SHOP, SOCKET, {
      kind: 'ping',
      connId: connection.connId,
      sentSeq: connection.sentSeq,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Short and long polling clients.

function sendShortPoll(state: WebhooksState): void {
  const requestId = state.short.nextRequestId;
  state.short.nextRequestId += 1;
  countRequest(state, 'short');
  send(state, SHORT, SHOP, {
    kind: 'poll',
    lane: 'short',
    requestId,
    sinceSeq: state.short.lastSeq,
  });
}

/** The long-polling client asks again; it gives up on a request that outlives hold + slack. */
function sendLongPoll(state: WebhooksState): void {
  const requestId = state.long.nextRequestId;
  state.long.nextRequestId += 1;
  state.long.outstanding = requestId;
  countRequest(state, 'long');
  send(state, LONG, SHOP, { kind: 'poll', lane: 'long', requestId, sinceSeq: state.long.lastSeq });
  const slackMs = 4 * state.config.latencyMs + 1_000;
  schedule(state, state.nowMs + state.config.holdTimeoutMs + slackMs, {
    kind: 'longPollTimeout',
    gen: state.long.gen,
    requestId,
  });
}

function receivePollResponse(
  state: WebhooksState,
  payload: Extract<Payload, { kind: 'pollResponse' }>,
): void {
  const client = payload.lane === 'short' ? state.short : state.long;
  let fresh = 0;
  for (const event of payload.events) {
    if (event.seq <= client.lastSeq) continue;
    client.lastSeq = event.seq;
    noteKnown(state, payload.lane, event.seq);
    fresh += 1;
  }
  if (payload.events.length === 0) state.lanes[payload.lane].emptyResponses += 1;
  else if (fresh === 0) state.lanes[payload.lane].duplicatesIgnored += 1;
  if (payload.lane === 'long' && payload.requestId === state.long.outstanding) sendLongPoll(state);
}

// ---------------------------------------------------------------------------------------------
// The persistent connection's client: connect, resume, detect gaps and silence, reconnect.

function connectSocket(state: WebhooksState): void {
  const socket = state.socket;
  const connId = socket.nextConnId;
  socket.nextConnId += 1;
  socket.connId = connId;
  socket.phase = 'connecting';
  socket.connectSentAtMs = state.nowMs;
  socket.lastHeardAtMs = state.nowMs;
  countRequest(state, 'socket');
  send(state, SOCKET, SHOP, { kind: 'connect', connId, resumeFromSeq: socket.lastSeq });
  socket.watchdogGen += 1;
  schedule(state, state.nowMs + HEARTBEAT_MS, { kind: 'socketWatchdog', gen: socket.watchdogGen });
}

/** The client drops its connection and reconnects after a jittered backoff (resuming from lastSeq). */
function reconnectSocket(state: WebhooksState, reason: string): void {
  const socket = state.socket;
  socket.phase = 'closed';
  socket.connId = null;
  socket.gen += 1;
  socket.watchdogGen += 1;
  const capped = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** socket.reconnectAttempt);
  const delayMs = nextInt(state.rngJitter, Math.floor(capped / 2), capped + 1);
  socket.reconnectAttempt += 1;
  socket.reconnects += 1;
  log(
    state,
    'socket',
    `Persistent connection: ${reason}; reconnecting in ${seconds(delayMs)}, resuming after #${socket.lastSeq}.`,
  );
  schedule(state, state.nowMs + delayMs, { kind: 'socketReconnect', gen: socket.gen });
}

function receiveOnSocket(state: WebhooksState, payload: Payload): void {
  const socket = state.socket;
  if (!('connId' in payload) || payload.connId !== socket.connId) return;
  socket.lastHeardAtMs = state.nowMs;
  switch (payload.kind) {
    case 'connected':
      socket.phase = 'open';
      socket.reconnectAttempt = 0;
      return;
    case 'push':
      if (payload.seq <= socket.lastSeq) return;
      if (payload.seq > socket.lastSeq + 1) {
        reconnectSocket(state, `gap: got #${payload.seq} after #${socket.lastSeq}`);
        return;
      }
      socket.lastSeq = payload.seq;
      noteKnown(state, 'socket', payload.seq);
      return;
    case 'ping':
      if (payload.sentSeq > socket.lastSeq) {
        reconnectSocket(
          state,
          `heartbeat says #${payload.sentSeq} was sent, last seen #${socket.lastSeq}`,
        );
      }
      return;
    case 'close':
      reconnectSocket(state, 'the shop closed the connection');
      return;
    default:
      return;
  }
}

function watchSocket(state: WebhooksState): void {
  const socket = state.socket;
  if (state.consumer.down || socket.phase === 'closed') return;
  if (state.nowMs - socket.lastHeardAtMs > SILENCE_MS_MAX) {
    reconnectSocket(state, `silent for ${seconds(state.nowMs - socket.lastHeardAtMs)}`);
    return;
  }
  schedule(state, state.nowMs + HEARTBEAT_MS, { kind: 'socketWatchdog', gen: socket.watchdogGen });
}

// ---------------------------------------------------------------------------------------------
// Webhook delivery: signed POSTs, timeouts, retries with backoff and jitter, a dead-letter queue.

export function webhookBody(state: Pick<WebhooksState, 'produced'>, seq: number): string {
  const event = state.produced[seq - 1];
  const createdAtMs = event?.createdAtMs ?? 0;
  return `{"id":"${eventIdOf(seq)}","type":"pizza.ready","order":${1000 + seq},"created_ms":${createdAtMs}}`;
}

/** The signature header: `t=<ms>,v1=<hex HMAC-SHA256(secret, "<ms>.<body>")>`. */
export function signWebhook(secret: string, timestampMs: number, body: string): string {
  return `t=${timestampMs},v1=${hmacSha256Hex(secret, `${timestampMs}.${body}`)}`;
}

/** What a receiver checks before trusting a webhook: the HMAC over "t.body", and its age. */
export function verifyWebhook(
  secret: string,
  header: string,
  body: string,
  nowMs: number,
): { ok: true } | { ok: false; reason: string } {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { ok: false, reason: 'malformed signature header' };
  const timestampMs = Number(match[1]);
  if (Math.abs(nowMs - timestampMs) > SIGNATURE_TOLERANCE_MS) {
    return { ok: false, reason: 'signature too old (possible replay)' };
  }
  const expected = hmacSha256Hex(secret, `${timestampMs}.${body}`);
  if (!constantTimeEqual(expected, match[2]!)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}

function fanOutWebhooks(state: WebhooksState, seq: number): void {
  for (let receiver = 0; receiver < state.webhook.receivers; receiver += 1) {
    if (state.webhook.activeCount >= DELIVERIES_ACTIVE_MAX) {
      refuse(
        state,
        `At most ${DELIVERIES_ACTIVE_MAX.toLocaleString('en-US')} deliveries in progress: event #${seq} not sent to ${state.webhook.receivers - receiver} receivers.`,
      );
      return;
    }
    startDelivery(state, seq, receiver);
  }
}

function startDelivery(state: WebhooksState, seq: number, receiver: number): void {
  const delivery: Delivery = {
    id: state.webhook.nextDeliveryId,
    receiver,
    eventSeq: seq,
    attempt: 0,
    phase: 'waiting',
    nextAttemptAtMs: state.nowMs,
    lastDelayMs: state.config.backoffBaseMs,
    firstAttemptAtMs: state.nowMs,
    attempts: [],
    result: 'active',
  };
  state.webhook.nextDeliveryId += 1;
  state.webhook.active[delivery.id] = delivery;
  state.webhook.activeCount += 1;
  attemptDelivery(state, delivery, 0);
}

function countAttempt(state: WebhooksState): void {
  state.webhook.attemptsTotal += 1;
  const start = state.nowMs - (state.nowMs % ATTEMPT_BUCKET_MS);
  const last = state.attemptBuckets.at(-1);
  let count: number;
  if (last && last[0] === start) {
    last[1] += 1;
    count = last[1];
  } else {
    state.attemptBuckets.push([start, 1]);
    if (state.attemptBuckets.length > ATTEMPT_BUCKETS_KEPT) state.attemptBuckets.shift();
    count = 1;
  }
  if (count > state.attemptPeak.count) state.attemptPeak = { count, atMs: start };
}

/** One HTTP POST of the event to the receiver, freshly signed, with a response timeout. */
function attemptDelivery(state: WebhooksState, delivery: Delivery, delayBeforeMs: number): void {
  delivery.attempt += 1;
  delivery.phase = 'inflight';
  delivery.nextAttemptAtMs = null;
  if (delivery.attempt > 1) state.webhook.retries += delivery.receiver === 0 ? 1 : 0;
  if (delivery.receiver === 0) {
    countRequest(state, 'webhook');
    delivery.attempts.push({
      attempt: delivery.attempt,
      atMs: state.nowMs,
      delayBeforeMs,
      outcome: 'pending',
      endedAtMs: null,
    });
  }
  countAttempt(state);
  const body = webhookBody(state, delivery.eventSeq);
  send(state, SHOP, receiverNodeId(delivery.receiver), {
    kind: 'webhook',
    deliveryId: delivery.id,
    receiver: delivery.receiver,
    attempt: delivery.attempt,
    eventSeq: delivery.eventSeq,
    body,
    signature: signWebhook(WEBHOOK_SECRET, state.nowMs, body),
  });
  schedule(state, state.nowMs + state.config.webhookTimeoutMs, {
    kind: 'attemptTimeout',
    deliveryId: delivery.id,
    attempt: delivery.attempt,
  });
}

function endAttempt(delivery: Delivery, outcome: AttemptOutcome, atMs: number): void {
  const record = delivery.attempts.at(-1);
  if (record && record.attempt === delivery.attempt && record.outcome === 'pending') {
    record.outcome = outcome;
    record.endedAtMs = atMs;
  }
}

function rememberFocus(state: WebhooksState, delivery: Delivery): void {
  if (delivery.receiver !== 0) return;
  const focus = state.webhook.focus;
  const index = focus.findIndex((d) => d.id === delivery.id);
  if (index >= 0) focus.splice(index, 1);
  focus.push(delivery);
  if (focus.length > FOCUS_DELIVERIES_MAX) focus.shift();
}

function finishDelivery(state: WebhooksState, delivery: Delivery): void {
  delete state.webhook.active[delivery.id];
  state.webhook.activeCount -= 1;
  delivery.phase = 'waiting';
  delivery.nextAttemptAtMs = null;
  if (delivery.attempts.length > 1) rememberFocus(state, delivery);
}

/** A 2xx came back in time: delivered. */
function deliverySucceeded(state: WebhooksState, delivery: Delivery): void {
  endAttempt(delivery, 'ok', state.nowMs);
  delivery.result = 'delivered';
  if (delivery.receiver === 0) {
    state.webhook.delivered += 1;
    if (delivery.attempt > 1) {
      log(
        state,
        'delivered',
        `Webhook for #${delivery.eventSeq} delivered on attempt ${delivery.attempt}.`,
      );
    }
  } else state.webhook.herdDelivered += 1;
  finishDelivery(state, delivery);
}

/** The attempt failed (timeout, error status, restart): retry after backoff, or dead-letter. */
function deliveryFailed(state: WebhooksState, delivery: Delivery, outcome: AttemptOutcome): void {
  endAttempt(delivery, outcome, state.nowMs);
  if (delivery.attempt >= state.config.maxAttempts) {
    deadLetter(state, delivery, outcome);
    return;
  }
  const delayMs = backoffDelayMs(
    policyOf(state.config),
    delivery.attempt,
    delivery.lastDelayMs,
    state.rngJitter,
  );
  delivery.lastDelayMs = Math.max(delayMs, 1);
  delivery.phase = 'scheduled';
  delivery.nextAttemptAtMs = state.nowMs + delayMs;
  schedule(state, delivery.nextAttemptAtMs, { kind: 'attempt', deliveryId: delivery.id });
  if (delivery.receiver === 0) {
    rememberFocus(state, delivery);
    log(
      state,
      'retry',
      `Webhook #${delivery.eventSeq} attempt ${delivery.attempt} failed (${outcome}); retry ${delivery.attempt} in ${seconds(delayMs)}.`,
    );
  }
}

function deadLetter(state: WebhooksState, delivery: Delivery, outcome: AttemptOutcome): void {
  delivery.result = 'dead';
  const webhook = state.webhook;
  webhook.dlq.push({
    deliveryId: delivery.id,
    eventSeq: delivery.eventSeq,
    receiver: delivery.receiver,
    attempts: delivery.attempt,
    lastOutcome: outcome,
    atMs: state.nowMs,
  });
  if (webhook.dlq.length > DEAD_LETTERS_KEPT_MAX) webhook.dlq.shift();
  webhook.dlqTotal += 1;
  if (delivery.receiver === 0) {
    webhook.deadLettered += 1;
    log(
      state,
      'dead-letter',
      `Webhook #${delivery.eventSeq} gave up after ${delivery.attempt} attempts: moved to the dead-letter queue.`,
      true,
    );
  } else webhook.herdDeadLettered += 1;
  finishDelivery(state, delivery);
  if (delivery.receiver === 0) rememberFocus(state, delivery);
}

function onAttemptTimer(state: WebhooksState, deliveryId: number): void {
  const delivery = state.webhook.active[deliveryId];
  if (delivery?.phase !== 'scheduled') return;
  if (!state.producer.up) {
    // The outbox is durable: the retry waits for the shop to come back.
    delivery.phase = 'waiting';
    return;
  }
  attemptDelivery(state, delivery, delivery.lastDelayMs);
}

function onAttemptTimeout(state: WebhooksState, deliveryId: number, attempt: number): void {
  const delivery = state.webhook.active[deliveryId];
  if (delivery?.phase !== 'inflight' || delivery.attempt !== attempt) return;
  if (!state.producer.up) return;
  deliveryFailed(state, delivery, 'timeout');
}

function receiveWebhookResponse(
  state: WebhooksState,
  payload: Extract<Payload, { kind: 'webhookResponse' }>,
): void {
  const delivery = state.webhook.active[payload.deliveryId];
  if (delivery?.phase !== 'inflight' || delivery.attempt !== payload.attempt) {
    state.webhook.lateResponses += 1;
    return;
  }
  if (payload.status >= 200 && payload.status < 300) deliverySucceeded(state, delivery);
  else deliveryFailed(state, delivery, 'rejected');
}

/** The receiver: verify the signature, deduplicate by event id, process, answer after processing. */
function receiveWebhook(
  state: WebhooksState,
  payload: Extract<Payload, { kind: 'webhook' }>,
  from: string,
): void {
  const verdict = verifyWebhook(WEBHOOK_SECRET, payload.signature, payload.body, state.nowMs);
  const respond = (status: number, afterMs: number) =>
    schedule(state, state.nowMs + afterMs, {
      kind: 'receiverRespond',
      receiver: payload.receiver,
      deliveryId: payload.deliveryId,
      attempt: payload.attempt,
      status,
    });
  if (!verdict.ok) {
    if (payload.receiver === 0) {
      state.webhook.signaturesRejected += 1;
      log(
        state,
        'rejected',
        `Receiver rejected a webhook${from === ATTACKER ? ' from an unknown sender' : ''}: ${verdict.reason} (401).`,
        true,
      );
    }
    respond(401, 0);
    return;
  }
  if (payload.receiver !== 0) {
    respond(200, state.config.processingMs);
    return;
  }
  state.webhook.signaturesVerified += 1;
  const seq = payload.eventSeq;
  const times = state.webhook.timesProcessed;
  const stats = state.lanes.webhook;
  if (state.config.dedupe && (times[seq] ?? 0) > 0) {
    stats.duplicatesIgnored += 1;
    respond(200, 0);
    return;
  }
  times[seq] = (times[seq] ?? 0) + 1;
  if (!noteKnown(state, 'webhook', seq)) {
    stats.duplicatesProcessed += 1;
    log(
      state,
      'duplicate',
      `Event #${seq} processed ${times[seq]} times by the webhook receiver (deduplication is off).`,
      true,
    );
  }
  respond(200, state.config.processingMs);
}

function sendForged(state: WebhooksState): void {
  const seq = Math.max(1, state.produced.length);
  const genuine = webhookBody(state, seq);
  const signature = signWebhook(WEBHOOK_SECRET, state.nowMs, genuine);
  // The attacker replays a genuine signature over a body with a changed order number.
  const tampered = genuine.replace(`"order":${1000 + seq}`, `"order":${9000 + seq}`);
  state.webhook.forgedSent += 1;
  log(state, 'forged', `An attacker POSTs a tampered copy of event #${seq} to the receiver.`);
  send(state, ATTACKER, receiverNodeId(0), {
    kind: 'webhook',
    deliveryId: 0,
    receiver: 0,
    attempt: 0,
    eventSeq: seq,
    body: tampered,
    signature,
  });
}

function redrive(state: WebhooksState): void {
  const letters = state.webhook.dlq;
  if (letters.length === 0) {
    refuse(state, 'The dead-letter queue is empty.');
    return;
  }
  if (!state.producer.up) {
    refuse(state, 'The shop’s server is restarting: try the redrive again when it is up.');
    return;
  }
  state.webhook.dlq = [];
  let started = 0;
  for (const letter of letters) {
    if (letter.receiver >= state.webhook.receivers) continue;
    if (state.webhook.activeCount >= DELIVERIES_ACTIVE_MAX) break;
    startDelivery(state, letter.eventSeq, letter.receiver);
    started += 1;
  }
  log(state, 'redrive', `Redrove ${started} dead letters: delivering them again.`, true);
}

// ---------------------------------------------------------------------------------------------
// Faults.

function setConsumerDown(state: WebhooksState, down: boolean, durationMs: number | null): void {
  const consumer = state.consumer;
  consumer.gen += 1;
  if (down && durationMs !== null) {
    consumer.upAtMs = state.nowMs + durationMs;
    schedule(state, consumer.upAtMs, { kind: 'consumerUp', gen: consumer.gen });
  } else consumer.upAtMs = null;
  if (down === consumer.down) return;
  consumer.down = down;
  for (const node of [SHORT, LONG, SOCKET]) setNodeDown(state.net, node, down);
  refreshReceiverNodes(state);
  if (down) {
    // The consumer's process is gone: its timers and its connection with it.
    state.short.gen += 1;
    state.long.gen += 1;
    state.long.outstanding = null;
    state.socket.gen += 1;
    state.socket.watchdogGen += 1;
    state.socket.phase = 'closed';
    state.socket.connId = null;
    log(
      state,
      'fault',
      durationMs === null
        ? 'The consumer is down: it neither polls nor answers.'
        : `The consumer is down for ${seconds(durationMs)}.`,
      true,
    );
    return;
  }
  log(state, 'fault', 'The consumer is back: it polls again and reconnects.', true);
  schedule(state, state.nowMs, { kind: 'shortPoll', gen: state.short.gen });
  sendLongPoll(state);
  state.socket.reconnectAttempt = 0;
  schedule(state, state.nowMs, { kind: 'socketReconnect', gen: state.socket.gen });
}

function restartProducer(state: WebhooksState, downMs: number): void {
  if (!state.producer.up) {
    refuse(state, 'The shop’s server is already restarting.');
    return;
  }
  // The operating system closes the open sockets as the process dies.
  for (const connection of state.connections) {
    send(state, SHOP, SOCKET, { kind: 'close', connId: connection.connId });
  }
  state.connections = [];
  state.held = [];
  state.holdGen += 1;
  state.producer.up = false;
  state.producer.gen += 1;
  state.producer.restarts += 1;
  state.producer.upAtMs = state.nowMs + downMs;
  setNodeDown(state.net, SHOP, true);
  schedule(state, state.producer.upAtMs, { kind: 'producerUp', gen: state.producer.gen });
  log(
    state,
    'fault',
    `The shop’s server restarts: down for ${seconds(downMs)}; held polls and connections are lost.`,
    true,
  );
}

function producerUp(state: WebhooksState): void {
  state.producer.up = true;
  state.producer.upAtMs = null;
  setNodeDown(state.net, SHOP, false);
  log(state, 'fault', 'The shop’s server is back; its outbox resumes webhook deliveries.', true);
  schedule(state, state.nowMs + HEARTBEAT_MS, { kind: 'heartbeat', gen: state.producer.gen });
  scheduleArrival(state);
  const active = Object.values(state.webhook.active).sort((a, b) => a.id - b.id);
  for (const delivery of active) {
    if (delivery.phase === 'inflight') deliveryFailed(state, delivery, 'restart');
    else if (delivery.phase === 'waiting') attemptDelivery(state, delivery, delivery.lastDelayMs);
  }
}

function failReceivers(state: WebhooksState, durationMs: number): void {
  const down = state.receiversDown;
  down.gen += 1;
  down.down = true;
  down.upAtMs = state.nowMs + durationMs;
  refreshReceiverNodes(state);
  schedule(state, down.upAtMs, { kind: 'receiversUp', gen: down.gen });
  log(
    state,
    'fault',
    `All ${state.webhook.receivers} webhook receivers fail at once for ${seconds(durationMs)}.`,
    true,
  );
}

// ---------------------------------------------------------------------------------------------
// Commands.

export function applyWebhooksCommand(state: WebhooksState, command: WebhooksCommand): void {
  const config = state.config;
  switch (command.type) {
    case 'fireEvent': {
      const count = clampInt(command.count ?? 1, 1, 100);
      for (let i = 0; i < count; i += 1) produceEvent(state, 'button');
      return;
    }
    case 'setRate':
      config.eventsPerMinute = clampNumber(command.eventsPerMinute, 0, EVENTS_PER_MINUTE_MAX);
      scheduleArrival(state);
      log(state, 'config', `Events: ${config.eventsPerMinute} per minute (Poisson).`);
      return;
    case 'setPolling':
      config.pollIntervalMs = clampInt(
        command.pollIntervalMs,
        POLL_INTERVAL_MS_MIN,
        POLL_INTERVAL_MS_MAX,
      );
      config.holdTimeoutMs = clampInt(
        command.holdTimeoutMs,
        HOLD_TIMEOUT_MS_MIN,
        HOLD_TIMEOUT_MS_MAX,
      );
      log(
        state,
        'config',
        `Short polling every ${seconds(config.pollIntervalMs)}; long polls held up to ${seconds(config.holdTimeoutMs)}.`,
      );
      return;
    case 'setWebhook': {
      const next = sanitizeConfig({ ...config, ...command });
      config.webhookTimeoutMs = next.webhookTimeoutMs;
      config.maxAttempts = next.maxAttempts;
      config.backoffBaseMs = next.backoffBaseMs;
      config.backoffFactor = next.backoffFactor;
      config.backoffCapMs = next.backoffCapMs;
      config.jitter = command.jitter;
      config.processingMs = next.processingMs;
      log(
        state,
        'config',
        `Webhooks: timeout ${seconds(config.webhookTimeoutMs)}, ${config.maxAttempts} attempts, backoff ${seconds(config.backoffBaseMs)} × ${config.backoffFactor}ⁿ capped at ${seconds(config.backoffCapMs)}, ${config.jitter} jitter.`,
      );
      return;
    }
    case 'setDedupe':
      config.dedupe = command.dedupe;
      log(
        state,
        'config',
        command.dedupe
          ? 'The receiver deduplicates by event id.'
          : 'Deduplication off: a redelivered event is processed again.',
        true,
      );
      return;
    case 'setNetwork': {
      const next = sanitizeConfig({ ...config, ...command });
      config.latencyMs = next.latencyMs;
      config.dropPercent = next.dropPercent;
      config.duplicatePercent = next.duplicatePercent;
      state.net.defaultLink = linkFor(config);
      applyStreamLink(state);
      log(
        state,
        'config',
        `Network: ${config.latencyMs} ms one way, ${config.dropPercent}% dropped, ${config.duplicatePercent}% duplicated.`,
      );
      return;
    }
    case 'setConsumerDown': {
      const duration =
        command.down && command.durationMs !== undefined
          ? clampInt(command.durationMs, OUTAGE_MS_MIN, OUTAGE_MS_MAX)
          : null;
      setConsumerDown(state, command.down, duration);
      return;
    }
    case 'restartProducer':
      restartProducer(state, clampInt(command.downMs, OUTAGE_MS_MIN, OUTAGE_MS_MAX));
      return;
    case 'failReceivers':
      failReceivers(state, clampInt(command.durationMs, OUTAGE_MS_MIN, OUTAGE_MS_MAX));
      return;
    case 'setReceivers': {
      const extra = clampInt(command.extraReceivers, 0, EXTRA_RECEIVERS_MAX);
      config.extraReceivers = extra;
      ensureReceivers(state, 1 + extra);
      log(state, 'config', `${1 + extra} webhook receivers subscribe to every event.`);
      return;
    }
    case 'sendForged':
      sendForged(state);
      return;
    case 'redrive':
      redrive(state);
      return;
    default: {
      const unknown: never = command;
      refuse(state, `Unknown command ${JSON.stringify(unknown)}.`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Time.

function handleTimer(state: WebhooksState, timer: Timer): void {
  switch (timer.kind) {
    case 'arrival':
      if (timer.gen !== state.arrivalGen) return;
      produceEvent(state, 'poisson');
      scheduleArrival(state);
      return;
    case 'shortPoll':
      if (timer.gen !== state.short.gen || state.consumer.down) return;
      sendShortPoll(state);
      schedule(state, state.nowMs + state.config.pollIntervalMs, timer);
      return;
    case 'longPollTimeout':
      if (timer.gen !== state.long.gen || state.consumer.down) return;
      if (state.long.outstanding === timer.requestId) sendLongPoll(state);
      return;
    case 'holdExpire':
      if (timer.gen === state.holdGen) expireHeldPoll(state, timer.requestId);
      return;
    case 'attempt':
      onAttemptTimer(state, timer.deliveryId);
      return;
    case 'attemptTimeout':
      onAttemptTimeout(state, timer.deliveryId, timer.attempt);
      return;
    case 'receiverRespond': {
      const node = receiverNodeId(timer.receiver);
      if (timer.deliveryId === 0) {
        send(state, node, ATTACKER, {
          kind: 'webhookResponse',
          deliveryId: 0,
          attempt: 0,
          status: timer.status,
        });
        return;
      }
      // A receiver that went down while working never answers.
      if (isNodeDown(state.net, node)) return;
      send(state, node, SHOP, {
        kind: 'webhookResponse',
        deliveryId: timer.deliveryId,
        attempt: timer.attempt,
        status: timer.status,
      });
      return;
    }
    case 'heartbeat':
      if (timer.gen !== state.producer.gen || !state.producer.up) return;
      sendHeartbeats(state);
      schedule(state, state.nowMs + HEARTBEAT_MS, timer);
      return;
    case 'socketWatchdog':
      if (timer.gen === state.socket.watchdogGen) watchSocket(state);
      return;
    case 'socketReconnect':
      if (timer.gen !== state.socket.gen || state.consumer.down) return;
      connectSocket(state);
      return;
    case 'consumerUp':
      if (timer.gen === state.consumer.gen) setConsumerDown(state, false, null);
      return;
    case 'producerUp':
      if (timer.gen === state.producer.gen) producerUp(state);
      return;
    case 'receiversUp':
      if (timer.gen !== state.receiversDown.gen) return;
      state.receiversDown.down = false;
      state.receiversDown.upAtMs = null;
      refreshReceiverNodes(state);
      log(state, 'fault', 'The webhook receivers are back.', true);
      return;
    default: {
      const unknown: never = timer;
      throw new Error(`unknown timer ${JSON.stringify(unknown)}`);
    }
  }
}

function markDropped(state: WebhooksState, message: NetMessage<Payload>): void {
  if (!isDropped(message)) return;
  for (let i = state.messages.length - 1; i >= 0; i -= 1) {
    const record = state.messages[i]!;
    if (record.id === message.id) {
      record.dropped = true;
      record.endAtMs = message.droppedAtMs;
      return;
    }
    if (record.sentAtMs < message.sentAtMs) return;
  }
}

function handleMessage(state: WebhooksState, message: NetMessage<Payload>): void {
  const { payload } = message;
  if (isDropped(message)) {
    markDropped(state, message);
    // A push or ping that cannot reach a crashed client fails the write: the shop drops the stream.
    if (
      message.dropReason === 'node-down' &&
      message.to === SOCKET &&
      (payload.kind === 'push' || payload.kind === 'ping')
    ) {
      state.connections = state.connections.filter((c) => c.connId !== payload.connId);
    }
    return;
  }
  switch (payload.kind) {
    case 'poll':
      serveEventsRequest(state, payload);
      return;
    case 'pollResponse':
      receivePollResponse(state, payload);
      return;
    case 'webhook':
      receiveWebhook(state, payload, message.from);
      return;
    case 'webhookResponse':
      if (message.to === SHOP) receiveWebhookResponse(state, payload);
      return;
    case 'connect':
      openConnection(state, payload);
      return;
    case 'connected':
    case 'push':
    case 'ping':
    case 'close':
      receiveOnSocket(state, payload);
      return;
    default: {
      const unknown: never = payload;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
}

export function nextWebhooksEventAtMs(state: WebhooksState): number | null {
  const timer = peekNextAtMs(state.timers);
  const message = nextMessageAtMs(state.net);
  if (timer === null) return message;
  if (message === null) return timer;
  return Math.min(timer, message);
}

export function advanceWebhooks(state: WebhooksState, atMs: number): void {
  assert(atMs >= state.nowMs, `time goes forward (${state.nowMs} → ${atMs})`);
  for (;;) {
    const timerAt = peekNextAtMs(state.timers);
    const messageAt = nextMessageAtMs(state.net);
    const next =
      timerAt === null ? messageAt : messageAt === null ? timerAt : Math.min(timerAt, messageAt);
    if (next === null || next > atMs) break;
    state.nowMs = next;
    // Timers first on a tie, then messages, each in their own queue's order: a fixed rule.
    if (timerAt !== null && timerAt === next) {
      const due = popNextDue(state.timers, next);
      if (due) handleTimer(state, due.event);
      continue;
    }
    for (const message of deliverDue(state.net, next)) handleMessage(state, message);
  }
  state.nowMs = atMs;
  trimHistory(state);
}

function trimHistory(state: WebhooksState): void {
  const horizon = state.nowMs - HISTORY_MS;
  let stale = 0;
  while (stale < state.messages.length && state.messages[stale]!.endAtMs < horizon) stale += 1;
  if (stale > 0) state.messages.splice(0, stale);
}

export function timersPending(state: WebhooksState): number {
  return queueSize(state.timers);
}

export { LANE_IDS, LANE_LABELS };
