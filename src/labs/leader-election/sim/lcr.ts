/**
 * LCR (Le Lann, Chang and Roberts) on a unidirectional ring, after Lynch, "Distributed
 * Algorithms" §3.3. Every node sends its UID clockwise; a node passes on a UID larger than its
 * own and swallows a smaller one; the node whose own UID comes back is the leader and announces
 * it once round the ring. Nothing here detects failures: a crashed node silently stops the
 * election, which is the point of the fault experiment.
 */
import {
  announceLeader,
  type Narrate,
  noteUidSeen,
  type RingRun,
  receiveAnnouncement,
  sendToNeighbour,
} from './ring-core';

/** Round 1: every live node sends its own UID to its clockwise neighbour. */
export function startLcr(run: RingRun, nowMs: number): void {
  run.nodes.forEach((node, index) => {
    if (node.state !== 'crashed')
      sendToNeighbour(run, index, 1, { kind: 'uid', uid: node.uid }, nowMs);
  });
}

/**
 * The LCR rule for a UID arriving at node `index`: larger → forward it, smaller → drop it,
 * equal → this node is the leader. A node that already knows the leader applies the same rule to a
 * late UID (possible with asynchronous links), so the count depends only on the arrangement.
 */
export function forwardUid(
  run: RingRun,
  index: number,
  uid: number,
  nowMs: number,
  narrate: Narrate,
): void {
  const node = run.nodes[index]!;
  noteUidSeen(node, uid);
  if (uid > node.uid) {
    node.forwarded += 1;
    sendToNeighbour(run, index, 1, { kind: 'uid', uid }, nowMs);
  } else if (uid === node.uid) {
    announceLeader(run, index, nowMs, narrate);
  }
}

export function receiveLcrMessage(
  run: RingRun,
  index: number,
  payload: RingRun['net']['pending']['items'][number]['event']['payload'],
  nowMs: number,
  narrate: Narrate,
): void {
  switch (payload.kind) {
    case 'uid':
      forwardUid(run, index, payload.uid, nowMs, narrate);
      return;
    case 'elected':
      receiveAnnouncement(run, index, payload.uid, nowMs, narrate);
      return;
    case 'probe':
    case 'reply':
      throw new Error(`LCR received an HS ${payload.kind}`);
    default: {
      const unknown: never = payload;
      throw new Error(`unknown LCR message ${JSON.stringify(unknown)}`);
    }
  }
}
