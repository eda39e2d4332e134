import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimAssertionError } from './assert';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  queueSize,
  removeWhere,
  scheduleEvent,
} from './event-queue';
import { EVENT_QUEUE_MAX } from './limits';

function popAll<T>(queue: EventQueue<T>, upToMs = Number.POSITIVE_INFINITY) {
  const popped: { atMs: number; event: T }[] = [];
  for (let next = popNextDue(queue, upToMs); next !== null; next = popNextDue(queue, upToMs)) {
    popped.push(next);
  }
  return popped;
}

type Operation =
  | { kind: 'schedule'; atMs: number; event: number }
  | { kind: 'pop'; upToMs: number }
  | { kind: 'remove'; modulus: number };

// Times from a small range so many events share a millisecond and the tie-break matters.
const arbitraryOperation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('schedule' as const),
      atMs: fc.nat(30),
      event: fc.nat(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pop' as const), upToMs: fc.nat(30) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      modulus: fc.integer({ min: 2, max: 5 }),
    }),
  },
);

/** The oracle: a plain list kept in insertion order, scanned for the earliest due item. */
function runReference(operations: readonly Operation[]) {
  let pending: { atMs: number; event: number }[] = [];
  const outputs: unknown[] = [];
  for (const operation of operations) {
    if (operation.kind === 'schedule')
      pending.push({ atMs: operation.atMs, event: operation.event });
    if (operation.kind === 'remove') {
      const before = pending.length;
      pending = pending.filter((item) => item.event % operation.modulus !== 0);
      outputs.push(before - pending.length);
    }
    if (operation.kind === 'pop') {
      // A stable sort keeps insertion order among equal times.
      const due = [...pending]
        .sort((a, b) => a.atMs - b.atMs)
        .filter((item) => item.atMs <= operation.upToMs);
      pending = pending.filter((item) => !due.includes(item));
      outputs.push(due);
    }
    const earliest = pending.reduce(
      (min, item) => Math.min(min, item.atMs),
      Number.POSITIVE_INFINITY,
    );
    outputs.push(pending.length, pending.length === 0 ? null : earliest);
  }
  return outputs;
}

function runQueue(operations: readonly Operation[], queue = createEventQueue<number>()) {
  const outputs: unknown[] = [];
  for (const operation of operations) {
    if (operation.kind === 'schedule') scheduleEvent(queue, operation.atMs, operation.event);
    if (operation.kind === 'remove') {
      outputs.push(removeWhere(queue, (event) => event % operation.modulus === 0));
    }
    if (operation.kind === 'pop') outputs.push(popAll(queue, operation.upToMs));
    outputs.push(queueSize(queue), peekNextAtMs(queue));
  }
  return outputs;
}

describe('event queue', () => {
  it('pops everything in (atMs, insertion) order, like a stable sort', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(20), fc.string()), { maxLength: 300 }), (entries) => {
        const queue = createEventQueue<string>();
        for (const [atMs, event] of entries) scheduleEvent(queue, atMs, event);
        const expected = entries
          .map(([atMs, event]) => ({ atMs, event }))
          .sort((a, b) => a.atMs - b.atMs);
        expect(popAll(queue)).toEqual(expected);
        expect(queueSize(queue)).toBe(0);
      }),
    );
  });

  it('agrees with a reference list under interleaved schedules, pops and removals', () => {
    fc.assert(
      fc.property(fc.array(arbitraryOperation, { maxLength: 200 }), (operations) => {
        expect(runQueue(operations)).toEqual(runReference(operations));
      }),
    );
  });

  it('continues identically from a structuredClone taken mid-way', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryOperation, { maxLength: 100 }),
        fc.array(arbitraryOperation, { maxLength: 100 }),
        (before, after) => {
          const queue = createEventQueue<number>();
          runQueue(before, queue);
          const copy = structuredClone(queue);
          expect(runQueue(after, copy)).toEqual(runQueue(after, queue));
        },
      ),
    );
  });

  it('leaves events later than upToMs in place', () => {
    const queue = createEventQueue<string>();
    expect(peekNextAtMs(queue)).toBeNull();
    scheduleEvent(queue, 10, 'late');
    scheduleEvent(queue, 5, 'early');
    expect(popNextDue(queue, 4)).toBeNull();
    expect(popNextDue(queue, 5)).toEqual({ atMs: 5, event: 'early' });
    expect(popNextDue(queue, 9)).toBeNull();
    expect(peekNextAtMs(queue)).toBe(10);
    expect(queueSize(queue)).toBe(1);
  });

  it('returns increasing seqs and passes the time to removeWhere', () => {
    const queue = createEventQueue<string>();
    expect(scheduleEvent(queue, 3, 'a')).toBe(0);
    expect(scheduleEvent(queue, 1, 'b')).toBe(1);
    expect(scheduleEvent(queue, 3, 'c')).toBe(2);
    expect(removeWhere(queue, (_event, atMs) => atMs === 3)).toBe(2);
    expect(popAll(queue)).toEqual([{ atMs: 1, event: 'b' }]);
  });

  it('refuses times that are not whole, non-negative milliseconds', () => {
    const queue = createEventQueue<string>();
    for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => scheduleEvent(queue, bad, 'x')).toThrow(SimAssertionError);
    }
    expect(() => scheduleEvent(queue, 1.5, 'x')).toThrow(
      'event time must be a whole, non-negative number of milliseconds (got 1.5)',
    );
    expect(queueSize(queue)).toBe(0);
  });

  it('stops at EVENT_QUEUE_MAX with a clear message', () => {
    const queue = createEventQueue<number>();
    for (let index = 0; index < EVENT_QUEUE_MAX; index += 1)
      scheduleEvent(queue, index % 97, index);
    expect(() => scheduleEvent(queue, 0, -1)).toThrow('limit reached: events in queue (100000)');
    expect(queueSize(queue)).toBe(EVENT_QUEUE_MAX);
  });
});
