import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acquireNow,
  acquireRange,
  admitDelayMs,
  commitAdmitted,
  commitLimiter,
  createLimiter,
  type Decision,
  type LimiterState,
  type LimitParams,
  peekLimiter,
  queueLength,
  tryAcquire,
} from './algorithms';
import { ALGORITHM_IDS, type AlgorithmId } from './constants';

/** Runs requests at the given times through one limiter and returns each decision. */
function run(algorithm: AlgorithmId, p: LimitParams, times: number[]) {
  const state = createLimiter(algorithm, p);
  return { state, decisions: times.map((t) => tryAcquire(state, p, t)) };
}

const outcome = (d: Decision) =>
  d.allowed ? (d.delayMs > 0 ? `D${d.delayMs}` : 'A') : `R${d.retryAfterMs}`;

/** Sorted request times: a mix of bursts (equal times) and gaps. */
const timesArb = (maxGap: number, maxLength = 200) =>
  fc
    .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxGap })), {
      minLength: 1,
      maxLength,
    })
    .map((gaps) => {
      let t = 0;
      return gaps.map((g) => {
        t += g;
        return t;
      });
    });

const paramsArb = fc.record({
  limit: fc.integer({ min: 1, max: 20 }),
  windowMs: fc.integer({ min: 100, max: 2_000 }),
  burst: fc.integer({ min: 1, max: 20 }),
});

describe('worked examples', () => {
  const onePerSecondBurst3: LimitParams = { limit: 1, windowMs: 1_000, burst: 3 };

  it('token bucket: capacity 3, 1 token/s — three pass, then 429 until the next token', () => {
    const { decisions } = run('token-bucket', onePerSecondBurst3, [0, 0, 0, 0, 500, 1_000, 1_000]);
    expect(decisions.map(outcome)).toEqual(['A', 'A', 'A', 'R1000', 'R500', 'A', 'R1000']);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0, 0, 0]);
    // Full again 3 s after the last token was taken.
    expect(decisions[2]!.resetMs).toBe(3_000);
  });

  it('GCRA and the leaky meter answer the token bucket example exactly', () => {
    for (const algorithm of ['gcra', 'leaky-meter'] as const) {
      const { decisions } = run(algorithm, onePerSecondBurst3, [0, 0, 0, 0, 500, 1_000, 1_000]);
      expect(decisions.map(outcome)).toEqual(['A', 'A', 'A', 'R1000', 'R500', 'A', 'R1000']);
    }
  });

  it('token bucket: a burst of 20 at capacity 10 lets exactly 10 through', () => {
    const p = { limit: 10, windowMs: 1_000, burst: 10 };
    const { decisions } = run('token-bucket', p, new Array(20).fill(0));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    // One token comes back every 100 ms.
    expect(decisions.at(-1)!.retryAfterMs).toBe(100);
  });

  it('leaky bucket as a queue: one goes at once, two wait their turn, the fourth is refused', () => {
    const p = { limit: 1, windowMs: 1_000, burst: 2 };
    const { state, decisions } = run('leaky-queue', p, [0, 0, 0, 0, 1_000]);
    expect(decisions.map(outcome)).toEqual(['A', 'D1000', 'D2000', 'R1000', 'D2000']);
    expect(queueLength(state as Extract<LimiterState, { kind: 'leaky-queue' }>, p, 1_000)).toBe(2);
    expect(decisions[3]!.remaining).toBe(0);
  });

  it('fixed window: three per second, and six in six ms across a boundary', () => {
    const p = { limit: 3, windowMs: 1_000, burst: 3 };
    expect(run('fixed-window', p, [0, 100, 200, 300, 999, 1_000]).decisions.map(outcome)).toEqual([
      'A',
      'A',
      'A',
      'R700',
      'R1',
      'A',
    ]);
    const boundary = run('fixed-window', p, [997, 998, 999, 1_000, 1_001, 1_002, 1_003]);
    expect(boundary.decisions.map(outcome)).toEqual(['A', 'A', 'A', 'A', 'A', 'A', 'R997']);
  });

  it('sliding window log: timestamps age out exactly one window later', () => {
    const p = { limit: 3, windowMs: 1_000, burst: 3 };
    const { decisions } = run('sliding-log', p, [0, 100, 200, 300, 1_000, 1_050, 1_100]);
    expect(decisions.map(outcome)).toEqual(['A', 'A', 'A', 'R700', 'A', 'R50', 'A']);
    // Across the boundary the log refuses what the fixed window let through.
    const boundary = run('sliding-log', p, [997, 998, 999, 1_000, 1_001, 1_002]);
    expect(boundary.decisions.map(outcome)).toEqual(['A', 'A', 'A', 'R997', 'R996', 'R995']);
  });

  it('sliding window counter: the previous window counts in proportion to its overlap', () => {
    const p = { limit: 10, windowMs: 1_000, burst: 10 };
    const times = [...new Array(11).fill(500), 1_000, 1_100, 1_100];
    const { decisions } = run('sliding-counter', p, times);
    expect(decisions.slice(0, 10).every((d) => d.allowed)).toBe(true);
    // 10 in the current window: wait for the next window, where 10 × (1 − e/1000) + 1 ≤ 10 at e = 100.
    expect(outcome(decisions[10]!)).toBe('R600');
    // At 1000 ms the estimate is 10 × 1.0 = 10: refused for 100 ms.
    expect(outcome(decisions[11]!)).toBe('R100');
    // At 1100 ms: 10 × 0.9 + 1 = 10 fits; a second one would make 11.
    expect(outcome(decisions[12]!)).toBe('A');
    expect(outcome(decisions[13]!)).toBe('R100');
  });
});

function acceptedTimes(algorithm: AlgorithmId, p: LimitParams, times: number[]): number[] {
  const state = createLimiter(algorithm, p);
  const out: number[] = [];
  for (const t of times) {
    const decision = peekLimiter(state, p, t);
    if (decision.allowed) {
      tryAcquire(state, p, t);
      out.push(t + decision.delayMs);
    }
  }
  return out;
}

/** Most times in any half-open window (a, a + w]. */
function maxInWindow(sorted: number[], windowMs: number): number {
  let best = 0;
  let head = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    while (sorted[head]! <= sorted[i]! - windowMs) head += 1;
    best = Math.max(best, i - head + 1);
  }
  return best;
}

describe('properties over many request streams', () => {
  it('token bucket accepts at most capacity + rate × t in any interval of length t', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(400), (p, times) => {
        const accepted = acceptedTimes('token-bucket', p, times);
        for (let i = 0; i < accepted.length; i += 1) {
          for (let j = i; j < accepted.length; j += 1) {
            const count = j - i + 1;
            // count ≤ burst + (t_j − t_i) × limit / window, in integers.
            expect((count - p.burst) * p.windowMs).toBeLessThanOrEqual(
              (accepted[j]! - accepted[i]!) * p.limit,
            );
          }
        }
      }),
    );
  });

  it('sliding window log never accepts more than the limit in any window', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(300), (p, times) => {
        const accepted = acceptedTimes('sliding-log', p, times);
        expect(maxInWindow(accepted, p.windowMs)).toBeLessThanOrEqual(p.limit);
      }),
    );
  });

  it('sliding window log matches a brute-force count of the window (oracle)', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(300), (p, times) => {
        const state = createLimiter('sliding-log', p);
        const accepted: number[] = [];
        for (const t of times) {
          const inWindow = accepted.filter((a) => a > t - p.windowMs).length;
          const decision = tryAcquire(state, p, t);
          expect(decision.allowed).toBe(inWindow < p.limit);
          if (decision.allowed) accepted.push(t);
        }
      }),
    );
  });

  it('fixed window never accepts more than the limit per window (brute-force oracle)', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(300), (p, times) => {
        const accepted = acceptedTimes('fixed-window', p, times);
        const perWindow = new Map<number, number>();
        for (const t of accepted) {
          const w = Math.floor(t / p.windowMs);
          perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
        }
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(p.limit);
        // And it is work-conserving: a refusal means the window really was full.
        const state = createLimiter('fixed-window', p);
        const seen = new Map<number, number>();
        for (const t of times) {
          const w = Math.floor(t / p.windowMs);
          const d = tryAcquire(state, p, t);
          expect(d.allowed).toBe((seen.get(w) ?? 0) < p.limit);
          if (d.allowed) seen.set(w, (seen.get(w) ?? 0) + 1);
        }
      }),
    );
  });

  it('fixed window: the boundary attack gets 2 × limit through inside one window length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 100, max: 5_000 }),
        fc.integer({ min: 1, max: 20 }),
        (limit, windowMs, k) => {
          const p = { limit, windowMs, burst: limit };
          const boundary = k * windowMs;
          const times = [
            ...new Array(limit).fill(boundary - 1),
            ...new Array(limit).fill(boundary),
          ];
          const accepted = acceptedTimes('fixed-window', p, times);
          expect(accepted).toHaveLength(2 * limit);
          expect(maxInWindow(accepted, windowMs)).toBe(2 * limit);
          // The sliding log holds the same attack to the limit.
          expect(maxInWindow(acceptedTimes('sliding-log', p, times), windowMs)).toBe(limit);
        },
      ),
    );
  });

  it("sliding window counter's overshoot stays within its bound: L + previous × elapsed / W < 2L", () => {
    fc.assert(
      fc.property(paramsArb, timesArb(300), (p, times) => {
        const accepted = acceptedTimes('sliding-counter', p, times);
        const perWindow = new Map<number, number>();
        for (const t of accepted) {
          const w = Math.floor(t / p.windowMs);
          perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
        }
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(p.limit);
        let head = 0;
        for (let i = 0; i < accepted.length; i += 1) {
          const t = accepted[i]!;
          while (accepted[head]! <= t - p.windowMs) head += 1;
          const inWindow = i - head + 1;
          const windowStart = t - (t % p.windowMs);
          const previous = perWindow.get(windowStart / p.windowMs - 1) ?? 0;
          const elapsed = t - windowStart;
          // inWindow ≤ L + previous × elapsed / W, in integers.
          expect((inWindow - p.limit) * p.windowMs).toBeLessThanOrEqual(previous * elapsed);
          expect(inWindow).toBeLessThan(2 * p.limit);
        }
      }),
    );
  });

  it('leaky bucket (queue) output never exceeds its rate, and the queue never exceeds its size', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(200), (p, times) => {
        const state = createLimiter('leaky-queue', p);
        const departures: number[] = [];
        for (const t of times) {
          const d = tryAcquire(state, p, t);
          if (d.allowed) departures.push(t + d.delayMs);
          expect(
            queueLength(state as Extract<LimiterState, { kind: 'leaky-queue' }>, p, t),
          ).toBeLessThanOrEqual(p.burst);
        }
        for (let i = 1; i < departures.length; i += 1) {
          expect(departures[i]!).toBeGreaterThanOrEqual(departures[i - 1]!);
        }
        expect(maxInWindow(departures, p.windowMs)).toBeLessThanOrEqual(p.limit);
      }),
    );
  });

  it('leaky bucket (meter) never accepts more than the token bucket would', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(300), (p, times) => {
        expect(acceptedTimes('leaky-meter', p, times)).toEqual(
          acceptedTimes('token-bucket', p, times),
        );
      }),
    );
  });

  it('GCRA and the token bucket with matching parameters make identical decisions', () => {
    fc.assert(
      fc.property(paramsArb, timesArb(400), (p, times) => {
        const gcra = run('gcra', p, times).decisions;
        const bucket = run('token-bucket', p, times).decisions;
        expect(gcra).toEqual(bucket);
      }),
    );
  });

  it('the hot path acquireNow decides exactly as peek + commit do, for every algorithm', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGORITHM_IDS),
        paramsArb,
        timesArb(300),
        (algorithm, p, times) => {
          const slow = createLimiter(algorithm, p);
          const fast = createLimiter(algorithm, p);
          for (const t of times) {
            const d = tryAcquire(slow, p, t);
            expect(acquireNow(fast, p, t)).toBe(d.allowed ? t + d.delayMs : -1);
          }
        },
      ),
    );
  });

  it('acquireRange decides a stream of several keys exactly as acquireNow does request by request', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGORITHM_IDS),
        paramsArb,
        timesArb(200, 300),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 300, maxLength: 300 }),
        fc.integer({ min: 0, max: 299 }),
        (algorithm, p, times, clientList, cut) => {
          // Four clients on three keys: clients 2 and 3 share one, as two users behind a NAT.
          const keyOfClient = Int32Array.from([0, 1, 2, 2]);
          const n = times.length;
          const stream = Float64Array.from(times);
          const clients = Uint8Array.from(clientList.slice(0, n));
          const slow = [0, 1, 2].map(() => createLimiter(algorithm, p));
          const expected = times.map((t, i) => acquireNow(slow[keyOfClient[clients[i]!]!]!, p, t));
          const fast = [0, 1, 2].map(() => createLimiter(algorithm, p));
          // Two slices, split anywhere, continue where the first stopped.
          const at = Math.min(cut, n);
          const first = new Float64Array(Math.max(1, at));
          const second = new Float64Array(Math.max(1, n - at));
          acquireRange(algorithm, fast, p, stream, clients, keyOfClient, 0, at, first);
          acquireRange(algorithm, fast, p, stream, clients, keyOfClient, at, n, second);
          expect([...first.subarray(0, at), ...second.subarray(0, n - at)]).toEqual(expected);
          expect(fast).toEqual(slow);
        },
      ),
    );
  });

  it('admitDelayMs + commitAdmitted say and do what peekLimiter + commitLimiter do', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGORITHM_IDS),
        paramsArb,
        timesArb(300),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 300, maxLength: 300 }),
        (algorithm, p, times, holds) => {
          const peeked = createLimiter(algorithm, p);
          const admitted = createLimiter(algorithm, p);
          times.forEach((t, i) => {
            const d = peekLimiter(peeked, p, t);
            expect(admitDelayMs(admitted, p, t)).toBe(d.allowed ? d.delayMs : -1);
            if (d.allowed) {
              // Another tier may hold the request longer than this one would.
              const notBefore = t + d.delayMs + holds[i]!;
              expect(commitAdmitted(admitted, p, t, notBefore)).toBe(
                commitLimiter(peeked, p, t, notBefore),
              );
            }
            expect(admitted).toEqual(peeked);
          });
        },
      ),
    );
  });

  it('a single client retrying exactly at Retry-After is accepted, and not a ms sooner', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGORITHM_IDS),
        paramsArb,
        timesArb(200, 60),
        (algorithm, p, times) => {
          const state = createLimiter(algorithm, p);
          for (const t of times) {
            const d = peekLimiter(state, p, t);
            if (d.allowed) {
              tryAcquire(state, p, t);
              continue;
            }
            expect(d.retryAfterMs).toBeGreaterThan(0);
            const early = structuredClone(state);
            expect(peekLimiter(early, p, t + d.retryAfterMs - 1).allowed).toBe(false);
            const onTime = structuredClone(state);
            expect(peekLimiter(onTime, p, t + d.retryAfterMs).allowed).toBe(true);
          }
        },
      ),
    );
  });
});
