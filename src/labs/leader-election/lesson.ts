/**
 * The leader-election lesson: the idea in a few sentences, then experiments. Each answer is read
 * off the running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { LeaderElectionConfig } from './sim/model';
import type { LeaderElectionSnapshot } from './sim/snapshot';

type ElectionExperiment = Experiment<LeaderElectionConfig, LeaderElectionSnapshot>;

/** Picks the choice whose range holds the measured value. */
function bucket(value: number, edges: { id: string; below: number }[]): string {
  for (const edge of edges) if (value < edge.below) return edge.id;
  return edges.at(-1)!.id;
}

const worstEight: ElectionExperiment = {
  id: 'worst-eight',
  title: 'UIDs descend round the ring',
  setup:
    '8 nodes hold UIDs 8, 7, 6, … 1 clockwise, so every UID must travel until it reaches node 0 with UID 8. Synchronous rounds; we run until the election is over.',
  question: 'How many election messages (not counting the 8 announcements)?',
  choices: [
    { id: '15', label: '15' },
    { id: '36', label: '36' },
    { id: '64', label: '64' },
    { id: 'more', label: 'more than 64' },
  ],
  config: { mode: 'lcr', nodes: 8, arrangement: 'descending', timing: 'sync', delayMs: 600 },
  commands: [],
  atMs: 12_000,
  measure(snapshot) {
    const count = snapshot.lcr?.electionMessages ?? Number.NaN;
    return {
      choiceId: bucket(count, [
        { id: '15', below: 16 },
        { id: '36', below: 37 },
        { id: '64', below: 65 },
        { id: 'more', below: Number.POSITIVE_INFINITY },
      ]),
      text: `${count} election messages, then ${snapshot.lcr?.terminationMessages ?? 0} announcement messages; status: ${snapshot.lcr?.status ?? '—'}.`,
    };
  },
  explanation:
    'The UID k travels k hops before it meets a larger one (8 goes all the way round), so the total is 1 + 2 + … + 8 = n(n + 1)/2 = 36: the quadratic worst case.',
};

const bestSixteen: ElectionExperiment = {
  id: 'best-sixteen',
  title: 'UIDs ascend round the ring',
  setup: '16 nodes hold UIDs 1, 2, … 16 clockwise. Each node’s neighbour holds a larger UID.',
  question: 'How many election messages now?',
  choices: [
    { id: 'linear', label: 'about 2n (≈ 31)' },
    { id: 'nlogn', label: 'about n·log n (≈ 64)' },
    { id: 'quadratic', label: 'about n²/2 (≈ 136)' },
  ],
  config: { mode: 'lcr', nodes: 16, arrangement: 'ascending', timing: 'sync', delayMs: 300 },
  commands: [],
  atMs: 12_000,
  measure(snapshot) {
    const count = snapshot.lcr?.electionMessages ?? Number.NaN;
    return {
      choiceId: bucket(count, [
        { id: 'linear', below: 48 },
        { id: 'nlogn', below: 100 },
        { id: 'quadratic', below: Number.POSITIVE_INFINITY },
      ]),
      text: `${count} election messages (2n − 1 = ${snapshot.formulas.best}).`,
    };
  },
  explanation:
    'Every UID but the largest is swallowed by the very next node: 15 single hops, plus 16 hops for UID 16 coming home. The arrangement, not the algorithm, decides between 2n − 1 and n(n + 1)/2; random orders land near n·Hₙ.',
};

const crashMidElection: ElectionExperiment = {
  id: 'crash-mid-election',
  title: 'A node crashes mid-election',
  setup:
    '8 nodes with random UIDs run LCR. In round 2 (at 1 s) node 3 crashes. We wait a whole virtual minute.',
  question: 'What happens to the election?',
  choices: [
    { id: 'finishes', label: 'it finishes, a bit later' },
    { id: 'other', label: 'it elects a different leader' },
    { id: 'never', label: 'it never finishes' },
  ],
  config: { mode: 'lcr', nodes: 8, arrangement: 'random', timing: 'sync', delayMs: 600 },
  commands: [{ atMs: 1_000, command: { type: 'crash', node: 3 } }],
  atMs: 60_000,
  measure(snapshot) {
    const lcr = snapshot.lcr;
    const status = lcr?.status ?? 'electing';
    return {
      choiceId: status === 'finished' ? 'finishes' : status === 'stalled' ? 'never' : 'other',
      text: `after 60 s the status is “${status}”: ${lcr?.flightsTotal ?? 0} messages in flight, ${lcr?.droppedMessages ?? 0} lost at the crashed node, ${lcr?.terminationMessages ?? 0} of ${snapshot.uids.length} announcements sent.`,
    };
  },
  explanation:
    'LCR assumes nothing fails. Every UID and the announcement must pass through every node, so the crashed node swallows them, and no node has a timer to notice the silence. Real systems add failure detection: timeouts, as in Bully and Raft.',
};

const hsVersusLcr: ElectionExperiment = {
  id: 'hs-vs-lcr',
  title: 'Hirschberg–Sinclair against LCR',
  setup:
    '64 nodes, UIDs descending clockwise (LCR’s worst case). LCR and HS run side by side on the same UIDs, in rounds of 100 ms.',
  question: 'Which sends fewer election messages?',
  choices: [
    { id: 'lcr', label: 'LCR' },
    { id: 'same', label: 'about the same' },
    { id: 'hs', label: 'HS, by a lot' },
  ],
  config: { mode: 'compare', nodes: 64, arrangement: 'descending', timing: 'sync', delayMs: 100 },
  commands: [],
  atMs: 40_000,
  measure(snapshot) {
    const lcr = snapshot.lcr?.electionMessages ?? 0;
    const hs = snapshot.hs?.electionMessages ?? 0;
    const ratio = hs / Math.max(1, lcr);
    return {
      choiceId: ratio < 0.7 ? 'hs' : ratio > 1.3 ? 'lcr' : 'same',
      text: `LCR ${lcr} against HS ${hs} election messages (HS bound 8n(1 + ⌈log₂ n⌉) = ${snapshot.formulas.hsBound}). LCR finished at ${((snapshot.lcr?.finishedAtMs ?? 0) / 1000).toFixed(1)} s, HS at ${((snapshot.hs?.finishedAtMs ?? 0) / 1000).toFixed(1)} s.`,
    };
  },
  explanation:
    'HS probes only 2^k hops in phase k and every phase at least halves the candidates, so it needs O(n log n) messages on any arrangement. It pays in time: its probes go out and come back, phase after phase, so it finishes later than LCR here. On random UIDs LCR’s n·Hₙ is often lower in practice.',
};

const bullyLeaderCrash: ElectionExperiment = {
  id: 'bully-leader-crash',
  title: 'Bully: kill the leader',
  setup:
    '6 nodes with IDs 1 … 6 run Bully; node 5 (ID 6) leads. At 20 s we crash it, then wait 40 s.',
  question: 'Who leads afterwards?',
  choices: [
    { id: 'next', label: 'ID 5, the highest live one' },
    { id: 'lowest', label: 'ID 1, the first to notice' },
    { id: 'none', label: 'nobody: the group is stuck' },
  ],
  config: { mode: 'bully', nodes: 6, arrangement: 'ascending', timing: 'async', delayMs: 300 },
  commands: [{ atMs: 20_000, command: { type: 'crashLeader' } }],
  atMs: 60_000,
  measure(snapshot) {
    const bully = snapshot.bully;
    const leader = bully?.leaderIndex === null || !bully ? null : bully.nodes[bully.leaderIndex];
    return {
      choiceId: !leader ? 'none' : leader.id === bully?.highestLiveId ? 'next' : 'lowest',
      text: leader
        ? `ID ${leader.id} leads; ${bully?.coordinatorsDeclared ?? 0} coordinator claims in all, ${bully?.messagesByKind.election ?? 0} ELECTION messages.`
        : 'no node leads.',
    };
  },
  explanation:
    'The followers notice the missing heartbeats (a timeout), and each asks every higher ID. Any live higher node answers and takes over the election, so it climbs to the highest live ID, which hears no answer and declares itself. Crashes are survivable because timeouts detect them.',
};

export const leaderElectionLesson: Lesson<LeaderElectionConfig, LeaderElectionSnapshot> = {
  title: 'Leader election',
  concept: [
    'Many distributed systems want exactly one node in charge (to order writes, hand out locks, run a job), and the nodes must agree on which one by sending messages. Give every node a unique ID (UID); the node with the largest UID wins.',
    'LCR (Le Lann, Chang and Roberts) arranges the nodes in a ring where each knows only its clockwise neighbour. Every node sends its UID on; a node passes along any UID larger than its own and swallows smaller ones. Only the largest UID survives a full lap, so the node that sees its own UID come back knows it is the leader, and sends one more message round the ring so everyone learns it. That costs between 2n − 1 and n(n + 1)/2 messages depending on how the UIDs are arranged: O(n²) in the worst case.',
    'Hirschberg–Sinclair cuts the worst case to O(n log n) by probing both ways in growing distances. Both assume that no node fails: one crash and the election waits forever. Bully (and Raft after it) adds timeouts, which let the group notice a dead leader and elect the next one.',
  ],
  experiments: [worstEight, bestSixteen, crashMidElection, hsVersusLcr, bullyLeaderCrash],
};
