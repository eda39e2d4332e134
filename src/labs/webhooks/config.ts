/**
 * The webhooks lab's URL state (its initial config) and its command schema, both validated with
 * zod. The bounds here are the simulation's own limits.
 */
import * as z from 'zod/mini';
import { flagParam, fromParam } from '../../app/params';
import {
  BACKOFF_BASE_MS_MAX,
  BACKOFF_BASE_MS_MIN,
  BACKOFF_CAP_MS_MAX,
  BACKOFF_FACTOR_MAX,
  EVENTS_PER_MINUTE_MAX,
  EXTRA_RECEIVERS_MAX,
  FAULT_PERCENT_MAX,
  HOLD_TIMEOUT_MS_MAX,
  HOLD_TIMEOUT_MS_MIN,
  JITTER_KINDS,
  type JitterKind,
  LATENCY_MS_MAX,
  LATENCY_MS_MIN,
  MAX_ATTEMPTS_MAX,
  OUTAGE_MS_MAX,
  OUTAGE_MS_MIN,
  POLL_INTERVAL_MS_MAX,
  POLL_INTERVAL_MS_MIN,
  PROCESSING_MS_MAX,
  WEBHOOK_TIMEOUT_MS_MAX,
  WEBHOOK_TIMEOUT_MS_MIN,
  WEBHOOKS_DEFAULTS,
  type WebhooksConfig,
} from './sim/constants';
import type { WebhooksCommand } from './sim/model';

/** The default scene; it lives beside the limits so the simulation's tests share it. */
export const webhooksDefaults: WebhooksConfig = WEBHOOKS_DEFAULTS;

const number = (min: number, max: number, what: string, integer = true) => {
  const schema = z
    .number({ message: `${what} must be a number` })
    .check(
      z.minimum(min, `${what} is at least ${min.toLocaleString('en-US')}`),
      z.maximum(max, `${what} is at most ${max.toLocaleString('en-US')}`),
    );
  // The whole-number check comes after the bounds, so a value out of range says so first.
  return integer ? schema.check(z.int(`${what} must be a whole number`)) : schema;
};

const param = (min: number, max: number, what: string, integer = true) =>
  fromParam(number(min, max, what, integer));

const jitter = z.enum(JITTER_KINDS as readonly JitterKind[] as [JitterKind, ...JitterKind[]], {
  message: `jitter is one of ${JITTER_KINDS.join(', ')}`,
});

export const webhooksFields = {
  eventsPerMinute: param(0, EVENTS_PER_MINUTE_MAX, 'events per minute', false),
  pollIntervalMs: param(POLL_INTERVAL_MS_MIN, POLL_INTERVAL_MS_MAX, 'poll interval (ms)'),
  holdTimeoutMs: param(HOLD_TIMEOUT_MS_MIN, HOLD_TIMEOUT_MS_MAX, 'hold timeout (ms)'),
  latencyMs: param(LATENCY_MS_MIN, LATENCY_MS_MAX, 'latency (ms)'),
  dropPercent: param(0, FAULT_PERCENT_MAX, 'drop %', false),
  duplicatePercent: param(0, FAULT_PERCENT_MAX, 'duplicate %', false),
  webhookTimeoutMs: param(WEBHOOK_TIMEOUT_MS_MIN, WEBHOOK_TIMEOUT_MS_MAX, 'webhook timeout (ms)'),
  maxAttempts: param(1, MAX_ATTEMPTS_MAX, 'attempts'),
  backoffBaseMs: param(BACKOFF_BASE_MS_MIN, BACKOFF_BASE_MS_MAX, 'backoff base (ms)'),
  backoffFactor: param(1, BACKOFF_FACTOR_MAX, 'backoff factor', false),
  backoffCapMs: param(BACKOFF_BASE_MS_MIN, BACKOFF_CAP_MS_MAX, 'backoff cap (ms)'),
  jitter,
  dedupe: flagParam,
  extraReceivers: param(0, EXTRA_RECEIVERS_MAX, 'extra receivers'),
  processingMs: param(0, PROCESSING_MS_MAX, 'processing time (ms)'),
};

export const webhooksConfigSchema = z.object(webhooksFields);

export const webhooksCommandSchema: z.ZodMiniType<WebhooksCommand> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fireEvent'), count: z.optional(number(1, 100, 'count')) }),
  z.object({
    type: z.literal('setRate'),
    eventsPerMinute: number(0, EVENTS_PER_MINUTE_MAX, 'events per minute', false),
  }),
  z.object({
    type: z.literal('setPolling'),
    pollIntervalMs: number(POLL_INTERVAL_MS_MIN, POLL_INTERVAL_MS_MAX, 'poll interval'),
    holdTimeoutMs: number(HOLD_TIMEOUT_MS_MIN, HOLD_TIMEOUT_MS_MAX, 'hold timeout'),
  }),
  z.object({
    type: z.literal('setWebhook'),
    webhookTimeoutMs: number(WEBHOOK_TIMEOUT_MS_MIN, WEBHOOK_TIMEOUT_MS_MAX, 'timeout'),
    maxAttempts: number(1, MAX_ATTEMPTS_MAX, 'attempts'),
    backoffBaseMs: number(BACKOFF_BASE_MS_MIN, BACKOFF_BASE_MS_MAX, 'base'),
    backoffFactor: number(1, BACKOFF_FACTOR_MAX, 'factor', false),
    backoffCapMs: number(BACKOFF_BASE_MS_MIN, BACKOFF_CAP_MS_MAX, 'cap'),
    jitter,
    processingMs: number(0, PROCESSING_MS_MAX, 'processing'),
  }),
  z.object({ type: z.literal('setDedupe'), dedupe: z.boolean() }),
  z.object({
    type: z.literal('setNetwork'),
    latencyMs: number(LATENCY_MS_MIN, LATENCY_MS_MAX, 'latency'),
    dropPercent: number(0, FAULT_PERCENT_MAX, 'drop %', false),
    duplicatePercent: number(0, FAULT_PERCENT_MAX, 'duplicate %', false),
  }),
  z.object({
    type: z.literal('setConsumerDown'),
    down: z.boolean(),
    durationMs: z.optional(number(OUTAGE_MS_MIN, OUTAGE_MS_MAX, 'duration')),
  }),
  z.object({
    type: z.literal('restartProducer'),
    downMs: number(OUTAGE_MS_MIN, OUTAGE_MS_MAX, 'down time'),
  }),
  z.object({
    type: z.literal('failReceivers'),
    durationMs: number(OUTAGE_MS_MIN, OUTAGE_MS_MAX, 'duration'),
  }),
  z.object({
    type: z.literal('setReceivers'),
    extraReceivers: number(0, EXTRA_RECEIVERS_MAX, 'extra receivers'),
  }),
  z.object({ type: z.literal('sendForged') }),
  z.object({ type: z.literal('redrive') }),
]) as z.ZodMiniType<WebhooksCommand>;
