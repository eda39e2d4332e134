/**
 * The Bully algorithm (Garcia-Molina, 1982) on a fully connected group. Every node knows every
 * ID. The leader sends heartbeats; a node that hears none for a while, or that recovers from a
 * crash, starts an election: it sends ELECTION to every higher ID. A live higher node answers
 * (and starts its own election); a node that gets no answer in time wins and tells everyone
 * (COORDINATOR). So the highest live ID always ends up leader. Unlike LCR it survives crashes,
 * because timeouts act as its failure detector.
 */
import type { LatencyDistribution } from '../../../kernel/distributions';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  scheduleEvent,
} from '../../../kernel/event-queue';
import {
  createNetwork,
  deliverDue,
  isDropped,
  type Network,
  nextMessageAtMs,
  sendMessage,
  setNodeDown,
} from '../../../kernel/network';
import type { RngState } from '../../../kernel/prng';
import { indexOfNodeId, type Narrate, nodeIdOf } from './ring-core';

export type BullyNodeState = 'follower' | 'electing' | 'waiting' | 'leader' | 'crashed';
export type BullyMessageKind = 'election' | 'answer' | 'coordinator' | 'heartbeat';
export const BULLY_MESSAGE_KINDS: readonly BullyMessageKind[] = [
  'election',
  'answer',
  'coordinator',
  'heartbeat',
];

export interface BullyPayload {
  kind: BullyMessageKind;
  /** The sender's ID (its UID). */
  id: number;
}

export interface BullyNode {
  id: number;
  state: BullyNodeState;
  /** The leader this node believes in, or null. */
  leaderId: number | null;
  /** Each new timer takes a new token; a timer whose token is stale was cancelled. */
  timerToken: number;
  received: number;
  sent: number;
  /** Elections this node started. */
  electionsStarted: number;
}

type TimerKind = 'answer' | 'coordinator' | 'detect' | 'heartbeat';

interface BullyTimer {
  node: number;
  token: number;
  kind: TimerKind;
}

/** Timeouts in virtual ms, derived from the largest link delay. */
export interface BullyTimeouts {
  /** How long an election waits for any ANSWER: a round trip. */
  answerMs: number;
  /** How long a node that got an ANSWER waits for the COORDINATOR message. */
  coordinatorMs: number;
  /** How often the leader sends heartbeats. */
  heartbeatMs: number;
  /** Silence from the leader after which a follower starts an election. */
  detectMs: number;
}

export interface BullyRun {
  nodes: BullyNode[];
  net: Network<BullyPayload>;
  rng: RngState;
  timers: EventQueue<BullyTimer>;
  timeouts: BullyTimeouts;
  messagesByKind: Record<BullyMessageKind, number>;
  droppedMessages: number;
  /** How many times a node declared itself coordinator. */
  coordinatorsDeclared: number;
  lastLeaderId: number | null;
  lastLeaderAtMs: number | null;
}

export function bullyTimeoutsFor(latencyMaxMs: number): BullyTimeouts {
  const roundTripMs = 2 * latencyMaxMs + 1;
  return {
    answerMs: roundTripMs,
    coordinatorMs: 2 * roundTripMs,
    heartbeatMs: 2 * roundTripMs,
    detectMs: 5 * roundTripMs,
  };
}

export function createBullyRun(
  ids: readonly number[],
  latency: LatencyDistribution,
  latencyMaxMs: number,
  rng: RngState,
): BullyRun {
  return {
    nodes: ids.map((id) => ({
      id,
      state: 'follower',
      leaderId: null,
      timerToken: 0,
      received: 0,
      sent: 0,
      electionsStarted: 0,
    })),
    net: createNetwork<BullyPayload>(
      ids.map((_, i) => nodeIdOf(i)),
      { latency, lossProbability: 0 },
    ),
    rng,
    timers: createEventQueue(),
    timeouts: bullyTimeoutsFor(latencyMaxMs),
    messagesByKind: { election: 0, answer: 0, coordinator: 0, heartbeat: 0 },
    droppedMessages: 0,
    coordinatorsDeclared: 0,
    lastLeaderId: null,
    lastLeaderAtMs: null,
  };
}

/** At the start nobody leads: the lowest ID notices first and starts the first election. */
export function startBully(run: BullyRun, nowMs: number, narrate: Narrate): void {
  let lowest = 0;
  run.nodes.forEach((node, i) => {
    if (node.id < run.nodes[lowest]!.id) lowest = i;
  });
  run.nodes.forEach((_, i) => {
    if (i !== lowest) setTimer(run, i, 'detect', nowMs + run.timeouts.detectMs);
  });
  narrate(
    nowMs,
    'election',
    `Bully: no leader yet; node ${lowest} (ID ${run.nodes[lowest]!.id}) starts an election.`,
  );
  startElection(run, lowest, nowMs, narrate);
}

function setTimer(run: BullyRun, index: number, kind: TimerKind, atMs: number): void {
  const node = run.nodes[index]!;
  node.timerToken += 1;
  // A node has one timer at a time; the older one stays in the heap and is skipped when due.
  scheduleEvent(run.timers, atMs, { node: index, token: node.timerToken, kind });
}

function send(
  run: BullyRun,
  from: number,
  to: number,
  kind: BullyMessageKind,
  nowMs: number,
): void {
  const node = run.nodes[from]!;
  sendMessage(run.net, run.rng, nodeIdOf(from), nodeIdOf(to), { kind, id: node.id }, nowMs);
  node.sent += 1;
  run.messagesByKind[kind] += 1;
}

/** ELECTION to every higher ID; with none, this node wins at once. */
export function startElection(run: BullyRun, index: number, nowMs: number, narrate: Narrate): void {
  const node = run.nodes[index]!;
  if (node.state === 'crashed' || node.state === 'electing' || node.state === 'waiting') return;
  node.electionsStarted += 1;
  const higher = run.nodes.flatMap((other, i) => (other.id > node.id ? [i] : []));
  if (higher.length === 0) {
    becomeCoordinator(run, index, nowMs, narrate);
    return;
  }
  node.state = 'electing';
  for (const to of higher) send(run, index, to, 'election', nowMs);
  setTimer(run, index, 'answer', nowMs + run.timeouts.answerMs);
}

/** No higher node answered in time: this node is the leader and tells everyone. */
export function becomeCoordinator(
  run: BullyRun,
  index: number,
  nowMs: number,
  narrate: Narrate,
): void {
  const node = run.nodes[index]!;
  node.state = 'leader';
  node.leaderId = node.id;
  run.coordinatorsDeclared += 1;
  run.lastLeaderId = node.id;
  run.lastLeaderAtMs = nowMs;
  narrate(
    nowMs,
    'elected',
    `Bully: node ${index} (ID ${node.id}) heard no higher ID and becomes leader; it tells the others.`,
    true,
  );
  run.nodes.forEach((_, to) => {
    if (to !== index) send(run, index, to, 'coordinator', nowMs);
  });
  setTimer(run, index, 'heartbeat', nowMs + run.timeouts.heartbeatMs);
}

function acceptLeader(run: BullyRun, index: number, leaderId: number, nowMs: number): void {
  const node = run.nodes[index]!;
  node.leaderId = leaderId;
  node.state = 'follower';
  setTimer(run, index, 'detect', nowMs + run.timeouts.detectMs);
}

export function receiveBullyMessage(
  run: BullyRun,
  index: number,
  from: number,
  payload: BullyPayload,
  nowMs: number,
  narrate: Narrate,
): void {
  const node = run.nodes[index]!;
  node.received += 1;
  switch (payload.kind) {
    case 'election':
      // A lower node is electing: answer it, then bully it by running an election of our own.
      send(run, index, from, 'answer', nowMs);
      if (node.state === 'leader') {
        send(run, index, from, 'coordinator', nowMs);
        return;
      }
      startElection(run, index, nowMs, narrate);
      return;
    case 'answer':
      if (node.state !== 'electing') return;
      node.state = 'waiting';
      setTimer(run, index, 'coordinator', nowMs + run.timeouts.coordinatorMs);
      return;
    case 'coordinator':
    case 'heartbeat':
      // A lower ID claiming to lead is bullied; a higher one is accepted.
      if (payload.id < node.id) {
        if (node.state !== 'leader') startElection(run, index, nowMs, narrate);
        return;
      }
      acceptLeader(run, index, payload.id, nowMs);
      return;
    default: {
      const unknown: never = payload.kind;
      throw new Error(`unknown Bully message ${JSON.stringify(unknown)}`);
    }
  }
}

function fireTimer(run: BullyRun, timer: BullyTimer, nowMs: number, narrate: Narrate): void {
  const node = run.nodes[timer.node]!;
  if (timer.token !== node.timerToken || node.state === 'crashed') return;
  switch (timer.kind) {
    case 'answer':
      if (node.state === 'electing') becomeCoordinator(run, timer.node, nowMs, narrate);
      return;
    case 'coordinator':
      if (node.state !== 'waiting') return;
      narrate(
        nowMs,
        'timeout',
        `Bully: node ${timer.node} (ID ${node.id}) got an answer but no COORDINATOR in time; it starts again.`,
      );
      node.state = 'follower';
      startElection(run, timer.node, nowMs, narrate);
      return;
    case 'detect':
      if (node.state !== 'follower') return;
      narrate(
        nowMs,
        'timeout',
        `Bully: node ${timer.node} (ID ${node.id}) heard no heartbeat from ${
          node.leaderId === null ? 'any leader' : `leader ${node.leaderId}`
        } and starts an election.`,
        true,
      );
      startElection(run, timer.node, nowMs, narrate);
      return;
    case 'heartbeat':
      if (node.state !== 'leader') return;
      run.nodes.forEach((_, to) => {
        if (to !== timer.node) send(run, timer.node, to, 'heartbeat', nowMs);
      });
      setTimer(run, timer.node, 'heartbeat', nowMs + run.timeouts.heartbeatMs);
      return;
    default: {
      const unknown: never = timer.kind;
      throw new Error(`unknown Bully timer ${JSON.stringify(unknown)}`);
    }
  }
}

export function nextBullyEventAtMs(run: BullyRun): number | null {
  const message = nextMessageAtMs(run.net);
  const timer = peekNextAtMs(run.timers);
  if (message === null) return timer;
  if (timer === null) return message;
  return Math.min(message, timer);
}

/** Runs messages, then timers, millisecond by millisecond up to `atMs`. */
export function advanceBullyRun(run: BullyRun, atMs: number, narrate: Narrate): void {
  for (;;) {
    const nextAtMs = nextBullyEventAtMs(run);
    if (nextAtMs === null || nextAtMs > atMs) return;
    for (const message of deliverDue(run.net, nextAtMs)) {
      if (isDropped(message)) {
        run.droppedMessages += 1;
        continue;
      }
      const to = indexOfNodeId(message.to);
      const from = indexOfNodeId(message.from);
      receiveBullyMessage(run, to, from, message.payload, nextAtMs, narrate);
    }
    let timer = popNextDue(run.timers, nextAtMs);
    while (timer !== null) {
      fireTimer(run, timer.event, nextAtMs, narrate);
      timer = popNextDue(run.timers, nextAtMs);
    }
  }
}

export function crashBullyNode(
  run: BullyRun,
  index: number,
  nowMs: number,
  narrate: Narrate,
): boolean {
  const node = run.nodes[index];
  if (!node || node.state === 'crashed') return false;
  const wasLeader = node.state === 'leader';
  node.state = 'crashed';
  node.leaderId = null;
  node.timerToken += 1;
  setNodeDown(run.net, nodeIdOf(index), true);
  narrate(
    nowMs,
    'crash',
    `Bully: node ${index} (ID ${node.id}) crashed${wasLeader ? ' — it was the leader; the others will notice the missing heartbeats' : ''}.`,
    true,
  );
  return true;
}

/** A recovered node knows no leader and starts an election: if it has the highest ID, it wins. */
export function recoverBullyNode(
  run: BullyRun,
  index: number,
  nowMs: number,
  narrate: Narrate,
): boolean {
  const node = run.nodes[index];
  if (node?.state !== 'crashed') return false;
  setNodeDown(run.net, nodeIdOf(index), false);
  node.state = 'follower';
  node.leaderId = null;
  narrate(
    nowMs,
    'recover',
    `Bully: node ${index} (ID ${node.id}) recovered and starts an election.`,
    true,
  );
  startElection(run, index, nowMs, narrate);
  return true;
}

/** The highest live ID, which Bully must end up electing; null when every node is down. */
export function highestLiveId(run: BullyRun): number | null {
  let best: number | null = null;
  for (const node of run.nodes) {
    if (node.state !== 'crashed' && (best === null || node.id > best)) best = node.id;
  }
  return best;
}

/** Every live node follows the highest live ID, which leads; nobody is still electing. */
export function bullySettled(run: BullyRun): boolean {
  const highest = highestLiveId(run);
  if (highest === null) return true;
  return run.nodes.every((node) => {
    if (node.state === 'crashed') return true;
    if (node.leaderId !== highest) return false;
    return node.id === highest ? node.state === 'leader' : node.state === 'follower';
  });
}
