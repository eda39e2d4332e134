/**
 * The simulation's timeline: a binary min-heap as plain data, ordered by time and then by
 * insertion order. The insertion tie-break makes same-millisecond events run in the order they
 * were scheduled, so a replay is exact regardless of how the heap happens to be laid out.
 */

import { assertIntegerMs, assertLimit } from './assert';
import { EVENT_QUEUE_MAX } from './limits';

export interface ScheduledEvent<T> {
  atMs: number;
  /** Insertion order, the tie-break between events at the same millisecond. */
  seq: number;
  event: T;
}

export interface EventQueue<T> {
  /** A binary heap: items[0] is next, and each item comes no later than its two children. */
  items: ScheduledEvent<T>[];
  nextSeq: number;
}

export function createEventQueue<T>(): EventQueue<T> {
  return { items: [], nextSeq: 0 };
}

function comesBefore<T>(a: ScheduledEvent<T>, b: ScheduledEvent<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

function swap<T>(items: T[], i: number, j: number): void {
  const held = items[i] as T;
  items[i] = items[j] as T;
  items[j] = held;
}

function siftUp<T>(items: ScheduledEvent<T>[], start: number): void {
  let index = start;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!comesBefore(items[index]!, items[parent]!)) return;
    swap(items, index, parent);
    index = parent;
  }
}

function siftDown<T>(items: ScheduledEvent<T>[], start: number): void {
  let index = start;
  for (;;) {
    const left = 2 * index + 1;
    const right = left + 1;
    let first = index;
    if (left < items.length && comesBefore(items[left]!, items[first]!)) first = left;
    if (right < items.length && comesBefore(items[right]!, items[first]!)) first = right;
    if (first === index) return;
    swap(items, index, first);
    index = first;
  }
}

/** Schedules an event at a whole-millisecond time; returns its seq, its place among ties. */
export function scheduleEvent<T>(queue: EventQueue<T>, atMs: number, event: T): number {
  assertIntegerMs(atMs, 'event time');
  assertLimit(queue.items.length, EVENT_QUEUE_MAX, 'events in queue');
  const seq = queue.nextSeq;
  queue.nextSeq += 1;
  queue.items.push({ atMs, seq, event });
  siftUp(queue.items, queue.items.length - 1);
  return seq;
}

/** The time of the next event, or null when nothing is scheduled. */
export function peekNextAtMs<T>(queue: EventQueue<T>): number | null {
  return queue.items[0]?.atMs ?? null;
}

/** Removes and returns the next event if it is due at or before upToMs; otherwise null. */
export function popNextDue<T>(
  queue: EventQueue<T>,
  upToMs: number,
): { atMs: number; event: T } | null {
  const { items } = queue;
  const next = items[0];
  if (next === undefined || next.atMs > upToMs) return null;
  const last = items.pop()!;
  if (items.length > 0) {
    items[0] = last;
    siftDown(items, 0);
  }
  return { atMs: next.atMs, event: next.event };
}

export function queueSize<T>(queue: EventQueue<T>): number {
  return queue.items.length;
}

/** Removes every event the predicate matches (a cancelled timer, a crashed node's work). */
export function removeWhere<T>(
  queue: EventQueue<T>,
  predicate: (event: T, atMs: number) => boolean,
): number {
  const before = queue.items.length;
  queue.items = queue.items.filter((item) => !predicate(item.event, item.atMs));
  // Filtering breaks the heap shape, so rebuild it bottom-up in linear time.
  for (let index = (queue.items.length >> 1) - 1; index >= 0; index -= 1) {
    siftDown(queue.items, index);
  }
  return before - queue.items.length;
}
