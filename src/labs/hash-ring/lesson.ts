/**
 * The consistent-hashing lesson: the idea in a few sentences, then experiments. Each answer is
 * read off the running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { HashRingConfig } from './sim/model';
import type { HashRingSnapshot } from './sim/snapshot';

type HashRingExperiment = Experiment<HashRingConfig, HashRingSnapshot>;

function movedShare(snapshot: HashRingSnapshot, which: 'ring' | 'modulo'): number {
  const change = snapshot.lastChange;
  if (!change || change.keysTotal === 0) return Number.NaN;
  return (which === 'ring' ? change.movedOnRing : change.movedModulo) / change.keysTotal;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Picks the choice whose range holds the measured value. */
function bucket(value: number, edges: { id: string; below: number }[]): string {
  for (const edge of edges) if (value < edge.below) return edge.id;
  return edges.at(-1)!.id;
}

const addFifth: HashRingExperiment = {
  id: 'add-fifth',
  title: 'Add a fifth server',
  setup: '4 servers with 100 virtual nodes each hold 10,000 keys. We add server S5.',
  question: 'What share of the keys move?',
  choices: [
    { id: 'tiny', label: 'under 10%' },
    { id: 'fifth', label: 'about 20%' },
    { id: 'half', label: 'about half' },
    { id: 'most', label: 'almost all' },
  ],
  config: { servers: 4, vnodesPerServer: 100, keys: 10_000, requestsPerSecond: 0 },
  commands: [{ atMs: 0, command: { type: 'addServer' } }],
  atMs: 0,
  measure(snapshot) {
    const share = movedShare(snapshot, 'ring');
    return {
      choiceId: bucket(share, [
        { id: 'tiny', below: 0.1 },
        { id: 'fifth', below: 0.35 },
        { id: 'half', below: 0.7 },
        { id: 'most', below: 2 },
      ]),
      text: `${percent(share)} of the keys moved, all of them to S5 (the ideal is 1/5 = 20%).`,
    };
  },
  explanation:
    'S5 takes over the arcs just before each of its virtual nodes; every other key keeps its owner. A new server should take its fair share, 1/N, and nothing more.',
};

const moduloFifth: HashRingExperiment = {
  id: 'modulo-fifth',
  title: 'The same change under hash mod N',
  setup: 'The same 10,000 keys, placed with server = hash(key) mod N. N goes from 4 to 5.',
  question: 'What share of the keys move now?',
  choices: [
    { id: 'fifth', label: 'about 20%' },
    { id: 'half', label: 'about half' },
    { id: 'most', label: 'about 80%' },
    { id: 'all', label: 'all of them' },
  ],
  config: { servers: 4, vnodesPerServer: 100, keys: 10_000, requestsPerSecond: 0 },
  commands: [{ atMs: 0, command: { type: 'addServer' } }],
  atMs: 0,
  measure(snapshot) {
    const share = movedShare(snapshot, 'modulo');
    return {
      choiceId: bucket(share, [
        { id: 'fifth', below: 0.35 },
        { id: 'half', below: 0.65 },
        { id: 'most', below: 0.97 },
        { id: 'all', below: 2 },
      ]),
      text: `${percent(share)} of the keys moved under mod N, against ${percent(movedShare(snapshot, 'ring'))} on the ring.`,
    };
  },
  explanation:
    'A key stays put only when hash mod 4 equals hash mod 5, which holds for about 1 key in 5. So about N/(N+1) of all keys move: a cache in front of them would go cold at once.',
};

const oneVnode: HashRingExperiment = {
  id: 'one-vnode',
  title: 'One point per server',
  setup: '8 servers, each hashed to a single point on the ring (1 virtual node), 10,000 keys.',
  question: 'How many times the average does the busiest server hold?',
  choices: [
    { id: 'even', label: 'about 1× (even)' },
    { id: 'some', label: '1.2× to 1.6×' },
    { id: 'lots', label: '1.6× or more' },
  ],
  config: { servers: 8, vnodesPerServer: 1, keys: 10_000, requestsPerSecond: 0 },
  commands: [],
  atMs: 0,
  measure(snapshot) {
    const ratio = snapshot.keyStats.maxOverMean;
    return {
      choiceId: bucket(ratio, [
        { id: 'even', below: 1.2 },
        { id: 'some', below: 1.6 },
        { id: 'lots', below: 99 },
      ]),
      text: `the busiest server holds ${ratio.toFixed(2)}× the mean (std dev / mean ${snapshot.keyStats.coefficientOfVariation.toFixed(2)}).`,
    };
  },
  explanation:
    'With one point each, arc lengths are as uneven as random gaps between 8 points. Raise the virtual nodes to 200 and watch max/mean fall towards 1: many small arcs average out.',
};

const hotKey: HashRingExperiment = {
  id: 'hot-key',
  title: 'Balanced keys, unbalanced load',
  setup:
    '6 servers with 200 virtual nodes share 1,000 keys evenly. Requests pick keys with Zipf popularity (s = 1.2) at 400 per second; we run 10 seconds.',
  question: 'Is the request load as even as the keys?',
  choices: [
    { id: 'even', label: 'yes, about as even' },
    { id: 'uneven', label: 'no, one server gets far more' },
  ],
  config: {
    servers: 6,
    vnodesPerServer: 200,
    keys: 1_000,
    popularity: 'zipf',
    zipfExponent: 1.2,
    requestsPerSecond: 400,
  },
  commands: [],
  atMs: 10_000,
  measure(snapshot) {
    const keys = snapshot.keyStats.maxOverMean;
    const load = snapshot.requestStats.maxOverMean;
    return {
      choiceId: load > keys + 0.25 ? 'uneven' : 'even',
      text: `keys: busiest server ${keys.toFixed(2)}× the mean; requests: ${load.toFixed(2)}× the mean. The hottest key alone draws ${percent(snapshot.hotKey?.share ?? 0)} of requests.`,
    };
  },
  explanation:
    'Consistent hashing balances keys, not popularity: every request for the hot key lands on the one server that owns it. Hot keys need replication of reads or splitting the key.',
};

const failure: HashRingExperiment = {
  id: 'failure',
  title: 'A server fails',
  setup: '5 servers with 100 virtual nodes and 10,000 keys; S2 fails.',
  question: 'Which keys move?',
  choices: [
    { id: 'only', label: 'only the keys S2 held' },
    { id: 'many', label: 'keys from every server reshuffle' },
  ],
  config: { servers: 5, vnodesPerServer: 100, keys: 10_000, requestsPerSecond: 0 },
  commands: [{ atMs: 0, command: { type: 'setFailed', serverId: 'S2', failed: true } }],
  atMs: 0,
  measure(snapshot) {
    const change = snapshot.lastChange;
    const moved = change?.movedOnRing ?? 0;
    const total = change?.keysTotal ?? 0;
    const share = total > 0 ? moved / total : 0;
    return {
      choiceId: share <= 0.3 ? 'only' : 'many',
      text: `${moved.toLocaleString('en-US')} keys (${percent(share)}) moved, each to the next live server clockwise; mod N would move ${percent(movedShare(snapshot, 'modulo'))}.`,
    };
  },
  explanation:
    'Only the failed server’s arcs change hands, and they are spread over many successors because its virtual nodes are scattered. With replication factor 3 those keys already had copies on exactly those successors.',
};

export const hashRingLesson: Lesson<HashRingConfig, HashRingSnapshot> = {
  title: 'Consistent hashing',
  concept: [
    'Picture the whole 32-bit hash space, 0 to 2³² − 1, bent into a circle. Each server is hashed to points on that circle, and each key is hashed the same way. A key belongs to the first server point you meet walking clockwise from the key.',
    'Why bother? With server = hash(key) mod N, changing N reassigns almost every key, and every cache behind those servers goes cold. On the ring, a server that joins takes over only the arcs in front of its points, about 1/N of the keys, and a server that leaves hands over only its own.',
    'One point per server gives arcs of very different lengths, so servers also get virtual nodes: many points each, which averages the arcs out (and a bigger machine can get more of them). For replication, a key is stored on the next few distinct servers clockwise, its preference list. What the ring cannot fix is a popular key: all its requests still go to one owner.',
  ],
  experiments: [addFifth, moduloFifth, oneVnode, hotKey, failure],
};
