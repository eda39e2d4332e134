import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS, type AlgorithmName, CLIENT_LATENCY_MS } from './constants';
import { checkLoadBalancerInvariants } from './invariants';
import {
  advanceLoadBalancer,
  applyLoadBalancerCommand,
  createLoadBalancerState,
  DEFAULT_CONFIG,
  type LoadBalancerCommand,
  type LoadBalancerConfig,
  type LoadBalancerState,
  serviceTimeMs,
} from './model';
import { viewLoadBalancer } from './snapshot';

const BASE: LoadBalancerConfig = { ...DEFAULT_CONFIG, requestsPerSecond: 100, users: 50 };

function create(overrides: Partial<LoadBalancerConfig> = {}, seed = 1): LoadBalancerState {
  return createLoadBalancerState({ ...BASE, ...overrides }, seed);
}

/** Advances in steps, checking every invariant after each. */
function run(state: LoadBalancerState, toMs: number, stepMs = 50): void {
  for (let t = state.nowMs + stepMs; t < toMs; t += stepMs) {
    advanceLoadBalancer(state, t);
    checkLoadBalancerInvariants(state);
  }
  advanceLoadBalancer(state, toMs);
  checkLoadBalancerInvariants(state);
}

function apply(state: LoadBalancerState, command: LoadBalancerCommand): void {
  applyLoadBalancerCommand(state, command);
  checkLoadBalancerInvariants(state);
}

/** Stops new traffic and runs until every request has its answer. */
function settle(state: LoadBalancerState): void {
  apply(state, { type: 'setWorkload', requestsPerSecond: 0, arrival: 'poisson' });
  run(state, state.nowMs + state.config.timeoutMs + 5_000, 250);
}

function servedBy(state: LoadBalancerState, lane = 0): Record<string, number> {
  return Object.fromEntries(state.lanes[lane]!.servers.map((s) => [s.id, s.served]));
}

describe('requests are conserved', () => {
  const commandArb: fc.Arbitrary<LoadBalancerCommand> = fc.oneof(
    fc.constant({ type: 'addServer' } as const),
    fc
      .integer({ min: 1, max: 6 })
      .map((n) => ({ type: 'removeServer', serverId: `S${n}` }) as const),
    fc
      .record({ n: fc.integer({ min: 1, max: 6 }), crashed: fc.boolean() })
      .map(({ n, crashed }) => ({ type: 'setCrashed', serverId: `S${n}`, crashed }) as const),
    fc
      .record({ n: fc.integer({ min: 1, max: 6 }), slowness: fc.integer({ min: 1, max: 20 }) })
      .map(({ n, slowness }) => ({ type: 'setSlowness', serverId: `S${n}`, slowness }) as const),
    fc
      .record({ n: fc.integer({ min: 1, max: 6 }), periodMs: fc.constantFrom(0, 700, 2_000) })
      .map(({ n, periodMs }) => ({ type: 'setFlapping', serverId: `S${n}`, periodMs }) as const),
    fc
      .constantFrom(...ALGORITHMS)
      .map((algorithm) => ({ type: 'setAlgorithm', lane: 0, algorithm }) as const),
    fc.integer({ min: 1, max: 300 }).map((requests) => ({ type: 'burst', requests }) as const),
    fc
      .constantFrom('stateless', 'sticky', 'external')
      .map((mode) => ({ type: 'setSessions', mode }) as const),
    fc
      .record({ layer: fc.constantFrom('l4', 'l7'), pools: fc.boolean() })
      .map(({ layer, pools }) => ({ type: 'setLayer', layer, pools }) as const),
    fc
      .integer({ min: 100, max: 3_000 })
      .map((timeoutMs) => ({ type: 'setUpstreamTimeout', timeoutMs }) as const),
  );

  it('every request is answered exactly once: ok, error or dropped (any commands, any seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 1_500 }), command: commandArb }), {
          maxLength: 8,
        }),
        fc.constantFrom('', 'round-robin,least-connections', 'random,power-of-two,peak-ewma'),
        (seed, steps, compare) => {
          const state = create({ compare, requestsPerSecond: 150 }, seed);
          for (const step of steps) {
            run(state, state.nowMs + step.gapMs, 100);
            apply(state, step.command);
          }
          settle(state);
          const sent = state.nextRequestId - 1;
          for (const lane of state.lanes) {
            const t = lane.totals;
            expect(lane.pending).toBe(0);
            expect(t.arrived).toBe(sent);
            expect(t.ok + t.errors + t.dropped).toBe(sent);
            // Nothing is left on a server or on the wire.
            expect(Object.keys(lane.requests)).toHaveLength(0);
            for (const s of lane.servers)
              expect([s.inFlight, s.active, s.queue.length]).toEqual([0, 0, 0]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('with no faults and spare capacity, every request succeeds', () => {
    for (const algorithm of ALGORITHMS) {
      const state = create({ algorithm, requestsPerSecond: 300 }, 4);
      run(state, 10_000, 500);
      settle(state);
      const t = state.lanes[0]!.totals;
      expect(t.ok, algorithm).toBe(state.nextRequestId - 1);
      expect(t.errors + t.dropped, algorithm).toBe(0);
    }
  });
});

describe('health checks', () => {
  it('detect a crash within interval × unhealthy threshold + timeout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 3_000 }),
        fc.integer({ min: 10, max: 2_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 50 }),
        (intervalMs, timeoutMs, threshold, crashAtMs, latencyMs) => {
          const state = create({
            healthIntervalMs: intervalMs,
            healthTimeoutMs: timeoutMs,
            unhealthyThreshold: threshold,
            latencyMs,
            requestsPerSecond: 20,
            ejection: false,
          });
          run(state, crashAtMs, 500);
          apply(state, { type: 'setCrashed', serverId: 'S2', crashed: true });
          const bound = intervalMs * threshold + timeoutMs;
          let detectedAt: number | null = null;
          for (let t = crashAtMs + 1; t <= crashAtMs + bound; t += 1) {
            advanceLoadBalancer(state, t);
            if (state.servers[1]!.health === 'unhealthy') {
              detectedAt = t;
              break;
            }
          }
          expect(detectedAt).not.toBeNull();
          expect(detectedAt! - crashAtMs).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('an unhealthy server receives no new request', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom(...ALGORITHMS),
        (seed, algorithm) => {
          const state = create(
            { algorithm, requestsPerSecond: 400, latencyMs: 3, ejection: false },
            seed,
          );
          run(state, 2_000, 200);
          apply(state, { type: 'setFlapping', serverId: 'S3', periodMs: 2_500 });
          for (let t = state.nowMs + 1; t <= 12_000; t += 1) {
            advanceLoadBalancer(state, t);
            const spec = state.servers[2]!;
            if (spec.health !== 'unhealthy') continue;
            for (const key in state.lanes[0]!.requests) {
              const r = state.lanes[0]!.requests[key]!;
              if (r.serverId === 'S3')
                expect(r.dispatchedAtMs).toBeLessThanOrEqual(spec.unhealthyAtMs!);
            }
          }
          expect(state.events.items.some((e) => e.kind === 'health')).toBe(true);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a recovered server returns after the healthy threshold of passing checks', () => {
    const state = create({ healthIntervalMs: 1_000, healthyThreshold: 3, unhealthyThreshold: 2 });
    apply(state, { type: 'setCrashed', serverId: 'S1', crashed: true });
    run(state, 5_000);
    expect(state.servers[0]!.health).toBe('unhealthy');
    apply(state, { type: 'setCrashed', serverId: 'S1', crashed: false });
    run(state, 7_500);
    expect(state.servers[0]!.health).toBe('unhealthy');
    run(state, 8_100);
    expect(state.servers[0]!.health).toBe('healthy');
  });

  it('failover: requests refused by a crashed server are retried elsewhere, not lost', () => {
    const state = create({ requestsPerSecond: 200, ejection: false });
    run(state, 3_000);
    const inside = state.lanes[0]!.servers[1]!;
    const atCrash = inside.active + inside.queue.length;
    expect(atCrash).toBeGreaterThan(0);
    apply(state, { type: 'setCrashed', serverId: 'S2', crashed: true });
    run(state, 8_000);
    const t = state.lanes[0]!.totals;
    expect(t.failovers).toBeGreaterThan(0);
    // Only requests already inside S2 when it died fail; refused ones succeed on retry.
    expect(t.resets).toBe(atCrash);
    expect(t.errors).toBe(atCrash);
    expect(state.events.items.some((e) => e.kind === 'failover')).toBe(true);
  });

  it('passive outlier ejection takes a failing server out before health checks do', () => {
    const state = create({
      requestsPerSecond: 400,
      healthIntervalMs: 5_000,
      unhealthyThreshold: 3,
      ejectionErrors: 3,
    });
    run(state, 2_000);
    apply(state, { type: 'setCrashed', serverId: 'S1', crashed: true });
    run(state, 2_500, 10);
    expect(state.lanes[0]!.servers[0]!.ejectedUntilMs).toBeGreaterThan(state.nowMs);
    expect(state.servers[0]!.health).toBe('healthy');
  });
});

describe('graceful removal', () => {
  it('draining loses no request in flight, under any algorithm and load', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom(...ALGORITHMS),
        fc.integer({ min: 500, max: 5_000 }),
        fc.constantFrom<'l4' | 'l7'>('l4', 'l7'),
        (seed, algorithm, removeAtMs, layer) => {
          const state = create({ algorithm, layer, requestsPerSecond: 300 }, seed);
          run(state, removeAtMs, 100);
          const atServer = state.lanes[0]!.servers[1]!.inFlight;
          apply(state, { type: 'removeServer', serverId: 'S2' });
          run(state, removeAtMs + 5_000, 20);
          expect(state.servers.map((s) => s.id)).not.toContain('S2');
          settle(state);
          const t = state.lanes[0]!.totals;
          expect(t.errors + t.dropped).toBe(0);
          expect(t.ok).toBe(state.nextRequestId - 1);
          expect(atServer).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('refuses to remove the last server', () => {
    const state = create({ servers: 1 });
    apply(state, { type: 'removeServer', serverId: 'S1' });
    expect(state.servers).toHaveLength(1);
    expect(state.events.items.at(-1)?.kind).toBe('refused');
  });

  it('refuses a 21st server', () => {
    const state = create({ servers: 20 });
    apply(state, { type: 'addServer' });
    expect(state.servers).toHaveLength(20);
    expect(state.events.items.at(-1)?.kind).toBe('refused');
  });
});

describe('sessions', () => {
  it('sticky: a crash logs out exactly the users whose sessions lived on that server', () => {
    const state = create({ sessions: 'sticky', requestsPerSecond: 300 });
    run(state, 5_000);
    const lane = state.lanes[0]!;
    const onS2 = Object.values(lane.sticky).filter((id) => id === 'S2').length;
    expect(onS2).toBeGreaterThan(0);
    const before = lane.totals.loggedOut;
    apply(state, { type: 'setCrashed', serverId: 'S2', crashed: true });
    expect(lane.totals.loggedOut - before).toBe(onS2);
    expect(Object.values(lane.sticky)).not.toContain('S2');
  });

  it('sticky: a logged-in user keeps hitting the same healthy server', () => {
    const state = create({
      sessions: 'sticky',
      algorithm: 'least-connections',
      requestsPerSecond: 300,
    });
    run(state, 3_000);
    const pinned = { ...state.lanes[0]!.sticky };
    for (let t = 3_010; t <= 8_000; t += 10) {
      advanceLoadBalancer(state, t);
      for (const key in state.lanes[0]!.requests) {
        const r = state.lanes[0]!.requests[key]!;
        const was = pinned[r.clientId];
        if (was !== undefined) expect(r.serverId).toBe(was);
      }
    }
  });

  it('external store: the same crash logs nobody out', () => {
    const state = create({ sessions: 'external', requestsPerSecond: 300 });
    run(state, 5_000);
    apply(state, { type: 'setCrashed', serverId: 'S2', crashed: true });
    run(state, 10_000);
    expect(state.lanes[0]!.totals.loggedOut).toBe(0);
    expect(state.lanes[0]!.totals.logins).toBeLessThanOrEqual(BASE.users);
  });
});

describe('algorithms in the running system', () => {
  it('round robin vs least connections with one slow server: LC sends it less, fails nothing and has a lower p99', () => {
    const compare = 'round-robin,least-connections';
    const state = create({ compare, requestsPerSecond: 500 }, 7);
    apply(state, { type: 'setSlowness', serverId: 'S2', slowness: 8 });
    run(state, 30_000, 500);
    const rr = state.lanes[0]!;
    const lc = state.lanes[1]!;
    // Both lanes saw the very same requests.
    expect(rr.totals.arrived).toBe(lc.totals.arrived);
    // Round robin keeps feeding S2 its quarter until its queue overflows and requests time out.
    expect(rr.totals.errors + rr.totals.dropped).toBeGreaterThan(100);
    expect(lc.totals.errors + lc.totals.dropped).toBe(0);
    expect(lc.window.p99).toBeLessThan(rr.window.p99 / 2);
    expect(servedBy(state, 1).S2!).toBeLessThan(servedBy(state, 1).S1! / 2);
  });

  it('layer 4 with long-lived connections spreads load less evenly than layer 7', () => {
    const spread = (layer: 'l4' | 'l7') => {
      const state = create(
        { layer, algorithm: 'least-connections', requestsPerSecond: 400, users: 40 },
        3,
      );
      run(state, 30_000, 1_000);
      const served = Object.values(servedBy(state));
      return Math.max(...served) / (served.reduce((a, b) => a + b, 0) / served.length);
    };
    expect(spread('l4')).toBeGreaterThan(spread('l7') + 0.2);
  });

  it('layer 7 pools: /static requests only reach the static pool, /api only the api pool', () => {
    const state = create({ pools: true, servers: 4, requestsPerSecond: 300 });
    for (let t = 50; t <= 5_000; t += 50) {
      advanceLoadBalancer(state, t);
      for (const key in state.lanes[0]!.requests) {
        const r = state.lanes[0]!.requests[key]!;
        const spec = state.servers.find((s) => s.id === r.serverId)!;
        expect(spec.pool).toBe(r.pool);
      }
    }
    expect(servedBy(state).S4!).toBeGreaterThan(0);
  });

  it('IP hash keeps every client on one server while nothing changes', () => {
    const state = create({ algorithm: 'ip-hash', requestsPerSecond: 300 });
    const seen: Record<number, string> = {};
    for (let t = 20; t <= 5_000; t += 20) {
      advanceLoadBalancer(state, t);
      for (const key in state.lanes[0]!.requests) {
        const r = state.lanes[0]!.requests[key]!;
        seen[r.clientId] ??= r.serverId;
        expect(r.serverId).toBe(seen[r.clientId]);
      }
    }
  });

  it('measured latency is the sum of its parts for a lone request', () => {
    const state = create({ requestsPerSecond: 0, latencyMs: 7, serviceMs: 40 });
    apply(state, { type: 'burst', requests: 1 });
    const cost = state.wire[0]!.cost;
    run(state, 2_000);
    const lane = state.lanes[0]!;
    expect(lane.totals.ok).toBe(1);
    // One sample: client → LB (10) + LB → server (7) + service (cost × 40 ms) + back (7 + 10).
    const expected =
      2 * CLIENT_LATENCY_MS + 2 * 7 + serviceTimeMs({ serviceMs: 40, slowness: 1 }, cost);
    expect(lane.series.p50[0]).toBe(expected);
    expect(lane.series.p99[0]).toBe(expected);
  });
});

describe('determinism', () => {
  const commands: { atMs: number; command: LoadBalancerCommand }[] = [
    { atMs: 1_000, command: { type: 'setSlowness', serverId: 'S2', slowness: 5 } },
    { atMs: 2_500, command: { type: 'setCrashed', serverId: 'S3', crashed: true } },
    { atMs: 4_000, command: { type: 'addServer' } },
    { atMs: 6_000, command: { type: 'removeServer', serverId: 'S1' } },
    { atMs: 7_000, command: { type: 'setSessions', mode: 'sticky' } },
    { atMs: 9_000, command: { type: 'setCrashed', serverId: 'S3', crashed: false } },
  ];

  function straight(config: LoadBalancerConfig, seed: number, toMs: number): LoadBalancerState {
    const state = createLoadBalancerState(config, seed);
    for (const logged of commands) {
      if (logged.atMs > toMs) break;
      advanceLoadBalancer(state, logged.atMs);
      applyLoadBalancerCommand(state, logged.command as LoadBalancerCommand);
    }
    advanceLoadBalancer(state, toMs);
    return state;
  }

  it('the same seed and commands give identical states; another seed does not', () => {
    const config = { ...BASE, compare: 'power-of-two,random' };
    const a = straight(config, 99, 12_000);
    const b = straight(config, 99, 12_000);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(viewLoadBalancer(a)).toEqual(viewLoadBalancer(b));
    expect(JSON.stringify(straight(config, 100, 12_000))).not.toBe(JSON.stringify(a));
  });

  it('a state survives structuredClone and runs on identically', () => {
    const a = straight(BASE, 5, 6_000);
    const b = structuredClone(a);
    advanceLoadBalancer(a, 15_000);
    advanceLoadBalancer(b, 15_000);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('limits and refusals', () => {
  it('refuses unknown servers and over-large bursts with a refused event', () => {
    const state = create();
    apply(state, { type: 'setCrashed', serverId: 'S99', crashed: true });
    expect(state.events.items.at(-1)?.kind).toBe('refused');
    apply(state, { type: 'burst', requests: 5_000 });
    expect(state.events.items.some((e) => e.kind === 'refused' && e.text.includes('burst'))).toBe(
      true,
    );
    expect(state.wire.length).toBe(2_000);
  });

  it('every algorithm name is accepted by setAlgorithm', () => {
    const state = create();
    for (const algorithm of ALGORITHMS as readonly AlgorithmName[]) {
      apply(state, { type: 'setAlgorithm', lane: 0, algorithm });
      expect(state.lanes[0]!.algorithm).toBe(algorithm);
    }
  });
});
