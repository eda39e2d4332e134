import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { flagParam, fromParam } from './params';

describe('fromParam', () => {
  const count = fromParam(z.number().check(z.int(), z.minimum(1), z.maximum(10)));
  it('reads numbers and numeric strings', () => {
    expect(count.parse(7)).toBe(7);
    expect(count.parse('7')).toBe(7);
  });
  it('refuses what only looks like a number to JavaScript', () => {
    for (const bad of ['', ' ', null, true, [7], '7px', '0x7', '0b1', 'Infinity', 11, '1e3']) {
      expect(count.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('flagParam', () => {
  it('reads the forms a URL can carry', () => {
    for (const yes of [true, 'true', '1', 1]) expect(flagParam.parse(yes)).toBe(true);
    for (const no of [false, 'false', '0', 0]) expect(flagParam.parse(no)).toBe(false);
  });
  it('refuses anything else with a message', () => {
    for (const bad of ['yes', 2, null, 'TRUE ', []]) {
      const result = flagParam.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      if (!result.success) expect(result.error.issues[0]?.message).toBe('must be true or false');
    }
  });
});
