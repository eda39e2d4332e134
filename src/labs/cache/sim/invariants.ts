/**
 * Invariants of the caching lab, checked after every step in tests and development builds. Each
 * compares the incremental structures with what they must agree on.
 */
import { assert } from '../../../kernel/assert';
import { type CacheState, expiredResidentCount } from './model';
import { checkPolicyInvariants, isResident, NONE } from './policies';

export function checkCacheInvariants(state: CacheState): void {
  const { cache, settings } = state;
  assert(Number.isInteger(state.nowMs) && state.nowMs >= 0, `time is an integer ≥ 0`);
  assert(cache.size <= settings.capacity, `resident ${cache.size} ≤ capacity ${settings.capacity}`);
  const entries = Object.values(state.entries);
  assert(entries.length === cache.size, `entries (${entries.length}) = resident (${cache.size})`);
  let occupied = 0;
  for (let slot = 0; slot < state.slots.length; slot += 1) {
    const key = state.slots[slot]!;
    if (key === NONE) continue;
    occupied += 1;
    assert(state.entries[key]?.slot === slot, `slot ${slot} holds key ${key}'s entry`);
  }
  assert(occupied === entries.length, 'every entry has exactly one slot');
  assert(
    occupied + state.freeSlots.length === settings.capacity,
    `occupied + free slots = capacity`,
  );
  for (const entry of entries) {
    assert(isResident(cache, entry.key), `key ${entry.key} has an entry and is resident`);
    const latest = state.latestVersion[entry.key]!;
    assert(entry.version <= latest, `entry version ≤ newest version (key ${entry.key})`);
    if (entry.version < latest) {
      assert(entry.staleSinceMs >= 0, `a stale entry knows since when (key ${entry.key})`);
      assert(
        entry.staleSinceMs <= state.nowMs,
        `a stale entry became stale in the past (key ${entry.key})`,
      );
    }
    if (entry.dirty) {
      assert(settings.writePolicy === 'write-back', 'only write-back leaves dirty entries');
    }
  }
  for (let key = 0; key < settings.keys; key += 1) {
    const db = state.dbVersion[key]!;
    const latest = state.latestVersion[key]!;
    assert(db <= latest, `database version ≤ newest (key ${key})`);
    if (db < latest) {
      assert(state.entries[key]?.dirty === true, `only a dirty entry is ahead of the database`);
    }
  }
  const fetches = Object.values(state.fetches);
  const writesInFlight = state.dbInFlight - fetches.length;
  assert(writesInFlight >= 0, 'database operations in flight are counted');
  // Under single flight a query is only sent when none is in flight for its key.
  for (const ids of Object.values(state.fetchIdsByKey)) {
    const coalescing = ids.filter((id) => state.fetches[id]!.singleFlight);
    assert(
      coalescing.length === 0 || (coalescing.length === 1 && coalescing[0] === ids[0]),
      'single flight: a query is sent only when none is in flight for its key',
    );
  }
  const c = state.counters;
  assert(c.hits + c.misses === c.reads, `hits + misses = reads`);
  assert(c.reads + c.writes === c.requests, `reads + writes = requests`);
  assert(c.staleReads <= c.hits, 'stale reads are hits');
  assert(c.coalesced <= c.misses, 'coalesced requests are misses');
  assert(expiredResidentCount(state) <= entries.length, 'expired entries are entries');
  checkPolicyInvariants(cache);
  for (const lane of state.lanes) {
    assert(lane.cache.size <= settings.capacity, `lane ${lane.policy} within capacity`);
    checkPolicyInvariants(lane.cache);
  }
}
