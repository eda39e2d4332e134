/**
 * What the hash-ring views draw: a small, serialisable summary of the state. The ring's vnode
 * positions and the drawn keys are heavy, so they are sent only when their version changes.
 */
import { zipfProbability } from '../../../kernel/distributions';
import { KEYS_DRAWN_MAX, LOAD_BUCKET_MS, LOAD_WINDOW_MS, REQUEST_FLIGHT_MS } from './constants';
import { hashString } from './hash';
import {
  arcSharesOf,
  type ChangeSummary,
  type HashRingState,
  keyHashesOf,
  keyNameAt,
  keysTotalOf,
  type LookupResult,
  lookupOf,
  moduloOwnersOf,
  ownersOf,
  type RecentRequest,
  ringOf,
  ringSignatureOf,
  zipfTableOf,
} from './model';
import { loadStats } from './ring';

export type LoadStats = ReturnType<typeof loadStats>;

export interface ServerView {
  id: string;
  weight: number;
  failed: boolean;
  vnodeCount: number;
  keyCount: number;
  arcShare: number;
  requestCount: number;
  /** Requests in the last LOAD_WINDOW_MS. */
  recentRequestCount: number;
  /** Where the server's first virtual node sits; the stage draws the server marker there. */
  markerPosition: number;
}

export interface RingPart {
  version: string;
  positions: Uint32Array;
  owners: Uint16Array;
}

export interface KeysPart {
  version: string;
  positions: Uint32Array;
  owners: Int32Array;
  names: string[];
}

export interface HotKey {
  name: string;
  share: number;
  ownerId: string | null;
}

export interface HashRingSnapshot {
  atMs: number;
  versions: { ring: string; keys: string };
  config: HashRingState['config'];
  servers: ServerView[];
  ring: RingPart | null;
  keys: KeysPart | null;
  keysTotal: number;
  keysDrawn: number;
  namedKeysCount: number;
  keyStats: LoadStats;
  requestStats: LoadStats;
  lookup: LookupResult | null;
  requests: RecentRequest[];
  requestsTotal: number;
  lastChange: ChangeSummary | null;
  modulo: { liveIds: string[]; counts: number[] };
  loadSeries: { startMs: number; counts: number[] }[];
  hotKey: HotKey | null;
}

export { LOAD_WINDOW_MS };

const LOAD_SERIES_BUCKETS = 60;

export function viewHashRing(
  state: HashRingState,
  known: Readonly<Record<string, string>>,
): HashRingSnapshot {
  const ring = ringOf(state);
  const { owners, counts } = ownersOf(state);
  const shares = arcSharesOf(state);
  const keysTotal = keysTotalOf(state);
  const ringVersion = ringSignatureOf(state);
  const keysVersion = `${ringVersion}|${state.keysSignature}`;
  const windowStart = state.nowMs - LOAD_WINDOW_MS;
  const recentCounts = new Map<string, number>();
  for (const bucket of state.loadBuckets) {
    if (bucket.startMs + LOAD_BUCKET_MS <= windowStart) continue;
    for (const [id, count] of Object.entries(bucket.counts)) {
      recentCounts.set(id, (recentCounts.get(id) ?? 0) + count);
    }
  }
  const servers: ServerView[] = state.servers.map((server, index) => ({
    id: server.id,
    weight: server.weight,
    failed: server.failed,
    vnodeCount: server.weight * state.config.vnodesPerServer,
    keyCount: counts[index] ?? 0,
    arcShare: shares[index] ?? 0,
    requestCount: server.requestCount,
    recentRequestCount: recentCounts.get(server.id) ?? 0,
    markerPosition: hashString(state.config.hash, `${server.id}#0`),
  }));
  const live = servers.filter((s) => !s.failed);
  const modulo = moduloOwnersOf(state);
  const moduloCounts = new Array<number>(modulo.liveIds.length).fill(0);
  for (const owner of modulo.owners)
    if (owner >= 0) moduloCounts[owner] = (moduloCounts[owner] ?? 0) + 1;
  return {
    atMs: state.nowMs,
    versions: { ring: ringVersion, keys: keysVersion },
    config: { ...state.config },
    servers,
    ring:
      known.ring === ringVersion
        ? null
        : { version: ringVersion, positions: ring.positions, owners: ring.owners },
    keys: known.keys === keysVersion ? null : drawnKeys(state, owners, keysVersion),
    keysTotal,
    keysDrawn: Math.min(keysTotal, KEYS_DRAWN_MAX),
    namedKeysCount: state.namedKeys.length,
    keyStats: loadStats(live.map((s) => s.keyCount)),
    requestStats: loadStats(live.map((s) => s.recentRequestCount)),
    lookup: state.lookupKey ? lookupOf(state, state.lookupKey) : null,
    requests: state.recentRequests.filter((r) => r.atMs > state.nowMs - REQUEST_FLIGHT_MS),
    requestsTotal: state.requestsTotal,
    lastChange: state.lastChange,
    modulo: { liveIds: modulo.liveIds, counts: modulo.counts },
    loadSeries: state.loadBuckets.slice(-LOAD_SERIES_BUCKETS).map((bucket) => ({
      startMs: bucket.startMs,
      counts: state.servers.map((s) => bucket.counts[s.id] ?? 0),
    })),
    hotKey: hotKeyOf(state, owners, keysTotal),
  };
}

function drawnKeys(state: HashRingState, owners: Int32Array, version: string): KeysPart {
  const drawn = Math.min(keysTotalOf(state), KEYS_DRAWN_MAX);
  const positions = keyHashesOf(state).slice(0, drawn);
  const drawnOwners = owners.slice(0, drawn);
  const names: string[] = [];
  // Names are only sent for named keys (the rest are key-0 … key-n, derived by index).
  for (let i = 0; i < Math.min(state.namedKeys.length, drawn); i += 1)
    names.push(state.namedKeys[i]!);
  return { version, positions, owners: drawnOwners, names };
}

function hotKeyOf(state: HashRingState, owners: Int32Array, keysTotal: number): HotKey | null {
  if (state.config.popularity !== 'zipf' || keysTotal === 0) return null;
  const share = zipfProbability(zipfTableOf(state, keysTotal), 0);
  const owner = owners[0] ?? -1;
  return { name: keyNameAt(state, 0), share, ownerId: state.servers[owner]?.id ?? null };
}
