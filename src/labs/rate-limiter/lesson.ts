/**
 * The rate-limiting lesson: the idea in a few sentences, then experiments. Each answer is read
 * off the running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { RateLimiterConfig } from './sim/model';
import type { LaneView, RateLimiterSnapshot } from './sim/snapshot';

type RateLimiterExperiment = Experiment<RateLimiterConfig, RateLimiterSnapshot>;

function laneOf(snapshot: RateLimiterSnapshot, algorithm: string): LaneView | undefined {
  return snapshot.lanes.find((lane) => lane.algorithm === algorithm);
}

const quiet = { pattern: 'none' as const, clients: 1, abuseFactor: 1 };

const burstAtBucket: RateLimiterExperiment = {
  id: 'burst-token-bucket',
  title: 'A burst against a token bucket',
  setup:
    'A token bucket holds 10 tokens and refills 10 per second. One client fires 20 requests in the same millisecond.',
  question: 'How many get through?',
  choices: [
    { id: 'none', label: 'none: it is far over 10 per second' },
    { id: 'ten', label: 'exactly 10' },
    { id: 'some-more', label: 'a few more than 10' },
    { id: 'all', label: 'all 20' },
  ],
  config: { ...quiet, lanes: 'token-bucket', limit: 10, burst: 10 },
  commands: [{ atMs: 0, command: { type: 'fireBurst', count: 20, client: 0 } }],
  atMs: 0,
  measure(snapshot) {
    const lane = laneOf(snapshot, 'token-bucket');
    const accepted = lane?.accepted ?? 0;
    return {
      choiceId:
        accepted === 0 ? 'none' : accepted === 10 ? 'ten' : accepted < 20 ? 'some-more' : 'all',
      text: `${accepted} accepted and ${lane?.rejected ?? 0} answered 429; the next token comes back after ${lane?.latest.at(-1)?.retryAfterMs ?? '—'} ms.`,
    };
  },
  explanation:
    'A full bucket is a budget for bursts: every token can be spent at once. The refill rate only limits the long-run average, so capacity is the knob for how bursty a client may be.',
};

const boundary: RateLimiterExperiment = {
  id: 'boundary-attack',
  title: 'The window-boundary attack',
  setup:
    'A limit of 10 per second. The attacker sends 10 in the last tenth of a second of one window and 10 in the first tenth of the next, again and again. Fixed window and sliding log run side by side.',
  question: 'At most how many requests does the fixed window let through in any one-second span?',
  choices: [
    { id: 'limit', label: '10, the limit' },
    { id: 'between', label: 'between 11 and 19' },
    { id: 'double', label: '20, twice the limit' },
  ],
  config: {
    ...quiet,
    lanes: 'fixed-window,sliding-log',
    pattern: 'boundary',
    limit: 10,
    burst: 10,
  },
  commands: [],
  atMs: 8_000,
  measure(snapshot) {
    const fixed = laneOf(snapshot, 'fixed-window')?.maxInWindow ?? 0;
    const log = laneOf(snapshot, 'sliding-log')?.maxInWindow ?? 0;
    return {
      choiceId: fixed <= 10 ? 'limit' : fixed < 20 ? 'between' : 'double',
      text: `Fixed window: ${fixed} in one second; sliding log: ${log}.`,
    };
  },
  explanation:
    'A fixed window only counts inside its own window, so a full limit just before the boundary and another just after both pass. The sliding log looks back exactly one window from every request and refuses the second half.',
};

const leakyQueue: RateLimiterExperiment = {
  id: 'leaky-queue',
  title: 'Shaping instead of refusing',
  setup:
    'A leaky bucket used as a queue of 10 places, drained at 10 per second. One client fires 20 requests at once.',
  question: 'What happens to the 20?',
  choices: [
    { id: 'all-pass', label: 'all pass at once' },
    { id: 'ten-ten', label: '10 pass, 10 get 429' },
    { id: 'queued', label: 'one passes, about 10 wait their turn, the rest get 429' },
    { id: 'all-wait', label: 'all 20 wait their turn' },
  ],
  config: { ...quiet, lanes: 'leaky-queue,token-bucket', limit: 10, burst: 10 },
  commands: [{ atMs: 0, command: { type: 'fireBurst', count: 20, client: 0 } }],
  atMs: 0,
  measure(snapshot) {
    const lane = laneOf(snapshot, 'leaky-queue');
    const delayed = lane?.delayed ?? 0;
    const rejected = lane?.rejected ?? 0;
    return {
      choiceId:
        rejected === 0
          ? delayed > 0
            ? 'all-wait'
            : 'all-pass'
          : delayed > 0
            ? 'queued'
            : 'ten-ten',
      text: `${lane?.accepted ?? 0} went at once, ${delayed} were delayed (the last by about ${delayed * 100} ms) and ${rejected} got 429.`,
    };
  },
  explanation:
    'The queue turns a burst into a steady stream at the drain rate: the API never sees more than 10 a second, at the price of latency. Only when the queue is full does it refuse.',
};

const race: RateLimiterExperiment = {
  id: 'distributed-race',
  title: 'Three gateways, one limit',
  setup:
    'Three gateways enforce 10 per second per client through a shared counter store 20 ms away. Read-then-write, atomic increment and synced local counters run on the same traffic.',
  question: 'Does read-then-write ever accept more than the limit?',
  choices: [
    { id: 'never', label: 'never: the store holds the count' },
    { id: 'sometimes', label: 'yes, when gateways read the same count' },
  ],
  config: {
    mode: 'distributed',
    gateways: 3,
    storeLatencyMs: 20,
    syncMs: 200,
    pattern: 'poisson',
    ratePerSecond: 120,
    clients: 2,
    abuseFactor: 3,
  },
  commands: [],
  atMs: 10_000,
  measure(snapshot) {
    const over = (strategy: string) => laneOf(snapshot, strategy)?.dist?.overshoot ?? 0;
    return {
      choiceId: over('racy') > 0 ? 'sometimes' : 'never',
      text: `Accepted over the limit: read-then-write ${over('racy')}, atomic increment ${over('atomic')}, synced local counters ${over('sync')}.`,
    };
  },
  explanation:
    'Between a gateway reading the count and writing it back, another gateway reads the same value: both accept, and one write overwrites the other. An atomic increment lets the store order the requests. Local counters trade a bounded overshoot for not asking the store on every request.',
};

const natSharing: RateLimiterExperiment = {
  id: 'nat',
  title: 'Keyed by IP address',
  setup:
    'Carol and Dave sit behind one NAT, so they share an IP address. Each fires 10 requests; the limit is 10 per second per key.',
  question: 'Keyed by IP, how many of their 20 requests pass?',
  choices: [
    { id: 'ten', label: '10: they share one bucket' },
    { id: 'twenty', label: '20: each has a bucket' },
  ],
  config: { ...quiet, clients: 4, keyBy: 'ip', lanes: 'token-bucket' },
  commands: [
    { atMs: 0, command: { type: 'fireBurst', count: 10, client: 2 } },
    { atMs: 0, command: { type: 'fireBurst', count: 10, client: 3 } },
  ],
  atMs: 0,
  measure(snapshot) {
    const accepted = snapshot.lanes[0]?.accepted ?? 0;
    return {
      choiceId: accepted <= 10 ? 'ten' : 'twenty',
      text: `${accepted} of 20 passed with the limit keyed by IP address.`,
    };
  },
  explanation:
    'The key decides who shares a limit. IP addresses are easy to get but lump together everyone behind a NAT or proxy; API keys or user ids are fairer but need authentication first.',
};

const storm: RateLimiterExperiment = {
  id: 'retry-storm',
  title: 'Retry storms',
  setup:
    'After a burst of 30 at a token bucket of 10, the refused clients retry at once (every 20 ms, up to 5 tries).',
  question: 'How many of the 20 refused requests get in on a retry?',
  choices: [
    { id: 'none', label: 'none' },
    { id: 'some', label: 'a few' },
    { id: 'all', label: 'all of them' },
  ],
  config: { ...quiet, lanes: 'token-bucket', retry: 'storm' },
  commands: [{ atMs: 0, command: { type: 'fireBurst', count: 30, client: 0 } }],
  atMs: 3_000,
  measure(snapshot) {
    const lane = snapshot.lanes[0];
    const extra = (lane?.accepted ?? 0) - 10;
    return {
      choiceId: extra <= 0 ? 'none' : extra < 20 ? 'some' : 'all',
      text: `${Math.max(0, extra)} got in on a retry; the limiter answered ${lane?.attempts ?? 0} requests and ${lane?.gaveUp ?? 0} clients gave up. Switch to "Retry when Retry-After says" to compare.`,
    };
  },
  explanation:
    'Retrying at once only adds load: no token has come back yet. Waiting for Retry-After arrives exactly when one does, though clients told the same time all come back together; real clients add jitter.',
};

export const rateLimiterLesson: Lesson<RateLimiterConfig, RateLimiterSnapshot> = {
  title: 'Rate limiting',
  concept: [
    'A rate limiter caps how many requests one client may make in a period of time. It protects a service from overload and abuse, keeps one heavy user from crowding out the rest, and takes the edge off denial-of-service traffic.',
    'Over the limit, the server answers 429 Too Many Requests, ideally with Retry-After and RateLimit headers saying when to come back; a throttling limiter may instead slow requests down by queueing them.',
    'The algorithms differ in what they remember. A token bucket keeps a level refilled at a fixed rate, so bursts up to its capacity pass; a leaky bucket drains a queue at a fixed rate, smoothing spikes; a fixed window counts per clock window and is fooled at window edges; a sliding log keeps every timestamp and is exact but costly; a sliding counter weights the previous window to approximate the log cheaply; GCRA does the token bucket’s job with a single timestamp.',
    'Spread over several servers, a limit needs a shared count, and two new problems appear: races between reading and updating the count, and keeping local counts in sync.',
  ],
  experiments: [burstAtBucket, boundary, leakyQueue, race, natSharing, storm],
};
