/**
 * The rate-limiter lab's names, limits and labels, in a module of their own so the page, the URL
 * schema and the simulation share them without the page loading the simulation code.
 */

export type AlgorithmId =
  | 'token-bucket'
  | 'leaky-queue'
  | 'leaky-meter'
  | 'fixed-window'
  | 'sliding-log'
  | 'sliding-counter'
  | 'gcra';

export const ALGORITHM_IDS: readonly AlgorithmId[] = [
  'token-bucket',
  'leaky-queue',
  'leaky-meter',
  'fixed-window',
  'sliding-log',
  'sliding-counter',
  'gcra',
];

export const ALGORITHM_LABELS: Record<AlgorithmId, string> = {
  'token-bucket': 'Token bucket',
  'leaky-queue': 'Leaky bucket (queue)',
  'leaky-meter': 'Leaky bucket (meter)',
  'fixed-window': 'Fixed window',
  'sliding-log': 'Sliding window log',
  'sliding-counter': 'Sliding window counter',
  gcra: 'GCRA',
};

export type TrafficPattern = 'none' | 'steady' | 'poisson' | 'bursts' | 'ramp' | 'boundary';
export const TRAFFIC_PATTERNS: readonly TrafficPattern[] = [
  'none',
  'steady',
  'poisson',
  'bursts',
  'ramp',
  'boundary',
];
export const PATTERN_LABELS: Record<TrafficPattern, string> = {
  none: 'None (bursts only)',
  steady: 'Steady rate',
  poisson: 'Poisson',
  bursts: 'Periodic bursts',
  ramp: 'Ramp',
  boundary: 'Window-boundary attack',
};

export type RetryBehaviour = 'none' | 'honour' | 'storm';
export const RETRY_BEHAVIOURS: readonly RetryBehaviour[] = ['none', 'honour', 'storm'];
export const RETRY_LABELS: Record<RetryBehaviour, string> = {
  none: 'Give up',
  honour: 'Retry when Retry-After says',
  storm: 'Retry at once (storm)',
};

export type KeyBy = 'user' | 'ip';
export type LabMode = 'local' | 'distributed';

export type DistributedStrategy = 'racy' | 'atomic' | 'sync';
export const DISTRIBUTED_STRATEGIES: readonly DistributedStrategy[] = ['racy', 'atomic', 'sync'];
export const STRATEGY_LABELS: Record<DistributedStrategy, string> = {
  racy: 'Read, then write (racy)',
  atomic: 'Atomic increment',
  sync: 'Local counters, synced',
};

export const LANES_MIN = 1;
export const LANES_MAX = 6;
export const LIMIT_MAX = 10_000;
export const MINUTE_LIMIT_MAX = 100_000;
export const GLOBAL_LIMIT_MAX = 100_000;
export const WINDOW_MS_MIN = 100;
export const WINDOW_MS_MAX = 60_000;
export const MINUTE_WINDOW_MS = 60_000;
export const RATE_PER_SECOND_MAX = 2_000;
export const CLIENTS_MIN = 1;
export const CLIENTS_MAX = 8;
export const ABUSE_FACTOR_MAX = 50;
export const BURST_COUNT_MAX = 1_000;
export const GATEWAYS_MIN = 2;
export const GATEWAYS_MAX = 4;
export const SYNC_MS_MIN = 10;
export const SYNC_MS_MAX = 5_000;
export const STORE_LATENCY_MS_MAX = 200;
/** Retries waiting per lane; past this a storm is refused rather than allowed to grow forever. */
export const PENDING_RETRIES_MAX = 20_000;
/** A retrying client gives up after this many attempts, as real clients do. */
export const RETRY_ATTEMPTS_MAX = 5;
/** "Retry at once": the client's round trip before it tries again. */
export const STORM_RETRY_DELAY_MS = 20;
/** Requests kept per lane for the stage and the response inspector. */
export const RECENT_REQUESTS_MAX = 1_000;
/** How long a request dot stays on the stage after its decision. */
export const DOT_LIFE_MS = 600;
/** Travel time of a dot from its client to the limiter, and from the limiter onward. */
export const DOT_TRAVEL_MS = 300;
export const SERIES_BUCKET_MS = 1_000;
export const SERIES_BUCKETS_MAX = 120;
export const BATCH_REQUESTS_DEFAULT = 1_000_000;
export const BATCH_REQUESTS_MAX = 2_000_000;

export const CLIENT_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
/** The abusive client takes the first seat. */
export const ABUSIVE_NAME = 'mallory';
/** Carol and Dave sit behind one NAT, so keyed by IP they share a limit. */
export const CLIENT_IPS = [
  '203.0.113.7',
  '198.51.100.2',
  '192.0.2.44',
  '192.0.2.44',
  '198.51.100.9',
  '203.0.113.80',
  '192.0.2.15',
  '198.51.100.31',
];

export function clientName(index: number, abusive: boolean): string {
  if (abusive && index === 0) return ABUSIVE_NAME;
  return CLIENT_NAMES[index] ?? `client${index}`;
}

export function clientKey(index: number, abusive: boolean, keyBy: KeyBy): string {
  return keyBy === 'ip'
    ? `ip:${CLIENT_IPS[index] ?? `10.0.0.${index}`}`
    : `user:${clientName(index, abusive)}`;
}
