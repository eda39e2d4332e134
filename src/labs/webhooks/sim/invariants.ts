/**
 * Invariants of the webhooks lab, checked after every step in tests and development builds.
 */
import { assert } from '../../../kernel/assert';
import {
  DELIVERIES_ACTIVE_MAX,
  EVENTS_MAX,
  HELD_POLLS_MAX,
  LANE_IDS,
  MESSAGES_KEPT_MAX,
} from './constants';
import { LANE_INDEX, type WebhooksState } from './model';

export function checkWebhooksInvariants(state: WebhooksState): void {
  assert(
    Number.isInteger(state.nowMs) && state.nowMs >= 0,
    `time is an integer ≥ 0: ${state.nowMs}`,
  );
  const produced = state.produced.length;
  assert(produced <= EVENTS_MAX, 'event limit respected');
  assert(state.held.length <= HELD_POLLS_MAX, 'held-poll limit respected');
  assert(state.messages.length <= MESSAGES_KEPT_MAX, 'message history limit respected');
  state.produced.forEach((event, index) => {
    assert(event.seq === index + 1, 'events are numbered 1, 2, 3, … in order');
    for (const lane of LANE_IDS) {
      const known = event.knownAtMs[LANE_INDEX[lane]]!;
      assert(known === -1 || known >= event.createdAtMs, 'nobody knows an event before it happens');
    }
  });
  for (const lane of LANE_IDS) {
    const stats = state.lanes[lane];
    assert(stats.delaysSorted.length <= produced, `${lane}: knows at most every event`);
  }
  assert(state.short.lastSeq <= produced, 'short-polling cursor within the events');
  assert(state.long.lastSeq <= produced, 'long-polling cursor within the events');
  assert(state.socket.lastSeq <= produced, 'stream cursor within the events');
  const webhook = state.webhook;
  const active = Object.values(webhook.active);
  assert(active.length === webhook.activeCount, 'active delivery count is exact');
  assert(webhook.activeCount <= DELIVERIES_ACTIVE_MAX, 'delivery limit respected');
  for (const delivery of active) {
    assert(delivery.result === 'active', 'active deliveries are unfinished');
    assert(
      delivery.attempt <= state.config.maxAttempts || delivery.phase === 'inflight',
      'no delivery is scheduled past its last attempt',
    );
    if (delivery.phase === 'scheduled') {
      assert(
        delivery.nextAttemptAtMs !== null && delivery.nextAttemptAtMs >= state.nowMs,
        'a scheduled retry lies in the future',
      );
    }
  }
  assert(webhook.timesProcessed.length === produced + 1, 'one processed counter per event');
  if (state.config.dedupe && state.lanes.webhook.duplicatesProcessed === 0) {
    for (let seq = 1; seq <= produced; seq += 1) {
      assert((webhook.timesProcessed[seq] ?? 0) <= 1, 'with dedupe, each event is processed once');
    }
  }
  const processed = webhook.timesProcessed.reduce((sum, n) => sum + (n > 0 ? 1 : 0), 0);
  assert(
    processed === state.lanes.webhook.delaysSorted.length,
    'the webhook lane knows exactly the events its receiver processed',
  );
  for (let i = 1; i < state.lanes.short.delaysSorted.length; i += 1) {
    assert(
      state.lanes.short.delaysSorted[i - 1]! <= state.lanes.short.delaysSorted[i]!,
      'delays are kept sorted',
    );
  }
}
