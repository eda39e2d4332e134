/**
 * Hirschberg–Sinclair on a bidirectional ring, after Lynch, "Distributed Algorithms" §3.4.
 * Candidates work in phases 0, 1, 2, …: in phase k a candidate sends its UID both ways to travel
 * up to 2^k hops. A node with a larger UID swallows the probe; a probe that survives 2^k hops
 * turns into a reply that walks back. A candidate with both replies moves to the next phase, so
 * each phase at least halves the candidates that remain, and a probe that comes all the way
 * round to its owner elects it. At most 8n(1 + ⌈log₂ n⌉) messages, against LCR's n(n + 1)/2.
 */
import {
  announceLeader,
  type Direction,
  type Narrate,
  noteUidSeen,
  type RingPayload,
  type RingRun,
  receiveAnnouncement,
  sendToNeighbour,
} from './ring-core';

/** Phase 0: every live node probes one hop both ways. */
export function startHs(run: RingRun, nowMs: number): void {
  run.nodes.forEach((node, index) => {
    if (node.state !== 'crashed') sendProbes(run, index, 0, nowMs);
  });
}

function sendProbes(run: RingRun, index: number, phase: number, nowMs: number): void {
  const node = run.nodes[index]!;
  node.phase = phase;
  node.repliesInPhase = 0;
  if (phase > run.phaseMax) run.phaseMax = phase;
  for (const dir of [1, -1] as const) {
    sendToNeighbour(run, index, dir, { kind: 'probe', uid: node.uid, phase, hop: 1, dir }, nowMs);
  }
}

/**
 * A probe arriving at node `index`: its own UID means it went all the way round (leader); a
 * larger UID travels on until 2^phase hops, then turns back as a reply; a smaller one is dropped.
 */
export function relayProbe(
  run: RingRun,
  index: number,
  probe: { uid: number; phase: number; hop: number; dir: Direction },
  nowMs: number,
  narrate: Narrate,
): void {
  const node = run.nodes[index]!;
  noteUidSeen(node, probe.uid);
  if (probe.uid === node.uid) {
    // Both probes of the last phase come home; the first one decides.
    if (run.leaderIndex === null) announceLeader(run, index, nowMs, narrate);
    return;
  }
  if (probe.uid < node.uid) return;
  node.forwarded += 1;
  if (probe.hop < 2 ** probe.phase) {
    sendToNeighbour(run, index, probe.dir, { ...probe, kind: 'probe', hop: probe.hop + 1 }, nowMs);
  } else {
    const back: Direction = probe.dir === 1 ? -1 : 1;
    sendToNeighbour(
      run,
      index,
      back,
      { kind: 'reply', uid: probe.uid, phase: probe.phase, dir: back },
      nowMs,
    );
  }
}

/** A reply walks back to its owner; the owner with both replies starts the next phase. */
export function relayReply(
  run: RingRun,
  index: number,
  reply: { uid: number; phase: number; dir: Direction },
  nowMs: number,
): void {
  const node = run.nodes[index]!;
  if (reply.uid !== node.uid) {
    sendToNeighbour(run, index, reply.dir, { ...reply, kind: 'reply' }, nowMs);
    return;
  }
  if (node.state !== 'candidate' || reply.phase !== node.phase) return;
  node.repliesInPhase += 1;
  if (node.repliesInPhase === 2) sendProbes(run, index, node.phase + 1, nowMs);
}

export function receiveHsMessage(
  run: RingRun,
  index: number,
  payload: RingPayload,
  nowMs: number,
  narrate: Narrate,
): void {
  switch (payload.kind) {
    case 'probe':
      relayProbe(run, index, payload, nowMs, narrate);
      return;
    case 'reply':
      relayReply(run, index, payload, nowMs);
      return;
    case 'elected':
      receiveAnnouncement(run, index, payload.uid, nowMs, narrate);
      return;
    case 'uid':
      throw new Error('HS received an LCR uid message');
    default: {
      const unknown: never = payload;
      throw new Error(`unknown HS message ${JSON.stringify(unknown)}`);
    }
  }
}
