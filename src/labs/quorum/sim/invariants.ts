/**
 * Invariants of the quorum lab, checked after every step in tests and development builds.
 */
import { assert } from '../../../kernel/assert';
import { HISTORY_MAX, REPLICAS_MAX, REPLICAS_MIN } from './constants';
import type { QuorumState } from './model';
import { compareClocks } from './versions';

export function checkQuorumInvariants(state: QuorumState): void {
  const { config } = state;
  assert(
    Number.isInteger(state.nowMs) && state.nowMs >= 0,
    `time is an integer ≥ 0: ${state.nowMs}`,
  );
  assert(
    config.replicas >= REPLICAS_MIN && config.replicas <= REPLICAS_MAX,
    `N within ${REPLICAS_MIN}–${REPLICAS_MAX}`,
  );
  assert(config.writeQuorum >= 1 && config.writeQuorum <= config.replicas, '1 ≤ W ≤ N');
  assert(config.readQuorum >= 1 && config.readQuorum <= config.replicas, '1 ≤ R ≤ N');
  assert(state.stores.length === config.replicas, 'one store per replica');
  for (const [replica, store] of state.stores.entries()) {
    assert(store.length === config.keys, `replica ${replica} stores every key`);
    for (const [key, versions] of store.entries()) {
      assert(versions.length >= 1, `replica ${replica} holds a version of key ${key}`);
      if (config.conflict === 'lww') {
        assert(versions.length === 1, `last write wins keeps one version (key ${key})`);
      } else {
        for (let i = 0; i < versions.length; i += 1) {
          for (let j = i + 1; j < versions.length; j += 1) {
            assert(
              compareClocks(versions[i]!.clock, versions[j]!.clock) === 'concurrent',
              `siblings of key ${key} on replica ${replica} are concurrent`,
            );
          }
        }
      }
      for (const version of versions) {
        assert(version.value < state.nextValue, 'no replica holds a value never written');
      }
    }
  }
  assert(state.history.length <= HISTORY_MAX, 'history within its limit');
  let stale = 0;
  for (const op of state.history) {
    if (op.completeMs !== null)
      assert(op.completeMs >= op.invokeMs, `op ${op.id} ends after it starts`);
    if (op.stale) {
      stale += 1;
      assert(op.kind === 'read' && op.status === 'ok', 'only completed reads are stale');
    }
  }
  if (state.counters.historyDropped === 0) {
    assert(stale === state.counters.staleReads, 'every stale read is in the history');
  }
  for (const client of state.clients) {
    if (client.current) assert(client.current.invokeMs <= state.nowMs, 'ops start in the past');
  }
  assert(
    state.counters.readsOk + state.counters.writesOk <= state.counters.opsInvoked,
    'completions never exceed invocations',
  );
}
