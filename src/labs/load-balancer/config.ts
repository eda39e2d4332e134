/**
 * The load-balancer lab's URL state (its initial config) and its command schema, both validated
 * with zod. The bounds here are the simulation's own limits.
 */
import * as z from 'zod/mini';
import { flagParam, fromParam } from '../../app/params';
import {
  ALGORITHMS,
  type AlgorithmName,
  ARRIVALS,
  BURST_REQUESTS_MAX,
  COMPARE_LANES_MAX,
  COMPARE_LANES_MIN,
  CONCURRENCY_MAX,
  EJECTION_ERRORS_MAX,
  EJECTION_MS_MAX,
  EJECTION_MS_MIN,
  FLAP_PERIOD_MS_MAX,
  HEALTH_INTERVAL_MS_MAX,
  HEALTH_INTERVAL_MS_MIN,
  HEALTH_THRESHOLD_MAX,
  HEALTH_TIMEOUT_MS_MAX,
  HEALTH_TIMEOUT_MS_MIN,
  isAlgorithmName,
  LATENCY_MS_MAX,
  LAYERS,
  POOLS,
  QUEUE_LIMIT_MAX,
  REQUESTS_PER_SECOND_MAX,
  SERVERS_MAX,
  SERVERS_MIN,
  SERVICE_MS_MAX,
  SERVICE_MS_MIN,
  SESSION_MODES,
  SLOWNESS_MAX,
  TIMEOUT_MS_MAX,
  TIMEOUT_MS_MIN,
  USERS_MAX,
  USERS_MIN,
  WEIGHT_MAX,
} from './sim/constants';
import { DEFAULT_CONFIG, type LoadBalancerCommand, type LoadBalancerConfig } from './sim/model';

export const loadBalancerDefaults: LoadBalancerConfig = DEFAULT_CONFIG;

const intIn = (min: number, max: number, what: string) =>
  fromParam(
    z
      .number({ message: `${what} must be a number` })
      .check(
        z.int(`${what} must be a whole number`),
        z.minimum(min, `${what} is at least ${min.toLocaleString('en-US')}`),
        z.maximum(max, `${what} is at most ${max.toLocaleString('en-US')}`),
      ),
  );

const enumOf = <T extends string>(values: readonly T[], what: string) =>
  z.enum(values as unknown as [T, ...T[]], { message: `${what} is one of ${values.join(', ')}` });

/** "round-robin,least-connections": 2 to 4 distinct algorithm names, or empty. */
const compareParam = z.string({ message: 'compare is a comma-separated list of algorithms' }).check(
  z.refine(
    (text) => {
      if (text.trim() === '') return true;
      const names = text.split(',').map((s) => s.trim());
      return (
        names.length >= COMPARE_LANES_MIN &&
        names.length <= COMPARE_LANES_MAX &&
        names.every(isAlgorithmName) &&
        new Set(names).size === names.length
      );
    },
    {
      message: `compare lists ${COMPARE_LANES_MIN} to ${COMPARE_LANES_MAX} different algorithms (${ALGORITHMS.join(', ')})`,
    },
  ),
);

export const loadBalancerFields = {
  servers: intIn(SERVERS_MIN, SERVERS_MAX, 'servers'),
  algorithm: enumOf<AlgorithmName>(ALGORITHMS, 'algorithm'),
  compare: compareParam,
  requestsPerSecond: intIn(0, REQUESTS_PER_SECOND_MAX, 'requests per second'),
  arrival: enumOf(ARRIVALS, 'arrival'),
  users: intIn(USERS_MIN, USERS_MAX, 'users'),
  concurrency: intIn(1, CONCURRENCY_MAX, 'concurrency'),
  serviceMs: intIn(SERVICE_MS_MIN, SERVICE_MS_MAX, 'service time (ms)'),
  latencyMs: intIn(0, LATENCY_MS_MAX, 'latency (ms)'),
  queueLimit: intIn(0, QUEUE_LIMIT_MAX, 'queue limit'),
  sessions: enumOf(SESSION_MODES, 'sessions'),
  layer: enumOf(LAYERS, 'layer'),
  pools: flagParam,
  healthIntervalMs: intIn(
    HEALTH_INTERVAL_MS_MIN,
    HEALTH_INTERVAL_MS_MAX,
    'health-check interval (ms)',
  ),
  healthTimeoutMs: intIn(HEALTH_TIMEOUT_MS_MIN, HEALTH_TIMEOUT_MS_MAX, 'health-check timeout (ms)'),
  healthyThreshold: intIn(1, HEALTH_THRESHOLD_MAX, 'healthy threshold'),
  unhealthyThreshold: intIn(1, HEALTH_THRESHOLD_MAX, 'unhealthy threshold'),
  ejection: flagParam,
  ejectionErrors: intIn(1, EJECTION_ERRORS_MAX, 'ejection errors'),
  ejectionMs: intIn(EJECTION_MS_MIN, EJECTION_MS_MAX, 'ejection time (ms)'),
  timeoutMs: intIn(TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, 'upstream timeout (ms)'),
};

export const loadBalancerConfigSchema = z.object(loadBalancerFields);

const serverId = z.string().check(z.regex(/^S\d{1,3}$/, 'a server id like S3'));
const pool = enumOf(POOLS, 'pool');
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

export const loadBalancerCommandSchema: z.ZodMiniType<LoadBalancerCommand> = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('addServer'), pool: z.optional(pool) }),
    z.object({ type: z.literal('removeServer'), serverId }),
    z.object({ type: z.literal('setCrashed'), serverId, crashed: z.boolean() }),
    z.object({
      type: z.literal('setSlowness'),
      serverId,
      slowness: z.number().check(z.minimum(1), z.maximum(SLOWNESS_MAX)),
    }),
    z.object({
      type: z.literal('setFlapping'),
      serverId,
      periodMs: int(0, FLAP_PERIOD_MS_MAX),
    }),
    z.object({
      type: z.literal('setServer'),
      serverId,
      weight: z.optional(int(1, WEIGHT_MAX)),
      concurrency: z.optional(int(1, CONCURRENCY_MAX)),
      serviceMs: z.optional(int(SERVICE_MS_MIN, SERVICE_MS_MAX)),
      latencyMs: z.optional(int(0, LATENCY_MS_MAX)),
      queueLimit: z.optional(int(0, QUEUE_LIMIT_MAX)),
      pool: z.optional(pool),
    }),
    z.object({
      type: z.literal('setAlgorithm'),
      lane: int(0, COMPARE_LANES_MAX - 1),
      algorithm: enumOf<AlgorithmName>(ALGORITHMS, 'algorithm'),
    }),
    z.object({
      type: z.literal('setWorkload'),
      requestsPerSecond: int(0, REQUESTS_PER_SECOND_MAX),
      arrival: enumOf(ARRIVALS, 'arrival'),
    }),
    z.object({
      type: z.literal('burst'),
      requests: int(1, BURST_REQUESTS_MAX),
    }),
    z.object({ type: z.literal('setSessions'), mode: enumOf(SESSION_MODES, 'sessions') }),
    z.object({ type: z.literal('setLayer'), layer: enumOf(LAYERS, 'layer'), pools: z.boolean() }),
    z.object({
      type: z.literal('setHealth'),
      intervalMs: int(HEALTH_INTERVAL_MS_MIN, HEALTH_INTERVAL_MS_MAX),
      timeoutMs: int(HEALTH_TIMEOUT_MS_MIN, HEALTH_TIMEOUT_MS_MAX),
      healthyThreshold: int(1, HEALTH_THRESHOLD_MAX),
      unhealthyThreshold: int(1, HEALTH_THRESHOLD_MAX),
    }),
    z.object({
      type: z.literal('setEjection'),
      enabled: z.boolean(),
      consecutiveErrors: int(1, EJECTION_ERRORS_MAX),
      ejectionMs: int(EJECTION_MS_MIN, EJECTION_MS_MAX),
    }),
    z.object({
      type: z.literal('setUpstreamTimeout'),
      timeoutMs: int(TIMEOUT_MS_MIN, TIMEOUT_MS_MAX),
    }),
  ],
) as z.ZodMiniType<LoadBalancerCommand>;
