/**
 * The quorum lesson: the idea in a few sentences, then experiments. Each answer is read off the
 * running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { LoggedCommand } from '../../worker/protocol';
import { formatValue } from './sim/constants';
import type { HistoryOp, QuorumCommand, QuorumConfig } from './sim/model';
import type { QuorumSnapshot } from './sim/snapshot';

type QuorumExperiment = Experiment<QuorumConfig, QuorumSnapshot>;

const at = (atMs: number, command: QuorumCommand): LoggedCommand => ({ atMs, command });

const QUIET: Partial<QuorumConfig> = {
  replicas: 3,
  spares: 1,
  opsPerSecond: 0,
  latencyMs: 40,
  lossPercent: 0,
  keys: 1,
  clients: 3,
  conflict: 'lww',
};

function readsBy(snapshot: QuorumSnapshot, client: number): HistoryOp[] {
  return snapshot.recentOps.filter((op) => op.kind === 'read' && op.client === client);
}

function shown(snapshot: QuorumSnapshot, op: HistoryOp | undefined): string {
  if (!op) return 'nothing';
  if (op.status === 'fail') return `an error (${op.reason})`;
  if (op.status === 'pending') return 'no answer yet';
  return op.values
    .map((v) => {
      const text = snapshot.valueTexts[String(v)];
      return text
        ? `${formatValue(v)} “${text}”`
        : `${formatValue(v)}${v === 0 ? ' (the old bio)' : ''}`;
    })
    .join(' and ');
}

function partitionOutcome(snapshot: QuorumSnapshot): { choiceId: string; text: string } {
  const read = readsBy(snapshot, 2)[0];
  const choiceId = read?.status !== 'ok' ? 'fails' : read.stale ? 'stale' : 'fresh';
  return {
    choiceId,
    text: `C3 got ${shown(snapshot, read)}${read?.stale ? ' — flagged as a stale read' : ''}; stale reads: ${snapshot.counters.staleReads}, failed requests: ${snapshot.counters.unavailable + snapshot.counters.timedOut}.`,
  };
}

const partitionChoices = [
  { id: 'fresh', label: 'yes, it sees the new bio' },
  { id: 'stale', label: 'no, it returns the old bio' },
  { id: 'fails', label: 'the read fails' },
];

const isolateWriteRead = [
  at(0, { type: 'isolate', nodeId: 'R3' }),
  at(10, { type: 'clientWrite', client: 0, key: 0, text: 'Hiking and tea' }),
  at(500, { type: 'clientRead', client: 2, key: 0 }),
];

const profileBio: QuorumExperiment = {
  id: 'profile-bio',
  title: 'The profile bio',
  setup:
    'Alice (C1) updates her bio through R1. N = 3, W = 1, R = 1, and the link from R1 to R3 is slow. 0.1 s later her friends Bob (C2, via R2) and Carol (C3, via R3) open her profile; Carol looks again after 3 s.',
  question: 'At 0.1 s, do Bob and Carol see the same bio?',
  choices: [
    { id: 'same-new', label: 'yes, both see the new bio' },
    { id: 'different', label: 'no, they see different bios' },
    { id: 'same-old', label: 'yes, both still see the old one' },
  ],
  config: {
    ...QUIET,
    writeQuorum: 1,
    readQuorum: 1,
    mode: 'ap',
    readRepair: 'off',
    antiEntropy: 'merkle',
    antiEntropyPeriodMs: 2_000,
  },
  commands: [
    at(0, { type: 'setSlowLink', a: 'R1', b: 'R3', factor: 25, lossPercent: 0 }),
    at(0, { type: 'clientWrite', client: 0, key: 0, text: 'Hiking and tea' }),
    at(100, { type: 'clientRead', client: 1, key: 0 }),
    at(100, { type: 'clientRead', client: 2, key: 0 }),
    at(3_000, { type: 'clientRead', client: 2, key: 0 }),
  ],
  atMs: 3_200,
  measure(snapshot) {
    const bob = readsBy(snapshot, 1)[0];
    const [carolFirst, carolLater] = readsBy(snapshot, 2);
    const same = bob?.values.join() === carolFirst?.values.join();
    const choiceId = same ? (bob?.values[0] === 0 ? 'same-old' : 'same-new') : 'different';
    return {
      choiceId,
      text: `Bob read ${shown(snapshot, bob)}, Carol read ${shown(snapshot, carolFirst)}; at 3 s Carol read ${shown(snapshot, carolLater)}.`,
    };
  },
  explanation:
    'With W = 1 the write is acknowledged as soon as R1 has it; R2 hears quickly, R3 late. With R = 1 each friend sees whatever their own replica holds. That is eventual consistency: the replicas agree sooner or later (here the slow message and anti-entropy get there), not at once.',
};

const weakQuorum: QuorumExperiment = {
  id: 'w1-r1-partition',
  title: 'N = 3, W = 1, R = 1 with a partition',
  setup:
    'R3 is cut off from the other replicas. Alice (C1, via R1) writes her bio; then Carol (C3), whose coordinator is R3, reads it.',
  question: 'Will Carol’s read see the last write?',
  choices: partitionChoices,
  config: { ...QUIET, writeQuorum: 1, readQuorum: 1, mode: 'cp' },
  commands: isolateWriteRead,
  atMs: 800,
  measure: partitionOutcome,
  explanation:
    'W + R = 2 ≤ N = 3, so the write quorum {R1} and the read quorum {R3} need not meet, and across a partition they cannot. The read succeeds, quickly and wrongly; the checker flags it as stale.',
};

const strictCp: QuorumExperiment = {
  id: 'w2-r2-cp',
  title: 'The same cut with W = 2, R = 2 (CP)',
  setup: 'Same partition and the same two requests, but now W = 2 and R = 2, in CP mode.',
  question: 'What happens to Carol’s read now?',
  choices: partitionChoices,
  config: { ...QUIET, writeQuorum: 2, readQuorum: 2, mode: 'cp' },
  commands: isolateWriteRead,
  atMs: 800,
  measure: partitionOutcome,
  explanation:
    'W + R = 4 > 3: any two replicas share one with any other two, so a read quorum always meets the latest write quorum. R3 alone cannot gather R = 2 answers, so in CP mode it refuses: consistency kept, availability lost for clients on the small side (CAP).',
};

const sloppyAp: QuorumExperiment = {
  id: 'w2-r2-ap',
  title: 'The same cut in AP mode',
  setup:
    'W = 2, R = 2 again, but in AP mode: sloppy quorums (a spare node stands in for an unreachable replica and keeps a hint) and answers from whoever is reachable. The partition heals at 1 s.',
  question: 'What does Carol get?',
  choices: partitionChoices,
  config: { ...QUIET, writeQuorum: 2, readQuorum: 2, mode: 'ap' },
  commands: [...isolateWriteRead, at(1_000, { type: 'heal' })],
  atMs: 2_500,
  measure(snapshot) {
    const outcome = partitionOutcome(snapshot);
    const c = snapshot.counters;
    return {
      choiceId: outcome.choiceId,
      text: `${outcome.text} Sloppy answers: ${c.sloppyReads + c.sloppyWrites}; hints stored ${c.hintsStored}, handed off ${c.hintsDelivered} after the heal.`,
    };
  },
  explanation:
    'AP mode never refuses while the coordinator can answer: Carol gets what R3 has, which is old. The write was accepted on R1, R2 and a hint on H1 for R3; after the heal the hint is handed off, so R3 catches up. Availability now, consistency later.',
};

const converge: QuorumExperiment = {
  id: 'converge',
  title: 'How long until replicas agree?',
  setup:
    'N = 5, W = 1, R = 1 in AP mode with 20 operations per second. R5 is cut off for 4 s, then the network heals and the writes stop. Read repair is off; anti-entropy with Merkle trees runs every second.',
  question: 'After the heal, how long until every replica holds every write?',
  choices: [
    { id: 'instant', label: 'at once (under 0.2 s)' },
    { id: 'seconds', label: 'a few seconds' },
    { id: 'never', label: 'never, without new writes' },
  ],
  config: {
    ...QUIET,
    replicas: 5,
    clients: 5,
    writeQuorum: 1,
    readQuorum: 1,
    mode: 'ap',
    spares: 0,
    opsPerSecond: 20,
    readRepair: 'off',
    antiEntropy: 'merkle',
    antiEntropyPeriodMs: 1_000,
  },
  commands: [
    at(0, { type: 'isolate', nodeId: 'R5' }),
    at(4_000, { type: 'setWorkload', opsPerSecond: 0, writePercent: 40 }),
    at(4_000, { type: 'heal' }),
  ],
  atMs: 12_000,
  measure(snapshot) {
    const done = snapshot.lastConvergence;
    if (!done) return { choiceId: 'never', text: 'the replicas had not converged by 12 s.' };
    const seconds = (done.convergedAtMs - done.healAtMs) / 1000;
    return {
      choiceId: seconds < 0.2 ? 'instant' : 'seconds',
      text: `converged ${seconds.toFixed(2)} s after the heal, after ${snapshot.counters.aeExchanges} anti-entropy exchanges (${snapshot.counters.aeInSync} found the peer already in sync by comparing one root hash).`,
    };
  },
  explanation:
    'Nothing pushes R5’s missed writes to it until an anti-entropy exchange pairs it with a replica that has them; the round-robin pairs every two replicas within N − 1 periods. Comparing Merkle roots first makes the in-sync exchanges cost one hash instead of every key.',
};

const siblings: QuorumExperiment = {
  id: 'siblings',
  title: 'Two friends edit at once',
  setup:
    'Vector clocks instead of last-write-wins. Alice (C1) and Bob (C2) both set the bio at the same moment without reading it first; then Carol (C3) reads it.',
  question: 'What does Carol read?',
  choices: [
    { id: 'one', label: 'one of the two bios' },
    { id: 'both', label: 'both, as siblings' },
    { id: 'error', label: 'an error' },
  ],
  config: { ...QUIET, conflict: 'vclock', writeQuorum: 2, readQuorum: 2, mode: 'cp' },
  commands: [
    at(0, { type: 'clientWrite', client: 0, key: 0, text: 'Alice’s version' }),
    at(0, { type: 'clientWrite', client: 1, key: 0, text: 'Bob’s version' }),
    at(500, { type: 'clientRead', client: 2, key: 0 }),
  ],
  atMs: 900,
  measure(snapshot) {
    const read = readsBy(snapshot, 2)[0];
    const count = read?.status === 'ok' ? read.values.length : 0;
    return {
      choiceId: read?.status !== 'ok' ? 'error' : count > 1 ? 'both' : 'one',
      text: `Carol got ${shown(snapshot, read)}.`,
    };
  },
  explanation:
    'Neither write had seen the other, so their vector clocks are concurrent and the replicas keep both. Last-write-wins would silently drop one. The client merges the siblings and writes the result with the merged clock, which supersedes both.',
};

export const quorumLesson: Lesson<QuorumConfig, QuorumSnapshot> = {
  title: 'Quorums, partitions and consistency',
  concept: [
    'Each key lives on N replicas and there is no leader: a client’s request goes to a coordinator, which sends it to all N and waits for W acknowledgements on a write, or R answers on a read. If W + R > N, any read quorum and any write quorum share at least one replica, so a read always meets the newest completed write. With W + R ≤ N they can miss each other, and a read can return an old value.',
    'When the network splits, a coordinator may not reach enough replicas. It must choose (the CAP theorem): refuse the request to stay consistent (CP), or answer anyway (AP): here with a sloppy quorum, where spare nodes hold hints for unreachable replicas and hand them back after the heal. Stale reads may follow.',
    'Replicas then converge: read repair writes the newest value back to replicas that answered with older ones; anti-entropy compares replicas on a schedule (a Merkle tree of hashes finds what differs cheaply). That is eventual consistency, as in Dynamo and Cassandra: everyone agrees in the end, in exchange for availability and speed now. Concurrent writes are settled by last-write-wins timestamps, or kept as siblings under vector clocks for the client to merge.',
  ],
  experiments: [profileBio, weakQuorum, strictCp, sloppyAp, converge, siblings],
};
