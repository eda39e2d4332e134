/**
 * Running a ring election over time: deliver the network's messages in (time, id) order to the
 * algorithm's receive function, crash nodes, and notice when an election can no longer end.
 */
import {
  deliverDue,
  isDropped,
  nextMessageAtMs,
  pendingMessageCount,
  setNodeDown,
} from '../../../kernel/network';
import { receiveHsMessage, startHs } from './hs';
import { receiveLcrMessage, startLcr } from './lcr';
import {
  indexOfNodeId,
  labelOf,
  type Narrate,
  nodeIdOf,
  type RingPayload,
  type RingRun,
} from './ring-core';

export function startRingElection(run: RingRun, nowMs: number): void {
  if (run.algorithm === 'lcr') startLcr(run, nowMs);
  else startHs(run, nowMs);
}

function receive(
  run: RingRun,
  index: number,
  payload: RingPayload,
  nowMs: number,
  narrate: Narrate,
): void {
  const node = run.nodes[index]!;
  node.received += 1;
  if (run.algorithm === 'lcr') receiveLcrMessage(run, index, payload, nowMs, narrate);
  else receiveHsMessage(run, index, payload, nowMs, narrate);
}

/**
 * Delivers every message due by `atMs`, one millisecond at a time so that messages sent while
 * handling arrive in order. Returns how many messages were handled (the batch runner's slice
 * measure).
 */
export function advanceRingRun(run: RingRun, atMs: number, narrate: Narrate): number {
  let handled = 0;
  for (;;) {
    const nextAtMs = nextMessageAtMs(run.net);
    if (nextAtMs === null || nextAtMs > atMs) break;
    for (const message of deliverDue(run.net, nextAtMs)) {
      handled += 1;
      if (isDropped(message)) {
        run.droppedMessages += 1;
        continue;
      }
      receive(run, indexOfNodeId(message.to), message.payload, nextAtMs, narrate);
    }
    noticeStall(run, nextAtMs, narrate);
  }
  return handled;
}

/**
 * One lockstep round of a batch run: every message sent in the previous round arrives now.
 * Crashes do not happen in batch runs. Returns how many messages were handled.
 */
export function advanceOneRound(run: RingRun, round: number, narrate: Narrate): number {
  const inbox = run.outbox;
  if (!inbox) throw new Error('advanceOneRound needs a run with the round transport');
  run.outbox = [];
  for (const message of inbox) receive(run, message.to, message.payload, round, narrate);
  if (run.outbox.length === 0 && run.finishedAtMs === null) run.stalledAtMs = round;
  return inbox.length;
}

/**
 * With nothing in flight and no announcement back at the leader, the election can never end:
 * LCR and HS wait for messages and have no timeout that would notice a crash.
 */
function noticeStall(run: RingRun, nowMs: number, narrate: Narrate): void {
  if (run.finishedAtMs !== null || run.stalledAtMs !== null) return;
  if (pendingMessageCount(run.net) > 0) return;
  run.stalledAtMs = nowMs;
  const crashed = run.nodes.flatMap((node, i) => (node.state === 'crashed' ? [i] : []));
  narrate(
    nowMs,
    'stalled',
    `${labelOf(run)} is stuck: no message is in flight and ${
      run.leaderIndex === null ? 'no leader was elected' : 'the announcement never came back'
    } (crashed: node ${crashed.join(', node ')}). ${labelOf(run)} has no timeouts, so it waits forever.`,
    true,
  );
}

/** A crash: the node stops; messages to it are dropped on arrival and it sends nothing. */
export function crashRingNode(
  run: RingRun,
  index: number,
  nowMs: number,
  narrate: Narrate,
): boolean {
  const node = run.nodes[index];
  if (!node || node.state === 'crashed') return false;
  node.state = 'crashed';
  setNodeDown(run.net, nodeIdOf(index), true);
  narrate(
    nowMs,
    'crash',
    run.finishedAtMs === null
      ? `${labelOf(run)}: node ${index} (UID ${node.uid}) crashed mid-election. Messages sent to it are lost.`
      : `${labelOf(run)}: node ${index} (UID ${node.uid}) crashed after the election; ${labelOf(run)} has no failure detector, so nobody notices.`,
    true,
  );
  // A crash can leave nothing in flight at once (every message was heading to the crashed node).
  noticeStall(run, nowMs, narrate);
  return true;
}

export function ringStatus(run: RingRun): 'electing' | 'announcing' | 'finished' | 'stalled' {
  if (run.finishedAtMs !== null) return 'finished';
  if (run.stalledAtMs !== null) return 'stalled';
  return run.electedAtMs !== null ? 'announcing' : 'electing';
}
