import { describe, expect, it } from 'vitest';
import { cacheDefaults } from './config';
import { cacheLesson } from './lesson';
import cacheSim from './sim/index';
import type { CacheCommand } from './sim/model';

describe('the lesson’s experiments, run on the simulation', () => {
  const expected: Record<string, string> = {
    loop: 'zero',
    'zipf-lru-lfu': 'lfu',
    'shifting-tinylfu': 'wtinylfu',
    stampede: 'many',
    'single-flight': 'one',
    'write-back-crash': 'dirty',
    'stale-window': 'ttl',
  };
  it('has at least four experiments, each with a prediction to make', () => {
    expect(cacheLesson.experiments.length).toBeGreaterThanOrEqual(4);
    for (const e of cacheLesson.experiments) expect(e.choices.length).toBeGreaterThanOrEqual(2);
  });
  for (const experiment of cacheLesson.experiments) {
    it(`${experiment.id}: the measured answer is ${expected[experiment.id]}`, () => {
      const state = cacheSim.create(
        { ...cacheDefaults, ...experiment.config },
        experiment.seed ?? 42,
      );
      for (const logged of experiment.commands) {
        cacheSim.advanceTo(state, logged.atMs);
        cacheSim.apply(state, logged.command as CacheCommand);
      }
      cacheSim.advanceTo(state, experiment.atMs);
      const answer = experiment.measure(cacheSim.view(state, {}));
      expect(answer.choiceId, answer.text).toBe(expected[experiment.id]);
    });
  }
});
