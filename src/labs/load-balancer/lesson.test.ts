/**
 * Every lesson experiment, run straight through the sim as the page would run it: the measured
 * answer is one of the experiment's choices, and (with the default seed) the one the lesson's
 * explanation argues for, so a change in the model that breaks a lesson is caught here.
 */
import { describe, expect, it } from 'vitest';
import { loadBalancerDefaults } from './config';
import { loadBalancerLesson } from './lesson';
import {
  advanceLoadBalancer,
  applyLoadBalancerCommand,
  createLoadBalancerState,
  type LoadBalancerCommand,
} from './sim/model';
import { viewLoadBalancer } from './sim/snapshot';

const EXPECTED: Record<string, string> = {
  'slow-server': 'lc',
  detection: 'few',
  sticky: 'quarter',
  layer4: 'lots',
  'two-choices': 'better',
  drain: 'none',
};

describe('lesson experiments', () => {
  it('has at least four experiments, each with choices', () => {
    expect(loadBalancerLesson.experiments.length).toBeGreaterThanOrEqual(4);
    for (const e of loadBalancerLesson.experiments)
      expect(e.choices.length).toBeGreaterThanOrEqual(2);
  });

  for (const experiment of loadBalancerLesson.experiments) {
    it(`${experiment.id}: the measured answer is the one the explanation argues for`, () => {
      const state = createLoadBalancerState({ ...loadBalancerDefaults, ...experiment.config }, 42);
      for (const logged of experiment.commands) {
        advanceLoadBalancer(state, logged.atMs);
        applyLoadBalancerCommand(state, logged.command as LoadBalancerCommand);
      }
      advanceLoadBalancer(state, experiment.atMs);
      const answer = experiment.measure(viewLoadBalancer(state));
      expect(experiment.choices.map((c) => c.id)).toContain(answer.choiceId);
      expect(answer.choiceId, answer.text).toBe(EXPECTED[experiment.id]);
      expect(answer.text.length).toBeGreaterThan(10);
    });
  }
});
