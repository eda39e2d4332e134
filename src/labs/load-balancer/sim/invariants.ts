/**
 * Invariants of the load-balancer lab, checked after every step in tests and development builds.
 * Each recounts from the requests themselves what the incremental counters claim.
 */
import { assert } from '../../../kernel/assert';
import { CONCURRENCY_MAX, QUEUE_LIMIT_MAX, SERVERS_MAX } from './constants';
import type { LoadBalancerState } from './model';

export function checkLoadBalancerInvariants(state: LoadBalancerState): void {
  assert(
    Number.isInteger(state.nowMs) && state.nowMs >= 0,
    `time is an integer ≥ 0: ${state.nowMs}`,
  );
  assert(
    state.servers.length >= 1 && state.servers.length <= SERVERS_MAX,
    'server count within 1…20',
  );
  const ids = new Set(state.servers.map((s) => s.id));
  assert(ids.size === state.servers.length, 'server ids are unique');
  const sent = state.nextRequestId - 1;
  for (const lane of state.lanes) {
    assert(lane.servers.length === state.servers.length, 'each lane tracks every server');
    lane.servers.forEach((server, index) => {
      const spec = state.servers[index]!;
      assert(server.id === spec.id, 'lane servers follow the server list');
      assert(server.inFlight >= 0, `${server.id} in flight ≥ 0`);
      assert(
        server.active >= 0 && server.active <= CONCURRENCY_MAX,
        `${server.id} busy slots within the limit`,
      );
      assert(server.queue.length <= QUEUE_LIMIT_MAX, `${server.id} queue within the limit`);
      assert(
        !spec.crashed || (server.active === 0 && server.queue.length === 0),
        `crashed ${server.id} holds no work`,
      );
      assert(server.connections >= 0, 'connections ≥ 0');
    });
    // Every request that reached this balancer is answered exactly once or still pending.
    const t = lane.totals;
    assert(
      t.arrived === t.ok + t.errors + t.dropped + lane.pending,
      `requests conserved (${t.arrived} = ${t.ok} + ${t.errors} + ${t.dropped} + ${lane.pending})`,
    );
    assert(t.arrived + state.wire.length <= sent, 'no request is counted twice');
    let pending = 0;
    const inFlightBy: Record<string, number> = {};
    for (const key in lane.requests) {
      const request = lane.requests[key]!;
      assert(ids.has(request.serverId), `request ${key} is held by an existing server`);
      if (request.outcome === null) {
        pending += 1;
        inFlightBy[request.serverId] = (inFlightBy[request.serverId] ?? 0) + 1;
      }
    }
    assert(pending === lane.pending, `pending requests recounted (${pending} vs ${lane.pending})`);
    for (const server of lane.servers) {
      assert((inFlightBy[server.id] ?? 0) === server.inFlight, `${server.id} in-flight recounted`);
      let active = 0;
      for (const key in lane.requests) {
        const r = lane.requests[key]!;
        if (r.serverId === server.id && r.phase === 'serving') active += 1;
      }
      assert(
        active === server.active,
        `${server.id} busy slots recounted (${active} vs ${server.active})`,
      );
    }
    let connections = 0;
    for (const server of lane.servers) connections += server.connections;
    assert(connections === Object.keys(lane.connections).length, 'connections recounted');
    let sessions = 0;
    for (const server of lane.servers) sessions += server.sessions;
    assert(sessions === Object.keys(lane.sticky).length, 'sticky sessions recounted');
  }
}
