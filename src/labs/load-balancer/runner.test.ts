/**
 * The load-balancer sim driven by the worker's Runner (outside sim/, which may import only the
 * kernel): seeking back and forth with checkpoints and replay lands on exactly the state of a
 * straight run, and the page's defaults match the sim tests' copy of them.
 */
import { describe, expect, it } from 'vitest';
import type { Frame, LoggedCommand } from '../../worker/protocol';
import { type AnyLabSim, Runner } from '../../worker/runner';
import { loadBalancerConfigSchema, loadBalancerDefaults } from './config';
import loadBalancerSim from './sim/index';
import {
  advanceLoadBalancer,
  applyLoadBalancerCommand,
  createLoadBalancerState,
  type LoadBalancerCommand,
  type LoadBalancerConfig,
  type LoadBalancerState,
} from './sim/model';

const commands: LoggedCommand[] = [
  { atMs: 1_000, command: { type: 'setSlowness', serverId: 'S2', slowness: 5 } },
  { atMs: 2_500, command: { type: 'setCrashed', serverId: 'S3', crashed: true } },
  { atMs: 4_000, command: { type: 'addServer' } },
  { atMs: 6_000, command: { type: 'removeServer', serverId: 'S1' } },
  { atMs: 7_000, command: { type: 'setSessions', mode: 'sticky' } },
  { atMs: 9_000, command: { type: 'setCrashed', serverId: 'S3', crashed: false } },
  { atMs: 10_000, command: { type: 'burst', requests: 300 } },
];

function straight(config: LoadBalancerConfig, seed: number, toMs: number): LoadBalancerState {
  const state = createLoadBalancerState(config, seed);
  for (const logged of commands) {
    if (logged.atMs > toMs) break;
    advanceLoadBalancer(state, logged.atMs);
    applyLoadBalancerCommand(state, logged.command as LoadBalancerCommand);
  }
  advanceLoadBalancer(state, toMs);
  return state;
}

describe('load balancer through the worker runner', () => {
  it('seek + replay lands on the state of a straight run', async () => {
    const runner = new Runner(async () => loadBalancerSim as unknown as AnyLabSim, {
      clockMs: () => 0,
      checkInvariants: true,
      checkpointIntervalMs: 2_000,
    });
    const config = { ...loadBalancerDefaults, compare: 'round-robin,peak-ewma' };
    await runner.handle({
      type: 'load',
      run: { labId: 'load-balancer', seed: 21, config, commands, atMs: 0 },
    });
    for (const target of [11_000, 3_200, 9_999, 500, 12_000, 6_000, 10_000]) {
      await runner.handle({ type: 'seek', atMs: target });
      const [message] = await runner.handle({ type: 'frame', wallMs: 0 });
      const frame = (message as { frame: Frame }).frame;
      expect(frame.atMs).toBe(target);
      expect(JSON.stringify(runner.currentState)).toBe(
        JSON.stringify(straight(config, 21, target)),
      );
    }
  });

  it('playing frame by frame gives the same state as one straight run', async () => {
    const runner = new Runner(async () => loadBalancerSim as unknown as AnyLabSim, {
      clockMs: () => 0,
      checkInvariants: true,
    });
    const config = { ...loadBalancerDefaults, servers: 20, requestsPerSecond: 2_000 };
    await runner.handle({
      type: 'load',
      run: { labId: 'load-balancer', seed: 3, config, commands: [], atMs: 0 },
    });
    await runner.handle({ type: 'play' });
    for (let i = 0; i < 60; i += 1) await runner.handle({ type: 'frame', wallMs: 1000 / 60 });
    const reached = (runner.currentState as LoadBalancerState).nowMs;
    expect(reached).toBeGreaterThan(900);
    const state = createLoadBalancerState(config, 3);
    advanceLoadBalancer(state, reached);
    expect(JSON.stringify(runner.currentState)).toBe(JSON.stringify(state));
  });
});

describe('config', () => {
  it('the defaults pass the URL schema', () => {
    expect(loadBalancerConfigSchema.parse(loadBalancerDefaults)).toEqual(loadBalancerDefaults);
  });

  it('refuses a bad compare list and out-of-range numbers', () => {
    const bad = (patch: Record<string, unknown>) =>
      loadBalancerConfigSchema.safeParse({ ...loadBalancerDefaults, ...patch }).success;
    expect(bad({ compare: 'round-robin' })).toBe(false);
    expect(bad({ compare: 'round-robin,round-robin' })).toBe(false);
    expect(bad({ compare: 'round-robin,magic' })).toBe(false);
    expect(bad({ compare: 'random,power-of-two,ip-hash,peak-ewma,round-robin' })).toBe(false);
    expect(bad({ compare: 'random,power-of-two' })).toBe(true);
    expect(bad({ servers: 21 })).toBe(false);
    expect(bad({ servers: '20' })).toBe(true);
    expect(bad({ requestsPerSecond: 2_001 })).toBe(false);
    expect(bad({ pools: 'maybe' })).toBe(false);
  });

  it('reads booleans as the URL carries them: 0/1 numbers, strings or booleans', () => {
    const parse = (value: unknown) =>
      loadBalancerConfigSchema.parse({ ...loadBalancerDefaults, ejection: value }).ejection;
    expect([0, '0', 'false', false].map(parse)).toEqual([false, false, false, false]);
    expect([1, '1', 'true', true].map(parse)).toEqual([true, true, true, true]);
  });
});
