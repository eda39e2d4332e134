import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logArbitrary, straightRun } from '../test-support';
import { delayRangeMs, exponentialDelayMs } from './backoff';
import {
  EVENTS_MAX,
  LANE_IDS,
  WEBHOOK_SECRET,
  WEBHOOKS_DEFAULTS,
  type WebhooksConfig,
} from './constants';
import { checkWebhooksInvariants } from './invariants';
import {
  advanceWebhooks,
  applyWebhooksCommand,
  createWebhooksState,
  LANE_INDEX,
  policyOf,
  signWebhook,
  verifyWebhook,
  type WebhooksCommand,
  type WebhooksState,
  webhookBody,
} from './model';
import { toHex } from './sha256';
import { viewWebhooks } from './snapshot';

const BASE: WebhooksConfig = { ...WEBHOOKS_DEFAULTS };

/** Runs to `atMs` in small steps, checking the invariants after each. */
function runTo(state: WebhooksState, atMs: number, stepMs = 250): void {
  while (state.nowMs < atMs) {
    advanceWebhooks(state, Math.min(atMs, state.nowMs + stepMs));
    checkWebhooksInvariants(state);
  }
}

function apply(state: WebhooksState, command: WebhooksCommand): void {
  applyWebhooksCommand(state, command);
  checkWebhooksInvariants(state);
}

function delaysOf(state: WebhooksState, lane: (typeof LANE_IDS)[number]): number[] {
  return state.produced
    .map((e) => e.knownAtMs[LANE_INDEX[lane]]! - e.createdAtMs)
    .filter((_, i) => state.produced[i]!.knownAtMs[LANE_INDEX[lane]]! >= 0);
}

/** Latency is uniform on latency ± latency/4, so one way takes at most 1.25 × latency. */
function rttMaxMs(config: WebhooksConfig): number {
  return 2 * (config.latencyMs + Math.floor(config.latencyMs / 4));
}

describe('polling delays', () => {
  it('short polling: every delay ≤ interval + round trip; long polling: within 1.5 round trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 200, max: 6_000 }),
        fc.integer({ min: 10, max: 300 }),
        (seed, pollIntervalMs, latencyMs) => {
          const config = { ...BASE, eventsPerMinute: 40, pollIntervalMs, latencyMs };
          const state = createWebhooksState(config, seed);
          runTo(state, 60_000, 1_000);
          const rtt = rttMaxMs(config);
          const short = delaysOf(state, 'short');
          const long = delaysOf(state, 'long');
          // Events in the last interval may not be seen yet; all earlier ones must be.
          const settled = state.produced.filter(
            (e) => e.createdAtMs < 60_000 - pollIntervalMs - rtt,
          );
          expect(short.length).toBeGreaterThanOrEqual(settled.length);
          for (const delay of short) expect(delay).toBeLessThanOrEqual(pollIntervalMs + rtt);
          // Long polling: a held request answers one way later; an event that lands while the
          // answer and the next request are on the wire waits for both, so at most 1.5 RTT.
          for (const delay of long) expect(delay).toBeLessThanOrEqual(1.5 * rtt);
          if (long.length > 0) {
            const mean = long.reduce((a, b) => a + b, 0) / long.length;
            expect(mean).toBeLessThanOrEqual(rtt);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('short polling every 5 s: the mean delay is about half the interval plus one way', () => {
    const config = { ...BASE, eventsPerMinute: 60, pollIntervalMs: 5_000, latencyMs: 80 };
    const state = createWebhooksState(config, 7);
    runTo(state, 600_000, 5_000);
    const view = viewWebhooks(state);
    const short = view.lanes[0]!.delay;
    // Events land uniformly between polls: mean wait 2.5 s, plus ~80 ms for the response.
    // With ~600 events the standard error is ~60 ms.
    expect(short.count).toBeGreaterThan(500);
    expect(short.meanMs!).toBeGreaterThan(2_350);
    expect(short.meanMs!).toBeLessThan(2_800);
    expect(short.maxMs!).toBeLessThanOrEqual(5_000 + rttMaxMs(config));
    // Most polls come back empty when events are rarer than polls? Here about 1 event per poll.
    expect(view.lanes[0]!.requests).toBeGreaterThanOrEqual(119);
    expect(view.lanes[0]!.requests).toBeLessThanOrEqual(121);
    // Webhook and persistent connection: about one way (80 ms ± 20 ms).
    expect(view.lanes[2]!.delay.maxMs!).toBeLessThanOrEqual(100);
    expect(view.lanes[3]!.delay.p50Ms!).toBe(80);
  });

  it('rare events: short polls are mostly empty; long polls time out empty once per hold', () => {
    const config = { ...BASE, eventsPerMinute: 1, pollIntervalMs: 1_000, holdTimeoutMs: 20_000 };
    const state = createWebhooksState(config, 3);
    runTo(state, 300_000, 5_000);
    const [short, long, webhook, socket] = viewWebhooks(state).lanes;
    expect(short!.requests).toBeGreaterThanOrEqual(300);
    expect(short!.emptyResponses / short!.requests).toBeGreaterThan(0.9);
    // At most one request per event plus one per 20 s hold.
    expect(long!.requests).toBeLessThanOrEqual(state.produced.length + 300 / 20 + 2);
    expect(long!.emptyResponses).toBeGreaterThan(0);
    expect(webhook!.requests).toBe(state.produced.length);
    expect(webhook!.emptyResponses).toBe(0);
    expect(socket!.requests).toBe(1);
    expect(socket!.openConnections).toBe(1);
  });
});

describe('webhook delivery', () => {
  it('the retry schedule of a failing delivery matches base × factor^(n−1) after each timeout', () => {
    const config: WebhooksConfig = {
      ...BASE,
      eventsPerMinute: 0,
      jitter: 'none',
      maxAttempts: 6,
      webhookTimeoutMs: 2_000,
      backoffBaseMs: 1_000,
      backoffFactor: 2,
      backoffCapMs: 5_000,
    };
    const state = createWebhooksState(config, 1);
    apply(state, { type: 'failReceivers', durationMs: 600_000 });
    apply(state, { type: 'fireEvent' });
    runTo(state, 120_000);
    const delivery = state.webhook.focus.at(-1)!;
    expect(delivery.result).toBe('dead');
    const times = delivery.attempts.map((a) => a.atMs);
    // Attempt n+1 starts timeout + delay(n) after attempt n: delays 1, 2, 4, 5 (cap), 5 s.
    expect(times).toEqual([0, 3_000, 7_000, 13_000, 20_000, 27_000]);
    expect(delivery.attempts.map((a) => a.delayBeforeMs)).toEqual([
      0, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    expect(delivery.attempts.every((a) => a.outcome === 'timeout')).toBe(true);
    expect(state.webhook.dlq).toHaveLength(1);
    expect(state.webhook.dlq[0]).toMatchObject({ eventSeq: 1, attempts: 6, atMs: 29_000 });
    expect(state.events.items.some((e) => e.kind === 'dead-letter' && e.important)).toBe(true);
    // Redrive: once the receiver is back, the dead letter is delivered.
    apply(state, { type: 'failReceivers', durationMs: 100 });
    runTo(state, 121_000);
    apply(state, { type: 'redrive' });
    runTo(state, 125_000);
    expect(state.webhook.timesProcessed[1]).toBe(1);
    expect(state.webhook.dlq).toHaveLength(0);
  });

  it('every jittered retry delay in the sim lies within its range', () => {
    for (const jitter of ['full', 'equal', 'decorrelated'] as const) {
      const config: WebhooksConfig = {
        ...BASE,
        eventsPerMinute: 20,
        jitter,
        maxAttempts: 10,
        backoffBaseMs: 500,
        backoffCapMs: 20_000,
      };
      const state = createWebhooksState(config, 11);
      apply(state, { type: 'failReceivers', durationMs: 60_000 });
      const seen: number[] = [];
      for (let t = 1_000; t <= 120_000; t += 1_000) {
        runTo(state, t);
        for (const delivery of Object.values(state.webhook.active)) {
          if (delivery.receiver !== 0) continue;
          let previous = config.backoffBaseMs;
          for (const attempt of delivery.attempts.slice(1)) {
            const { minMs, maxMs } = delayRangeMs(policyOf(config), attempt.attempt - 1, previous);
            expect(attempt.delayBeforeMs).toBeGreaterThanOrEqual(minMs);
            expect(attempt.delayBeforeMs).toBeLessThanOrEqual(maxMs);
            seen.push(attempt.delayBeforeMs);
            previous = Math.max(attempt.delayBeforeMs, 1);
          }
        }
      }
      expect(seen.length, jitter).toBeGreaterThan(20);
    }
  });

  it('at least once under drops, duplicates and outages; with dedupe, exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom('none', 'full', 'equal', 'decorrelated' as const),
        fc.integer({ min: 0, max: 50_000 }),
        (seed, dropPercent, duplicatePercent, jitter, outageAtMs) => {
          const config: WebhooksConfig = {
            ...BASE,
            eventsPerMinute: 30,
            dropPercent,
            duplicatePercent,
            jitter,
            maxAttempts: 6,
            backoffCapMs: 8_000,
          };
          const state = createWebhooksState(config, seed);
          runTo(state, outageAtMs, 1_000);
          apply(state, { type: 'setConsumerDown', down: true, durationMs: 8_000 });
          runTo(state, 60_000, 1_000);
          apply(state, { type: 'setRate', eventsPerMinute: 0 });
          // Six attempts with ≤ 8 s backoff and 2 s timeouts finish within about a minute.
          runTo(state, 200_000, 5_000);
          expect(state.webhook.activeCount).toBe(0);
          const dead = new Set(
            state.webhook.dlq.filter((d) => d.receiver === 0).map((d) => d.eventSeq),
          );
          for (const event of state.produced) {
            const times = state.webhook.timesProcessed[event.seq]!;
            if (!dead.has(event.seq)) expect(times).toBeGreaterThanOrEqual(1);
            expect(times).toBeLessThanOrEqual(1);
          }
          expect(state.lanes.webhook.duplicatesProcessed).toBe(0);
          // The polling and streaming lanes lose nothing either: they resume from a cursor.
          for (const lane of ['short', 'long', 'socket'] as const) {
            expect(state.lanes[lane].delaysSorted.length, lane).toBe(state.produced.length);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('without dedupe, lost acknowledgements make the receiver process events twice', () => {
    const config: WebhooksConfig = { ...BASE, eventsPerMinute: 60, dropPercent: 25 };
    const off = createWebhooksState({ ...config, dedupe: false }, 5);
    const on = createWebhooksState({ ...config, dedupe: true }, 5);
    runTo(off, 120_000);
    runTo(on, 120_000);
    const offView = viewWebhooks(off);
    expect(offView.webhook.processedTwiceOrMore).toBeGreaterThan(0);
    expect(offView.lanes[2]!.duplicatesProcessed).toBeGreaterThan(0);
    expect(off.events.items.some((e) => e.kind === 'duplicate')).toBe(true);
    const onView = viewWebhooks(on);
    expect(onView.webhook.processedTwiceOrMore).toBe(0);
    expect(onView.lanes[2]!.duplicatesIgnored).toBeGreaterThan(0);
  });

  it('a slow receiver past the timeout gets retried, and dedupe absorbs the repeat', () => {
    const config: WebhooksConfig = {
      ...BASE,
      eventsPerMinute: 0,
      processingMs: 3_000,
      webhookTimeoutMs: 1_000,
      jitter: 'none',
    };
    const state = createWebhooksState(config, 2);
    apply(state, { type: 'fireEvent' });
    runTo(state, 30_000);
    expect(state.webhook.timesProcessed[1]).toBe(1);
    expect(state.lanes.webhook.duplicatesIgnored).toBeGreaterThan(0);
    expect(state.webhook.lateResponses).toBeGreaterThan(0);
  });
});

describe('signatures (HMAC-SHA256)', () => {
  const body = '{"id":"evt_000001","type":"pizza.ready","order":1001,"created_ms":0}';

  it('signs "t.body" with HMAC-SHA256, equal to Web Crypto', async () => {
    const header = signWebhook(WEBHOOK_SECRET, 1_234, body);
    const subtle = (globalThis as { crypto: { subtle: SubtleCrypto } }).crypto.subtle;
    const encoder = new TextEncoder();
    const key = await subtle.importKey(
      'raw',
      encoder.encode(WEBHOOK_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = toHex(
      new Uint8Array(await subtle.sign('HMAC', key, encoder.encode(`1234.${body}`))),
    );
    expect(header).toBe(`t=1234,v1=${mac}`);
  });

  it('verifies a genuine signature and rejects tampering, a wrong secret, age and junk', () => {
    const header = signWebhook(WEBHOOK_SECRET, 10_000, body);
    expect(verifyWebhook(WEBHOOK_SECRET, header, body, 10_500)).toEqual({ ok: true });
    const tampered = body.replace('1001', '9001');
    expect(verifyWebhook(WEBHOOK_SECRET, header, tampered, 10_500)).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifyWebhook('whsec_other', header, body, 10_500).ok).toBe(false);
    const retimed = header.replace('t=10000', 't=10001');
    expect(verifyWebhook(WEBHOOK_SECRET, retimed, body, 10_500).ok).toBe(false);
    expect(verifyWebhook(WEBHOOK_SECRET, header, body, 10_000 + 300_001)).toEqual({
      ok: false,
      reason: 'signature too old (possible replay)',
    });
    expect(verifyWebhook(WEBHOOK_SECRET, 'v1=abc', body, 0).ok).toBe(false);
    // Any single changed character of the body is caught.
    fc.assert(
      fc.property(
        fc.nat(body.length - 1),
        fc.string({ minLength: 1, maxLength: 1 }),
        (index, char) => {
          const changed = body.slice(0, index) + char + body.slice(index + 1);
          expect(verifyWebhook(WEBHOOK_SECRET, header, changed, 10_000).ok).toBe(changed === body);
        },
      ),
    );
  });

  it('in the sim, genuine deliveries verify and a forged one is rejected with 401', () => {
    const state = createWebhooksState({ ...BASE, eventsPerMinute: 30 }, 9);
    runTo(state, 30_000);
    apply(state, { type: 'setRate', eventsPerMinute: 0 });
    runTo(state, 40_000);
    expect(state.webhook.signaturesVerified).toBeGreaterThanOrEqual(state.webhook.delivered);
    expect(state.webhook.delivered).toBe(state.produced.length);
    expect(state.webhook.signaturesRejected).toBe(0);
    const processed = state.webhook.timesProcessed.slice();
    apply(state, { type: 'sendForged' });
    runTo(state, 41_000);
    expect(state.webhook.signaturesRejected).toBe(1);
    // The tampered event was not processed again.
    expect(state.webhook.timesProcessed).toEqual(processed);
    const rejected = state.events.items.find((e) => e.kind === 'rejected');
    expect(rejected?.text).toContain('signature mismatch');
    expect(rejected?.important).toBe(true);
    // The attacker got a 401 back.
    expect(state.messages.some((m) => m.kind === 'webhookResponse' && m.label === '401')).toBe(
      true,
    );
    expect(webhookBody(state, 1)).toContain('"id":"evt_000001"');
  });
});

describe('faults', () => {
  it('10 events while the consumer is down: after it returns, every lane has each exactly once', () => {
    const state = createWebhooksState({ ...BASE, eventsPerMinute: 0 }, 42);
    runTo(state, 3_000);
    apply(state, { type: 'setConsumerDown', down: true });
    for (let i = 0; i < 10; i += 1) {
      apply(state, { type: 'fireEvent' });
      runTo(state, state.nowMs + 300);
    }
    runTo(state, 15_000);
    for (const lane of LANE_IDS) expect(state.lanes[lane].delaysSorted, lane).toHaveLength(0);
    apply(state, { type: 'setConsumerDown', down: false });
    runTo(state, 90_000);
    expect(state.produced).toHaveLength(10);
    for (const lane of LANE_IDS) expect(state.lanes[lane].delaysSorted, lane).toHaveLength(10);
    expect(state.webhook.timesProcessed.slice(1)).toEqual(new Array(10).fill(1));
    expect(state.webhook.deadLettered).toBe(0);
    expect(state.webhook.retries).toBeGreaterThan(0);
  });

  it('a producer restart drops held polls and streams; everyone catches up afterwards', () => {
    const state = createWebhooksState({ ...BASE, eventsPerMinute: 30 }, 4);
    runTo(state, 20_000);
    expect(state.connections).toHaveLength(1);
    apply(state, { type: 'restartProducer', downMs: 3_000 });
    expect(state.connections).toHaveLength(0);
    expect(state.held).toHaveLength(0);
    apply(state, { type: 'fireEvent' });
    expect(state.events.items.at(-1)?.kind).toBe('refused');
    runTo(state, 120_000);
    expect(state.producer.restarts).toBe(1);
    expect(state.socket.reconnects).toBeGreaterThan(0);
    apply(state, { type: 'setRate', eventsPerMinute: 0 });
    runTo(state, 180_000);
    for (const lane of LANE_IDS) {
      expect(state.lanes[lane].delaysSorted.length, lane).toBe(state.produced.length);
    }
  });

  it('thundering herd: without jitter 50 receivers retry in lockstep; full jitter spreads them', () => {
    const peak = (jitter: WebhooksConfig['jitter']) => {
      const state = createWebhooksState(
        { ...BASE, eventsPerMinute: 0, extraReceivers: 49, jitter, maxAttempts: 6 },
        8,
      );
      apply(state, { type: 'failReceivers', durationMs: 20_000 });
      apply(state, { type: 'fireEvent' });
      runTo(state, 10_000);
      // Ignore the first attempt (one event fans out at one instant in both cases).
      const retries = viewWebhooks(state).webhook.attemptBuckets.filter(([start]) => start > 0);
      return Math.max(...retries.map(([, count]) => count));
    };
    expect(peak('none')).toBe(50);
    expect(peak('full')).toBeLessThan(20);
    expect(peak('decorrelated')).toBeLessThan(25);
  });

  it('network drops break the stream; the client detects the gap and resumes', () => {
    const state = createWebhooksState({ ...BASE, eventsPerMinute: 60, dropPercent: 10 }, 13);
    runTo(state, 120_000);
    expect(state.socket.reconnects).toBeGreaterThan(0);
    expect(
      state.events.items.some((e) => e.kind === 'socket' && /gap|heartbeat/.test(e.text)),
    ).toBe(true);
    apply(state, { type: 'setRate', eventsPerMinute: 0 });
    apply(state, { type: 'setNetwork', latencyMs: 80, dropPercent: 0, duplicatePercent: 0 });
    runTo(state, 200_000);
    expect(state.lanes.socket.delaysSorted.length).toBe(state.produced.length);
  });

  it('refuses past its limits with a message instead of failing', () => {
    const state = createWebhooksState({ ...BASE, eventsPerMinute: 0 }, 1);
    state.produced = Array.from({ length: EVENTS_MAX }, (_, i) => ({
      seq: i + 1,
      createdAtMs: 0,
      source: 'poisson' as const,
      knownAtMs: [0, 0, 0, 0] as [number, number, number, number],
    }));
    state.webhook.timesProcessed = new Array(EVENTS_MAX + 1).fill(0);
    apply(state, { type: 'fireEvent' });
    expect(state.produced).toHaveLength(EVENTS_MAX);
    expect(state.events.items.at(-1)).toMatchObject({ kind: 'refused', important: true });
    apply(state, { type: 'redrive' });
    expect(state.events.items.at(-1)?.text).toContain('dead-letter queue is empty');
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism, the runner, and invariants over random command logs.

describe('determinism', () => {
  it('the same seed and commands give identical snapshots; another seed differs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), logArbitrary, (seed, commands) => {
        const a = straightRun(seed, commands, 50_000);
        const b = straightRun(seed, commands, 50_000);
        expect(viewWebhooks(a)).toEqual(viewWebhooks(b));
        expect(a.events.items).toEqual(b.events.items);
      }),
      { numRuns: 25 },
    );
    const a = straightRun(1, [], 60_000);
    const c = straightRun(2, [], 60_000);
    expect(viewWebhooks(a)).not.toEqual(viewWebhooks(c));
  });

  it('step size does not matter: 1 ms steps and one jump land on the same state', () => {
    const stepped = createWebhooksState({ ...BASE, eventsPerMinute: 60, dropPercent: 10 }, 21);
    const jumped = createWebhooksState({ ...BASE, eventsPerMinute: 60, dropPercent: 10 }, 21);
    for (let t = 1; t <= 15_000; t += 1) advanceWebhooks(stepped, t);
    advanceWebhooks(jumped, 15_000);
    expect(stepped).toEqual(jumped);
  });

  it('invariants hold after every step of random runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), logArbitrary, (seed, commands) => {
        straightRun(seed, commands, 60_000);
      }),
      { numRuns: 40 },
    );
  });
});

describe('backoff formula in the view helpers', () => {
  it('exponentialDelayMs is what the lesson quotes: 1 s base doubling', () => {
    const policy = policyOf(BASE);
    expect([1, 2, 3, 4, 5, 6].map((n) => exponentialDelayMs(policy, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000,
    ]);
  });
});
