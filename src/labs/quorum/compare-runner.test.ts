/**
 * Compare mode against the live run as the worker's runner plays it (outside sim/, which may import
 * only the kernel): play in uneven frames, apply commands while playing, seek back and forth, then
 * take the run (what "Compare on this run" sends) and run the "compare" batch job in the runner.
 * The variant with the live run's settings must give the live run's counters exactly.
 */
import { describe, expect, it } from 'vitest';
import type { RunRecord, WorkerMessage } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import { quorumDefaults } from './config';
import type { CompareResult } from './sim/compare';
import quorumSim from './sim/index';
import type { QuorumConfig, QuorumState } from './sim/model';

async function liveRunner(config: QuorumConfig, seed: number) {
  const runner = new Runner(async () => quorumSim as unknown as AnyLabSim, {
    clockMs: () => 0,
    checkpointIntervalMs: 700,
  });
  await runner.handle({
    type: 'load',
    run: { labId: 'quorum', seed, config, commands: [], atMs: 0 },
  });
  return runner;
}

async function frames(runner: Runner, count: number) {
  const walls = [16, 17, 33, 8, 16, 50];
  for (let i = 0; i < count; i += 1)
    await runner.handle({ type: 'frame', wallMs: walls[i % walls.length] as number });
}

async function runOf(runner: Runner): Promise<RunRecord> {
  const [message] = (await runner.handle({ type: 'getRun' })) as WorkerMessage[];
  if (message?.type !== 'run') throw new Error('expected the run');
  return message.run;
}

async function compareIn(runner: Runner, params: unknown): Promise<CompareResult> {
  await runner.handle({ type: 'batch', jobId: 'j1', name: 'compare', params });
  for (let i = 0; i < 1_000; i += 1) {
    for (const message of runner.runBatchSlices(12)) {
      if (message.type === 'batchResult') return message.result as CompareResult;
    }
  }
  throw new Error('the compare job did not finish');
}

describe('compare mode on the live run', () => {
  it('the variant with the live settings reproduces the live counters; the others differ', async () => {
    const config: QuorumConfig = {
      ...quorumDefaults,
      writeQuorum: 1,
      readQuorum: 1,
      opsPerSecond: 30,
      lossPercent: 2,
    };
    const runner = await liveRunner(config, 21);
    await runner.handle({ type: 'setSpeed', speed: 4 });
    await runner.handle({ type: 'play' });
    await frames(runner, 30);
    await runner.handle({ type: 'apply', command: { type: 'isolate', nodeId: 'R3' } });
    await frames(runner, 40);
    await runner.handle({ type: 'apply', command: { type: 'clientWrite', client: 0, key: 0 } });
    await frames(runner, 25);
    await runner.handle({ type: 'apply', command: { type: 'clientRead', client: 2, key: 0 } });
    await frames(runner, 60);
    // Seeking back and forth replays from checkpoints: the live state must not change.
    await runner.handle({ type: 'seek', atMs: 1_000 });
    await runner.handle({ type: 'seek', atMs: runner.nowMs + 10_000 });
    await runner.handle({ type: 'pause' });
    const run = await runOf(runner);
    const live = runner.currentState as QuorumState;
    expect(run.atMs).toBe(live.nowMs);
    expect(live.counters.staleReads).toBeGreaterThan(0);

    const result = await compareIn(runner, {
      config: run.config,
      seed: run.seed,
      commands: run.commands,
      untilMs: run.atMs,
      variants: [
        { writeQuorum: 1, readQuorum: 1, mode: 'cp' },
        { writeQuorum: 2, readQuorum: 2, mode: 'cp' },
        { writeQuorum: 2, readQuorum: 2, mode: 'ap' },
      ],
    });
    if (result.status !== 'done') throw new Error(result.reason);
    expect(result.commandsReplayed).toBe(3);
    const [current, twoTwo, ap] = result.variants;
    const c = live.counters;
    expect(current?.counters).toEqual({
      opsInvoked: c.opsInvoked,
      readsOk: c.readsOk,
      writesOk: c.writesOk,
      unavailable: c.unavailable,
      timedOut: c.timedOut,
      staleReads: c.staleReads,
      readsWithSiblings: c.readsWithSiblings,
      sloppyReads: c.sloppyReads,
      sloppyWrites: c.sloppyWrites,
    });
    // The same partition with strict quorums: no stale read in CP (refusals instead), and AP
    // refuses nothing.
    expect(twoTwo?.counters.staleReads).toBe(0);
    expect(twoTwo?.counters.unavailable).toBeGreaterThan(0);
    expect(ap?.counters.unavailable).toBe(0);
    // The batch job ran on the side: the live run is where it was.
    expect(runner.nowMs).toBe(run.atMs);
  });
});
