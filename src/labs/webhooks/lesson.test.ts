import { describe, expect, it } from 'vitest';
import { webhooksDefaults } from './config';
import { webhooksLesson } from './lesson';
import webhooksSim from './sim/index';
import type { WebhooksCommand } from './sim/model';

/** Each experiment's run, straight through the sim, as the page runs it in the worker. */
function measure(id: string) {
  const experiment = webhooksLesson.experiments.find((e) => e.id === id)!;
  const state = webhooksSim.create({ ...webhooksDefaults, ...experiment.config }, 42);
  for (const logged of experiment.commands) {
    if (logged.atMs > state.nowMs) webhooksSim.advanceTo(state, logged.atMs);
    webhooksSim.apply(state, logged.command as WebhooksCommand);
  }
  webhooksSim.advanceTo(state, experiment.atMs);
  return experiment.measure(webhooksSim.view(state, {}));
}

describe('lesson experiments measure the simulation', () => {
  it('has at least four experiments, each with choices and a measured answer among them', () => {
    expect(webhooksLesson.experiments.length).toBeGreaterThanOrEqual(4);
    for (const experiment of webhooksLesson.experiments) {
      const result = measure(experiment.id);
      expect(experiment.choices.map((c) => c.id)).toContain(result.choiceId);
      expect(result.text).not.toContain('NaN');
    }
  });

  it('gives the answers the theory predicts', () => {
    expect(measure('poll-five').choiceId).toBe('half');
    expect(measure('empty-polls').choiceId).toBe('most');
    expect(measure('long-polling').choiceId).toBe('trip');
    expect(measure('dedupe-off').choiceId).toBe('some');
    expect(measure('herd-none').choiceId).toBe('all');
    expect(measure('herd-full').choiceId).toBe('spread');
    expect(measure('forged').choiceId).toBe('rejected');
  });
});
