/**
 * What the views draw: nodes with their state and what they have seen, the messages in flight
 * with their send and arrival times (so the stage can place them at any moment), the counters,
 * and the closed-form counts for this ring size beside them.
 */
import {
  isDropped,
  messageEndAtMs,
  messagesInFlight,
  type NetMessage,
} from '../../../kernel/network';
import {
  type BullyMessageKind,
  type BullyNodeState,
  type BullyRun,
  type BullyTimeouts,
  bullySettled,
  highestLiveId,
} from './bully';
import {
  hsMessageBound,
  lcrBestMessages,
  lcrRandomMessages,
  lcrWorstMessages,
  MESSAGES_DRAWN_MAX,
} from './constants';
import { currentLeaderIndex, type LeaderElectionState } from './model';
import { ringStatus } from './ring';
import {
  indexOfNodeId,
  type RingAlgorithm,
  type RingNodeState,
  type RingPayload,
  type RingRun,
} from './ring-core';

export type FlightKind = 'uid' | 'probe' | 'reply' | 'elected' | BullyMessageKind;

export interface FlightView {
  id: number;
  from: number;
  to: number;
  kind: FlightKind;
  /** The UID (or Bully ID) the message carries. */
  uid: number;
  sentAtMs: number;
  /** When it arrives, or where it is dropped. */
  endAtMs: number;
  dropped: boolean;
}

export interface RingNodeView {
  index: number;
  uid: number;
  state: RingNodeState;
  maxSeen: number;
  received: number;
  sent: number;
  forwarded: number;
  knownLeaderUid: number | null;
  phase: number;
}

export type RingStatus = 'electing' | 'announcing' | 'finished' | 'stalled';

export interface RingRunView {
  algorithm: RingAlgorithm;
  status: RingStatus;
  nodes: RingNodeView[];
  flights: FlightView[];
  flightsTotal: number;
  electionMessages: number;
  terminationMessages: number;
  droppedMessages: number;
  leaderIndex: number | null;
  electedAtMs: number | null;
  finishedAtMs: number | null;
  stalledAtMs: number | null;
  phaseMax: number;
}

export interface BullyNodeView {
  index: number;
  id: number;
  state: BullyNodeState;
  leaderId: number | null;
  received: number;
  sent: number;
  electionsStarted: number;
}

export interface BullyView {
  nodes: BullyNodeView[];
  flights: FlightView[];
  flightsTotal: number;
  messagesByKind: Record<BullyMessageKind, number>;
  droppedMessages: number;
  coordinatorsDeclared: number;
  leaderIndex: number | null;
  highestLiveId: number | null;
  settled: boolean;
  timeouts: BullyTimeouts;
}

export interface Formulas {
  n: number;
  best: number;
  worst: number;
  random: number;
  hsBound: number;
}

export interface LeaderElectionSnapshot {
  atMs: number;
  config: LeaderElectionState['config'];
  uids: number[];
  maxUid: number;
  maxIndex: number;
  electionNumber: number;
  startedAtMs: number;
  /** Sync timing: the round in progress (1-based), else null. */
  round: number | null;
  leaderIndex: number | null;
  lcr: RingRunView | null;
  hs: RingRunView | null;
  bully: BullyView | null;
  formulas: Formulas;
}

function flightsOf<Payload>(
  messages: NetMessage<Payload>[],
  describe: (payload: Payload) => { kind: FlightKind; uid: number },
): FlightView[] {
  return messages.slice(0, MESSAGES_DRAWN_MAX).map((message) => ({
    id: message.id,
    from: indexOfNodeId(message.from),
    to: indexOfNodeId(message.to),
    ...describe(message.payload),
    sentAtMs: message.sentAtMs,
    endAtMs: messageEndAtMs(message),
    dropped: isDropped(message),
  }));
}

function describeRingPayload(payload: RingPayload): { kind: FlightKind; uid: number } {
  return { kind: payload.kind, uid: payload.uid };
}

export function viewRingRun(run: RingRun, atMs: number): RingRunView {
  const inFlight = messagesInFlight(run.net, atMs);
  return {
    algorithm: run.algorithm,
    status: ringStatus(run),
    nodes: run.nodes.map((node, index) => ({
      index,
      uid: node.uid,
      state: node.state,
      maxSeen: node.maxSeen,
      received: node.received,
      sent: node.sent,
      forwarded: node.forwarded,
      knownLeaderUid: node.knownLeaderUid,
      phase: node.phase,
    })),
    flights: flightsOf(inFlight, describeRingPayload),
    flightsTotal: inFlight.length,
    electionMessages: run.electionMessages,
    terminationMessages: run.terminationMessages,
    droppedMessages: run.droppedMessages,
    leaderIndex: run.leaderIndex,
    electedAtMs: run.electedAtMs,
    finishedAtMs: run.finishedAtMs,
    stalledAtMs: run.stalledAtMs,
    phaseMax: run.phaseMax,
  };
}

export function viewBullyRun(run: BullyRun, atMs: number): BullyView {
  const inFlight = messagesInFlight(run.net, atMs);
  const leaderIndex = run.nodes.findIndex((n) => n.state === 'leader');
  return {
    nodes: run.nodes.map((node, index) => ({
      index,
      id: node.id,
      state: node.state,
      leaderId: node.leaderId,
      received: node.received,
      sent: node.sent,
      electionsStarted: node.electionsStarted,
    })),
    flights: flightsOf(inFlight, (payload) => ({ kind: payload.kind, uid: payload.id })),
    flightsTotal: inFlight.length,
    messagesByKind: { ...run.messagesByKind },
    droppedMessages: run.droppedMessages,
    coordinatorsDeclared: run.coordinatorsDeclared,
    leaderIndex: leaderIndex >= 0 ? leaderIndex : null,
    highestLiveId: highestLiveId(run),
    settled: bullySettled(run),
    timeouts: run.timeouts,
  };
}

export function formulasFor(n: number): Formulas {
  return {
    n,
    best: lcrBestMessages(n),
    worst: lcrWorstMessages(n),
    random: lcrRandomMessages(n),
    hsBound: hsMessageBound(n),
  };
}

export function viewLeaderElection(state: LeaderElectionState): LeaderElectionSnapshot {
  const { uids, config } = state;
  let maxIndex = 0;
  uids.forEach((uid, i) => {
    if (uid > uids[maxIndex]!) maxIndex = i;
  });
  const lcr = state.lcr ? viewRingRun(state.lcr, state.nowMs) : null;
  const hs = state.hs ? viewRingRun(state.hs, state.nowMs) : null;
  const running =
    (lcr !== null && (lcr.status === 'electing' || lcr.status === 'announcing')) ||
    (hs !== null && (hs.status === 'electing' || hs.status === 'announcing'));
  return {
    atMs: state.nowMs,
    config: { ...config },
    uids: uids.slice(),
    maxUid: uids[maxIndex] ?? 0,
    maxIndex,
    electionNumber: state.electionNumber,
    startedAtMs: state.startedAtMs,
    round:
      config.timing === 'sync' && running
        ? Math.floor((state.nowMs - state.startedAtMs) / config.delayMs) + 1
        : null,
    leaderIndex: currentLeaderIndex(state),
    lcr,
    hs,
    bully: state.bully ? viewBullyRun(state.bully, state.nowMs) : null,
    formulas: formulasFor(uids.length),
  };
}
