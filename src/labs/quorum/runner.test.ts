/**
 * The quorum sim driven by the worker's runner: seek + replay lands on the same state as running
 * straight there. (Outside sim/, which may import only the kernel.)
 */
import { describe, expect, it } from 'vitest';
import type { LoggedCommand, WorkerMessage } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import { quorumDefaults } from './config';
import quorumSim from './sim/index';
import { checkQuorumInvariants } from './sim/invariants';
import type { HistoryOp } from './sim/model';
import {
  advanceQuorum,
  applyQuorumCommand,
  createQuorumState,
  type QuorumCommand,
  type QuorumConfig,
  type QuorumState,
} from './sim/model';
import { applyHistoryPart, type QuorumSnapshot } from './sim/snapshot';

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

  it('the history the UI rebuilds from whole and partial parts equals the run history, through seeks and commands', async () => {
    const runner = new Runner(async () => quorumSim as unknown as AnyLabSim, {
      clockMs: () => 0,
      checkpointIntervalMs: 500,
    });
    await runner.handle({
      type: 'load',
      run: {
        labId: 'quorum',
        seed: 4,
        config: { ...config, opsPerSecond: 150 },
        commands: [],
        atMs: 0,
      },
    });
    let held: HistoryOp[] = [];
    let heldVersion = '';
    let partial = 0;
    let whole = 0;
    const frame = async (wallMs: number) => {
      const [message] = (await runner.handle({ type: 'frame', wallMs })) as WorkerMessage[];
      if (message?.type !== 'frame') throw new Error('expected a frame');
      const part = (message.frame.snapshot as QuorumSnapshot | null)?.history;
      if (part) {
        if (part.base === null) whole += 1;
        else {
          partial += 1;
          expect(part.base).toBe(heldVersion);
          // A partial part carries only what changed: never the whole history once it has grown.
          expect(part.ops.length).toBeLessThan(Math.max(20, part.length));
        }
        held = applyHistoryPart(held, part);
        heldVersion = part.version;
      }
      const state = runner.currentState as QuorumState;
      expect(held).toEqual(state.history);
    };
    await runner.handle({ type: 'play' });
    for (let i = 0; i < 40; i += 1) await frame(16);
    await runner.handle({ type: 'apply', command: { type: 'isolate', nodeId: 'R1' } });
    for (let i = 0; i < 20; i += 1) await frame(16);
    await runner.handle({ type: 'seek', atMs: 300 });
    await frame(16);
    for (let i = 0; i < 30; i += 1) await frame(16);
    // Back, a different command, and forward again before the UI sees a frame: the run took
    // another path, so what the UI holds is no base for a change list.
    await runner.handle({ type: 'seek', atMs: 200 });
    await runner.handle({
      type: 'apply',
      command: { type: 'setQuorum', writeQuorum: 1, readQuorum: 1 },
    });
    await runner.handle({ type: 'seek', atMs: 5_000 });
    for (let i = 0; i < 5; i += 1) await frame(16);
    expect(held.length).toBeGreaterThan(100);
    expect(partial).toBeGreaterThan(50);
    expect(whole).toBeGreaterThanOrEqual(3);
  });
});
