/**
 * The load-balancer lab's names and limits, in a module of their own so the page, the URL schema
 * and the simulation share them without the page loading the simulation code.
 */

export const ALGORITHMS = [
  'round-robin',
  'smooth-weighted',
  'random',
  'least-connections',
  'weighted-least-connections',
  'peak-ewma',
  'power-of-two',
  'ip-hash',
  'consistent-hash',
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export const ALGORITHM_LABELS: Record<AlgorithmName, string> = {
  'round-robin': 'Round robin',
  'smooth-weighted': 'Smooth weighted round robin',
  random: 'Random',
  'least-connections': 'Least connections',
  'weighted-least-connections': 'Weighted least connections',
  'peak-ewma': 'Least response time (peak EWMA)',
  'power-of-two': 'Power of two choices',
  'ip-hash': 'IP hash',
  'consistent-hash': 'Consistent-hash affinity',
};

/** Short names for narrow places (compare columns, chart legends). */
export const ALGORITHM_SHORT: Record<AlgorithmName, string> = {
  'round-robin': 'RR',
  'smooth-weighted': 'SWRR',
  random: 'Random',
  'least-connections': 'LeastConn',
  'weighted-least-connections': 'W-LeastConn',
  'peak-ewma': 'PeakEWMA',
  'power-of-two': 'P2C',
  'ip-hash': 'IP hash',
  'consistent-hash': 'Ring hash',
};

export const ARRIVALS = ['poisson', 'bursty'] as const;
export type ArrivalName = (typeof ARRIVALS)[number];

export const SESSION_MODES = ['stateless', 'sticky', 'external'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const LAYERS = ['l7', 'l4'] as const;
export type Layer = (typeof LAYERS)[number];

export const POOLS = ['api', 'static'] as const;
export type PoolName = (typeof POOLS)[number];

export const SERVERS_MIN = 1;
export const SERVERS_MAX = 20;
/** Server ids are S1, S2, … and never reused; a run adds at most this many servers in all. */
export const SERVER_NUMBER_MAX = 999;
export const REQUESTS_PER_SECOND_MAX = 2_000;
export const BURST_REQUESTS_MAX = 2_000;
export const WEIGHT_MAX = 10;
export const CONCURRENCY_MAX = 64;
export const QUEUE_LIMIT_MAX = 1_000;
export const SERVICE_MS_MIN = 1;
export const SERVICE_MS_MAX = 2_000;
export const LATENCY_MS_MAX = 500;
export const SLOWNESS_MAX = 20;
export const USERS_MIN = 1;
export const USERS_MAX = 5_000;
export const COMPARE_LANES_MIN = 2;
export const COMPARE_LANES_MAX = 4;
export const HEALTH_INTERVAL_MS_MIN = 100;
export const HEALTH_INTERVAL_MS_MAX = 30_000;
export const HEALTH_TIMEOUT_MS_MIN = 10;
export const HEALTH_TIMEOUT_MS_MAX = 10_000;
export const HEALTH_THRESHOLD_MAX = 10;
export const EJECTION_ERRORS_MAX = 50;
export const EJECTION_MS_MIN = 1_000;
export const EJECTION_MS_MAX = 300_000;
export const TIMEOUT_MS_MIN = 50;
export const TIMEOUT_MS_MAX = 30_000;
export const FLAP_PERIOD_MS_MIN = 500;
export const FLAP_PERIOD_MS_MAX = 60_000;
/** Requests a balancer holds at once (queued, in service or on the wire); arrivals beyond are refused. */
export const LANE_REQUESTS_MAX = 10_000;

/** The one-way latency between clients and the balancer; part of every measured latency. */
export const CLIENT_LATENCY_MS = 25;
/** Health probes are answered in this much server time (times the server's slowness). */
export const PROBE_SERVICE_MS = 2;
/** Peak EWMA's decay time: older latency samples fade with this time constant. */
export const EWMA_DECAY_MS = 10_000;
/** L4 connections last this long on average (exponential) before the client closes them. */
export const CONNECTION_LIFETIME_MS_MEAN = 20_000;
/** Virtual nodes per server on the consistent-hash ring. */
export const RING_VNODES = 64;
/** Bursty arrivals: "on" phases at BURST_FACTOR × the rate, "off" phases at the rest. */
export const BURST_ON_MS_MEAN = 1_000;
export const BURST_OFF_MS_MEAN = 3_000;
export const BURST_FACTOR = 3;
/** Metric buckets are one virtual second; series keep this many (ten minutes). */
export const BUCKET_MS = 1_000;
export const SERIES_POINTS_MAX = 600;
/** Latency percentiles in the figures cover this many completed seconds. */
export const LATENCY_WINDOW_BUCKETS = 10;
/** Latency samples kept per bucket (far above REQUESTS_PER_SECOND_MAX × bursts). */
export const BUCKET_SAMPLES_MAX = 20_000;
/** The stage draws at most this many requests in flight per lane. */
export const FLIGHTS_DRAWN_MAX = 1_500;
/** Recent client-side hops (arrivals and responses) kept per lane for the stage. */
export const CLIENT_HOPS_MAX = 1_024;

export function serverIdOf(serverNumber: number): string {
  return `S${serverNumber}`;
}

export function isAlgorithmName(value: string): value is AlgorithmName {
  return (ALGORITHMS as readonly string[]).includes(value);
}
