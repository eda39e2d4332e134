/**
 * The rate-limiting algorithms, each a real implementation over plain data.
 *
 * Every limiter enforces `limit` requests per `windowMs`, with `burst` as its capacity where the
 * algorithm has one (token bucket, both leaky buckets, GCRA). Rates are kept exact with integer
 * arithmetic: the buckets count in units where one request is `windowMs` units and time refills
 * `limit` units per ms, and GCRA and the shaping queue keep time in units of ms × limit, where
 * one emission interval (windowMs / limit ms) is exactly `windowMs` units. So GCRA and the token
 * bucket make identical decisions, with no floating-point drift, for any parameters.
 *
 * Each limiter is used in two steps, so several tiers can be combined without one tier spending
 * its quota on a request another tier refuses: `peekLimiter` says what would happen now, and
 * `commitLimiter` records an accepted request.
 */
import { assert } from '../../../kernel/assert';
import type { AlgorithmId } from './constants';

export interface LimitParams {
  /** Requests allowed per window (the refill or drain rate is limit / windowMs). */
  limit: number;
  windowMs: number;
  /** Bucket capacity (token bucket, GCRA burst, leaky bucket size, queue length). */
  burst: number;
}

export interface TokenBucketState {
  kind: 'token-bucket';
  /** Tokens × windowMs. */
  levelUnits: number;
  lastMs: number;
}

export interface LeakyMeterState {
  kind: 'leaky-meter';
  /** Water × windowMs; drains limit units per ms. */
  levelUnits: number;
  lastMs: number;
}

export interface LeakyQueueState {
  kind: 'leaky-queue';
  /** Departure times (ms × limit) of the requests still waiting, ascending. */
  departuresUnits: number[];
  /** The latest departure ever scheduled (ms × limit), or null. */
  lastDepartureUnits: number | null;
}

export interface FixedWindowState {
  kind: 'fixed-window';
  windowStartMs: number;
  count: number;
}

export interface SlidingLogState {
  kind: 'sliding-log';
  /** Accepted request times; entries before `head` have aged out. */
  log: number[];
  head: number;
}

export interface SlidingCounterState {
  kind: 'sliding-counter';
  windowStartMs: number;
  previousCount: number;
  currentCount: number;
}

export interface GcraState {
  kind: 'gcra';
  /** Theoretical arrival time, in ms × limit. */
  tatUnits: number;
}

export type LimiterState =
  | TokenBucketState
  | LeakyMeterState
  | LeakyQueueState
  | FixedWindowState
  | SlidingLogState
  | SlidingCounterState
  | GcraState;

/** What a limiter says about a request now: the figures behind the HTTP response headers. */
export interface Decision {
  allowed: boolean;
  /** Shaping only: how long the request waits in the queue before it is forwarded. */
  delayMs: number;
  /** When rejected: the wait after which the same request would be allowed (no other traffic). */
  retryAfterMs: number;
  /** Requests left after this one (if it is accepted). */
  remaining: number;
  /** Until the quota is fully restored, in ms. */
  resetMs: number;
}

export function createLimiter(algorithm: AlgorithmId, params: LimitParams): LimiterState {
  assertParams(params);
  switch (algorithm) {
    case 'token-bucket':
      return { kind: 'token-bucket', levelUnits: params.burst * params.windowMs, lastMs: 0 };
    case 'leaky-meter':
      return { kind: 'leaky-meter', levelUnits: 0, lastMs: 0 };
    case 'leaky-queue':
      return { kind: 'leaky-queue', departuresUnits: [], lastDepartureUnits: null };
    case 'fixed-window':
      return { kind: 'fixed-window', windowStartMs: 0, count: 0 };
    case 'sliding-log':
      return { kind: 'sliding-log', log: [], head: 0 };
    case 'sliding-counter':
      return { kind: 'sliding-counter', windowStartMs: 0, previousCount: 0, currentCount: 0 };
    case 'gcra':
      return { kind: 'gcra', tatUnits: 0 };
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown algorithm ${String(unknown)}`);
    }
  }
}

export function assertParams(params: LimitParams): void {
  assert(Number.isInteger(params.limit) && params.limit >= 1, `limit ≥ 1 (got ${params.limit})`);
  assert(
    Number.isInteger(params.windowMs) && params.windowMs >= 1,
    `window ≥ 1 ms (got ${params.windowMs})`,
  );
  assert(Number.isInteger(params.burst) && params.burst >= 1, `burst ≥ 1 (got ${params.burst})`);
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

// ---------------------------------------------------------------------------------------------
// Token bucket: refillTokens, then takeToken.

export function refillTokens(state: TokenBucketState, p: LimitParams, nowMs: number): void {
  const capacityUnits = p.burst * p.windowMs;
  state.levelUnits = Math.min(capacityUnits, state.levelUnits + (nowMs - state.lastMs) * p.limit);
  state.lastMs = nowMs;
}

function peekTokenBucket(s: TokenBucketState, p: LimitParams, nowMs: number): Decision {
  refillTokens(s, p, nowMs);
  const W = p.windowMs;
  const allowed = s.levelUnits >= W;
  const after = allowed ? s.levelUnits - W : s.levelUnits;
  return {
    allowed,
    delayMs: 0,
    retryAfterMs: allowed ? 0 : ceilDiv(W - s.levelUnits, p.limit),
    remaining: Math.floor(after / W),
    resetMs: ceilDiv(p.burst * W - after, p.limit),
  };
}

export function takeToken(s: TokenBucketState, p: LimitParams, nowMs: number): void {
  refillTokens(s, p, nowMs);
  assert(s.levelUnits >= p.windowMs, 'token bucket: a token is there to take');
  s.levelUnits -= p.windowMs;
}

// ---------------------------------------------------------------------------------------------
// Leaky bucket as a meter: the bucket leaks at the rate; a request that would overflow it is
// refused (the policing form, the token bucket seen upside down).

export function leakWater(s: LeakyMeterState, p: LimitParams, nowMs: number): void {
  s.levelUnits = Math.max(0, s.levelUnits - (nowMs - s.lastMs) * p.limit);
  s.lastMs = nowMs;
}

function peekLeakyMeter(s: LeakyMeterState, p: LimitParams, nowMs: number): Decision {
  leakWater(s, p, nowMs);
  const W = p.windowMs;
  const capacityUnits = p.burst * W;
  const allowed = s.levelUnits + W <= capacityUnits;
  const after = allowed ? s.levelUnits + W : s.levelUnits;
  return {
    allowed,
    delayMs: 0,
    retryAfterMs: allowed ? 0 : ceilDiv(s.levelUnits + W - capacityUnits, p.limit),
    remaining: Math.floor((capacityUnits - after) / W),
    resetMs: ceilDiv(after, p.limit),
  };
}

export function pourWater(s: LeakyMeterState, p: LimitParams, nowMs: number): void {
  leakWater(s, p, nowMs);
  s.levelUnits += p.windowMs;
  assert(s.levelUnits <= p.burst * p.windowMs, 'leaky meter: never overflows');
}

// ---------------------------------------------------------------------------------------------
// Leaky bucket as a queue (traffic shaping): requests wait in a FIFO of `burst` places and leave
// one per emission interval; a request that finds the queue full is refused.

export function drainQueue(s: LeakyQueueState, nowUnits: number): void {
  let departed = 0;
  while (departed < s.departuresUnits.length && s.departuresUnits[departed]! <= nowUnits) {
    departed += 1;
  }
  // shift() and a shortened copy free the slots without allocating the removed part, as splice
  // would on every departure.
  if (departed === 1) s.departuresUnits.shift();
  else if (departed > 1) dropFront(s.departuresUnits, departed);
}

/** Removes the first `count` items in place, allocating nothing. */
function dropFront(items: number[], count: number): void {
  // A plain loop: copyWithin on an ordinary array takes V8's slow generic path.
  const kept = items.length - count;
  for (let i = 0; i < kept; i += 1) items[i] = items[i + count]!;
  items.length = kept;
}

function nextDepartureUnits(s: LeakyQueueState, p: LimitParams, nowUnits: number): number {
  return s.lastDepartureUnits === null
    ? nowUnits
    : Math.max(nowUnits, s.lastDepartureUnits + p.windowMs);
}

function peekLeakyQueue(s: LeakyQueueState, p: LimitParams, nowMs: number): Decision {
  const nowUnits = nowMs * p.limit;
  drainQueue(s, nowUnits);
  const waiting = s.departuresUnits.length;
  const allowed = waiting < p.burst;
  const departure = nextDepartureUnits(s, p, nowUnits);
  const lastUnits = allowed ? departure : (s.lastDepartureUnits ?? nowUnits);
  const waitingAfter = allowed && departure > nowUnits ? waiting + 1 : waiting;
  return {
    allowed,
    delayMs: allowed ? ceilDiv(departure - nowUnits, p.limit) : 0,
    retryAfterMs: allowed ? 0 : ceilDiv(s.departuresUnits[0]! - nowUnits, p.limit),
    remaining: p.burst - waitingAfter,
    resetMs: Math.max(0, ceilDiv(lastUnits - nowUnits, p.limit)),
  };
}

/** Queues a request; it leaves no earlier than `departNotBeforeMs`. Returns its departure (ms). */
export function enqueueRequest(
  s: LeakyQueueState,
  p: LimitParams,
  nowMs: number,
  departNotBeforeMs: number,
): number {
  const nowUnits = nowMs * p.limit;
  drainQueue(s, nowUnits);
  assert(s.departuresUnits.length < p.burst, 'leaky queue: a place is free');
  const departure = Math.max(nextDepartureUnits(s, p, nowUnits), departNotBeforeMs * p.limit);
  s.lastDepartureUnits = departure;
  if (departure > nowUnits) s.departuresUnits.push(departure);
  return ceilDiv(departure, p.limit);
}

export function queueLength(s: LeakyQueueState, p: LimitParams, nowMs: number): number {
  drainQueue(s, nowMs * p.limit);
  return s.departuresUnits.length;
}

// ---------------------------------------------------------------------------------------------
// Fixed window counter.

export function rollFixedWindow(s: FixedWindowState, p: LimitParams, nowMs: number): void {
  const start = nowMs - (nowMs % p.windowMs);
  if (start !== s.windowStartMs) {
    s.windowStartMs = start;
    s.count = 0;
  }
}

function peekFixedWindow(s: FixedWindowState, p: LimitParams, nowMs: number): Decision {
  rollFixedWindow(s, p, nowMs);
  const allowed = s.count < p.limit;
  const untilEnd = s.windowStartMs + p.windowMs - nowMs;
  return {
    allowed,
    delayMs: 0,
    retryAfterMs: allowed ? 0 : untilEnd,
    remaining: p.limit - (allowed ? s.count + 1 : s.count),
    resetMs: untilEnd,
  };
}

export function countInWindow(s: FixedWindowState, p: LimitParams, nowMs: number): void {
  rollFixedWindow(s, p, nowMs);
  s.count += 1;
}

// ---------------------------------------------------------------------------------------------
// Sliding window log: the timestamps of accepted requests in (now − window, now].

export function evictExpired(s: SlidingLogState, p: LimitParams, nowMs: number): void {
  const horizon = nowMs - p.windowMs;
  while (s.head < s.log.length && s.log[s.head]! <= horizon) s.head += 1;
  // Compact now and then so the array does not grow with the run.
  if (s.head > 64 && s.head * 2 > s.log.length) {
    dropFront(s.log, s.head);
    s.head = 0;
  }
}

export function logSize(s: SlidingLogState): number {
  return s.log.length - s.head;
}

function peekSlidingLog(s: SlidingLogState, p: LimitParams, nowMs: number): Decision {
  evictExpired(s, p, nowMs);
  const size = logSize(s);
  const allowed = size < p.limit;
  const newest = allowed ? nowMs : (s.log[s.log.length - 1] ?? nowMs);
  // When refused, the oldest entry that must age out for a place to free is `size − limit` in.
  const freeing = s.log[s.head + size - p.limit];
  return {
    allowed,
    delayMs: 0,
    retryAfterMs: allowed ? 0 : (freeing ?? nowMs) + p.windowMs - nowMs,
    remaining: p.limit - (allowed ? size + 1 : size),
    resetMs: newest + p.windowMs - nowMs,
  };
}

export function appendToLog(s: SlidingLogState, p: LimitParams, nowMs: number): void {
  evictExpired(s, p, nowMs);
  s.log.push(nowMs);
}

// ---------------------------------------------------------------------------------------------
// Sliding window counter: the current window's count plus the previous window's count weighted
// by how much of the previous window the sliding window still covers. Exact in integers:
// accept when previous × (W − elapsed) + (current + 1) × W ≤ limit × W.

export function rollCounterWindows(s: SlidingCounterState, p: LimitParams, nowMs: number): void {
  const start = nowMs - (nowMs % p.windowMs);
  if (start === s.windowStartMs) return;
  s.previousCount = start - s.windowStartMs === p.windowMs ? s.currentCount : 0;
  s.currentCount = 0;
  s.windowStartMs = start;
}

/** The weighted estimate × W of requests in the sliding window ending now. */
function weightedUnits(s: SlidingCounterState, p: LimitParams, nowMs: number, extra: number) {
  const elapsed = nowMs - s.windowStartMs;
  return s.previousCount * (p.windowMs - elapsed) + (s.currentCount + extra) * p.windowMs;
}

/** The earliest ms at which one more request fits, with no other requests in between. */
function slidingCounterRetryMs(s: SlidingCounterState, p: LimitParams, nowMs: number): number {
  const W = p.windowMs;
  const L = p.limit;
  if (s.currentCount + 1 <= L && s.previousCount > 0) {
    const elapsedMin = W - Math.floor(((L - s.currentCount - 1) * W) / s.previousCount);
    if (elapsedMin < W) return Math.max(0, s.windowStartMs + elapsedMin - nowMs);
  }
  // Next window: the current count becomes the previous one.
  const elapsedNext =
    s.currentCount === 0 ? 0 : Math.max(0, W - Math.floor(((L - 1) * W) / s.currentCount));
  return s.windowStartMs + W + elapsedNext - nowMs;
}

function peekSlidingCounter(s: SlidingCounterState, p: LimitParams, nowMs: number): Decision {
  rollCounterWindows(s, p, nowMs);
  const W = p.windowMs;
  const allowed = weightedUnits(s, p, nowMs, 1) <= p.limit * W;
  const after = weightedUnits(s, p, nowMs, allowed ? 1 : 0);
  return {
    allowed,
    delayMs: 0,
    retryAfterMs: allowed ? 0 : slidingCounterRetryMs(s, p, nowMs),
    remaining: Math.max(0, Math.floor((p.limit * W - after) / W)),
    resetMs: s.windowStartMs + 2 * W - nowMs,
  };
}

export function countInSlidingWindow(s: SlidingCounterState, p: LimitParams, nowMs: number): void {
  rollCounterWindows(s, p, nowMs);
  s.currentCount += 1;
}

/** The weighted estimate of requests in the sliding window ending now (for the view). */
export function slidingEstimate(s: SlidingCounterState, p: LimitParams, nowMs: number): number {
  const probe = { ...s };
  rollCounterWindows(probe, p, nowMs);
  return weightedUnits(probe, p, nowMs, 0) / p.windowMs;
}

// ---------------------------------------------------------------------------------------------
// GCRA (the generic cell rate algorithm, virtual scheduling form): a request conforms when it
// arrives no earlier than TAT − τ, where τ = (burst − 1) × T and T = window / limit.

function peekGcra(s: GcraState, p: LimitParams, nowMs: number): Decision {
  const W = p.windowMs;
  const nowUnits = nowMs * p.limit;
  const tat = Math.max(s.tatUnits, nowUnits);
  const toleranceUnits = (p.burst - 1) * W;
  const allowed = tat - nowUnits <= toleranceUnits;
  const tatAfter = allowed ? tat + W : tat;
  return {
    allowed,
    delayMs: 0,
    retryAfterMs: allowed ? 0 : ceilDiv(tat - nowUnits - toleranceUnits, p.limit),
    remaining: Math.max(0, Math.floor((p.burst * W - (tatAfter - nowUnits)) / W)),
    resetMs: ceilDiv(tatAfter - nowUnits, p.limit),
  };
}

export function advanceTat(s: GcraState, p: LimitParams, nowMs: number): void {
  s.tatUnits = Math.max(s.tatUnits, nowMs * p.limit) + p.windowMs;
}

// ---------------------------------------------------------------------------------------------

/** What the limiter would decide for a request now. Only ages state (refills, evictions). */
export function peekLimiter(state: LimiterState, p: LimitParams, nowMs: number): Decision {
  switch (state.kind) {
    case 'token-bucket':
      return peekTokenBucket(state, p, nowMs);
    case 'leaky-meter':
      return peekLeakyMeter(state, p, nowMs);
    case 'leaky-queue':
      return peekLeakyQueue(state, p, nowMs);
    case 'fixed-window':
      return peekFixedWindow(state, p, nowMs);
    case 'sliding-log':
      return peekSlidingLog(state, p, nowMs);
    case 'sliding-counter':
      return peekSlidingCounter(state, p, nowMs);
    case 'gcra':
      return peekGcra(state, p, nowMs);
  }
}

/**
 * Records an accepted request. For the shaping queue, returns when the request leaves (never
 * before `departNotBeforeMs`); every other limiter forwards at once and returns nowMs.
 */
export function commitLimiter(
  state: LimiterState,
  p: LimitParams,
  nowMs: number,
  departNotBeforeMs = nowMs,
): number {
  switch (state.kind) {
    case 'token-bucket':
      takeToken(state, p, nowMs);
      return nowMs;
    case 'leaky-meter':
      pourWater(state, p, nowMs);
      return nowMs;
    case 'leaky-queue':
      return enqueueRequest(state, p, nowMs, departNotBeforeMs);
    case 'fixed-window':
      countInWindow(state, p, nowMs);
      return nowMs;
    case 'sliding-log':
      appendToLog(state, p, nowMs);
      return nowMs;
    case 'sliding-counter':
      countInSlidingWindow(state, p, nowMs);
      return nowMs;
    case 'gcra':
      advanceTat(state, p, nowMs);
      return nowMs;
  }
}

/** Decides and records in one step: the usual single-tier "try to take one". */
export function tryAcquire(state: LimiterState, p: LimitParams, nowMs: number): Decision {
  const decision = peekLimiter(state, p, nowMs);
  if (decision.allowed) commitLimiter(state, p, nowMs);
  return decision;
}

/** A picture of a limiter's state for the stage: a fill level and its details. */
export interface LimiterPicture {
  kind: AlgorithmId;
  /** 0 … 1: tokens left, water level, queue fill, window count, log size, estimate, TAT lead. */
  fill: number;
  /** The headline figure, e.g. "7.3 / 10 tokens". */
  label: string;
  /** Sliding log: ages (ms) of the logged requests; queue: waits (ms) of the queued ones. */
  marks: number[];
  /** Windows: elapsed share of the current window; previous and current counts. */
  windowElapsed: number;
  previousCount: number;
  currentCount: number;
}

export const PICTURE_MARKS_MAX = 200;

export function pictureOf(
  algorithm: AlgorithmId,
  source: LimiterState,
  p: LimitParams,
  nowMs: number,
): LimiterPicture {
  // Ageing a copy keeps the view from changing the state it reads.
  const s = structuredClone(source);
  const base = { kind: algorithm, marks: [], windowElapsed: 0, previousCount: 0, currentCount: 0 };
  switch (s.kind) {
    case 'token-bucket': {
      refillTokens(s, p, nowMs);
      const tokens = s.levelUnits / p.windowMs;
      return {
        ...base,
        fill: tokens / p.burst,
        label: `${tokens.toFixed(1)} / ${p.burst} tokens`,
      };
    }
    case 'leaky-meter': {
      leakWater(s, p, nowMs);
      const water = s.levelUnits / p.windowMs;
      return { ...base, fill: water / p.burst, label: `${water.toFixed(1)} / ${p.burst} full` };
    }
    case 'leaky-queue': {
      const nowUnits = nowMs * p.limit;
      drainQueue(s, nowUnits);
      return {
        ...base,
        fill: s.departuresUnits.length / p.burst,
        label: `${s.departuresUnits.length} / ${p.burst} queued`,
        marks: s.departuresUnits
          .slice(0, PICTURE_MARKS_MAX)
          .map((d) => Math.ceil((d - nowUnits) / p.limit)),
      };
    }
    case 'fixed-window': {
      rollFixedWindow(s, p, nowMs);
      return {
        ...base,
        fill: s.count / p.limit,
        label: `${s.count} / ${p.limit} this window`,
        windowElapsed: (nowMs - s.windowStartMs) / p.windowMs,
        currentCount: s.count,
      };
    }
    case 'sliding-log': {
      evictExpired(s, p, nowMs);
      const size = logSize(s);
      const marks: number[] = [];
      for (let i = Math.max(s.head, s.log.length - PICTURE_MARKS_MAX); i < s.log.length; i += 1) {
        marks.push(nowMs - s.log[i]!);
      }
      return { ...base, fill: size / p.limit, label: `${size} / ${p.limit} in log`, marks };
    }
    case 'sliding-counter': {
      rollCounterWindows(s, p, nowMs);
      const estimate = slidingEstimate(s, p, nowMs);
      return {
        ...base,
        fill: estimate / p.limit,
        label: `≈ ${estimate.toFixed(1)} / ${p.limit} weighted`,
        windowElapsed: (nowMs - s.windowStartMs) / p.windowMs,
        previousCount: s.previousCount,
        currentCount: s.currentCount,
      };
    }
    case 'gcra': {
      const lead = Math.max(0, s.tatUnits - nowMs * p.limit);
      const used = lead / p.windowMs;
      return {
        ...base,
        fill: used / p.burst,
        label: `TAT +${Math.ceil(lead / p.limit)} ms (${(p.burst - used).toFixed(1)} left)`,
      };
    }
  }
}

/**
 * The single-tier hot path of the million-request comparison: decide and record in one pass,
 * with no allocation. Returns when the request is forwarded, or -1 when it is refused. A
 * property test holds it to exactly the decisions of `tryAcquire`.
 */
export function acquireNow(s: LimiterState, p: LimitParams, nowMs: number): number {
  switch (s.kind) {
    case 'token-bucket':
      return acquireTokenBucket(s, p, nowMs);
    case 'leaky-meter':
      return acquireLeakyMeter(s, p, nowMs);
    case 'gcra':
      return acquireGcra(s, p, nowMs);
    case 'fixed-window':
      return acquireFixedWindow(s, p, nowMs);
    case 'sliding-log':
      return acquireSlidingLog(s, p, nowMs);
    case 'sliding-counter':
      return acquireSlidingCounter(s, p, nowMs);
    case 'leaky-queue':
      return acquireLeakyQueue(s, p, nowMs);
  }
}

function acquireTokenBucket(s: TokenBucketState, p: LimitParams, nowMs: number): number {
  const W = p.windowMs;
  const level = Math.min(p.burst * W, s.levelUnits + (nowMs - s.lastMs) * p.limit);
  s.lastMs = nowMs;
  if (level < W) {
    s.levelUnits = level;
    return -1;
  }
  s.levelUnits = level - W;
  return nowMs;
}

function acquireLeakyMeter(s: LeakyMeterState, p: LimitParams, nowMs: number): number {
  const W = p.windowMs;
  const level = Math.max(0, s.levelUnits - (nowMs - s.lastMs) * p.limit);
  s.lastMs = nowMs;
  s.levelUnits = level;
  if (level + W > p.burst * W) return -1;
  s.levelUnits = level + W;
  return nowMs;
}

function acquireGcra(s: GcraState, p: LimitParams, nowMs: number): number {
  const nowUnits = nowMs * p.limit;
  const tat = s.tatUnits > nowUnits ? s.tatUnits : nowUnits;
  if (tat - nowUnits > (p.burst - 1) * p.windowMs) return -1;
  s.tatUnits = tat + p.windowMs;
  return nowMs;
}

function acquireFixedWindow(s: FixedWindowState, p: LimitParams, nowMs: number): number {
  const start = nowMs - (nowMs % p.windowMs);
  if (start !== s.windowStartMs) {
    s.windowStartMs = start;
    s.count = 0;
  }
  if (s.count >= p.limit) return -1;
  s.count += 1;
  return nowMs;
}

function acquireSlidingLog(s: SlidingLogState, p: LimitParams, nowMs: number): number {
  evictExpired(s, p, nowMs);
  if (s.log.length - s.head >= p.limit) return -1;
  s.log.push(nowMs);
  return nowMs;
}

function acquireSlidingCounter(s: SlidingCounterState, p: LimitParams, nowMs: number): number {
  rollCounterWindows(s, p, nowMs);
  if (weightedUnits(s, p, nowMs, 1) > p.limit * p.windowMs) return -1;
  s.currentCount += 1;
  return nowMs;
}

function acquireLeakyQueue(s: LeakyQueueState, p: LimitParams, nowMs: number): number {
  const nowUnits = nowMs * p.limit;
  drainQueue(s, nowUnits);
  if (s.departuresUnits.length >= p.burst) return -1;
  const departure = nextDepartureUnits(s, p, nowUnits);
  s.lastDepartureUnits = departure;
  if (departure > nowUnits) s.departuresUnits.push(departure);
  return ceilDiv(departure, p.limit);
}

/**
 * `acquireNow` over a slice of a request stream, with one dispatch per slice instead of one per
 * request (each loop below sees one state shape, which keeps it fast): request i, for
 * from ≤ i < to, arrives at `times[i]` from client `clients[i]`, whose limiter is
 * `limiters[keyOfClient[client]]` (clients behind one IP share a key). Writes when each request
 * is forwarded, or -1 when it is refused, to `forwardAt[i - from]`, and counts it in `tally`
 * when one is given (in the same pass: the stream is read once). All limiters are of `algorithm`.
 */
export function acquireRange(
  algorithm: AlgorithmId,
  limiters: readonly LimiterState[],
  p: LimitParams,
  times: Float64Array,
  clients: Uint8Array,
  keyOfClient: Int32Array,
  from: number,
  to: number,
  forwardAt: Float64Array,
  tally: RangeTally | null = null,
): void {
  for (const limiter of limiters) {
    assert(limiter.kind === algorithm, `acquireRange: every limiter is a ${algorithm}`);
  }
  const range: Range = { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally };
  switch (algorithm) {
    case 'token-bucket':
      rangeTokenBucket(range);
      return;
    case 'leaky-meter':
      rangeLeakyMeter(range);
      return;
    case 'gcra':
      rangeGcra(range);
      return;
    case 'fixed-window':
      rangeFixedWindow(range);
      return;
    case 'sliding-log':
      rangeSlidingLog(range);
      return;
    case 'sliding-counter':
      rangeSlidingCounter(range);
      return;
    case 'leaky-queue':
      rangeLeakyQueue(range);
      return;
  }
}

/** One slice of the stream and where its decisions go (see acquireRange). */
interface Range {
  limiters: readonly LimiterState[];
  p: LimitParams;
  times: Float64Array;
  clients: Uint8Array;
  keyOfClient: Int32Array;
  from: number;
  to: number;
  forwardAt: Float64Array;
  tally: RangeTally | null;
}

// One small loop per algorithm, so each sees one state shape and the engine inlines the
// algorithm's step and the tally into it.
function rangeTokenBucket(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireTokenBucket(limiters[keyOfClient[client]!] as TokenBucketState, p, atMs);
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function rangeLeakyMeter(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireLeakyMeter(limiters[keyOfClient[client]!] as LeakyMeterState, p, atMs);
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function rangeGcra(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireGcra(limiters[keyOfClient[client]!] as GcraState, p, atMs);
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function rangeFixedWindow(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireFixedWindow(limiters[keyOfClient[client]!] as FixedWindowState, p, atMs);
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function rangeSlidingLog(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireSlidingLog(limiters[keyOfClient[client]!] as SlidingLogState, p, atMs);
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function rangeSlidingCounter(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireSlidingCounter(
      limiters[keyOfClient[client]!] as SlidingCounterState,
      p,
      atMs,
    );
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function rangeLeakyQueue(r: Range): void {
  const { limiters, p, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  for (let i = from; i < to; i += 1) {
    const client = clients[i]!;
    const atMs = times[i]!;
    const forward = acquireLeakyQueue(limiters[keyOfClient[client]!] as LeakyQueueState, p, atMs);
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

/**
 * `peekLimiter` without the response figures, allocating nothing (the multi-tier batch path):
 * -1 when the request would be refused, else how long it would wait in a queue (0 elsewhere).
 * Ages the state as peeking does.
 */
export function admitDelayMs(s: LimiterState, p: LimitParams, nowMs: number): number {
  switch (s.kind) {
    case 'token-bucket':
      return admitTokenBucket(s, p, nowMs);
    case 'leaky-meter':
      return admitLeakyMeter(s, p, nowMs);
    case 'leaky-queue':
      return admitLeakyQueue(s, p, nowMs);
    case 'fixed-window':
      return admitFixedWindow(s, p, nowMs);
    case 'sliding-log':
      return admitSlidingLog(s, p, nowMs);
    case 'sliding-counter':
      return admitSlidingCounter(s, p, nowMs);
    case 'gcra':
      return admitGcra(s, p, nowMs);
  }
}

function admitTokenBucket(s: TokenBucketState, p: LimitParams, nowMs: number): number {
  refillTokens(s, p, nowMs);
  return s.levelUnits >= p.windowMs ? 0 : -1;
}

function admitLeakyMeter(s: LeakyMeterState, p: LimitParams, nowMs: number): number {
  leakWater(s, p, nowMs);
  return s.levelUnits + p.windowMs <= p.burst * p.windowMs ? 0 : -1;
}

function admitLeakyQueue(s: LeakyQueueState, p: LimitParams, nowMs: number): number {
  const nowUnits = nowMs * p.limit;
  drainQueue(s, nowUnits);
  if (s.departuresUnits.length >= p.burst) return -1;
  return ceilDiv(nextDepartureUnits(s, p, nowUnits) - nowUnits, p.limit);
}

function admitFixedWindow(s: FixedWindowState, p: LimitParams, nowMs: number): number {
  rollFixedWindow(s, p, nowMs);
  return s.count < p.limit ? 0 : -1;
}

function admitSlidingLog(s: SlidingLogState, p: LimitParams, nowMs: number): number {
  evictExpired(s, p, nowMs);
  return logSize(s) < p.limit ? 0 : -1;
}

function admitSlidingCounter(s: SlidingCounterState, p: LimitParams, nowMs: number): number {
  rollCounterWindows(s, p, nowMs);
  return weightedUnits(s, p, nowMs, 1) <= p.limit * p.windowMs ? 0 : -1;
}

function admitGcra(s: GcraState, p: LimitParams, nowMs: number): number {
  const nowUnits = nowMs * p.limit;
  const tat = Math.max(s.tatUnits, nowUnits);
  return tat - nowUnits <= (p.burst - 1) * p.windowMs ? 0 : -1;
}

/**
 * `commitLimiter` right after `admitDelayMs` allowed the request at the same nowMs: the state is
 * aged already, so this only records it (the multi-tier batch path). Returns when the request
 * leaves: for the shaping queue no earlier than departNotBeforeMs, for the others nowMs.
 */
export function commitAdmitted(
  s: LimiterState,
  p: LimitParams,
  nowMs: number,
  departNotBeforeMs: number,
): number {
  switch (s.kind) {
    case 'token-bucket':
      return commitTokenBucket(s, p, nowMs, departNotBeforeMs);
    case 'leaky-meter':
      return commitLeakyMeter(s, p, nowMs, departNotBeforeMs);
    case 'leaky-queue':
      return commitLeakyQueue(s, p, nowMs, departNotBeforeMs);
    case 'fixed-window':
      return commitFixedWindow(s, p, nowMs, departNotBeforeMs);
    case 'sliding-log':
      return commitSlidingLog(s, p, nowMs, departNotBeforeMs);
    case 'sliding-counter':
      return commitSlidingCounter(s, p, nowMs, departNotBeforeMs);
    case 'gcra':
      return commitGcra(s, p, nowMs, departNotBeforeMs);
  }
}

function commitTokenBucket(
  s: TokenBucketState,
  p: LimitParams,
  nowMs: number,
  _departNotBeforeMs: number,
): number {
  s.levelUnits -= p.windowMs;
  return nowMs;
}

function commitLeakyMeter(
  s: LeakyMeterState,
  p: LimitParams,
  nowMs: number,
  _departNotBeforeMs: number,
): number {
  s.levelUnits += p.windowMs;
  return nowMs;
}

function commitLeakyQueue(
  s: LeakyQueueState,
  p: LimitParams,
  nowMs: number,
  departNotBeforeMs: number,
): number {
  const nowUnits = nowMs * p.limit;
  const departure = Math.max(nextDepartureUnits(s, p, nowUnits), departNotBeforeMs * p.limit);
  s.lastDepartureUnits = departure;
  if (departure > nowUnits) s.departuresUnits.push(departure);
  return ceilDiv(departure, p.limit);
}

function commitFixedWindow(
  s: FixedWindowState,
  _p: LimitParams,
  nowMs: number,
  _departNotBeforeMs: number,
): number {
  s.count += 1;
  return nowMs;
}

function commitSlidingLog(
  s: SlidingLogState,
  _p: LimitParams,
  nowMs: number,
  _departNotBeforeMs: number,
): number {
  s.log.push(nowMs);
  return nowMs;
}

function commitSlidingCounter(
  s: SlidingCounterState,
  _p: LimitParams,
  nowMs: number,
  _departNotBeforeMs: number,
): number {
  s.currentCount += 1;
  return nowMs;
}

function commitGcra(
  s: GcraState,
  p: LimitParams,
  nowMs: number,
  _departNotBeforeMs: number,
): number {
  s.tatUnits = Math.max(s.tatUnits, nowMs * p.limit) + p.windowMs;
  return nowMs;
}

/**
 * `acquireRange` with several tiers, as a lane decides (every tier must allow; a queue tier may
 * delay), without the response figures: `limiters[tier]` holds one limiter per key, or a single
 * one shared by every key (the global tier). Writes the forward time, or -1 when refused.
 */
export function acquireTiersRange(
  limiters: LimiterState[][],
  params: LimitParams[],
  times: Float64Array,
  clients: Uint8Array,
  keyOfClient: Int32Array,
  from: number,
  to: number,
  forwardAt: Float64Array,
  tally: RangeTally | null = null,
): void {
  const algorithm = limiters[0]?.[0]?.kind;
  for (const tier of limiters) {
    for (const limiter of tier) {
      assert(limiter.kind === algorithm, 'acquireTiersRange: every limiter is of one algorithm');
    }
  }
  const r: TiersRange = {
    limiters,
    params,
    times,
    clients,
    keyOfClient,
    from,
    to,
    forwardAt,
    tally,
  };
  switch (algorithm) {
    case 'token-bucket':
      tiersTokenBucket(r);
      return;
    case 'leaky-meter':
      tiersLeakyMeter(r);
      return;
    case 'leaky-queue':
      tiersLeakyQueue(r);
      return;
    case 'fixed-window':
      tiersFixedWindow(r);
      return;
    case 'sliding-log':
      tiersSlidingLog(r);
      return;
    case 'sliding-counter':
      tiersSlidingCounter(r);
      return;
    case 'gcra':
      tiersGcra(r);
      return;
    case undefined:
      return;
  }
}

interface TiersRange {
  limiters: LimiterState[][];
  params: LimitParams[];
  times: Float64Array;
  clients: Uint8Array;
  keyOfClient: Int32Array;
  from: number;
  to: number;
  forwardAt: Float64Array;
  tally: RangeTally | null;
}

// As with acquireRange, one small loop per algorithm: peek every tier (a refusal stops it), then
// record the request in every tier, held as long as the slowest queue says.
function tiersTokenBucket(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitTokenBucket(
        own[own.length === 1 ? 0 : key] as TokenBucketState,
        params[t]!,
        atMs,
      );
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as TokenBucketState;
        const departs = commitTokenBucket(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function tiersLeakyMeter(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitLeakyMeter(
        own[own.length === 1 ? 0 : key] as LeakyMeterState,
        params[t]!,
        atMs,
      );
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as LeakyMeterState;
        const departs = commitLeakyMeter(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function tiersLeakyQueue(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitLeakyQueue(
        own[own.length === 1 ? 0 : key] as LeakyQueueState,
        params[t]!,
        atMs,
      );
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as LeakyQueueState;
        const departs = commitLeakyQueue(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function tiersFixedWindow(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitFixedWindow(
        own[own.length === 1 ? 0 : key] as FixedWindowState,
        params[t]!,
        atMs,
      );
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as FixedWindowState;
        const departs = commitFixedWindow(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function tiersSlidingLog(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitSlidingLog(
        own[own.length === 1 ? 0 : key] as SlidingLogState,
        params[t]!,
        atMs,
      );
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as SlidingLogState;
        const departs = commitSlidingLog(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function tiersSlidingCounter(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitSlidingCounter(
        own[own.length === 1 ? 0 : key] as SlidingCounterState,
        params[t]!,
        atMs,
      );
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as SlidingCounterState;
        const departs = commitSlidingCounter(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

function tiersGcra(r: TiersRange): void {
  const { limiters, params, times, clients, keyOfClient, from, to, forwardAt, tally } = r;
  const tierCount = limiters.length;
  for (let i = from; i < to; i += 1) {
    const atMs = times[i]!;
    const client = clients[i]!;
    const key = keyOfClient[client]!;
    let delayMs = 0;
    let t = 0;
    for (; t < tierCount; t += 1) {
      const own = limiters[t]!;
      const delay = admitGcra(own[own.length === 1 ? 0 : key] as GcraState, params[t]!, atMs);
      if (delay < 0) break;
      if (delay > delayMs) delayMs = delay;
    }
    let forward = -1;
    if (t === tierCount) {
      forward = atMs;
      for (let k = 0; k < tierCount; k += 1) {
        const own = limiters[k]!;
        const state = own[own.length === 1 ? 0 : key] as GcraState;
        const departs = commitGcra(state, params[k]!, atMs, atMs + delayMs);
        if (departs > forward) forward = departs;
      }
    }
    forwardAt[i - from] = forward;
    if (tally) record(tally, client, forward, atMs);
  }
}

/**
 * The comparison's figures over a stream: accepted, delayed and refused requests, and the most
 * requests one client got through in any window of `windowMs` (each forwarded request counts the
 * ones of its client in the window ending at it). Each client has its own stretch of `kept`, sized
 * by how many requests it sends, with a head (the oldest still in the window) and a tail.
 */
export interface RangeTally {
  accepted: number;
  delayed: number;
  rejected: number;
  maxInWindow: number;
  windowMs: number;
  kept: Float64Array;
  start: Int32Array;
  head: Int32Array;
  tail: Int32Array;
}

export function createRangeTally(
  clients: Uint8Array,
  count: number,
  clientCount: number,
  windowMs: number,
): RangeTally {
  const start = new Int32Array(clientCount + 1);
  for (let i = 0; i < count; i += 1) start[clients[i]! + 1]! += 1;
  for (let c = 0; c < clientCount; c += 1) start[c + 1]! += start[c]!;
  const tally: RangeTally = {
    accepted: 0,
    delayed: 0,
    rejected: 0,
    maxInWindow: 0,
    windowMs,
    kept: new Float64Array(Math.max(1, count)),
    start,
    head: new Int32Array(clientCount),
    tail: new Int32Array(clientCount),
  };
  resetRangeTally(tally);
  return tally;
}

export function resetRangeTally(tally: RangeTally): void {
  tally.accepted = 0;
  tally.delayed = 0;
  tally.rejected = 0;
  tally.maxInWindow = 0;
  tally.head.set(tally.start.subarray(0, tally.head.length));
  tally.tail.set(tally.start.subarray(0, tally.tail.length));
}

/** Counts one decided request: forwarded at `forward` (or refused, -1), having arrived at atMs. */
function record(tally: RangeTally, client: number, forward: number, atMs: number): void {
  if (forward < 0) {
    tally.rejected += 1;
    return;
  }
  if (forward > atMs) tally.delayed += 1;
  else tally.accepted += 1;
  const kept = tally.kept;
  let h = tally.head[client]!;
  const t = tally.tail[client]!;
  kept[t] = forward;
  const horizon = forward - tally.windowMs;
  while (h <= t && kept[h]! <= horizon) h += 1;
  tally.head[client] = h;
  tally.tail[client] = t + 1;
  if (t + 1 - h > tally.maxInWindow) tally.maxInWindow = t + 1 - h;
}
