/**
 * The rate-limiter lab's URL state (its initial config) and its command schema, both validated
 * with zod. The bounds here are the simulation's own limits.
 */
import * as z from 'zod/mini';
import { fromParam } from '../../app/params';
import {
  ABUSE_FACTOR_MAX,
  ALGORITHM_IDS,
  type AlgorithmId,
  BURST_COUNT_MAX,
  CLIENTS_MAX,
  CLIENTS_MIN,
  GATEWAYS_MAX,
  GATEWAYS_MIN,
  GLOBAL_LIMIT_MAX,
  LANES_MAX,
  LANES_MIN,
  LIMIT_MAX,
  MINUTE_LIMIT_MAX,
  RATE_PER_SECOND_MAX,
  RETRY_BEHAVIOURS,
  type RetryBehaviour,
  STORE_LATENCY_MS_MAX,
  SYNC_MS_MAX,
  SYNC_MS_MIN,
  TRAFFIC_PATTERNS,
  type TrafficPattern,
  WINDOW_MS_MAX,
  WINDOW_MS_MIN,
} from './sim/constants';
import type { RateLimiterCommand, RateLimiterConfig } from './sim/model';

export const rateLimiterDefaults: RateLimiterConfig = {
  mode: 'local',
  lanes: 'token-bucket',
  limit: 10,
  windowMs: 1_000,
  burst: 10,
  minuteLimit: 0,
  globalLimit: 0,
  pattern: 'poisson',
  ratePerSecond: 24,
  clients: 3,
  abuseFactor: 4,
  keyBy: 'user',
  retry: 'none',
  gateways: 3,
  syncMs: 200,
  storeLatencyMs: 20,
};

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

const algorithmId = z.enum(
  ALGORITHM_IDS as readonly AlgorithmId[] as [AlgorithmId, ...AlgorithmId[]],
  {
    message: `an algorithm is one of ${ALGORITHM_IDS.join(', ')}`,
  },
);
const pattern = z.enum(
  TRAFFIC_PATTERNS as readonly TrafficPattern[] as [TrafficPattern, ...TrafficPattern[]],
  {
    message: `traffic is one of ${TRAFFIC_PATTERNS.join(', ')}`,
  },
);
const retry = z.enum(
  RETRY_BEHAVIOURS as readonly RetryBehaviour[] as [RetryBehaviour, ...RetryBehaviour[]],
  {
    message: `retry is one of ${RETRY_BEHAVIOURS.join(', ')}`,
  },
);
const keyBy = z.enum(['user', 'ip'], { message: 'key is user or ip' });
const mode = z.enum(['local', 'distributed'], { message: 'mode is local or distributed' });

const lanesList = z.string({ message: 'lanes is a comma-separated list of algorithms' }).check(
  z.refine(
    (text) => {
      const ids = text.split(',').map((s) => s.trim());
      return (
        ids.length >= LANES_MIN &&
        ids.length <= LANES_MAX &&
        new Set(ids).size === ids.length &&
        ids.every((id) => (ALGORITHM_IDS as readonly string[]).includes(id))
      );
    },
    {
      message: `lanes lists ${LANES_MIN} to ${LANES_MAX} different algorithms: ${ALGORITHM_IDS.join(', ')}`,
    },
  ),
);

export const rateLimiterFields = {
  mode,
  lanes: lanesList,
  limit: intIn(1, LIMIT_MAX, 'limit'),
  windowMs: intIn(WINDOW_MS_MIN, WINDOW_MS_MAX, 'window (ms)'),
  burst: intIn(1, LIMIT_MAX, 'burst'),
  minuteLimit: intIn(0, MINUTE_LIMIT_MAX, 'per-minute limit'),
  globalLimit: intIn(0, GLOBAL_LIMIT_MAX, 'global limit'),
  pattern,
  ratePerSecond: intIn(0, RATE_PER_SECOND_MAX, 'requests per second'),
  clients: intIn(CLIENTS_MIN, CLIENTS_MAX, 'clients'),
  abuseFactor: intIn(1, ABUSE_FACTOR_MAX, 'abuse factor'),
  keyBy,
  retry,
  gateways: intIn(GATEWAYS_MIN, GATEWAYS_MAX, 'gateways'),
  syncMs: intIn(SYNC_MS_MIN, SYNC_MS_MAX, 'sync interval (ms)'),
  storeLatencyMs: intIn(0, STORE_LATENCY_MS_MAX, 'store latency (ms)'),
};

export const rateLimiterConfigSchema = z.object(rateLimiterFields);

const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

export const rateLimiterCommandSchema: z.ZodMiniType<RateLimiterCommand> = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('fireBurst'),
      count: int(1, BURST_COUNT_MAX),
      client: int(0, CLIENTS_MAX - 1),
    }),
    z.object({
      type: z.literal('setTraffic'),
      pattern,
      ratePerSecond: int(0, RATE_PER_SECOND_MAX),
    }),
    z.object({
      type: z.literal('setClients'),
      clients: int(CLIENTS_MIN, CLIENTS_MAX),
      abuseFactor: int(1, ABUSE_FACTOR_MAX),
      keyBy,
    }),
    z.object({
      type: z.literal('setLimits'),
      limit: int(1, LIMIT_MAX),
      windowMs: int(WINDOW_MS_MIN, WINDOW_MS_MAX),
      burst: int(1, LIMIT_MAX),
      minuteLimit: int(0, MINUTE_LIMIT_MAX),
      globalLimit: int(0, GLOBAL_LIMIT_MAX),
    }),
    z.object({
      type: z.literal('setLanes'),
      lanes: z.array(algorithmId).check(z.minLength(LANES_MIN), z.maxLength(LANES_MAX)),
    }),
    z.object({ type: z.literal('setRetry'), retry }),
    z.object({
      type: z.literal('setDistributed'),
      mode,
      gateways: int(GATEWAYS_MIN, GATEWAYS_MAX),
      syncMs: int(SYNC_MS_MIN, SYNC_MS_MAX),
      storeLatencyMs: int(0, STORE_LATENCY_MS_MAX),
    }),
    z.object({
      type: z.literal('selectRequest'),
      lane: int(0, LANES_MAX - 1),
      id: int(0, Number.MAX_SAFE_INTEGER),
    }),
    z.object({ type: z.literal('clearSelection') }),
    z.object({ type: z.literal('focusClient'), client: int(0, CLIENTS_MAX - 1) }),
  ],
) as z.ZodMiniType<RateLimiterCommand>;
