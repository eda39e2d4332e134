import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logExtent } from './charts';

describe('logExtent', () => {
  it('spans the positive values: 3 to 1,024 ring nodes', () => {
    expect(logExtent([3, 8, 64, 1_024])).toEqual([3, 1_024]);
  });

  it('leaves out values a log axis cannot show', () => {
    expect(logExtent([0, -4, 5, Number.NaN, Number.POSITIVE_INFINITY, 500])).toEqual([5, 500]);
  });

  it('is at least one decade wide, so a single value still has a span', () => {
    expect(logExtent([40])).toEqual([40, 400]);
    expect(logExtent([0.5, 2])).toEqual([0.5, 5]);
  });

  it('falls back to 1…10 when nothing is positive', () => {
    expect(logExtent([])).toEqual([1, 10]);
    expect(logExtent([0, -1])).toEqual([1, 10]);
  });

  it('holds every positive value, from the smallest, over at least a decade', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e9, noNaN: true }), { minLength: 1 }),
        (values) => {
          const positive = values.filter((v) => v > 0);
          const [low, high] = logExtent(values);
          if (positive.length === 0) {
            expect([low, high]).toEqual([1, 10]);
            return;
          }
          expect(low).toBe(Math.min(...positive));
          expect(high).toBeGreaterThanOrEqual(Math.max(...positive));
          expect(high).toBeGreaterThanOrEqual(low * 10);
        },
      ),
    );
  });
});
