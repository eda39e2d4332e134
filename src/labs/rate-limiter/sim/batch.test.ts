import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../kernel/prng';
import { rateLimiterDefaults } from '../config';
import { commitLimiter, createLimiter, type LimiterState, peekLimiter } from './algorithms';
import type { CompareResult } from './batch';
import { runMillionComparison } from './batch';
import { ALGORITHM_IDS, type AlgorithmId, clientKey, TRAFFIC_PATTERNS } from './constants';
import { tiersOf } from './lane';
import { createRateLimiterState, type RateLimiterConfig } from './model';
import {
  createTraffic,
  fillArrivals,
  nextArrivalAtMs,
  type TrafficSettings,
  takeArrivalsAt,
} from './traffic';

/** The arrivals as the live lab takes them, one millisecond at a time. */
function arrivalsOneByOne(settings: TrafficSettings, seed: number, count: number) {
  const traffic = createTraffic(settings, createRng(seed, 17), 0);
  const times: number[] = [];
  const clients: number[] = [];
  while (times.length < count) {
    const at = nextArrivalAtMs(traffic);
    if (at === null) break;
    for (const arrival of takeArrivalsAt(traffic, at)) {
      if (times.length >= count) break;
      times.push(arrival.atMs);
      clients.push(arrival.client);
    }
  }
  return { times, clients };
}

const settingsArb: fc.Arbitrary<TrafficSettings> = fc.record({
  pattern: fc.constantFrom(...TRAFFIC_PATTERNS.filter((p) => p !== 'none')),
  ratePerSecond: fc.integer({ min: 1, max: 2_000 }),
  clients: fc.integer({ min: 1, max: 8 }),
  abuseFactor: fc.integer({ min: 1, max: 10 }),
  limit: fc.integer({ min: 1, max: 50 }),
  windowMs: fc.integer({ min: 100, max: 3_000 }),
});

describe('fillArrivals, the batch form of the traffic', () => {
  it('gives exactly the arrivals of nextArrivalAtMs + takeArrivalsAt, however it is sliced', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.integer({ min: 0, max: 1_000 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }),
        (settings, seed, slices) => {
          const count = 1_500;
          const expected = arrivalsOneByOne(settings, seed, count);
          const traffic = createTraffic(settings, createRng(seed, 17), 0);
          const times = new Float64Array(count);
          const clients = new Uint8Array(count);
          let made = 0;
          for (let k = 0; made < count; k += 1) {
            const end = Math.min(count, made + slices[k % slices.length]!);
            made = fillArrivals(traffic, times, clients, made, end);
            if (made < end) break;
          }
          expect(Array.from(times.subarray(0, made))).toEqual(expected.times);
          expect(Array.from(clients.subarray(0, made))).toEqual(expected.clients);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/**
 * A reference for the comparison, written the plain way: the arrivals one millisecond at a time,
 * every tier peeked then committed through the general peek/commit interface, and the most
 * accepted in any window counted from each client's sorted forward times with two pointers.
 */
function referenceComparison(config: RateLimiterConfig, seed: number, requests: number) {
  const state = createRateLimiterState(config, seed);
  const settings = { ...state.traffic.settings };
  if (settings.pattern === 'none') settings.pattern = 'poisson';
  if (settings.ratePerSecond <= 0) settings.ratePerSecond = 100;
  const { times, clients } = arrivalsOneByOne(settings, seed, requests);
  const tiers = tiersOf(state.limits);
  const abusive = state.clients.abuseFactor > 1;
  return ALGORITHM_IDS.map((algorithm: AlgorithmId) => {
    const perKey = new Map<string, LimiterState[]>();
    const global = tiers.global ? createLimiter(algorithm, tiers.global.params) : null;
    let accepted = 0;
    let delayed = 0;
    let rejected = 0;
    const forwarded: number[][] = Array.from({ length: settings.clients }, () => []);
    times.forEach((atMs, i) => {
      const client = clients[i]!;
      const key = clientKey(client, abusive, state.clients.keyBy);
      if (!perKey.has(key)) {
        perKey.set(
          key,
          tiers.client.map((t) => createLimiter(algorithm, t.params)),
        );
      }
      const limiters = [...perKey.get(key)!, ...(global ? [global] : [])];
      const params = [
        ...tiers.client.map((t) => t.params),
        ...(tiers.global ? [tiers.global.params] : []),
      ];
      const decisions = limiters.map((l, t) => peekLimiter(l, params[t]!, atMs));
      if (decisions.some((d) => !d.allowed)) {
        rejected += 1;
        return;
      }
      const delay = Math.max(...decisions.map((d) => d.delayMs));
      const forward = Math.max(
        atMs,
        ...limiters.map((l, t) => commitLimiter(l, params[t]!, atMs, atMs + delay)),
      );
      if (forward > atMs) delayed += 1;
      else accepted += 1;
      forwarded[client]!.push(forward);
    });
    let maxInWindow = 0;
    for (const list of forwarded) {
      const sorted = [...list].sort((a, b) => a - b);
      let lo = 0;
      for (let hi = 0; hi < sorted.length; hi += 1) {
        while (sorted[lo]! <= sorted[hi]! - state.limits.windowMs) lo += 1;
        maxInWindow = Math.max(maxInWindow, hi - lo + 1);
      }
    }
    return { algorithm, accepted, delayed, rejected, maxInWindow };
  });
}

function runToEnd(config: RateLimiterConfig, seed: number, requests: number): CompareResult {
  // Slices of 25,000: many per pass, so the slicing is tested too.
  const job = runMillionComparison(createRateLimiterState(config, seed), {
    requests,
    slice: 25_000,
  });
  let step = job.next();
  let lastDone = 0;
  let slices = 0;
  while (!step.done) {
    slices += 1;
    expect(step.value.done).toBeGreaterThanOrEqual(lastDone);
    expect(step.value.done).toBeLessThanOrEqual(step.value.total);
    lastDone = step.value.done;
    step = job.next();
  }
  expect(slices).toBe(Math.ceil(requests / 25_000) * 8);
  return step.value;
}

describe('the million-request comparison against a plain reference', () => {
  const cases: [string, Partial<RateLimiterConfig>][] = [
    ['the default scene', {}],
    ['the boundary attack', { pattern: 'boundary', clients: 2 }],
    ['periodic bursts', { pattern: 'bursts', ratePerSecond: 400, burst: 25 }],
    ['per-minute and global tiers', { minuteLimit: 300, globalLimit: 20, ratePerSecond: 80 }],
    ['clients keyed by IP, two behind one NAT', { keyBy: 'ip', clients: 5, ratePerSecond: 200 }],
    ['the large scene', { ratePerSecond: 1_000, clients: 8, limit: 7, windowMs: 700 }],
    ['only bursts (falls back to Poisson)', { pattern: 'none', ratePerSecond: 0 }],
  ];
  for (const [name, overrides] of cases) {
    it(`gives the reference's figures for ${name}`, () => {
      const config = { ...rateLimiterDefaults, ...overrides };
      const requests = 120_000;
      const result = runToEnd(config, 7, requests);
      expect(result.requests).toBe(requests);
      expect(result.rows).toEqual(referenceComparison(config, 7, requests));
    });
  }
});
