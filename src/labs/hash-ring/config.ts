/**
 * The hash-ring lab's URL state (its initial config) and its command schema, both validated
 * with zod. The bounds here are the simulation's own limits.
 */
import * as z from 'zod/mini';
import { fromParam } from '../../app/params';
import {
  HASH_NAMES,
  type HashName,
  KEY_NAME_LENGTH_MAX,
  KEYS_BULK_MAX,
  REPLICATION_FACTOR_MAX,
  REQUESTS_PER_SECOND_MAX,
  SERVERS_MAX,
  VNODES_PER_SERVER_MAX,
  VNODES_TOTAL_MAX,
  WEIGHT_MAX,
} from './sim/constants';
import type { HashRingCommand, HashRingConfig } from './sim/model';

export const hashRingDefaults: HashRingConfig = {
  servers: 4,
  vnodesPerServer: 100,
  hash: 'murmur3',
  replicationFactor: 3,
  keys: 2_000,
  popularity: 'uniform',
  zipfExponent: 1.1,
  requestsPerSecond: 40,
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

export const hashRingFields = {
  servers: intIn(0, SERVERS_MAX, 'servers'),
  vnodesPerServer: intIn(1, VNODES_PER_SERVER_MAX, 'virtual nodes per server'),
  hash: z.enum(HASH_NAMES as readonly HashName[] as [HashName, ...HashName[]], {
    message: `hash is one of ${HASH_NAMES.join(', ')}`,
  }),
  replicationFactor: intIn(1, REPLICATION_FACTOR_MAX, 'replication factor'),
  keys: intIn(0, KEYS_BULK_MAX, 'keys'),
  popularity: z.enum(['uniform', 'zipf'], { message: 'popularity is uniform or zipf' }),
  zipfExponent: fromParam(
    z
      .number({ message: 'Zipf s must be a number' })
      .check(z.minimum(0, 'Zipf s is at least 0'), z.maximum(3, 'Zipf s is at most 3')),
  ),
  requestsPerSecond: intIn(0, REQUESTS_PER_SECOND_MAX, 'requests per second'),
};

export const hashRingConfigSchema = z.object(hashRingFields).check(
  z.refine((c) => c.servers * c.vnodesPerServer <= VNODES_TOTAL_MAX, {
    message: `servers × virtual nodes is at most ${VNODES_TOTAL_MAX.toLocaleString('en-US')}`,
  }),
);

const serverId = z.string().check(z.regex(/^S\d{1,6}$/, 'a server id like S3'));
const hashName = hashRingFields.hash;
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

export const hashRingCommandSchema: z.ZodMiniType<HashRingCommand> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('addServer'),
    weight: z.optional(int(1, WEIGHT_MAX)),
  }),
  z.object({ type: z.literal('removeServer'), serverId }),
  z.object({ type: z.literal('setFailed'), serverId, failed: z.boolean() }),
  z.object({
    type: z.literal('setWeight'),
    serverId,
    weight: int(1, WEIGHT_MAX),
  }),
  z.object({
    type: z.literal('setVnodes'),
    vnodesPerServer: int(1, VNODES_PER_SERVER_MAX),
  }),
  z.object({ type: z.literal('setHash'), hash: hashName }),
  z.object({
    type: z.literal('setReplicationFactor'),
    replicationFactor: int(1, REPLICATION_FACTOR_MAX),
  }),
  z.object({
    type: z.literal('addKey'),
    key: z.string().check(z.minLength(1), z.maxLength(KEY_NAME_LENGTH_MAX)),
  }),
  z.object({ type: z.literal('setBulkKeys'), count: int(0, KEYS_BULK_MAX) }),
  z.object({ type: z.literal('clearKeys') }),
  z.object({
    type: z.literal('lookup'),
    key: z.nullable(z.string().check(z.maxLength(KEY_NAME_LENGTH_MAX))),
  }),
  z.object({
    type: z.literal('setWorkload'),
    popularity: z.enum(['uniform', 'zipf']),
    zipfExponent: z.number().check(z.minimum(0), z.maximum(3)),
    requestsPerSecond: int(0, REQUESTS_PER_SECOND_MAX),
  }),
]) as z.ZodMiniType<HashRingCommand>;
