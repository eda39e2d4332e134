import { describe, expect, it } from 'vitest';
import { HISTORY_MS, LANE_IDS, WEBHOOKS_DEFAULTS } from './constants';
import { advanceWebhooks, createWebhooksState } from './model';
import {
  MESSAGE_DROPPED,
  MESSAGE_DUPLICATE,
  MESSAGE_EMPTY_POLL,
  MESSAGE_PING,
  MESSAGE_UP,
  viewWebhooks,
} from './snapshot';

describe('message columns in the snapshot', () => {
  // A sparse run has empty polls; a busy one with loss has drops and duplicates.
  const seen = new Set<number>();
  it.each([
    ['the default scene', { ...WEBHOOKS_DEFAULTS }],
    [
      'the large scene',
      {
        ...WEBHOOKS_DEFAULTS,
        eventsPerMinute: 600,
        pollIntervalMs: 500,
        dropPercent: 5,
        duplicatePercent: 5,
      },
    ],
  ])('carry every recent message of %s, field for field, in order', (_, config) => {
    const state = createWebhooksState(config, 7);
    advanceWebhooks(state, 45_000);
    const columns = viewWebhooks(state).messages;
    const recent = state.messages.filter((m) => m.endAtMs >= state.nowMs - HISTORY_MS);
    expect(recent.length).toBeGreaterThan(20);
    expect(columns.count).toBe(recent.length);
    recent.forEach((m, i) => {
      const flags = columns.flags[i]!;
      for (const bit of [
        MESSAGE_UP,
        MESSAGE_DROPPED,
        MESSAGE_DUPLICATE,
        MESSAGE_PING,
        MESSAGE_EMPTY_POLL,
      ]) {
        if (flags & bit) seen.add(bit);
      }
      expect({
        id: columns.id[i],
        sentAtMs: columns.sentAtMs[i],
        endAtMs: columns.endAtMs[i],
        lane: LANE_IDS[columns.lane[i]!],
        up: (flags & MESSAGE_UP) !== 0,
        dropped: (flags & MESSAGE_DROPPED) !== 0,
        duplicate: (flags & MESSAGE_DUPLICATE) !== 0,
        ping: (flags & MESSAGE_PING) !== 0,
        emptyPoll: (flags & MESSAGE_EMPTY_POLL) !== 0,
      }).toEqual({
        id: m.id,
        sentAtMs: m.sentAtMs,
        endAtMs: m.endAtMs,
        lane: m.lane,
        up: m.up,
        dropped: m.dropped,
        duplicate: m.duplicate,
        ping: m.kind === 'ping',
        emptyPoll: m.kind === 'pollResponse' && m.label === '200 []',
      });
    });
  });

  it('exercised every flag', () => {
    expect([...seen].sort((a, b) => a - b)).toEqual([
      MESSAGE_UP,
      MESSAGE_DROPPED,
      MESSAGE_DUPLICATE,
      MESSAGE_PING,
      MESSAGE_EMPTY_POLL,
    ]);
  });
});
