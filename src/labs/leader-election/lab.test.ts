/**
 * The lab outside its pure simulation: the URL and command schemas, and the simulation driven by
 * the worker's Runner (seek + replay equals running straight there; a reload replays a run).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendEvent } from '../../kernel/sim';
import type { LoggedCommand, RunRecord } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import {
  leaderElectionCommandSchema,
  leaderElectionConfigSchema,
  leaderElectionDefaults,
} from './config';
import leaderElectionSim from './sim/index';
import { checkLeaderElectionInvariants } from './sim/invariants';
import {
  advanceLeaderElection,
  applyLeaderElectionCommand,
  createLeaderElectionState,
  type LeaderElectionCommand,
  type LeaderElectionConfig,
  type LeaderElectionState,
} from './sim/model';
import { viewLeaderElection } from './sim/snapshot';

const BASE: LeaderElectionConfig = { ...leaderElectionDefaults };

function runStraight(
  config: LeaderElectionConfig,
  seed: number,
  commands: readonly LoggedCommand[],
  atMs: number,
): LeaderElectionState {
  const state = createLeaderElectionState(config, seed);
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    if (logged.atMs > state.nowMs) advanceLeaderElection(state, logged.atMs);
    applyLeaderElectionCommand(state, logged.command as LeaderElectionCommand);
    checkLeaderElectionInvariants(state);
  }
  advanceLeaderElection(state, atMs);
  return state;
}

const configArbitrary: fc.Arbitrary<LeaderElectionConfig> = fc.record({
  mode: fc.constantFrom('lcr', 'compare', 'bully'),
  nodes: fc.integer({ min: 3, max: 24 }),
  arrangement: fc.constantFrom('random', 'ascending', 'descending'),
  uids: fc.constant(''),
  timing: fc.constantFrom('sync', 'async'),
  delayMs: fc.integer({ min: 50, max: 800 }),
}) as fc.Arbitrary<LeaderElectionConfig>;

const commandArbitrary: fc.Arbitrary<LeaderElectionCommand> = fc.oneof(
  fc.record({ type: fc.constant('crash' as const), node: fc.nat({ max: 30 }) }),
  fc.record({ type: fc.constant('recover' as const), node: fc.nat({ max: 30 }) }),
  fc.constant({ type: 'crashLeader' as const }),
  fc.constant({ type: 'restart' as const }),
);

const commandLogArbitrary = fc
  .array(fc.record({ atMs: fc.integer({ min: 0, max: 20_000 }), command: commandArbitrary }), {
    maxLength: 6,
  })
  .map((log) => log.sort((a, b) => a.atMs - b.atMs));

describe('leader-election URL and command schemas', () => {
  it('the URL schema refuses duplicates and out-of-range values', () => {
    expect(leaderElectionConfigSchema.safeParse({ ...BASE, nodes: 65 }).success).toBe(false);
    expect(leaderElectionConfigSchema.safeParse({ ...BASE, nodes: '12' }).success).toBe(true);
    const duplicate = leaderElectionConfigSchema.shape.uids.safeParse('1,2,2');
    expect(duplicate.success).toBe(false);
    expect(JSON.stringify(duplicate.error?.issues)).toContain('Duplicate UID 2 refused');
    expect(
      leaderElectionConfigSchema.safeParse({ ...BASE, arrangement: 'typed', uids: '' }).success,
    ).toBe(false);
    expect(leaderElectionCommandSchema.safeParse({ type: 'crash', node: -1 }).success).toBe(false);
    expect(leaderElectionCommandSchema.safeParse({ type: 'restart' }).success).toBe(true);
  });
});

/** A CPU clock under the test's control (the runner's budget), always at 0. */
const clock = () => 0;

async function runnerAt(run: RunRecord): Promise<Runner> {
  const runner = new Runner(async () => leaderElectionSim as unknown as AnyLabSim, {
    clockMs: clock,
    checkInvariants: true,
    checkpointIntervalMs: 2_000,
  });
  await runner.handle({ type: 'load', run });
  return runner;
}

describe('leader-election through the worker runner', () => {
  it('property: seek back and forward lands on the state of a straight run', async () => {
    await fc.assert(
      fc.asyncProperty(
        configArbitrary,
        fc.nat(),
        commandLogArbitrary,
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        async (config, seed, commands, backMs, forwardMs) => {
          const runner = await runnerAt({
            labId: 'leader-election',
            seed,
            config,
            commands,
            atMs: 0,
          });
          await runner.handle({ type: 'seek', atMs: 30_000 });
          await runner.handle({ type: 'seek', atMs: backMs });
          expect(runner.currentState).toEqual(runStraight(config, seed, commands, backMs));
          await runner.handle({ type: 'seek', atMs: Math.max(backMs, forwardMs) });
          const straight = runStraight(config, seed, commands, Math.max(backMs, forwardMs));
          expect(runner.currentState).toEqual(straight);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a crash applied through the runner is replayed by a reload of the same run', async () => {
    const config = { ...BASE, nodes: 8, arrangement: 'descending' as const };
    const runner = await runnerAt({
      labId: 'leader-election',
      seed: 9,
      config,
      commands: [],
      atMs: 0,
    });
    await runner.handle({ type: 'seek', atMs: 1_300 });
    await runner.handle({ type: 'apply', command: { type: 'crash', node: 4 } });
    await runner.handle({ type: 'seek', atMs: 40_000 });
    const record = runner.currentRun();
    const reloaded = await runnerAt(record);
    const a = viewLeaderElection(runner.currentState as LeaderElectionState);
    const b = viewLeaderElection(reloaded.currentState as LeaderElectionState);
    expect(b).toEqual(a);
    expect(a.lcr?.status).toBe('stalled');
    // A stray event in one state would break the equality: the check can fail.
    appendEvent((runner.currentState as LeaderElectionState).events, {
      atMs: 0,
      kind: 'x',
      text: 'x',
    });
    expect(runner.currentState).not.toEqual(reloaded.currentState);
  });
});
