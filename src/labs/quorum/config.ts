/**
 * The quorum lab's URL state (its initial config) and its command schema, both validated with
 * zod. The bounds here are the simulation's own limits.
 */
import * as z from 'zod/mini';
import { fromParam } from '../../app/params';
import {
  ANTI_ENTROPY_PERIOD_MS_MAX,
  ANTI_ENTROPY_PERIOD_MS_MIN,
  BIO_TEXT_MAX,
  CLIENTS_MAX,
  KEYS_MAX,
  LATENCY_MS_MAX,
  LATENCY_MS_MIN,
  OPS_PER_SECOND_MAX,
  REPLICAS_MAX,
  REPLICAS_MIN,
  SLOW_FACTOR_MAX,
  SPARES_MAX,
  TIMEOUT_MS_MAX,
  TIMEOUT_MS_MIN,
} from './sim/constants';
import type { QuorumCommand, QuorumConfig } from './sim/model';

export const quorumDefaults: QuorumConfig = {
  replicas: 3,
  spares: 1,
  writeQuorum: 2,
  readQuorum: 2,
  mode: 'cp',
  conflict: 'lww',
  keys: 1,
  clients: 3,
  opsPerSecond: 3,
  writePercent: 40,
  latencyMs: 40,
  lossPercent: 0,
  timeoutMs: 500,
  readRepair: 'blocking',
  antiEntropy: 'merkle',
  antiEntropyPeriodMs: 2_000,
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

export const quorumFields = {
  replicas: intIn(REPLICAS_MIN, REPLICAS_MAX, 'N (replicas)'),
  spares: intIn(0, SPARES_MAX, 'spare nodes'),
  writeQuorum: intIn(1, REPLICAS_MAX, 'W'),
  readQuorum: intIn(1, REPLICAS_MAX, 'R'),
  mode: z.enum(['cp', 'ap'], { message: 'mode is cp or ap' }),
  conflict: z.enum(['lww', 'vclock'], { message: 'conflict is lww or vclock' }),
  keys: intIn(1, KEYS_MAX, 'keys'),
  clients: intIn(1, CLIENTS_MAX, 'clients'),
  opsPerSecond: intIn(0, OPS_PER_SECOND_MAX, 'operations per second'),
  writePercent: intIn(0, 100, 'write percentage'),
  latencyMs: intIn(LATENCY_MS_MIN, LATENCY_MS_MAX, 'latency'),
  lossPercent: intIn(0, 100, 'loss percentage'),
  timeoutMs: intIn(TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, 'timeout'),
  readRepair: z.enum(['blocking', 'async', 'off'], {
    message: 'read repair is blocking, async or off',
  }),
  antiEntropy: z.enum(['off', 'full', 'merkle'], {
    message: 'anti-entropy is off, full or merkle',
  }),
  antiEntropyPeriodMs: intIn(
    ANTI_ENTROPY_PERIOD_MS_MIN,
    ANTI_ENTROPY_PERIOD_MS_MAX,
    'anti-entropy period',
  ),
};

export const quorumConfigSchema = z.object(quorumFields).check(
  z.refine((c) => c.writeQuorum <= c.replicas && c.readQuorum <= c.replicas, {
    message: 'W and R are at most N',
  }),
);

const serverId = z.string().check(z.regex(/^[RH]\d$/, 'a server id like R3 or H1'));
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

export const quorumCommandSchema: z.ZodMiniType<QuorumCommand> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('setQuorum'),
    writeQuorum: int(1, REPLICAS_MAX),
    readQuorum: int(1, REPLICAS_MAX),
  }),
  z.object({ type: z.literal('setMode'), mode: quorumFields.mode }),
  z.object({ type: z.literal('setReadRepair'), readRepair: quorumFields.readRepair }),
  z.object({
    type: z.literal('setAntiEntropy'),
    antiEntropy: quorumFields.antiEntropy,
    periodMs: int(ANTI_ENTROPY_PERIOD_MS_MIN, ANTI_ENTROPY_PERIOD_MS_MAX),
  }),
  z.object({
    type: z.literal('setWorkload'),
    opsPerSecond: int(0, OPS_PER_SECOND_MAX),
    writePercent: int(0, 100),
  }),
  z.object({
    type: z.literal('setNetwork'),
    latencyMs: int(LATENCY_MS_MIN, LATENCY_MS_MAX),
    lossPercent: int(0, 100),
  }),
  z.object({
    type: z.literal('setPartition'),
    groups: z
      .array(z.array(serverId).check(z.maxLength(REPLICAS_MAX + SPARES_MAX)))
      .check(z.maxLength(REPLICAS_MAX + SPARES_MAX)),
  }),
  z.object({ type: z.literal('isolate'), nodeId: serverId }),
  z.object({ type: z.literal('heal') }),
  z.object({
    type: z.literal('setSlowLink'),
    a: serverId,
    b: serverId,
    factor: int(1, SLOW_FACTOR_MAX),
    lossPercent: int(0, 100),
  }),
  z.object({ type: z.literal('clearSlowLink') }),
  z.object({
    type: z.literal('clientWrite'),
    client: int(0, CLIENTS_MAX - 1),
    key: int(0, KEYS_MAX - 1),
    text: z.optional(z.string().check(z.maxLength(BIO_TEXT_MAX))),
  }),
  z.object({
    type: z.literal('clientRead'),
    client: int(0, CLIENTS_MAX - 1),
    key: int(0, KEYS_MAX - 1),
  }),
]) as z.ZodMiniType<QuorumCommand>;
