/**
 * The caching lab driven through the worker's Runner with a fake CPU clock: seeking back and
 * forth (checkpoints + replay) lands on exactly the state a straight run reaches, commands
 * included, and the curve job runs as a batch to its result. This lives beside sim/ because
 * sim/ may import only the kernel.
 */
import { describe, expect, it } from 'vitest';
import type { Frame, RunRecord, WorkerMessage } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import { cacheDefaults } from './config';
import type { CurveResult } from './sim/batch';
import cacheSim from './sim/index';
import type { CacheCommand, CacheConfig, CacheState } from './sim/model';
import { viewCache } from './sim/snapshot';

const CONFIG: CacheConfig = { ...cacheDefaults, requestsPerSecond: 400, compare: 'lru,lfu,arc' };

function makeRunner(): Runner {
  let clock = 0;
  return new Runner(async () => cacheSim as unknown as AnyLabSim, {
    clockMs: () => clock++,
    checkInvariants: true,
    checkpointIntervalMs: 1_000,
    frameBudgetMs: 1e9,
  });
}

function run(commands: { atMs: number; command: CacheCommand }[] = []): RunRecord {
  return { labId: 'cache', seed: 5, config: CONFIG, commands, atMs: 0 };
}

function straight(commands: { atMs: number; command: CacheCommand }[], atMs: number): CacheState {
  const state = cacheSim.create(CONFIG, 5);
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    cacheSim.advanceTo(state, logged.atMs);
    cacheSim.apply(state, logged.command);
  }
  cacheSim.advanceTo(state, atMs);
  return state;
}

const COMMANDS: { atMs: number; command: CacheCommand }[] = [
  {
    atMs: 1_500,
    command: { type: 'set', settings: { writePolicy: 'write-back', writePercent: 25 } },
  },
  { atMs: 2_750, command: { type: 'readBurst', key: 0, count: 40 } },
  { atMs: 4_000, command: { type: 'crash' } },
  { atMs: 5_200, command: { type: 'set', settings: { policy: 'sieve', singleFlight: 'on' } } },
  { atMs: 6_100, command: { type: 'expireKey', key: 0 } },
];

const view = (state: unknown) => JSON.stringify(viewCache(state as CacheState));

describe('the cache lab in the runner', () => {
  it('seek + replay lands on the same state as running straight there', async () => {
    const runner = makeRunner();
    await runner.handle({ type: 'load', run: run(COMMANDS) });
    for (const target of [8_000, 3_333, 6_100, 1, 7_999, 4_000, 0, 5_201]) {
      runner.seek(target);
      expect(view(runner.currentState)).toBe(view(straight(COMMANDS, target)));
    }
  });

  it('a command applied in the past forks the run, and replay follows the new log', async () => {
    const runner = makeRunner();
    await runner.handle({ type: 'load', run: run(COMMANDS) });
    runner.seek(3_000);
    runner.applyNow({ type: 'crash' });
    const forked = [
      ...COMMANDS.filter((c) => c.atMs <= 3_000),
      { atMs: 3_000, command: { type: 'crash' } as CacheCommand },
    ];
    runner.seek(7_000);
    expect(view(runner.currentState)).toBe(view(straight(forked, 7_000)));
    expect(runner.commandLog.length).toBe(forked.length);
  });

  it('plays by frames and runs the curve job as a batch to its result', async () => {
    const runner = makeRunner();
    await runner.handle({ type: 'load', run: run() });
    await runner.handle({ type: 'play' });
    const [message] = await runner.handle({ type: 'frame', wallMs: 200 });
    const frame = (message as { frame: Frame }).frame;
    expect(frame.atMs).toBe(200);
    await runner.handle({
      type: 'batch',
      jobId: 'j1',
      name: 'hitRatioCurves',
      params: { requests: 20_000, sizes: 5 },
    });
    let result: CurveResult | null = null;
    let progress = 0;
    for (let i = 0; i < 10_000 && !result; i += 1) {
      for (const m of runner.runBatchSlices(5) as WorkerMessage[]) {
        if (m.type === 'progress') progress += 1;
        if (m.type === 'batchResult') result = m.result as CurveResult;
      }
    }
    expect(progress).toBeGreaterThan(0);
    expect(result?.sizes).toHaveLength(5);
    expect(result?.requests).toBe(20_000);
  });
});
