/**
 * One lane: a limiter set (per-client tiers and an optional global tier) that sees the shared
 * traffic, decides each attempt, records the response it would send, schedules the client's
 * retry, and keeps the figures the stage and the metrics draw.
 */
import {
  createEventQueue,
  type EventQueue,
  queueSize,
  scheduleEvent,
} from '../../../kernel/event-queue';
import {
  commitLimiter,
  createLimiter,
  type Decision,
  type LimiterState,
  type LimitParams,
  peekLimiter,
  queueLength,
} from './algorithms';
import {
  type AlgorithmId,
  type DistributedStrategy,
  MINUTE_WINDOW_MS,
  PENDING_RETRIES_MAX,
  RECENT_REQUESTS_MAX,
  RETRY_ATTEMPTS_MAX,
  type RetryBehaviour,
  SERIES_BUCKET_MS,
  SERIES_BUCKETS_MAX,
  STORM_RETRY_DELAY_MS,
} from './constants';
import type { DistributedLane } from './distributed';

export type TierName = 'second' | 'minute' | 'global';

export interface Tier {
  name: TierName;
  params: LimitParams;
}

/** What every lane needs to know about the limits in force. */
export interface LimitSettings {
  limit: number;
  windowMs: number;
  burst: number;
  /** 0 = no per-minute tier. */
  minuteLimit: number;
  /** 0 = no global limit. */
  globalLimit: number;
}

export type RequestStatus = 200 | 429 | 0;

/** A request as the stage and the response inspector show it. */
export interface RecentRequest {
  id: number;
  client: number;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  atMs: number;
  /** When the limiter answered (later than atMs only when a distributed store was asked). */
  decidedAtMs: number;
  /** When the request reached the API (accepted or delayed), else -1. */
  forwardAtMs: number;
  /** 0 while the decision is pending. */
  status: RequestStatus;
  delayMs: number;
  retryAfterMs: number;
  remaining: number;
  resetMs: number;
  /** The limit behind the headers: the tier with the fewest requests left. */
  headerLimit: number;
  headerWindowMs: number;
  /** Which tier refused it, or null. */
  refusedBy: TierName | null;
  /** The gateway that handled it (distributed mode), else -1. */
  gateway: number;
}

export interface SeriesBucket {
  startMs: number;
  /** Every attempt that reached the limiter (first tries and retries). */
  offered: number;
  accepted: number;
  rejected: number;
  delayed: number;
  /** Longest queue seen in the bucket (shaping queue only). */
  queueMax: number;
  /** Accepted over the limit (distributed). */
  overshoot: number;
}

export interface ClientTally {
  accepted: number;
  rejected: number;
  delayed: number;
  gaveUp: number;
}

/** Times of forwarded requests in the last window, for "most accepted in any window". */
export interface WindowTracker {
  times: number[];
  head: number;
}

export interface RetryItem {
  client: number;
  attempt: number;
}

export interface LaneState {
  /** The algorithm (local mode) or the strategy (distributed mode). */
  algorithm: AlgorithmId | DistributedStrategy;
  limiters: Record<string, LimiterState[]>;
  globalLimiter: LimiterState | null;
  retries: EventQueue<RetryItem>;
  nextId: number;
  arrivals: number;
  attempts: number;
  accepted: number;
  rejected: number;
  delayed: number;
  retried: number;
  gaveUp: number;
  /** Retries refused because too many were waiting. */
  retriesRefused: number;
  perClient: ClientTally[];
  trackers: WindowTracker[];
  maxInWindow: number;
  maxInWindowAtMs: number;
  maxInWindowClient: number;
  recent: RecentRequest[];
  series: SeriesBucket[];
  dist: DistributedLane | null;
}

export interface Tiers {
  client: Tier[];
  global: Tier | null;
}

// Tiers are derived from the limit settings object; caching by identity keeps the hot path free
// of allocation. A restored checkpoint holds a new object, which simply derives them again.
const tiersCache = new WeakMap<LimitSettings, Tiers>();

/** The tiers in force: per client per window, per client per minute, and global. */
export function tiersOf(limits: LimitSettings): Tiers {
  const cached = tiersCache.get(limits);
  if (cached) return cached;
  const made = makeTiers(limits);
  tiersCache.set(limits, made);
  return made;
}

function makeTiers(limits: LimitSettings): Tiers {
  const client: Tier[] = [
    {
      name: 'second',
      params: { limit: limits.limit, windowMs: limits.windowMs, burst: limits.burst },
    },
  ];
  if (limits.minuteLimit > 0) {
    client.push({
      name: 'minute',
      params: {
        limit: limits.minuteLimit,
        windowMs: MINUTE_WINDOW_MS,
        burst: limits.minuteLimit,
      },
    });
  }
  const global: Tier | null =
    limits.globalLimit > 0
      ? {
          name: 'global',
          params: {
            limit: limits.globalLimit,
            windowMs: limits.windowMs,
            burst: Math.max(
              limits.globalLimit,
              Math.round((limits.burst * limits.globalLimit) / limits.limit),
            ),
          },
        }
      : null;
  return { client, global };
}

export function createLane(
  algorithm: AlgorithmId | DistributedStrategy,
  limits: LimitSettings,
  clients: number,
  dist: DistributedLane | null,
): LaneState {
  const { global } = tiersOf(limits);
  return {
    algorithm,
    limiters: {},
    globalLimiter:
      global && dist === null ? createLimiter(algorithm as AlgorithmId, global.params) : null,
    retries: createEventQueue(),
    nextId: 1,
    arrivals: 0,
    attempts: 0,
    accepted: 0,
    rejected: 0,
    delayed: 0,
    retried: 0,
    gaveUp: 0,
    retriesRefused: 0,
    perClient: Array.from({ length: clients }, () => ({
      accepted: 0,
      rejected: 0,
      delayed: 0,
      gaveUp: 0,
    })),
    trackers: Array.from({ length: clients }, () => ({ times: [], head: 0 })),
    maxInWindow: 0,
    maxInWindowAtMs: 0,
    maxInWindowClient: 0,
    recent: [],
    series: [],
    dist,
  };
}

export function limitersFor(lane: LaneState, key: string, limits: LimitSettings): LimiterState[] {
  let found = lane.limiters[key];
  if (!found) {
    const algorithm = lane.algorithm as AlgorithmId;
    found = tiersOf(limits).client.map((tier) => createLimiter(algorithm, tier.params));
    lane.limiters[key] = found;
  }
  return found;
}

export interface Outcome {
  status: RequestStatus;
  forwardAtMs: number;
  delayMs: number;
  retryAfterMs: number;
  remaining: number;
  resetMs: number;
  headerLimit: number;
  headerWindowMs: number;
  refusedBy: TierName | null;
}

/**
 * decideRequest: peek every tier; if any refuses, answer 429 with the longest Retry-After among
 * the refusing tiers; otherwise commit to every tier (a queue tier may delay the request).
 */
export function decideRequest(
  lane: LaneState,
  key: string,
  limits: LimitSettings,
  nowMs: number,
): Outcome {
  const tiers = tiersOf(limits);
  const limiters = limitersFor(lane, key, limits);
  const decisions: Decision[] = [];
  const params: LimitParams[] = [];
  const states: LimiterState[] = [];
  const names: TierName[] = [];
  tiers.client.forEach((tier, i) => {
    states.push(limiters[i]!);
    params.push(tier.params);
    names.push(tier.name);
  });
  if (tiers.global && lane.globalLimiter) {
    states.push(lane.globalLimiter);
    params.push(tiers.global.params);
    names.push('global');
  }
  let refusedBy: TierName | null = null;
  let retryAfterMs = 0;
  let delayMs = 0;
  let binding = 0;
  for (let i = 0; i < states.length; i += 1) {
    const decision = peekLimiter(states[i]!, params[i]!, nowMs);
    decisions.push(decision);
    if (!decision.allowed) {
      refusedBy ??= names[i]!;
      retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
    }
    delayMs = Math.max(delayMs, decision.delayMs);
    if (decision.remaining < decisions[binding]!.remaining) binding = i;
  }
  const bindingDecision = decisions[binding]!;
  const bindingParams = params[binding]!;
  const headers = {
    remaining: Math.max(0, bindingDecision.remaining),
    resetMs: bindingDecision.resetMs,
    headerLimit: bindingParams.limit,
    headerWindowMs: bindingParams.windowMs,
  };
  if (refusedBy !== null) {
    return { status: 429, forwardAtMs: -1, delayMs: 0, retryAfterMs, refusedBy, ...headers };
  }
  let forwardAtMs = nowMs;
  for (let i = 0; i < states.length; i += 1) {
    forwardAtMs = Math.max(
      forwardAtMs,
      commitLimiter(states[i]!, params[i]!, nowMs, nowMs + delayMs),
    );
  }
  return {
    status: 200,
    forwardAtMs,
    delayMs: forwardAtMs - nowMs,
    retryAfterMs: 0,
    refusedBy: null,
    ...headers,
  };
}

/** Requests waiting in the lane's shaping queues (per-client tier), at nowMs. */
export function queuedTotal(lane: LaneState, limits: LimitSettings, nowMs: number): number {
  if (lane.algorithm !== 'leaky-queue') return 0;
  const p = tiersOf(limits).client[0]!.params;
  let total = 0;
  for (const tiers of Object.values(lane.limiters)) {
    const first = tiers[0];
    if (first?.kind === 'leaky-queue') total += queueLength(first, p, nowMs);
  }
  return total;
}

/** Records a forwarded request and updates the most accepted in any window (per client). */
export function trackForwarded(lane: LaneState, client: number, atMs: number, windowMs: number) {
  const tracker = lane.trackers[client];
  if (!tracker) return;
  tracker.times.push(atMs);
  while (tracker.head < tracker.times.length && tracker.times[tracker.head]! <= atMs - windowMs) {
    tracker.head += 1;
  }
  if (tracker.head > 256 && tracker.head * 2 > tracker.times.length) {
    tracker.times.splice(0, tracker.head);
    tracker.head = 0;
  }
  const inWindow = tracker.times.length - tracker.head;
  if (inWindow > lane.maxInWindow) {
    lane.maxInWindow = inWindow;
    lane.maxInWindowAtMs = atMs;
    lane.maxInWindowClient = client;
  }
}

export function seriesBucketAt(lane: LaneState, atMs: number): SeriesBucket {
  const startMs = atMs - (atMs % SERIES_BUCKET_MS);
  let bucket = lane.series.at(-1);
  if (!bucket || bucket.startMs < startMs) {
    bucket = {
      startMs,
      offered: 0,
      accepted: 0,
      rejected: 0,
      delayed: 0,
      queueMax: 0,
      overshoot: 0,
    };
    lane.series.push(bucket);
    if (lane.series.length > SERIES_BUCKETS_MAX) lane.series.shift();
  } else if (bucket.startMs > startMs) {
    // Decisions are recorded in time order; an older one goes into the bucket it belongs to.
    bucket = lane.series.find((b) => b.startMs === startMs) ?? bucket;
  }
  return bucket;
}

export function pushRecent(lane: LaneState, request: RecentRequest): void {
  lane.recent.push(request);
  if (lane.recent.length > RECENT_REQUESTS_MAX * 1.25) {
    lane.recent.splice(0, lane.recent.length - RECENT_REQUESTS_MAX);
  }
}

export interface RetryContext {
  retry: RetryBehaviour;
  /** Whether a refused retry has been reported already (reported once per lane). */
  onRefused(): void;
}

/**
 * scheduleRetry: the client's behaviour after a 429. Honouring waits exactly Retry-After (kept
 * to the ms here; the header rounds up to whole seconds); a storm retries after one round trip.
 */
export function scheduleRetry(
  lane: LaneState,
  client: number,
  attempt: number,
  nowMs: number,
  retryAfterMs: number,
  context: RetryContext,
): void {
  if (context.retry === 'none') return;
  if (attempt >= RETRY_ATTEMPTS_MAX) {
    lane.gaveUp += 1;
    const tally = lane.perClient[client];
    if (tally) tally.gaveUp += 1;
    return;
  }
  if (queueSize(lane.retries) >= PENDING_RETRIES_MAX) {
    lane.retriesRefused += 1;
    context.onRefused();
    return;
  }
  const waitMs = context.retry === 'honour' ? Math.max(1, retryAfterMs) : STORM_RETRY_DELAY_MS;
  scheduleEvent(lane.retries, nowMs + waitMs, { client, attempt: attempt + 1 });
}

/** Records a decided request in the lane's tallies, series, trackers and recent list. */
export function recordOutcome(
  lane: LaneState,
  request: RecentRequest,
  windowMs: number,
  queueNow: number,
  record: boolean,
): void {
  const tally = lane.perClient[request.client];
  const bucket = record ? seriesBucketAt(lane, request.decidedAtMs) : null;
  if (request.status === 429) {
    lane.rejected += 1;
    if (tally) tally.rejected += 1;
    if (bucket) bucket.rejected += 1;
  } else if (request.delayMs > 0) {
    lane.delayed += 1;
    if (tally) tally.delayed += 1;
    if (bucket) bucket.delayed += 1;
    trackForwarded(lane, request.client, request.forwardAtMs, windowMs);
  } else {
    lane.accepted += 1;
    if (tally) tally.accepted += 1;
    if (bucket) bucket.accepted += 1;
    trackForwarded(lane, request.client, request.forwardAtMs, windowMs);
  }
  if (bucket) bucket.queueMax = Math.max(bucket.queueMax, queueNow);
}

export function countOffered(lane: LaneState, atMs: number, firstTry: boolean, record: boolean) {
  lane.attempts += 1;
  if (firstTry) lane.arrivals += 1;
  else lane.retried += 1;
  if (record) seriesBucketAt(lane, atMs).offered += 1;
}
