/**
 * The webhooks-vs-polling lesson: the idea in a few sentences, then experiments. Each answer is
 * read off the running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { WebhooksConfig } from './sim/constants';
import type { LaneView, WebhooksSnapshot } from './sim/snapshot';

type WebhooksExperiment = Experiment<WebhooksConfig, WebhooksSnapshot>;

function lane(snapshot: WebhooksSnapshot, id: LaneView['id']): LaneView {
  const found = snapshot.lanes.find((l) => l.id === id);
  if (!found) throw new Error(`no lane ${id}`);
  return found;
}

function seconds(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`;
}

/** Picks the choice whose range holds the measured value. */
function bucket(value: number, edges: { id: string; below: number }[]): string {
  for (const edge of edges) if (value < edge.below) return edge.id;
  return edges.at(-1)!.id;
}

/** The largest number of delivery attempts in one 250 ms bucket after the first fan-out. */
function retryPeak(snapshot: WebhooksSnapshot): number {
  const retries = snapshot.webhook.attemptBuckets.filter(([start]) => start > 0);
  return Math.max(0, ...retries.map(([, count]) => count));
}

const pollEveryFive: WebhooksExperiment = {
  id: 'poll-five',
  title: 'Poll every 5 seconds',
  setup:
    'The customer asks “is my pizza ready?” every 5 s. Pizzas come out at random, about 30 a minute, for 5 minutes.',
  question: 'On average, how long after a pizza is ready does the short-polling customer find out?',
  choices: [
    { id: 'instant', label: 'about 0.1 s' },
    { id: 'half', label: 'about 2.5 s' },
    { id: 'full', label: 'about 5 s' },
    { id: 'double', label: 'about 10 s' },
  ],
  config: { eventsPerMinute: 30, pollIntervalMs: 5_000 },
  commands: [],
  atMs: 300_000,
  measure(snapshot) {
    const short = lane(snapshot, 'short');
    const mean = short.delay.meanMs ?? Number.NaN;
    return {
      choiceId: bucket(mean, [
        { id: 'instant', below: 800 },
        { id: 'half', below: 3_800 },
        { id: 'full', below: 7_500 },
        { id: 'double', below: Number.POSITIVE_INFINITY },
      ]),
      text: `mean ${seconds(mean)} (p50 ${seconds(short.delay.p50Ms)}, max ${seconds(short.delay.maxMs)}) over ${short.delay.count} events; the webhook lane took ${seconds(lane(snapshot, 'webhook').delay.meanMs)} on average.`,
    };
  },
  explanation:
    'A pizza is equally likely to come out at any moment between two polls, so on average it waits half the interval, plus one trip for the answer; the worst case is a whole interval plus a round trip. Halving the delay means doubling the requests.',
};

const emptyPolls: WebhooksExperiment = {
  id: 'empty-polls',
  title: 'How much asking is wasted?',
  setup: 'Two pizzas a minute; the short-polling customer asks every second, for 2 minutes.',
  question: 'What share of the short polls come back empty?',
  choices: [
    { id: 'few', label: 'under 25%' },
    { id: 'half', label: 'about half' },
    { id: 'most', label: 'over 90%' },
  ],
  config: { eventsPerMinute: 2, pollIntervalMs: 1_000 },
  commands: [],
  atMs: 120_000,
  measure(snapshot) {
    const short = lane(snapshot, 'short');
    const share = short.requests > 0 ? short.emptyResponses / short.requests : 0;
    return {
      choiceId: bucket(share, [
        { id: 'few', below: 0.25 },
        { id: 'half', below: 0.9 },
        { id: 'most', below: 2 },
      ]),
      text: `${short.emptyResponses} of ${short.requests} polls (${(share * 100).toFixed(1)}%) were empty; the webhook lane made ${lane(snapshot, 'webhook').requests} requests, one per event.`,
    };
  },
  explanation:
    'Polling costs a request per interval whether or not anything happened. When events are rarer than polls, almost all of that traffic is “no, not yet”. A webhook sends one request per event and nothing in between.',
};

const longPolling: WebhooksExperiment = {
  id: 'long-polling',
  title: 'Hold the line',
  setup:
    'The long-polling customer asks, and the shop holds the request open until a pizza is ready (or 20 s pass). One-way latency is 80 ms.',
  question: 'What is the long-polling customer’s median delay?',
  choices: [
    { id: 'trip', label: 'about one network trip (≈ 0.1 s)' },
    { id: 'interval', label: 'about 1 s, like polling every 2 s' },
    { id: 'hold', label: 'about the 20 s hold timeout' },
  ],
  config: { eventsPerMinute: 30, pollIntervalMs: 2_000, holdTimeoutMs: 20_000, latencyMs: 80 },
  commands: [],
  atMs: 120_000,
  measure(snapshot) {
    const long = lane(snapshot, 'long');
    const p50 = long.delay.p50Ms ?? Number.NaN;
    return {
      choiceId: bucket(p50, [
        { id: 'trip', below: 400 },
        { id: 'interval', below: 5_000 },
        { id: 'hold', below: Number.POSITIVE_INFINITY },
      ]),
      text: `long polling p50 ${seconds(p50)} (max ${seconds(long.delay.maxMs)}), with ${long.openConnections} request held open at the shop now; short polling p50 ${seconds(lane(snapshot, 'short').delay.p50Ms)}.`,
    };
  },
  explanation:
    'A held request is answered the moment the pizza is ready, so the delay is the trip back. The price is a connection the shop keeps open per waiting customer, and a new request after every answer.',
};

const dedupeOff: WebhooksExperiment = {
  id: 'dedupe-off',
  title: 'Redelivery without an idempotency check',
  setup:
    'The network drops 20% of messages. When the receiver’s “200 OK” is lost, the shop cannot tell and sends the webhook again. The receiver does not deduplicate.',
  question: 'Over 2 minutes of 30 events a minute, how many events are processed twice or more?',
  choices: [
    { id: 'none', label: 'none: retries only happen on failure' },
    { id: 'some', label: 'a handful' },
    { id: 'most', label: 'most of them' },
  ],
  config: { eventsPerMinute: 30, dropPercent: 20, dedupe: false },
  commands: [],
  atMs: 120_000,
  measure(snapshot) {
    const twice = snapshot.webhook.processedTwiceOrMore;
    const share = snapshot.eventsTotal > 0 ? twice / snapshot.eventsTotal : 0;
    return {
      choiceId: twice === 0 ? 'none' : share < 0.5 ? 'some' : 'most',
      text: `${twice} of ${snapshot.eventsTotal} events were processed more than once (a pizza charged twice). Turn dedupe on and the same run processes each once.`,
    };
  },
  explanation:
    'Delivery is at least once: a lost acknowledgement looks exactly like a lost request, so the sender must retry, and the receiver sees the event again. Keeping the event ids it has processed (an idempotency key) turns at-least-once delivery into exactly-once processing.',
};

function herdExperiment(jitter: 'none' | 'full'): WebhooksExperiment {
  return {
    id: `herd-${jitter}`,
    title: jitter === 'none' ? 'Fifty receivers fail at once' : 'The same outage with full jitter',
    setup: `50 receivers subscribe to the same event; all fail for 20 s as it fires. Retries back off 1 s, 2 s, 4 s… with ${jitter === 'none' ? 'no jitter' : 'full jitter (a random delay between 0 and the backoff)'}.`,
    question: 'After the first attempt, what is the most retries the shop sends in any 250 ms?',
    choices: [
      { id: 'spread', label: 'a few (under 20)' },
      { id: 'all', label: 'all 50 at once' },
    ],
    config: { eventsPerMinute: 0, extraReceivers: 49, jitter, maxAttempts: 8 },
    commands: [
      { atMs: 0, command: { type: 'failReceivers', durationMs: 20_000 } },
      { atMs: 0, command: { type: 'fireEvent' } },
    ],
    atMs: 28_000,
    measure(snapshot) {
      const peak = retryPeak(snapshot);
      return {
        choiceId: peak >= 40 ? 'all' : 'spread',
        text: `peak ${peak} retries in 250 ms across ${snapshot.webhook.receivers} receivers (see the attempts row of the timeline).`,
      };
    },
    explanation:
      jitter === 'none'
        ? 'Identical failures and an identical formula give identical retry times: every receiver is hit at the same instants, a thundering herd that can knock a recovering service straight back down.'
        : 'Randomising each delay spreads the retries over the whole backoff window; the total work is the same but the peaks are far lower.',
  };
}

const forged: WebhooksExperiment = {
  id: 'forged',
  title: 'A forged webhook',
  setup:
    'An attacker copies a genuine signed webhook, changes the order number in the body and sends it to the receiver. Signatures are real HMAC-SHA256 over “timestamp.body” with a shared secret.',
  question: 'What does the receiver do?',
  choices: [
    { id: 'processed', label: 'processes it: the signature header is genuine' },
    { id: 'rejected', label: 'rejects it with 401' },
  ],
  config: { eventsPerMinute: 30 },
  commands: [{ atMs: 5_000, command: { type: 'sendForged' } }],
  atMs: 6_000,
  measure(snapshot) {
    const rejected = snapshot.webhook.signaturesRejected;
    return {
      choiceId: rejected > 0 ? 'rejected' : 'processed',
      text: `${rejected} rejected; ${snapshot.webhook.signaturesVerified} genuine webhooks verified.`,
    };
  },
  explanation:
    'The signature is an HMAC of the exact bytes sent; change one character and the receiver’s own HMAC no longer matches (compared in constant time). The timestamp inside the signed text also stops old messages being replayed.',
};

export const webhooksLesson: Lesson<WebhooksConfig, WebhooksSnapshot> = {
  title: 'Webhooks vs polling',
  concept: [
    'You are waiting for a pizza. You can ring the shop every few minutes (short polling): simple, but most calls are wasted and you still hear late, by half the interval on average. You can ring and stay on the line until it is ready (long polling): you hear at once, but the shop keeps a line open for you and you ring again after every answer. You can keep one line open all evening (a WebSocket or server-sent events stream), which needs heartbeats and a reconnect that resumes where it left off. Or the shop can call you when it is ready (a webhook): one request per event, and nothing in between.',
    'Webhooks move the hard part to the sender. Your endpoint may be down or slow, so the shop retries with exponential backoff (base × factorⁿ, capped) and jitter, so that many failing receivers are not hit in lockstep, and after the last attempt it parks the event in a dead-letter queue for a later redrive. Because a lost acknowledgement looks like a lost request, delivery is at least once: the receiver must deduplicate by event id, the way a payment API uses an idempotency key.',
    'Anyone can POST to a public URL, so each webhook carries a signature: here a real HMAC-SHA256 of “timestamp.body” with a shared secret (our own SHA-256, checked against the FIPS and RFC 4231 vectors and Web Crypto), which the receiver recomputes and compares before trusting the body.',
  ],
  experiments: [
    pollEveryFive,
    emptyPolls,
    longPolling,
    dedupeOff,
    herdExperiment('none'),
    herdExperiment('full'),
    forged,
  ],
};
