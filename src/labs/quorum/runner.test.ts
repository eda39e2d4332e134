/**
 * The quorum sim driven by the worker's runner: seek + replay lands on the same state as running
 * straight there. (Outside sim/, which may import only the kernel.)
 */
import { describe, expect, it } from 'vitest';
import type { LoggedCommand } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import { quorumDefaults } from './config';
import quorumSim from './sim/index';
import { checkQuorumInvariants } from './sim/invariants';
import {
  advanceQuorum,
  applyQuorumCommand,
  createQuorumState,
  type QuorumCommand,
  type QuorumConfig,
} from './sim/model';

type Script = { atMs: number; command: QuorumCommand }[];

function run(config: QuorumConfig, seed: number, script: Script, untilMs: number) {
  const state = createQuorumState(config, seed);
  for (const step of script) {
    if (step.atMs > untilMs) break;
    advanceQuorum(state, step.atMs);
    applyQuorumCommand(state, step.command);
  }
  advanceQuorum(state, untilMs);
  checkQuorumInvariants(state);
  return state;
}

describe('the quorum sim in the runner', () => {
  const config: QuorumConfig = {
    ...quorumDefaults,
    replicas: 5,
    opsPerSecond: 80,
    clients: 4,
    lossPercent: 5,
  };
  const script: Script = [
    { atMs: 400, command: { type: 'isolate', nodeId: 'R2' } },
    { atMs: 1_500, command: { type: 'setQuorum', writeQuorum: 1, readQuorum: 1 } },
    { atMs: 2_200, command: { type: 'heal' } },
  ];

  it('the runner: seek + replay lands on the same state as running straight there', async () => {
    const runner = new Runner(async () => quorumSim as unknown as AnyLabSim, {
      clockMs: () => 0,
      checkInvariants: true,
      checkpointIntervalMs: 700,
    });
    const commands: LoggedCommand[] = script.map((s) => ({ atMs: s.atMs, command: s.command }));
    await runner.handle({
      type: 'load',
      run: { labId: 'quorum', seed: 9, config, commands, atMs: 3_100 },
    });
    const straight = run(config, 9, script, 3_100);
    expect(JSON.stringify(runner.currentState)).toBe(JSON.stringify(straight));
    await runner.handle({ type: 'seek', atMs: 900 });
    await runner.handle({ type: 'seek', atMs: 3_100 });
    expect(JSON.stringify(runner.currentState)).toBe(JSON.stringify(straight));
    await runner.handle({ type: 'seek', atMs: 1_234 });
    expect(JSON.stringify(runner.currentState)).toBe(JSON.stringify(run(config, 9, script, 1_234)));
  });
});
