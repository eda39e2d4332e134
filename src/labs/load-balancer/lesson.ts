/**
 * The load-balancing lesson: the idea in a few paragraphs, then experiments. Each answer is read
 * off the running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { LoadBalancerConfig } from './sim/model';
import type { LaneView, LoadBalancerSnapshot } from './sim/snapshot';

type LoadBalancerExperiment = Experiment<LoadBalancerConfig, LoadBalancerSnapshot>;

function lane(snapshot: LoadBalancerSnapshot, index: number): LaneView | undefined {
  return snapshot.lanes[index];
}

function spreadOf(view: LaneView | undefined): number {
  const served = view?.servers.map((s) => s.served) ?? [];
  const mean = served.reduce((a, b) => a + b, 0) / Math.max(1, served.length);
  return mean > 0 ? Math.max(...served) / mean : Number.NaN;
}

const slowServer: LoadBalancerExperiment = {
  id: 'slow-server',
  title: 'One slow server: round robin vs least connections',
  setup:
    'Four servers, 500 requests per second, outlier ejection off. S2 becomes 8× slower at the start. Two balancers get exactly the same requests: one uses round robin, the other least connections. We run 30 seconds.',
  question: 'Which balancer has the lower p99 latency?',
  choices: [
    { id: 'rr', label: 'round robin' },
    { id: 'lc', label: 'least connections' },
    { id: 'same', label: 'about the same' },
  ],
  config: { compare: 'round-robin,least-connections', requestsPerSecond: 500, ejection: false },
  commands: [{ atMs: 0, command: { type: 'setSlowness', serverId: 'S2', slowness: 8 } }],
  atMs: 30_000,
  measure(snapshot) {
    const rr = lane(snapshot, 0);
    const lc = lane(snapshot, 1);
    const a = rr?.window.p99 ?? 0;
    const b = lc?.window.p99 ?? 0;
    const choiceId = Math.abs(a - b) < 0.15 * Math.max(a, b) ? 'same' : a < b ? 'rr' : 'lc';
    return {
      choiceId,
      text: `p99 ${a} ms with round robin against ${b} ms with least connections; round robin failed or dropped ${(rr?.totals.errors ?? 0) + (rr?.totals.dropped ?? 0)} requests, least connections ${(lc?.totals.errors ?? 0) + (lc?.totals.dropped ?? 0)}.`,
    };
  },
  explanation:
    'Round robin hands S2 its quarter no matter what; its queue grows until requests wait seconds, time out or are turned away. Least connections sees requests piling up at S2 (they come back slowly) and sends new work elsewhere. Health checks do not help: S2 answers its probes, it is just slow. Turn outlier ejection on and round robin recovers in part: timeouts get S2 ejected for a while, again and again.',
};

const detection: LoadBalancerExperiment = {
  id: 'detection',
  title: 'How long until a crash is noticed?',
  setup:
    'Health checks run every 1 s with a 500 ms timeout; 3 failures in a row mark a server unhealthy. Passive ejection is off. S2 crashes at 5 s.',
  question: 'How long after the crash does the balancer mark S2 unhealthy?',
  choices: [
    { id: 'instant', label: 'under 1 s' },
    { id: 'few', label: 'between 2 and 3.5 s' },
    { id: 'long', label: 'more than 5 s' },
  ],
  config: { ejection: false, healthIntervalMs: 1_000, healthTimeoutMs: 500, unhealthyThreshold: 3 },
  commands: [{ atMs: 5_000, command: { type: 'setCrashed', serverId: 'S2', crashed: true } }],
  atMs: 12_000,
  measure(snapshot) {
    const s2 = snapshot.servers.find((s) => s.id === 'S2');
    const crashed = s2?.crashedAtMs ?? null;
    const marked = s2?.unhealthyAtMs ?? null;
    if (crashed === null || marked === null) {
      return { choiceId: 'long', text: 'S2 was not marked unhealthy within 7 s.' };
    }
    const seconds = (marked - crashed) / 1000;
    const failovers = lane(snapshot, 0)?.totals.failovers ?? 0;
    return {
      choiceId: seconds < 1 ? 'instant' : seconds <= 3.5 ? 'few' : 'long',
      text: `${seconds.toFixed(2)} s (the bound is 1 s × 3 + 0.5 s = 3.5 s). Meanwhile ${failovers} requests were refused by S2 and retried on another server.`,
    };
  },
  explanation:
    'The first failing probe can start up to one interval after the crash, and it takes three failures, the last one waiting out its timeout. Until then the balancer keeps choosing S2, and only failover (retrying refused connections elsewhere) hides the crash. Passive ejection, which watches real traffic, can react faster.',
};

const sticky: LoadBalancerExperiment = {
  id: 'sticky',
  title: 'Sticky sessions and a crash',
  setup:
    'A stateful app: 200 users log in, and sticky sessions keep each user on the server that holds their session in memory. At 10 s, S3 crashes.',
  question: 'What share of the logged-in users lose their session?',
  choices: [
    { id: 'none', label: 'none' },
    { id: 'quarter', label: 'about a quarter' },
    { id: 'all', label: 'all of them' },
  ],
  config: { sessions: 'sticky', requestsPerSecond: 300 },
  commands: [{ atMs: 10_000, command: { type: 'setCrashed', serverId: 'S3', crashed: true } }],
  atMs: 15_000,
  measure(snapshot) {
    const totals = lane(snapshot, 0)?.totals;
    const out = totals?.loggedOut ?? 0;
    const before = Math.max(1, (totals?.logins ?? 0) - out);
    const share = out / before;
    return {
      choiceId: share < 0.02 ? 'none' : share < 0.6 ? 'quarter' : 'all',
      text: `${out} of about ${before} logged-in users were logged out (${(share * 100).toFixed(0)}%).`,
    };
  },
  explanation:
    'Each server held about a quarter of the sessions, and those died with S3. Switch the sessions to the external store and crash S3 again: the count stays at zero, because any server can read the session from the store.',
};

const layer4: LoadBalancerExperiment = {
  id: 'layer4',
  title: 'Layer 4 and long-lived connections',
  setup:
    'A layer-4 balancer using least connections picks a server per TCP connection; 40 clients of very unequal appetite keep their connections open for about 20 s. 400 requests per second for 30 s.',
  question: 'How busy is the busiest server compared with the average?',
  choices: [
    { id: 'even', label: 'about even (under 1.2×)' },
    { id: 'some', label: '1.2× to 1.5×' },
    { id: 'lots', label: 'more than 1.5×' },
  ],
  config: { layer: 'l4', algorithm: 'least-connections', users: 40, requestsPerSecond: 400 },
  commands: [],
  atMs: 30_000,
  measure(snapshot) {
    const ratio = spreadOf(lane(snapshot, 0));
    return {
      choiceId: ratio < 1.2 ? 'even' : ratio <= 1.5 ? 'some' : 'lots',
      text: `the busiest server served ${ratio.toFixed(2)}× the mean number of requests.`,
    };
  },
  explanation:
    'Connections are balanced, requests are not: one heavy client on a long connection sends all its requests to one server, and least connections counts it as just one connection. Switch the layer to L7 while it runs and the spread evens out, because each request is balanced on its own.',
};

const twoChoices: LoadBalancerExperiment = {
  id: 'two-choices',
  title: 'Random vs the power of two choices',
  setup:
    'Four servers that each handle one request at a time, near their limit: 130 requests per second against about 150 they can serve. One balancer picks a server at random; the other picks two at random and sends to the less busy one.',
  question: 'How much does looking at just two servers change p99?',
  choices: [
    { id: 'nothing', label: 'hardly at all' },
    { id: 'better', label: 'p99 drops a lot' },
    { id: 'worse', label: 'p99 gets worse' },
  ],
  config: { compare: 'random,power-of-two', requestsPerSecond: 130, concurrency: 1 },
  commands: [],
  atMs: 30_000,
  measure(snapshot) {
    const random = lane(snapshot, 0)?.window.p99 ?? 0;
    const two = lane(snapshot, 1)?.window.p99 ?? 0;
    return {
      choiceId: two < random * 0.8 ? 'better' : two > random * 1.2 ? 'worse' : 'nothing',
      text: `p99 ${random} ms with random against ${two} ms with two choices.`,
    };
  },
  explanation:
    'Random placement lets queues grow by bad luck. Comparing just two random servers almost never sends work to the busiest one, which shortens the longest queues dramatically, without the balancer needing to know every server’s load.',
};

const drain: LoadBalancerExperiment = {
  id: 'drain',
  title: 'Remove a server without dropping anything',
  setup: 'Four servers at 500 requests per second. At 5 s we ask to remove S2; it drains first.',
  question: 'How many requests fail because S2 left?',
  choices: [
    { id: 'none', label: 'none' },
    { id: 'few', label: 'a few (those in flight)' },
    { id: 'many', label: 'many' },
  ],
  config: { requestsPerSecond: 500 },
  commands: [{ atMs: 5_000, command: { type: 'removeServer', serverId: 'S2' } }],
  atMs: 10_000,
  measure(snapshot) {
    const totals = lane(snapshot, 0)?.totals;
    const failed = (totals?.errors ?? 0) + (totals?.dropped ?? 0);
    const gone = !snapshot.servers.some((s) => s.id === 'S2');
    return {
      choiceId: failed === 0 ? 'none' : failed < 20 ? 'few' : 'many',
      text: `${failed} requests failed; S2 ${gone ? 'has left the pool' : 'is still draining'}, and the other three servers took its share.`,
    };
  },
  explanation:
    'Draining stops new requests to S2 but lets the ones it holds finish; it leaves only when nothing is in flight. That is how servers are taken out for deploys without downtime. A crash, by contrast, resets whatever the server held.',
};

export const loadBalancerLesson: Lesson<LoadBalancerConfig, LoadBalancerSnapshot> = {
  title: 'Load balancing',
  concept: [
    'A load balancer stands between the clients and a group of servers and decides, for every request (or connection), which server should answer. Spreading work keeps any one machine from drowning, so responses stay fast; and because the clients only know the balancer, servers can fail, be added or be taken away behind it without anyone noticing.',
    'To do that it must know who is alive. Active health checks probe each server on a timer and take it out after a few failures in a row; passive outlier detection watches real responses and ejects a server that keeps failing. Until a failure is noticed, retrying a refused request on another server (failover) hides it. Removing a server gracefully means draining it: no new work, and it leaves once what it holds is done.',
    'Which server? Round robin takes turns, smooth weighted round robin takes turns in proportion to capacity, random needs no memory, least connections and least response time look at how busy or slow each server is, the power of two choices compares two random servers, and IP or consistent hashing pins each client to one server.',
    'Stateless apps let any server answer any request. A stateful app that keeps logins in server memory needs sticky sessions, and loses them when that server dies; keeping sessions in an external store removes that tie. A layer-4 balancer sees only TCP connections, a layer-7 balancer reads each HTTP request and can route by path or header to separate pools. Real systems put balancers in front of every tier.',
  ],
  experiments: [slowServer, detection, sticky, layer4, twoChoices, drain],
};
