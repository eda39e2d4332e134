import { describe, expect, it } from 'vitest';
import { type ChartDrawing, redrawDue } from './use-chart';

const drawing = (keys: unknown[], atMs = 0, theme: 'light' | 'dark' = 'light'): ChartDrawing => ({
  keys,
  theme,
  atMs,
});

describe('redrawDue', () => {
  it('draws a chart that was never drawn, whatever the throttle', () => {
    expect(redrawDue(null, drawing([1], 0), 1_000)).toBe(true);
  });

  it('leaves a chart alone while its keys and theme stay the same', () => {
    const result = { rows: [1, 2] };
    expect(redrawDue(drawing([result, 7], 0), drawing([result, 7], 60_000), 0)).toBe(false);
    // Object.is: NaN and undefined keys are the same as themselves.
    expect(redrawDue(drawing([Number.NaN, undefined]), drawing([Number.NaN, undefined]), 0)).toBe(
      false,
    );
  });

  it('redraws when a key changes: by identity, not by shape', () => {
    expect(redrawDue(drawing([{ a: 1 }]), drawing([{ a: 1 }], 5), 0)).toBe(true);
    expect(redrawDue(drawing(['x', 1]), drawing(['x', 2], 5), 0)).toBe(true);
    expect(redrawDue(drawing([1]), drawing([1, undefined], 5), 0)).toBe(true);
    expect(redrawDue(drawing([0]), drawing([-0], 5), 0)).toBe(true);
  });

  it('holds a changed key back until the throttle has passed since the last drawing', () => {
    const last = drawing([1], 10_000);
    expect(redrawDue(last, drawing([2], 10_999), 1_000)).toBe(false);
    expect(redrawDue(last, drawing([2], 11_000), 1_000)).toBe(true);
  });

  it('redraws at once for a new theme, even inside the throttle', () => {
    expect(redrawDue(drawing([1], 10_000), drawing([1], 10_001, 'dark'), 1_000)).toBe(true);
  });

  it('over a played run, draws at most once a throttle and catches up when paused', () => {
    // The hook's loop: a render every 250 ms with a key that changes every 100 ms, for 5 s.
    let drawn: ChartDrawing | null = null;
    const drawnAt: number[] = [];
    const render = (atMs: number, throttleMs: number) => {
      const next = drawing([Math.floor(atMs / 100)], atMs);
      if (redrawDue(drawn, next, throttleMs)) {
        drawn = next;
        drawnAt.push(atMs);
      }
    };
    for (let atMs = 0; atMs <= 5_000; atMs += 250) render(atMs, 1_000);
    expect(drawnAt).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000]);
    // Paused 100 ms later on a new key: drawn at once, so the last frame is never left out.
    render(5_100, 0);
    expect(drawnAt.at(-1)).toBe(5_100);
  });
});
