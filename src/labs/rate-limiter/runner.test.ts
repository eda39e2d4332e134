/**
 * The rate-limiter simulation driven through the real worker runner (checkpoints, seeks and
 * replays): landing anywhere by seeking gives the state of a straight run to that moment.
 */
import { describe, expect, it } from 'vitest';
import type { LoggedCommand, RunRecord } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import { rateLimiterDefaults } from './config';
import rateLimiterSim from './sim/index';
import type { RateLimiterCommand, RateLimiterConfig, RateLimiterState } from './sim/model';

const sim = rateLimiterSim;
const ALL_SIX = 'token-bucket,leaky-queue,fixed-window,sliding-log,sliding-counter,gcra';

function runTo(
  config: Partial<RateLimiterConfig>,
  seed: number,
  commands: LoggedCommand[],
  atMs: number,
) {
  const state = sim.create({ ...rateLimiterDefaults, ...config }, seed);
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    if (logged.atMs > state.nowMs) sim.advanceTo(state, logged.atMs);
    sim.apply(state, logged.command as RateLimiterCommand);
  }
  if (atMs > state.nowMs) sim.advanceTo(state, atMs);
  return state;
}

describe('rate limiter through the worker runner', () => {
  const commands: LoggedCommand[] = [
    { atMs: 1_000, command: { type: 'fireBurst', count: 30, client: 1 } },
    { atMs: 2_500, command: { type: 'setRetry', retry: 'storm' } },
    { atMs: 4_000, command: { type: 'setTraffic', pattern: 'bursts', ratePerSecond: 60 } },
    {
      atMs: 6_000,
      command: {
        type: 'setDistributed',
        mode: 'distributed',
        gateways: 3,
        syncMs: 100,
        storeLatencyMs: 30,
      },
    },
  ];

  it('seek back and replay lands on the state of a straight run', async () => {
    const run: RunRecord = {
      labId: 'rate-limiter',
      seed: 9,
      config: { ...rateLimiterDefaults, lanes: ALL_SIX },
      commands,
      atMs: 0,
    };
    const runner = new Runner(async () => sim as unknown as AnyLabSim, {
      clockMs: () => 0,
      checkInvariants: true,
      checkpointIntervalMs: 1_500,
    });
    await runner.handle({ type: 'load', run });
    await runner.handle({ type: 'seek', atMs: 9_000 });
    await runner.handle({ type: 'seek', atMs: 3_200 });
    const early = runTo({ lanes: ALL_SIX }, 9, commands, 3_200);
    expect(sim.view(runner.currentState as RateLimiterState, {})).toEqual(sim.view(early, {}));
    await runner.handle({ type: 'seek', atMs: 9_000 });
    const straight = runTo({ lanes: ALL_SIX }, 9, commands, 9_000);
    expect(sim.view(runner.currentState as RateLimiterState, {})).toEqual(sim.view(straight, {}));
    // And the run really went somewhere: distributed lanes, decisions made.
    expect(straight.lanes[0]!.dist).not.toBeNull();
    expect(straight.lanes[0]!.attempts).toBeGreaterThan(0);
  });
});
