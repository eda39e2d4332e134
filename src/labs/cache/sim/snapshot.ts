/**
 * What the caching views draw: a small, serialisable summary of the state. At most
 * SLOTS_DRAWN_MAX slots are sent; every figure counts them all.
 */
import { SERIES_BUCKET_MS, SLOTS_DRAWN_MAX } from './constants';
import {
  type CacheConfig,
  type CacheState,
  type Counters,
  dirtyCount,
  type EvictionNote,
  expiredResidentCount,
  hitRatioOf,
  type MissBurst,
  type RecentRequest,
  type SeriesBucket,
} from './model';
import {
  evictionOrder,
  frequencyEstimateOf,
  ghostCount,
  lfuCountOf,
  listNameOf,
  policyBitOf,
  type SketchView,
  sketchViewOf,
} from './policies';
import { SLOT_DIRTY, SLOT_LIST_NAMES, SLOT_STALE, type SlotColumns } from './slot-columns';

export type { SlotColumns, SlotView } from './slot-columns';
export { slotViewAt, slotViews } from './slot-columns';

function slotColumnsOf(state: CacheState, rankOf: Map<number, number>): SlotColumns {
  const drawn = Math.min(state.slots.length, SLOTS_DRAWN_MAX);
  let length = 0;
  for (let slot = 0; slot < drawn; slot += 1) if (state.slots[slot]! >= 0) length += 1;
  const columns: SlotColumns = {
    length,
    slot: new Int32Array(length),
    key: new Int32Array(length),
    hits: new Int32Array(length),
    lastAccessMs: new Float64Array(length),
    insertedAtMs: new Float64Array(length),
    expiresAtMs: new Float64Array(length),
    flags: new Uint8Array(length),
    rank: new Int32Array(length),
    bit: new Int8Array(length),
    lfuCount: new Int32Array(length),
    estimate: new Int8Array(length),
    list: new Uint8Array(length),
  };
  let i = 0;
  for (let slot = 0; slot < drawn; slot += 1) {
    const key = state.slots[slot]!;
    if (key < 0) continue;
    const entry = state.entries[key]!;
    columns.slot[i] = slot;
    columns.key[i] = key;
    columns.hits[i] = entry.hits;
    columns.lastAccessMs[i] = entry.lastAccessMs;
    columns.insertedAtMs[i] = entry.insertedAtMs;
    columns.expiresAtMs[i] = entry.expiresAtMs;
    columns.flags[i] =
      (entry.dirty ? SLOT_DIRTY : 0) | (entry.version < state.latestVersion[key]! ? SLOT_STALE : 0);
    columns.rank[i] = rankOf.get(key) ?? -1;
    columns.bit[i] = policyBitOf(state.cache, key) ?? -1;
    columns.lfuCount[i] = lfuCountOf(state.cache, key) ?? -1;
    columns.estimate[i] = frequencyEstimateOf(state.cache, key) ?? -1;
    const list = listNameOf(state.cache, key);
    columns.list[i] = list === null ? 0 : SLOT_LIST_NAMES.indexOf(list as never) + 1;
    i += 1;
  }
  return columns;
}

export interface FetchView {
  id: number;
  key: number;
  kind: 'miss' | 'refresh';
  startedAtMs: number;
  doneAtMs: number;
  waiters: number;
}

export interface LaneView {
  policy: CacheConfig['policy'];
  hits: number;
  misses: number;
  evictions: number;
  hitRatio: number;
  resident: number;
  sinceMs: number;
  /** The first keys in eviction order (next victim first). */
  order: number[];
}

export interface CacheSnapshot {
  atMs: number;
  settings: CacheConfig;
  resident: number;
  ghosts: number;
  /** W-TinyLFU's segments and sketch, or null for the other policies. */
  sketch: SketchView | null;
  slots: SlotColumns;
  nextVictim: number | null;
  counters: Counters;
  hitRatio: number;
  meanLatencyMs: number;
  dbInFlight: number;
  dbInFlightPeak: number;
  dbQueriesPerSecond: number;
  expiredResident: number;
  dirty: number;
  fetches: FetchView[];
  writesInFlight: number;
  recentRequests: RecentRequest[];
  recentEvictions: EvictionNote[];
  recentBursts: MissBurst[];
  series: SeriesBucket[];
  lanes: LaneView[];
  keyTtlMs: Record<number, number>;
  /** The most popular key right now (key 0, moved by the shifting hot set). */
  hotKey: number;
}

const FETCHES_DRAWN_MAX = 48;
const SERIES_SENT = 120;
const LANE_ORDER_SENT = 24;

export function viewCache(state: CacheState): CacheSnapshot {
  const order = state.settings.policy === 'random' ? [] : evictionOrder(state.cache);
  const rankOf = new Map<number, number>();
  order.forEach((key, index) => {
    rankOf.set(key, index);
  });
  const slots = slotColumnsOf(state, rankOf);
  const fetches = Object.values(state.fetches);
  const lastTwo = state.series.slice(-3, -1);
  const perSecond =
    lastTwo.reduce((sum, b) => sum + b.dbQueries, 0) * (1000 / (SERIES_BUCKET_MS * 2));
  const c = state.counters;
  return {
    atMs: state.nowMs,
    settings: { ...state.settings },
    resident: state.cache.size,
    ghosts: ghostCount(state.cache),
    sketch: sketchViewOf(state.cache),
    slots,
    nextVictim: order[0] ?? null,
    counters: { ...c },
    hitRatio: hitRatioOf(c.hits, c.misses),
    meanLatencyMs: c.latencyCount > 0 ? c.latencySumMs / c.latencyCount : 0,
    dbInFlight: state.dbInFlight,
    dbInFlightPeak: state.dbInFlightPeak,
    dbQueriesPerSecond: perSecond,
    expiredResident: expiredResidentCount(state),
    dirty: dirtyCount(state),
    fetches: fetches.slice(-FETCHES_DRAWN_MAX).map((f) => ({
      id: f.id,
      key: f.key,
      kind: f.kind,
      startedAtMs: f.startedAtMs,
      doneAtMs: f.doneAtMs,
      waiters: f.waiters,
    })),
    writesInFlight: state.dbInFlight - fetches.length,
    recentRequests: state.recentRequests.slice(),
    recentEvictions: state.recentEvictions.slice(),
    recentBursts: state.recentBursts.slice(),
    series: state.series.slice(-SERIES_SENT).map((b) => ({ ...b, laneHits: b.laneHits.slice() })),
    lanes: state.lanes.map((lane) => ({
      policy: lane.policy,
      hits: lane.hits,
      misses: lane.misses,
      evictions: lane.evictions,
      hitRatio: hitRatioOf(lane.hits, lane.misses),
      resident: lane.cache.size,
      sinceMs: lane.sinceMs,
      order: lane.policy === 'random' ? [] : evictionOrder(lane.cache).slice(0, LANE_ORDER_SENT),
    })),
    keyTtlMs: { ...state.keyTtlMs },
    hotKey: state.settings.workload === 'shifting' ? state.workload.hotOffset : 0,
  };
}
