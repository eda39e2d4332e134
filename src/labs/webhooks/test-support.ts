/**
 * Shared by the webhooks tests: random command logs and a straight run of the sim (no runner), the
 * reference that seek + replay must match.
 */
import fc from 'fast-check';
import { WEBHOOKS_DEFAULTS } from './sim/constants';
import { checkWebhooksInvariants } from './sim/invariants';
import {
  advanceWebhooks,
  applyWebhooksCommand,
  createWebhooksState,
  type WebhooksCommand,
  type WebhooksState,
} from './sim/model';

/** A command at a virtual time, as the runner's log holds it. */
export interface LoggedCommand {
  atMs: number;
  command: unknown;
}

export const STRAIGHT_CONFIG = { ...WEBHOOKS_DEFAULTS, eventsPerMinute: 20 };

function runTo(state: WebhooksState, atMs: number, stepMs: number): void {
  while (state.nowMs < atMs) {
    advanceWebhooks(state, Math.min(atMs, state.nowMs + stepMs));
    checkWebhooksInvariants(state);
  }
}

export const commandArbitrary: fc.Arbitrary<WebhooksCommand> = fc.oneof(
  fc.record({ type: fc.constant('fireEvent' as const), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    type: fc.constant('setRate' as const),
    eventsPerMinute: fc.integer({ min: 0, max: 120 }),
  }),
  fc.record({
    type: fc.constant('setNetwork' as const),
    latencyMs: fc.integer({ min: 5, max: 400 }),
    dropPercent: fc.integer({ min: 0, max: 30 }),
    duplicatePercent: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({
    type: fc.constant('setConsumerDown' as const),
    down: fc.boolean(),
    durationMs: fc.integer({ min: 100, max: 20_000 }),
  }),
  fc.record({
    type: fc.constant('restartProducer' as const),
    downMs: fc.integer({ min: 100, max: 8_000 }),
  }),
  fc.record({
    type: fc.constant('failReceivers' as const),
    durationMs: fc.integer({ min: 100, max: 20_000 }),
  }),
  fc.record({ type: fc.constant('setDedupe' as const), dedupe: fc.boolean() }),
  fc.record({
    type: fc.constant('setReceivers' as const),
    extraReceivers: fc.integer({ min: 0, max: 8 }),
  }),
  fc.record({
    type: fc.constant('setWebhook' as const),
    webhookTimeoutMs: fc.integer({ min: 100, max: 5_000 }),
    maxAttempts: fc.integer({ min: 1, max: 8 }),
    backoffBaseMs: fc.integer({ min: 10, max: 2_000 }),
    backoffFactor: fc.integer({ min: 1, max: 4 }),
    backoffCapMs: fc.integer({ min: 2_000, max: 30_000 }),
    jitter: fc.constantFrom('none', 'full', 'equal', 'decorrelated' as const),
    processingMs: fc.integer({ min: 0, max: 3_000 }),
  }),
  fc.record({
    type: fc.constant('setPolling' as const),
    pollIntervalMs: fc.integer({ min: 100, max: 10_000 }),
    holdTimeoutMs: fc.integer({ min: 1_000, max: 30_000 }),
  }),
  fc.constant({ type: 'sendForged' as const }),
  fc.constant({ type: 'redrive' as const }),
);

export const logArbitrary = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), commandArbitrary), { maxLength: 12 })
  .map((entries) =>
    entries
      .map(([atMs, command]) => ({ atMs, command }) as LoggedCommand)
      .sort((a, b) => a.atMs - b.atMs),
  );

export function straightRun(
  seed: number,
  commands: readonly LoggedCommand[],
  atMs: number,
): WebhooksState {
  const state = createWebhooksState(STRAIGHT_CONFIG, seed);
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    if (logged.atMs > state.nowMs) runTo(state, logged.atMs, 500);
    applyWebhooksCommand(state, logged.command as WebhooksCommand);
    checkWebhooksInvariants(state);
  }
  runTo(state, atMs, 500);
  return state;
}
