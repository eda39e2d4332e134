/**
 * Invariants of the leader-election lab, checked after every step in tests and development
 * builds: at most one leader and only the maximum UID; nobody has seen a UID that does not exist;
 * message counts add up; Bully never has a crashed leader or two leaders that both hold the
 * highest live ID.
 */
import { assert } from '../../../kernel/assert';
import type { BullyRun } from './bully';
import { NODES_BATCH_MAX, NODES_MIN } from './constants';
import type { LeaderElectionState } from './model';
import type { RingRun } from './ring-core';

export function checkRingRun(run: RingRun): void {
  const uids = run.nodes.map((n) => n.uid);
  const maxUid = Math.max(...uids);
  assert(new Set(uids).size === uids.length, 'UIDs are unique');
  const leaders = run.nodes.filter((n) => n.state === 'leader');
  assert(leaders.length <= 1, `at most one leader (got ${leaders.length})`);
  for (const leader of leaders) assert(leader.uid === maxUid, 'only the maximum UID leads');
  if (run.leaderIndex !== null) {
    assert(run.nodes[run.leaderIndex]!.uid === maxUid, 'the elected node holds the maximum UID');
  }
  let sent = 0;
  for (const node of run.nodes) {
    assert(node.maxSeen >= node.uid && node.maxSeen <= maxUid, 'a node sees only real UIDs');
    assert(
      node.knownLeaderUid === null || node.knownLeaderUid === maxUid,
      'a node learns only the real leader',
    );
    sent += node.sent;
  }
  assert(
    sent === run.electionMessages + run.terminationMessages,
    'every sent message is counted once',
  );
  assert(run.terminationMessages <= run.nodes.length, 'the announcement goes round at most once');
  if (run.finishedAtMs !== null) {
    assert(run.terminationMessages === run.nodes.length, 'a finished election announced to all');
    assert(
      run.nodes.every((n) => n.state === 'crashed' || n.knownLeaderUid === maxUid),
      'after the announcement every live node knows the leader',
    );
  }
}

export function checkBullyRun(run: BullyRun): void {
  for (const node of run.nodes) {
    if (node.state === 'crashed') assert(node.leaderId === null, 'a crashed node follows nobody');
    if (node.state === 'leader') assert(node.leaderId === node.id, 'a leader follows itself');
  }
  let sent = 0;
  for (const node of run.nodes) sent += node.sent;
  const counted = Object.values(run.messagesByKind).reduce((sum, c) => sum + c, 0);
  assert(sent === counted, 'every Bully message is counted once by kind');
}

export function checkLeaderElectionInvariants(state: LeaderElectionState): void {
  assert(
    Number.isInteger(state.nowMs) && state.nowMs >= 0,
    `time is an integer ≥ 0: ${state.nowMs}`,
  );
  assert(
    state.uids.length >= NODES_MIN && state.uids.length <= NODES_BATCH_MAX,
    'ring size within limits',
  );
  if (state.lcr) checkRingRun(state.lcr);
  if (state.hs) checkRingRun(state.hs);
  if (state.bully) checkBullyRun(state.bully);
}
