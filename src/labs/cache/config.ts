/**
 * The caching lab's URL state (its initial config) and its command schema, both validated with
 * zod. The bounds here are the simulation's own limits.
 */
import * as z from 'zod/mini';
import { fromParam } from '../../app/params';
import {
  CAPACITY_MAX,
  COMPARE_MAX,
  COMPARE_MIN,
  EARLY_REFRESH_BETA_MAX,
  FLUSH_INTERVAL_MS_MAX,
  FLUSH_INTERVAL_MS_MIN,
  KEYS_MAX,
  LATENCY_MS_MAX,
  POLICY_NAMES,
  type PolicyName,
  parsePolicyList,
  READ_BURST_MAX,
  READ_STRATEGIES,
  REQUESTS_PER_SECOND_MAX,
  type ReadStrategy,
  TTL_MS_MAX,
  WORKLOAD_KINDS,
  type WorkloadKind,
  WRITE_POLICIES,
  type WritePolicy,
  ZIPF_S_MAX,
} from './sim/constants';
import type { CacheCommand, CacheConfig } from './sim/model';

export const cacheDefaults: CacheConfig = {
  policy: 'lru',
  capacity: 16,
  keys: 200,
  workload: 'zipf',
  zipfS: 1,
  writePercent: 5,
  requestsPerSecond: 50,
  cacheLatencyMs: 1,
  dbLatencyMs: 50,
  ttlMs: 30_000,
  ttlJitterPercent: 0,
  activeExpiry: 'on',
  readStrategy: 'cache-aside',
  writePolicy: 'invalidate',
  flushIntervalMs: 2_000,
  singleFlight: 'off',
  earlyRefreshBeta: 0,
  compare: '',
};

const intIn = (min: number, max: number, what: string) =>
  fromParam(
    z
      .number({ message: `${what} must be a number` })
      .check(
        z.int(`${what} must be a whole number`),
        z.minimum(min, `${what} is at least ${min}`),
        z.maximum(max, `${what} is at most ${max.toLocaleString('en-US')}`),
      ),
  );

const numberIn = (min: number, max: number, what: string) =>
  fromParam(
    z
      .number({ message: `${what} must be a number` })
      .check(
        z.minimum(min, `${what} is at least ${min}`),
        z.maximum(max, `${what} is at most ${max}`),
      ),
  );

const enumOf = <T extends string>(values: readonly T[], what: string) =>
  z.enum(values as unknown as [T, ...T[]], { message: `${what} is one of ${values.join(', ')}` });

const onOff = (what: string) => z.enum(['on', 'off'], { message: `${what} is on or off` });

export const compareSchema = z
  .string({ message: 'compare is a list of policies like lru,lfu' })
  .check(
    z.refine((text) => parsePolicyList(text) !== null, {
      message: `compare lists policies from ${POLICY_NAMES.join(', ')}`,
    }),
    z.refine(
      (text) => {
        const n = parsePolicyList(text)?.length ?? 0;
        return n === 0 || (n >= COMPARE_MIN && n <= COMPARE_MAX);
      },
      { message: `compare holds ${COMPARE_MIN} to ${COMPARE_MAX} policies (or none)` },
    ),
  );

export const cacheFields = {
  policy: enumOf<PolicyName>(POLICY_NAMES, 'policy'),
  capacity: intIn(1, CAPACITY_MAX, 'capacity'),
  keys: intIn(1, KEYS_MAX, 'keys'),
  workload: enumOf<WorkloadKind>(WORKLOAD_KINDS, 'workload'),
  zipfS: numberIn(0, ZIPF_S_MAX, 'Zipf s'),
  writePercent: intIn(0, 100, 'writes %'),
  requestsPerSecond: intIn(0, REQUESTS_PER_SECOND_MAX, 'requests per second'),
  cacheLatencyMs: intIn(0, LATENCY_MS_MAX, 'cache latency'),
  dbLatencyMs: intIn(1, LATENCY_MS_MAX, 'database latency'),
  ttlMs: intIn(0, TTL_MS_MAX, 'TTL'),
  ttlJitterPercent: intIn(0, 50, 'TTL jitter'),
  activeExpiry: onOff('active expiry'),
  readStrategy: enumOf<ReadStrategy>(READ_STRATEGIES, 'read strategy'),
  writePolicy: enumOf<WritePolicy>(WRITE_POLICIES, 'write policy'),
  flushIntervalMs: intIn(FLUSH_INTERVAL_MS_MIN, FLUSH_INTERVAL_MS_MAX, 'flush interval'),
  singleFlight: onOff('single flight'),
  earlyRefreshBeta: numberIn(0, EARLY_REFRESH_BETA_MAX, 'early refresh β'),
  compare: compareSchema,
};

export const cacheConfigSchema = z.object(cacheFields);

const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
const keySchema = int(0, KEYS_MAX - 1);

export const cacheCommandSchema: z.ZodMiniType<CacheCommand> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set'), settings: z.partial(cacheConfigSchema) }),
  z.object({ type: z.literal('expireKey'), key: keySchema }),
  z.object({
    type: z.literal('setKeyTtl'),
    key: keySchema,
    ttlMs: z.nullable(int(0, TTL_MS_MAX)),
  }),
  z.object({ type: z.literal('crash') }),
  z.object({
    type: z.literal('readBurst'),
    key: keySchema,
    count: int(1, READ_BURST_MAX),
  }),
]) as z.ZodMiniType<CacheCommand>;
