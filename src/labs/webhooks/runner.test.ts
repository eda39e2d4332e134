/**
 * The webhooks lab through the worker runner (outside sim/, which may not import the worker):
 * seek + replay from checkpoints lands on exactly the state a straight run reaches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyLabSim, Runner } from '../../worker/runner';
import webhooksSim from './sim/index';
import type { WebhooksState } from './sim/model';
import { viewWebhooks } from './sim/snapshot';
import { logArbitrary, STRAIGHT_CONFIG, straightRun } from './test-support';

describe('runner', () => {
  it('through the worker runner, seek + replay equals running straight there', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        logArbitrary,
        fc.integer({ min: 0, max: 60_000 }),
        async (seed, commands, seekBackMs) => {
          let clock = 0;
          const runner = new Runner(async () => webhooksSim as unknown as AnyLabSim, {
            clockMs: () => clock++,
            checkInvariants: true,
            checkpointIntervalMs: 2_000,
          });
          const config = STRAIGHT_CONFIG;
          await runner.handle({
            type: 'load',
            run: { labId: 'webhooks', seed, config, commands, atMs: 70_000 },
          });
          expect(runner.nowMs).toBe(70_000);
          const reference = straightRun(seed, commands, 70_000);
          expect(webhooksSim.view(runner.currentState as WebhooksState, {})).toEqual(
            viewWebhooks(reference),
          );
          // Back to an earlier moment (restored from a checkpoint and replayed), then forward again.
          await runner.handle({ type: 'seek', atMs: seekBackMs });
          expect(webhooksSim.view(runner.currentState as WebhooksState, {})).toEqual(
            viewWebhooks(straightRun(seed, commands, seekBackMs)),
          );
          await runner.handle({ type: 'seek', atMs: 70_000 });
          expect(webhooksSim.view(runner.currentState as WebhooksState, {})).toEqual(
            viewWebhooks(reference),
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});
