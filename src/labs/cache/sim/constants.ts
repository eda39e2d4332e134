/**
 * The caching lab's names and limits, in a module of their own so the page, the URL schema and the
 * simulation share them without the page loading the simulation code.
 */

export type PolicyName =
  | 'lru'
  | 'lfu'
  | 'fifo'
  | 'random'
  | 'clock'
  | 'sieve'
  | 'arc'
  | '2q'
  | 'wtinylfu';
export const POLICY_NAMES: readonly PolicyName[] = [
  'lru',
  'lfu',
  'fifo',
  'random',
  'clock',
  'sieve',
  'arc',
  '2q',
  'wtinylfu',
];
/** The curve job also draws Belady's offline optimum, which needs the whole future trace. */
export type CurvePolicyName = PolicyName | 'opt';

export const POLICY_LABELS: Record<CurvePolicyName, string> = {
  lru: 'LRU',
  lfu: 'LFU',
  fifo: 'FIFO',
  random: 'Random',
  clock: 'CLOCK',
  sieve: 'SIEVE',
  arc: 'ARC',
  '2q': '2Q',
  wtinylfu: 'W-TinyLFU',
  opt: 'OPT (Belady)',
};

export type WorkloadKind = 'zipf' | 'uniform' | 'scan' | 'loop' | 'shifting';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'zipf',
  'uniform',
  'scan',
  'loop',
  'shifting',
];
export const WORKLOAD_LABELS: Record<WorkloadKind, string> = {
  zipf: 'Zipf (skewed popularity)',
  uniform: 'Uniform',
  scan: 'Zipf with sequential scans',
  loop: 'Loop over every key',
  shifting: 'Shifting hot set',
};

export type ReadStrategy = 'cache-aside' | 'read-through';
export const READ_STRATEGIES: readonly ReadStrategy[] = ['cache-aside', 'read-through'];

export type WritePolicy = 'invalidate' | 'write-through' | 'write-back' | 'write-around';
export const WRITE_POLICIES: readonly WritePolicy[] = [
  'invalidate',
  'write-through',
  'write-back',
  'write-around',
];
export const WRITE_POLICY_LABELS: Record<WritePolicy, string> = {
  invalidate: 'Invalidate on write',
  'write-through': 'Write-through',
  'write-back': 'Write-back',
  'write-around': 'Write-around',
};

/** Keys are whole numbers 0 … keys − 1; every per-key array is sized by this. */
export const KEYS_MAX = 10_000;
export const CAPACITY_MAX = 2_000;
export const REQUESTS_PER_SECOND_MAX = 5_000;
export const LATENCY_MS_MAX = 2_000;
export const TTL_MS_MAX = 600_000;
export const FLUSH_INTERVAL_MS_MIN = 100;
export const FLUSH_INTERVAL_MS_MAX = 60_000;
export const EARLY_REFRESH_BETA_MAX = 5;
export const ZIPF_S_MAX = 3;
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 6;
export const READ_BURST_MAX = 1_000;
/** DB operations in flight at once; past this the database refuses (a real one would fall over). */
export const DB_IN_FLIGHT_MAX = 5_000;
export const KEY_TTL_OVERRIDES_MAX = 64;

/** The stage draws at most this many slots; the figures always count every slot. */
export const SLOTS_DRAWN_MAX = 256;
/** A request stays in the snapshot this long, so the stage can flash it. */
export const REQUEST_FLASH_MS = 400;
export const RECENT_REQUESTS_MAX = 64;
export const RECENT_EVICTIONS_MAX = 8;
/** Metrics are bucketed in half seconds; two minutes of buckets are kept. */
export const SERIES_BUCKET_MS = 500;
export const SERIES_BUCKETS_MAX = 240;
/** Redis-style active expiry: every 100 ms sample 20 keys, repeat while over 25% were expired. */
export const ACTIVE_EXPIRY_INTERVAL_MS = 100;
export const ACTIVE_EXPIRY_SAMPLE = 20;
export const ACTIVE_EXPIRY_ROUNDS_MAX = 16;
/** This many DB queries in flight for one key at once is narrated as a stampede. */
export const STAMPEDE_THRESHOLD = 5;

/** Scans: every SCAN_CYCLE requests, the first SCAN_LENGTH read the next keys in order. */
export const SCAN_CYCLE = 5_000;
export const SCAN_LENGTH = 1_000;
/** The shifting hot set moves to a new random place every this many requests. */
export const HOT_SET_SHIFT_EVERY = 5_000;

/** The curve job: one million requests, twenty cache sizes. */
export const CURVE_REQUESTS = 1_000_000;
export const CURVE_SIZES = 20;
/** Work done between two progress reports of the curve job. */
export const CURVE_CHUNK = 100_000;

export function policyLabel(policy: CurvePolicyName): string {
  return POLICY_LABELS[policy];
}

/** Parses "lru,lfu,arc" into distinct policy names; returns null when any name is unknown. */
export function parsePolicyList(text: string): PolicyName[] | null {
  if (text.trim() === '') return [];
  const names = text.split(',').map((part) => part.trim().toLowerCase());
  const result: PolicyName[] = [];
  for (const name of names) {
    if (!(POLICY_NAMES as readonly string[]).includes(name)) return null;
    if (!result.includes(name as PolicyName)) result.push(name as PolicyName);
  }
  return result;
}
