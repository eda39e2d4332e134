import { describe, expect, it } from 'vitest';
import type { SlotView } from '../sim/slot-columns';
import { columnsFor, NARROW, pointAlong, slotLabel, slotMeta, WIDE } from './cache-view';

const slot = (over: Partial<SlotView> = {}): SlotView => ({
  slot: 3,
  key: 42,
  hits: 7,
  lastAccessMs: 1_250,
  insertedAtMs: 200,
  expiresAtMs: 5_000,
  dirty: false,
  stale: false,
  rank: 5,
  bit: null,
  count: null,
  estimate: null,
  list: null,
  ...over,
});

describe('the stage’s pure helpers', () => {
  it('a slot’s metadata line names what its policy keeps', () => {
    expect(slotMeta(slot({ count: 4 }))).toBe('n=4');
    expect(slotMeta(slot({ list: 'probation', estimate: 3 }))).toBe('prob f3');
    expect(slotMeta(slot({ list: 'window', estimate: 0 }))).toBe('win f0');
    expect(slotMeta(slot({ list: 'T2' }))).toBe('T2');
    expect(slotMeta(slot({ bit: 1 }))).toBe('bit 1');
    expect(slotMeta(slot({ hits: 1 }))).toBe('1 hit');
  });

  it('a slot’s description reads as clock times, so it changes only when the entry does', () => {
    expect(slotLabel(slot({ list: 'protected', estimate: 9, rank: 0, stale: true }))).toBe(
      'Slot 3: key 42, 7 hits, last read at 1.3 s, expires at 5.0 s, list protected, estimated frequency 9, next to be evicted, stale. Enter: 20 reads of this key; E: expire it.',
    );
  });

  it('places marks along a path by distance travelled', () => {
    // Two samples 10 apart, then one 100 further: half way by distance is at 55, not at the
    // middle sample.
    const uneven = {
      xs: Float64Array.of(0, 10, 110),
      ys: Float64Array.of(0, 0, 0),
      lengths: Float64Array.of(0, 10, 110),
    };
    expect(pointAlong(uneven, 0.5)).toEqual({ x: 55, y: 0 });
    const line = {
      xs: Float64Array.of(0, 100),
      ys: Float64Array.of(0, 0),
      lengths: Float64Array.of(0, 100),
    };
    expect(pointAlong(line, 0.25)).toEqual({ x: 25, y: 0 });
    expect(pointAlong(line, 2)).toEqual({ x: 100, y: 0 });
    expect(pointAlong(line, -1)).toEqual({ x: 0, y: 0 });
  });

  it('wide and narrow layouts: at most 16 or 6 columns, always at least one', () => {
    expect(columnsFor(1_000, WIDE)).toBe(16);
    expect(columnsFor(1_000, NARROW)).toBe(6);
    expect(columnsFor(3, NARROW)).toBe(3);
    // The narrow grid fits its drawing: 6 slots of 48 + 2 units in 320.
    expect(columnsFor(1_000, NARROW) * 50).toBeLessThanOrEqual(NARROW.width);
  });
});
