/**
 * What the two ring algorithms (LCR and Hirschberg–Sinclair) share: the nodes as plain data, the
 * messages they exchange through the kernel network, and the bookkeeping of a run (message
 * counts, the leader, when it finished or stalled).
 *
 * Node i sits at position i on the ring; clockwise is i → i + 1 (mod n).
 */
import type { LatencyDistribution } from '../../../kernel/distributions';
import { createNetwork, type Network, sendMessage } from '../../../kernel/network';
import type { RngState } from '../../../kernel/prng';

export type RingNodeState = 'candidate' | 'relay' | 'leader' | 'follower' | 'crashed';
export type RingAlgorithm = 'lcr' | 'hs';
/** +1 travels clockwise (to i + 1), −1 anticlockwise (to i − 1). */
export type Direction = 1 | -1;

export type RingPayload =
  /** LCR: a UID on its way round the ring. */
  | { kind: 'uid'; uid: number }
  /** HS: a UID probing `hop` steps out of 2^phase in one direction. */
  | { kind: 'probe'; uid: number; phase: number; hop: number; dir: Direction }
  /** HS: the probe survived 2^phase steps; the reply walks back to its owner. */
  | { kind: 'reply'; uid: number; phase: number; dir: Direction }
  /** Both: the leader's announcement that ends the election, once round the ring. */
  | { kind: 'elected'; uid: number };

export interface RingNode {
  uid: number;
  state: RingNodeState;
  /** The largest UID this node has received (its own at the start): what it has "seen". */
  maxSeen: number;
  /** The UIDs it passed on (LCR) or probes it relayed (HS), and messages received in all. */
  forwarded: number;
  received: number;
  sent: number;
  /** The leader's UID once the announcement reached this node, else null. */
  knownLeaderUid: number | null;
  /** HS: the phase this node probes in while it is a candidate; 0 for LCR. */
  phase: number;
  /** HS: replies to its own probes received in its current phase (two move it on). */
  repliesInPhase: number;
}

/** A message of the lockstep round transport (batch runs): delivered in the next round. */
export interface RoundMessage {
  from: number;
  to: number;
  payload: RingPayload;
}

export interface RingRun {
  algorithm: RingAlgorithm;
  nodes: RingNode[];
  /** The kernel network the stage runs on: every message has its send and arrival time. */
  net: Network<RingPayload>;
  /**
   * Batch runs use lockstep rounds instead (Lynch's synchronous model): what is sent in round r
   * arrives in round r + 1. Same protocol functions, without per-message timing; null on the stage.
   */
  outbox: RoundMessage[] | null;
  rng: RngState;
  /** UID, probe and reply messages sent: the election proper. */
  electionMessages: number;
  /** Announcement messages sent, counted apart (n when nothing fails). */
  terminationMessages: number;
  droppedMessages: number;
  leaderIndex: number | null;
  electedAtMs: number | null;
  finishedAtMs: number | null;
  stalledAtMs: number | null;
  /** HS: the highest phase any node reached. */
  phaseMax: number;
}

/** Narrates an event into the lab's log; batch runs pass a function that ignores it. */
export type Narrate = (atMs: number, kind: string, text: string, important?: boolean) => void;
export const silent: Narrate = () => {};

const NODE_IDS: string[] = [];

/** The network id of the node at ring position i ("n0", "n1", …), cached. */
export function nodeIdOf(index: number): string {
  let id = NODE_IDS[index];
  if (id === undefined) {
    id = `n${index}`;
    NODE_IDS[index] = id;
  }
  return id;
}

export function indexOfNodeId(nodeId: string): number {
  return Number(nodeId.slice(1));
}

export function createRingRun(
  algorithm: RingAlgorithm,
  uids: readonly number[],
  latency: LatencyDistribution,
  rng: RngState,
  transport: 'network' | 'rounds' = 'network',
): RingRun {
  const nodes: RingNode[] = uids.map((uid) => ({
    uid,
    state: 'candidate',
    maxSeen: uid,
    forwarded: 0,
    received: 0,
    sent: 0,
    knownLeaderUid: null,
    phase: 0,
    repliesInPhase: 0,
  }));
  const net = createNetwork<RingPayload>(
    uids.map((_, i) => nodeIdOf(i)),
    { latency, lossProbability: 0 },
  );
  return {
    algorithm,
    nodes,
    net,
    outbox: transport === 'rounds' ? [] : null,
    rng,
    electionMessages: 0,
    terminationMessages: 0,
    droppedMessages: 0,
    leaderIndex: null,
    electedAtMs: null,
    finishedAtMs: null,
    stalledAtMs: null,
    phaseMax: 0,
  };
}

export function neighbourOf(run: RingRun, index: number, dir: Direction): number {
  const n = run.nodes.length;
  return (index + dir + n) % n;
}

/** Sends a message to the neighbour in `dir` and counts it as election or termination. */
export function sendToNeighbour(
  run: RingRun,
  from: number,
  dir: Direction,
  payload: RingPayload,
  nowMs: number,
): void {
  const to = neighbourOf(run, from, dir);
  if (run.outbox) run.outbox.push({ from, to, payload });
  else sendMessage(run.net, run.rng, nodeIdOf(from), nodeIdOf(to), payload, nowMs);
  const node = run.nodes[from]!;
  node.sent += 1;
  if (payload.kind === 'elected') run.terminationMessages += 1;
  else run.electionMessages += 1;
}

/** A node that receives a UID above its own knows it cannot win: it becomes a relay. */
export function noteUidSeen(node: RingNode, uid: number): void {
  if (uid > node.maxSeen) node.maxSeen = uid;
  if (uid > node.uid && node.state === 'candidate') node.state = 'relay';
}

/** The leader starts the announcement clockwise: the message that ends the election. */
export function announceLeader(run: RingRun, index: number, nowMs: number, narrate: Narrate): void {
  const node = run.nodes[index]!;
  node.state = 'leader';
  node.knownLeaderUid = node.uid;
  run.leaderIndex = index;
  run.electedAtMs = nowMs;
  narrate(
    nowMs,
    'elected',
    `${labelOf(run)}: node ${index} (UID ${node.uid}) got its own UID back and declares itself leader after ${run.electionMessages} election messages; it now announces it round the ring.`,
    true,
  );
  sendToNeighbour(run, index, 1, { kind: 'elected', uid: node.uid }, nowMs);
}

/**
 * The announcement: every other node learns the leader and passes it on; back at the leader the
 * election is over.
 */
export function receiveAnnouncement(
  run: RingRun,
  index: number,
  uid: number,
  nowMs: number,
  narrate: Narrate,
): void {
  const node = run.nodes[index]!;
  if (node.uid === uid) {
    run.finishedAtMs = nowMs;
    narrate(
      nowMs,
      'finished',
      `${labelOf(run)} finished: ${run.electionMessages} election messages + ${run.terminationMessages} announcement messages; every node knows leader UID ${uid}.`,
      true,
    );
    return;
  }
  node.knownLeaderUid = uid;
  node.state = 'follower';
  if (uid > node.maxSeen) node.maxSeen = uid;
  sendToNeighbour(run, index, 1, { kind: 'elected', uid }, nowMs);
}

export function labelOf(run: RingRun): string {
  return run.algorithm === 'lcr' ? 'LCR' : 'HS';
}
