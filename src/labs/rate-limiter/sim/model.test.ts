import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateLimiterDefaults } from '../config';
import { ALGORITHM_IDS } from './constants';
import { syncOvershootBound } from './distributed';
import rateLimiterSim from './index';
import type { RateLimiterCommand, RateLimiterConfig, RateLimiterState } from './model';

/** A command at its time, as the runner logs it. */
interface LoggedCommand {
  atMs: number;
  command: RateLimiterCommand;
}

import { responseHeaders } from './snapshot';

const sim = rateLimiterSim;

function runTo(
  config: Partial<RateLimiterConfig>,
  seed: number,
  commands: LoggedCommand[],
  atMs: number,
  checkEveryMs = 0,
): RateLimiterState {
  const state = sim.create({ ...rateLimiterDefaults, ...config }, seed);
  const step = (to: number) => {
    if (checkEveryMs > 0) {
      for (let t = state.nowMs + checkEveryMs; t < to; t += checkEveryMs) {
        sim.advanceTo(state, t);
        sim.checkInvariants!(state);
      }
    }
    if (to > state.nowMs) sim.advanceTo(state, to);
    sim.checkInvariants!(state);
  };
  for (const logged of commands) {
    step(logged.atMs);
    sim.apply(state, logged.command as RateLimiterCommand);
    sim.checkInvariants!(state);
  }
  step(atMs);
  return state;
}

const ALL_SIX = 'token-bucket,leaky-queue,fixed-window,sliding-log,sliding-counter,gcra';

describe('the lab as a user drives it', () => {
  it('a burst of 20 at a token bucket of capacity 10: exactly 10 accepted, 10 answered 429', () => {
    const state = runTo(
      { pattern: 'none' },
      1,
      [{ atMs: 0, command: { type: 'fireBurst', count: 20, client: 0 } }],
      0,
    );
    const view = sim.view(state, {});
    const lane = view.lanes[0]!;
    expect([lane.accepted, lane.rejected, lane.delayed]).toEqual([10, 10, 0]);
    const last = lane.latest.at(-1)!;
    expect(last.status).toBe(429);
    const { statusLine, headers } = responseHeaders(last);
    expect(statusLine).toBe('HTTP/1.1 429 Too Many Requests');
    // One token comes back every 100 ms; the header rounds up to whole seconds.
    expect(last.retryAfterMs).toBe(100);
    expect(headers).toContainEqual(['Retry-After', '1']);
    expect(headers).toContainEqual(['RateLimit-Remaining', '0']);
    expect(headers).toContainEqual(['RateLimit-Limit', '10']);
    expect(state.events.items.at(-1)!.text).toContain('10 accepted, 10 got 429');
  });

  it('the boundary attack in compare mode: fixed window lets 2 × limit through, the log holds the limit', () => {
    const state = runTo(
      { lanes: ALL_SIX, pattern: 'boundary', clients: 1, abuseFactor: 1 },
      5,
      [],
      10_000,
    );
    const byAlgorithm = Object.fromEntries(
      sim.view(state, {}).lanes.map((lane) => [lane.algorithm, lane.maxInWindow]),
    );
    expect(byAlgorithm['fixed-window']).toBe(20);
    expect(byAlgorithm['sliding-log']).toBe(10);
    expect(byAlgorithm['leaky-queue']).toBeLessThanOrEqual(10);
    expect(byAlgorithm['sliding-counter']).toBeLessThan(20);
    expect(byAlgorithm['token-bucket']).toBe(byAlgorithm.gcra);
  });

  it('honouring Retry-After: a lone client that retries exactly when told is let in', () => {
    for (const algorithm of ALGORITHM_IDS) {
      const state = runTo(
        { lanes: algorithm, pattern: 'none', clients: 1, abuseFactor: 1 },
        2,
        [
          { atMs: 0, command: { type: 'fireBurst', count: 11, client: 0 } },
          { atMs: 5, command: { type: 'setRetry', retry: 'honour' } },
          { atMs: 10, command: { type: 'fireBurst', count: 1, client: 0 } },
        ],
        20_000,
      );
      const lane = state.lanes[0]!;
      const refused = lane.recent.find((r) => r.atMs === 10)!;
      expect(refused.status).toBe(429);
      const retry = lane.recent.find((r) => r.attempt === 2)!;
      expect(retry.atMs).toBe(10 + refused.retryAfterMs);
      expect(retry.status).toBe(200);
      expect(lane.gaveUp).toBe(0);
    }
  });

  it('after a one-off burst, a retry storm gives up before a token comes back; honouring gets more through', () => {
    const base = { pattern: 'none' as const, clients: 1, abuseFactor: 1 };
    const burst: LoggedCommand[] = [
      { atMs: 0, command: { type: 'fireBurst', count: 30, client: 0 } },
    ];
    const storm = runTo({ ...base, retry: 'storm' }, 3, burst, 5_000).lanes[0]!;
    const honour = runTo({ ...base, retry: 'honour' }, 3, burst, 5_000).lanes[0]!;
    // Storm: 20 refused, each retried every 20 ms four times, all inside the first 100 ms.
    expect(storm.accepted).toBe(10);
    expect(storm.gaveUp).toBe(20);
    expect(storm.attempts).toBe(30 + 20 * 4);
    // Honouring: every retry comes when a token is due, so one more gets in each time.
    expect(honour.accepted).toBe(14);
    expect(honour.gaveUp).toBe(16);
  });

  it('keyed by IP, the two clients behind one NAT share a limit', () => {
    const fire = (client: number): LoggedCommand => ({
      atMs: 0,
      command: { type: 'fireBurst', count: 10, client },
    });
    const byUser = runTo(
      { pattern: 'none', clients: 4, abuseFactor: 1, keyBy: 'user' },
      1,
      [fire(2), fire(3)],
      0,
    );
    const byIp = runTo(
      { pattern: 'none', clients: 4, abuseFactor: 1, keyBy: 'ip' },
      1,
      [fire(2), fire(3)],
      0,
    );
    expect(byUser.lanes[0]!.accepted).toBe(20);
    expect(byIp.lanes[0]!.accepted).toBe(10);
  });

  it('a global limit and a per-minute tier both bind', () => {
    const global = runTo(
      { pattern: 'none', clients: 3, abuseFactor: 1, globalLimit: 15 },
      1,
      [
        { atMs: 0, command: { type: 'fireBurst', count: 10, client: 0 } },
        { atMs: 0, command: { type: 'fireBurst', count: 10, client: 1 } },
      ],
      0,
    ).lanes[0]!;
    expect(global.accepted).toBe(15);
    expect(global.recent.at(-1)!.refusedBy).toBe('global');
    const minute = runTo(
      {
        lanes: 'fixed-window',
        pattern: 'steady',
        ratePerSecond: 10,
        clients: 1,
        abuseFactor: 1,
        minuteLimit: 30,
      },
      1,
      [],
      10_000,
    ).lanes[0]!;
    expect(minute.accepted).toBe(30);
    expect(minute.recent.at(-1)!.refusedBy).toBe('minute');
  });

  it('invariants hold over many seeds, patterns and commands', () => {
    const commandArb: fc.Arbitrary<RateLimiterCommand> = fc.oneof(
      fc.record({
        type: fc.constant('fireBurst' as const),
        count: fc.integer({ min: 1, max: 60 }),
        client: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({
        type: fc.constant('setRetry' as const),
        retry: fc.constantFrom('none' as const, 'honour' as const, 'storm' as const),
      }),
      fc.record({
        type: fc.constant('setTraffic' as const),
        pattern: fc.constantFrom(
          'none' as const,
          'steady' as const,
          'poisson' as const,
          'bursts' as const,
          'ramp' as const,
          'boundary' as const,
        ),
        ratePerSecond: fc.integer({ min: 0, max: 200 }),
      }),
      fc.record({
        type: fc.constant('setLanes' as const),
        lanes: fc.shuffledSubarray([...ALGORITHM_IDS], { minLength: 1, maxLength: 6 }),
      }),
      fc.record({
        type: fc.constant('setLimits' as const),
        limit: fc.integer({ min: 1, max: 30 }),
        windowMs: fc.integer({ min: 100, max: 3_000 }),
        burst: fc.integer({ min: 1, max: 30 }),
        minuteLimit: fc.constantFrom(0, 50),
        globalLimit: fc.constantFrom(0, 25),
      }),
    );
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 8_000 }), command: commandArb }), {
          maxLength: 6,
        }),
        (seed, raw) => {
          const commands = [...raw].sort((a, b) => a.atMs - b.atMs);
          runTo({ lanes: ALL_SIX, clients: 4 }, seed, commands, 10_000, 250);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('distributed limiting', () => {
  const distributed = (seed: number, syncMs = 200, gateways = 3) =>
    runTo(
      {
        mode: 'distributed',
        gateways,
        syncMs,
        storeLatencyMs: 20,
        pattern: 'poisson',
        ratePerSecond: 120,
        clients: 2,
        abuseFactor: 3,
      },
      seed,
      [],
      15_000,
    );

  it('the atomic counter never accepts over the limit (many seeds)', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const atomic = distributed(seed).lanes[1]!;
        expect(atomic.dist!.strategy).toBe('atomic');
        expect(atomic.dist!.overshoot).toBe(0);
        expect(atomic.accepted).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it('read-then-write overshoots for some seed', () => {
    const overshoots = [1, 2, 3].map((seed) => distributed(seed).lanes[0]!.dist!.overshoot);
    expect(Math.max(...overshoots)).toBeGreaterThan(0);
  });

  it('synced local counters stay within (gateways − 1) × limit per window, and tighter syncs overshoot less', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 10, max: 2_000 }),
        (seed, gateways, syncMs) => {
          const sync = distributed(seed, syncMs, gateways).lanes[2]!.dist!;
          expect(sync.strategy).toBe('sync');
          expect(sync.overshootWindowMax).toBeLessThanOrEqual(syncOvershootBound(gateways, 10));
        },
      ),
      { numRuns: 20 },
    );
    let fast = 0;
    let slow = 0;
    for (const seed of [1, 2, 3, 4]) {
      fast += distributed(seed, 20).lanes[2]!.dist!.overshoot;
      slow += distributed(seed, 1_000).lanes[2]!.dist!.overshoot;
    }
    expect(fast).toBeLessThan(slow);
  });
});

describe('determinism', () => {
  const commands: LoggedCommand[] = [
    { atMs: 1_000, command: { type: 'fireBurst', count: 30, client: 1 } },
    { atMs: 2_500, command: { type: 'setRetry', retry: 'storm' } },
    { atMs: 4_000, command: { type: 'setTraffic', pattern: 'bursts', ratePerSecond: 60 } },
    {
      atMs: 6_000,
      command: {
        type: 'setDistributed',
        mode: 'distributed',
        gateways: 3,
        syncMs: 100,
        storeLatencyMs: 30,
      },
    },
  ];

  it('the same seed and commands give identical snapshots', () => {
    const a = runTo({ lanes: ALL_SIX }, 9, commands, 9_000);
    const b = runTo({ lanes: ALL_SIX }, 9, commands, 9_000);
    expect(sim.view(a, {})).toEqual(sim.view(b, {}));
    const c = runTo({ lanes: ALL_SIX }, 10, commands, 9_000);
    expect(sim.view(c, {})).not.toEqual(sim.view(a, {}));
  });
});

describe('the million-request comparison', () => {
  it('runs every algorithm on the same stream, in slices, with exact totals', () => {
    const state = sim.create(
      { ...rateLimiterDefaults, pattern: 'boundary', clients: 1, abuseFactor: 1 },
      4,
    );
    const job = sim.batch!(state, 'compareMillion', { requests: 100_000 });
    let step = job.next();
    let slices = 0;
    while (!step.done) {
      slices += 1;
      expect(step.value.done).toBeLessThanOrEqual(step.value.total);
      step = job.next();
    }
    const result = step.value as {
      requests: number;
      rows: {
        algorithm: string;
        accepted: number;
        delayed: number;
        rejected: number;
        maxInWindow: number;
      }[];
    };
    expect(slices).toBeGreaterThan(3);
    expect(result.requests).toBe(100_000);
    expect(result.rows.map((r) => r.algorithm)).toEqual([...ALGORITHM_IDS]);
    for (const row of result.rows) expect(row.accepted + row.delayed + row.rejected).toBe(100_000);
    const max = Object.fromEntries(result.rows.map((r) => [r.algorithm, r.maxInWindow]));
    expect(max['fixed-window']).toBe(20);
    expect(max['sliding-log']).toBe(10);
  });
});
