/**
 * The webhooks lab's limits, lanes and small shared helpers, in a module of their own so the
 * page, the URL schema and the simulation share them without the page loading the simulation.
 */
import type { JitterKind } from './backoff';

export type { JitterKind } from './backoff';
export { JITTER_KINDS } from './backoff';

/** The four ways a consumer learns that the pizza is ready, in the order the stage draws them. */
export type LaneId = 'short' | 'long' | 'webhook' | 'socket';
export const LANE_IDS: readonly LaneId[] = ['short', 'long', 'webhook', 'socket'];
export const LANE_LABELS: Record<LaneId, string> = {
  short: 'Short polling',
  long: 'Long polling',
  webhook: 'Webhook',
  socket: 'Persistent connection',
};

export interface WebhooksConfig {
  /** Poisson rate of "pizza ready" events; 0 means only the button makes events. */
  eventsPerMinute: number;
  pollIntervalMs: number;
  holdTimeoutMs: number;
  /** Mean one-way network latency; each message takes 75% to 125% of it. */
  latencyMs: number;
  dropPercent: number;
  duplicatePercent: number;
  webhookTimeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffFactor: number;
  backoffCapMs: number;
  jitter: JitterKind;
  dedupe: boolean;
  /** Webhook subscribers besides the lane's own receiver (the herd). */
  extraReceivers: number;
  /** How long the receiver works on a webhook before it answers. */
  processingMs: number;
}

export const EVENTS_PER_MINUTE_MAX = 600;
export const POLL_INTERVAL_MS_MIN = 100;
export const POLL_INTERVAL_MS_MAX = 60_000;
export const HOLD_TIMEOUT_MS_MIN = 1_000;
export const HOLD_TIMEOUT_MS_MAX = 120_000;
export const LATENCY_MS_MIN = 4;
export const LATENCY_MS_MAX = 2_000;
export const FAULT_PERCENT_MAX = 50;
export const WEBHOOK_TIMEOUT_MS_MIN = 100;
export const WEBHOOK_TIMEOUT_MS_MAX = 60_000;
export const MAX_ATTEMPTS_MAX = 20;
export const BACKOFF_BASE_MS_MIN = 10;
export const BACKOFF_BASE_MS_MAX = 60_000;
export const BACKOFF_FACTOR_MAX = 10;
export const BACKOFF_CAP_MS_MAX = 3_600_000;
export const EXTRA_RECEIVERS_MAX = 200;
export const PROCESSING_MS_MAX = 60_000;
export const OUTAGE_MS_MIN = 100;
export const OUTAGE_MS_MAX = 600_000;

/** Events the shop keeps; past this it refuses new ones (about 33 minutes at the top rate). */
export const EVENTS_MAX = 20_000;
/** Webhook deliveries not yet finished, over all receivers. */
export const DELIVERIES_ACTIVE_MAX = 20_000;
/** Long polls the shop holds at once. */
export const HELD_POLLS_MAX = 1_000;
export const DEAD_LETTERS_KEPT_MAX = 500;
/** Events one poll response carries; a fuller backlog takes more polls. */
export const POLL_BATCH_MAX = 100;

/** The persistent connection: the shop pings this often, and the client gives up after 3 silent pings. */
export const HEARTBEAT_MS = 2_000;
export const SILENCE_MS_MAX = 3 * HEARTBEAT_MS;
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_CAP_MS = 8_000;

/** A receiver refuses a signature older than this (replay protection, as Stripe does). */
export const SIGNATURE_TOLERANCE_MS = 300_000;
/** The demo's shared webhook secret. Real secrets are random and kept out of logs. */
export const WEBHOOK_SECRET = 'whsec_pizza_shop_demo_secret';

/** The stage's history: messages and events this recent stay in the snapshot. */
export const HISTORY_MS = 30_000;
export const MESSAGES_KEPT_MAX = 2_000;
export const STAGE_EVENTS_MAX = 200;
/** Delivery attempts are counted per bucket of this size, to show bursts (the thundering herd). */
export const ATTEMPT_BUCKET_MS = 250;
export const ATTEMPT_BUCKETS_KEPT = 240;
export const LOAD_BUCKET_MS = 1_000;
export const LOAD_BUCKETS_KEPT = 120;
/** "Requests per second" is averaged over this many completed seconds. */
export const LOAD_WINDOW_S = 10;
export const FOCUS_DELIVERIES_MAX = 6;

export function eventIdOf(seq: number): string {
  return `evt_${String(seq).padStart(6, '0')}`;
}

export function receiverNodeId(index: number): string {
  return `hook-${index}`;
}

/** The default scene of the lab (its URL defaults). */
export const WEBHOOKS_DEFAULTS: WebhooksConfig = {
  eventsPerMinute: 6,
  pollIntervalMs: 2_000,
  holdTimeoutMs: 20_000,
  latencyMs: 80,
  dropPercent: 0,
  duplicatePercent: 0,
  webhookTimeoutMs: 2_000,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  backoffFactor: 2,
  backoffCapMs: 30_000,
  jitter: 'full',
  dedupe: true,
  extraReceivers: 0,
  processingMs: 20,
};
