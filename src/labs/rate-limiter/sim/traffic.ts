/**
 * Seeded client traffic: each client's share of the total rate, and the patterns (steady,
 * Poisson, periodic bursts, a ramp, and the window-boundary attack). Every lane sees exactly the
 * same arrivals; only retries differ per lane, because they depend on each lane's decisions.
 */
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  scheduleEvent,
} from '../../../kernel/event-queue';
import { nextFloat, type RngState } from '../../../kernel/prng';
import type { TrafficPattern } from './constants';

export const BURSTS_PERIOD_MS = 2_000;
export const BURSTS_OFFSET_MS = 500;
export const RAMP_PERIOD_MS = 30_000;
/** The boundary attack repeats every this many windows, so every limiter recovers in between. */
export const BOUNDARY_PERIOD_WINDOWS = 3;

export interface TrafficSettings {
  pattern: TrafficPattern;
  ratePerSecond: number;
  clients: number;
  abuseFactor: number;
  /** The per-client limit and its window: the boundary attack sends a full limit each side. */
  limit: number;
  windowMs: number;
}

export interface TrafficState {
  settings: TrafficSettings;
  /** Each client's share of the rate, per second (derived from the settings at each restart). */
  rates: number[];
  /** The traffic's own random stream, so retries and networks never shift the arrivals. */
  rng: RngState;
  /** Next arrival time of each client's continuous stream (fractional ms); Infinity when idle. */
  nextAtExact: number[];
  /** When the next burst or attack cycle is scheduled. */
  nextCycleAtMs: number;
  cycle: number;
  /** Arrivals already placed in time (bursts, the attack): the client index at each time. */
  scheduled: EventQueue<number>;
}

export interface Arrival {
  atMs: number;
  client: number;
}

/** The client weights: the abusive client (seat 0) sends abuseFactor times a normal client. */
export function clientRates(settings: TrafficSettings): number[] {
  const weights = Array.from({ length: settings.clients }, (_, i) =>
    i === 0 ? settings.abuseFactor : 1,
  );
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (settings.ratePerSecond * w) / total);
}

function hasContinuousStream(settings: TrafficSettings, client: number): boolean {
  switch (settings.pattern) {
    case 'steady':
    case 'poisson':
    case 'ramp':
      return true;
    case 'boundary':
      // The attacker (seat 0) attacks; the other clients keep a Poisson background.
      return client !== 0;
    case 'bursts':
    case 'none':
      return false;
  }
}

function rampFactor(atMs: number): number {
  return 0.1 + 1.9 * ((atMs % RAMP_PERIOD_MS) / RAMP_PERIOD_MS);
}

/** The gap to a client's next arrival, in fractional ms. */
function nextGapMs(state: TrafficState, client: number, atMs: number): number {
  const rng = state.rng;
  const s = state.settings;
  const rate = state.rates[client] ?? 0;
  if (rate <= 0 || !hasContinuousStream(s, client)) return Number.POSITIVE_INFINITY;
  if (s.pattern === 'steady') return 1000 / rate;
  const effective = s.pattern === 'ramp' ? rate * rampFactor(atMs) : rate;
  // Exponential gaps: a Poisson process (for the ramp, at the rate in force now).
  return (-Math.log(1 - nextFloat(rng)) * 1000) / effective;
}

export function createTraffic(
  settings: TrafficSettings,
  rng: RngState,
  nowMs: number,
): TrafficState {
  const state: TrafficState = {
    settings: { ...settings },
    rng,
    rates: [],
    nextAtExact: [],
    nextCycleAtMs: 0,
    cycle: 0,
    scheduled: createEventQueue(),
  };
  restartTraffic(state, nowMs);
  return state;
}

/** Restarts every stream from now (after a change of pattern, rate or clients). */
export function restartTraffic(state: TrafficState, nowMs: number): void {
  const s = state.settings;
  state.rates = clientRates(s);
  state.scheduled = createEventQueue();
  state.nextAtExact = [];
  for (let client = 0; client < s.clients; client += 1) {
    const gap = nextGapMs(state, client, nowMs);
    // Steady streams are phased so clients do not all fire in the same millisecond.
    const phase = s.pattern === 'steady' ? (gap * (client + 1)) / (s.clients + 1) : gap;
    state.nextAtExact.push(nowMs + phase);
  }
  state.cycle = 0;
  state.nextCycleAtMs = firstCycleAtMs(s, nowMs);
}

function boundarySpanMs(s: TrafficSettings): number {
  return Math.max(1, Math.floor(s.windowMs / 10));
}

function firstCycleAtMs(s: TrafficSettings, nowMs: number): number {
  if (s.pattern === 'bursts') {
    const k = Math.ceil((nowMs - BURSTS_OFFSET_MS) / BURSTS_PERIOD_MS);
    return Math.max(0, k) * BURSTS_PERIOD_MS + BURSTS_OFFSET_MS;
  }
  if (s.pattern === 'boundary') {
    // The first window boundary whose attack can start now or later.
    const span = boundarySpanMs(s);
    const boundary = (Math.floor((nowMs + span) / s.windowMs) + 1) * s.windowMs;
    return boundary - span;
  }
  return Number.POSITIVE_INFINITY;
}

/** Places one burst or attack cycle's arrivals in time. */
function scheduleCycle(state: TrafficState): void {
  const s = state.settings;
  const at = state.nextCycleAtMs;
  if (s.pattern === 'bursts') {
    const rates = state.rates;
    for (let client = 0; client < s.clients; client += 1) {
      const count = Math.max(1, Math.round(((rates[client] ?? 0) * BURSTS_PERIOD_MS) / 1000));
      for (let i = 0; i < count; i += 1) scheduleEvent(state.scheduled, at, client);
    }
    state.nextCycleAtMs = at + BURSTS_PERIOD_MS;
  } else if (s.pattern === 'boundary') {
    // A full limit in the last tenth of one window, and again in the first tenth of the next.
    const span = boundarySpanMs(s);
    const boundary = at + span;
    for (let i = 0; i < s.limit; i += 1) {
      scheduleEvent(state.scheduled, boundary - span + Math.floor((i * span) / s.limit), 0);
    }
    for (let i = 0; i < s.limit; i += 1) {
      scheduleEvent(state.scheduled, boundary + Math.floor((i * span) / s.limit), 0);
    }
    state.nextCycleAtMs = at + BOUNDARY_PERIOD_WINDOWS * s.windowMs;
  }
  state.cycle += 1;
}

/** The time of the next arrival, or null when no client will send. */
export function nextArrivalAtMs(state: TrafficState): number | null {
  let next = Math.min(state.nextCycleAtMs, peekNextAtMs(state.scheduled) ?? Infinity);
  for (const exact of state.nextAtExact) next = Math.min(next, Math.ceil(exact));
  return Number.isFinite(next) ? next : null;
}

/** Every arrival at exactly atMs (call with atMs = nextArrivalAtMs), in a fixed order. */
export function takeArrivalsAt(state: TrafficState, atMs: number): Arrival[] {
  const arrivals: Arrival[] = [];
  while (state.nextCycleAtMs <= atMs) scheduleCycle(state);
  let due = popNextDue(state.scheduled, atMs);
  while (due !== null) {
    arrivals.push({ atMs, client: due.event });
    due = popNextDue(state.scheduled, atMs);
  }
  for (let client = 0; client < state.nextAtExact.length; client += 1) {
    while (Math.ceil(state.nextAtExact[client]!) <= atMs) {
      arrivals.push({ atMs, client });
      state.nextAtExact[client]! += nextGapMs(state, client, atMs);
    }
  }
  return arrivals;
}

/**
 * The batch form of `nextArrivalAtMs` + `takeArrivalsAt`: writes the next arrivals, in exactly
 * the order those give, to `times` and `clients` at indexes from ≤ i < to, allocating nothing
 * per arrival. Returns the index after the last one written: less than `to` only when no client
 * will send again. It may stop inside a millisecond; the next call carries on from there in the
 * same order, because scheduled arrivals come first and then the clients in order, and a client
 * whose arrivals at that millisecond were taken has moved past it.
 */
export function fillArrivals(
  state: TrafficState,
  times: Float64Array,
  clients: Uint8Array,
  from: number,
  to: number,
): number {
  const exact = state.nextAtExact;
  const count = exact.length;
  let n = from;
  while (n < to) {
    let atMs = state.nextCycleAtMs;
    const scheduledAt = peekNextAtMs(state.scheduled);
    if (scheduledAt !== null && scheduledAt < atMs) atMs = scheduledAt;
    for (let client = 0; client < count; client += 1) {
      const at = Math.ceil(exact[client]!);
      if (at < atMs) atMs = at;
    }
    if (!Number.isFinite(atMs)) break;
    while (state.nextCycleAtMs <= atMs) scheduleCycle(state);
    let due = n < to ? popNextDue(state.scheduled, atMs) : null;
    while (due !== null) {
      times[n] = atMs;
      clients[n] = due.event;
      n += 1;
      due = n < to ? popNextDue(state.scheduled, atMs) : null;
    }
    for (let client = 0; client < count && n < to; client += 1) {
      while (n < to && Math.ceil(exact[client]!) <= atMs) {
        times[n] = atMs;
        clients[n] = client;
        n += 1;
        exact[client]! += nextGapMs(state, client, atMs);
      }
    }
  }
  return n;
}
