/**
 * Invariants of the hash-ring lab, checked after every step in tests and development builds.
 * Each compares the incremental structures with a from-scratch computation.
 */
import { assert } from '../../../kernel/assert';
import { SERVERS_MAX, VNODES_TOTAL_MAX } from './constants';
import { type HashRingState, keysTotalOf, ownersOf, ringOf } from './model';

export function checkHashRingInvariants(state: HashRingState): void {
  assert(
    Number.isInteger(state.nowMs) && state.nowMs >= 0,
    `time is an integer ≥ 0: ${state.nowMs}`,
  );
  assert(state.servers.length <= SERVERS_MAX, 'server limit respected');
  const ids = new Set(state.servers.map((s) => s.id));
  assert(ids.size === state.servers.length, 'server ids are unique');
  const ring = ringOf(state);
  const vnodes = state.servers.reduce((sum, s) => sum + s.weight * state.config.vnodesPerServer, 0);
  assert(ring.positions.length === vnodes, `ring holds every virtual node (${vnodes})`);
  assert(vnodes <= VNODES_TOTAL_MAX, 'virtual node limit respected');
  for (let i = 1; i < ring.positions.length; i += 1) {
    assert(ring.positions[i - 1]! <= ring.positions[i]!, 'ring positions are sorted');
  }
  const { owners, counts } = ownersOf(state);
  assert(owners.length === keysTotalOf(state), 'every key has an owner slot');
  const anyLive = state.servers.some((s) => !s.failed);
  let counted = 0;
  for (const c of counts) counted += c;
  assert(
    counted === (anyLive ? owners.length : 0),
    'every key is owned by exactly one live server',
  );
  for (let i = 0; i < owners.length; i += 1) {
    const owner = owners[i]!;
    if (owner >= 0) assert(!state.servers[owner]!.failed, 'no key is owned by a failed server');
  }
  const requests = state.servers.reduce((sum, s) => sum + s.requestCount, 0);
  assert(requests <= state.requestsTotal, 'served requests never exceed arrivals');
}
