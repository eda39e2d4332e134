/**
 * Load-balancer engine benchmark: scheduling decisions per second for each algorithm, simulated
 * requests per second at the lab's scale (20 servers, 2,000 requests/s, one balancer and four side
 * by side), the cost of one frame's snapshot, and seeking in a 10-minute run through the Runner.
 *
 * There is no peer npm library installed for load-balancing decisions (nothing in node_modules
 * picks servers), so the ratio column is "n/a" and the budgets are absolute: the simulation must
 * run at least 2× faster than real time at the lab's scale (the worker gets about 8 ms of each
 * 16.7 ms frame), and a frame's snapshot must stay well under a millisecond or two.
 *
 * Run directly with `npx tsx bench/load-balancer.bench.ts`, or call `runLoadBalancerBench()`.
 */
import { pathToFileURL } from 'node:url';
import { createRng, nextInt } from '../src/kernel/prng';
import { loadBalancerDefaults } from '../src/labs/load-balancer/config';
import { createPicker, type Peer, pickPeer } from '../src/labs/load-balancer/sim/algorithms';
import { ALGORITHMS, type AlgorithmName } from '../src/labs/load-balancer/sim/constants';
import loadBalancerSim from '../src/labs/load-balancer/sim/index';
import {
  advanceLoadBalancer,
  createLoadBalancerState,
  type LoadBalancerConfig,
} from '../src/labs/load-balancer/sim/model';
import { viewLoadBalancer } from '../src/labs/load-balancer/sim/snapshot';
import type { RunRecord } from '../src/worker/protocol';
import { type AnyLabSim, Runner } from '../src/worker/runner';
import { median } from './stats';

export interface Row {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

const DECISIONS = 400_000;
const ROUNDS = 5;
const SERVERS = 20;
const SIM_SECONDS = 30;
/** The worker spends about 8 ms of each 16.7 ms frame: the sim must beat real time by this much. */
const REALTIME_BUDGET = 2;
const SNAPSHOT_BUDGET_MS = 2;
const SEEK_BUDGET_MS = 100;

function peersFor(count: number): Peer[] {
  const rng = createRng(11, 3);
  return Array.from({ length: count }, (_, i) => ({
    id: `S${i + 1}`,
    weight: 1 + (i % 3),
    load: nextInt(rng, 0, 12),
    ewmaMs: 20 + nextInt(rng, 0, 200),
    eligible: i !== 3,
  }));
}

function decisionsPerSecond(algorithm: AlgorithmName): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const peers = peersFor(SERVERS);
    const picker = createPicker();
    const rng = createRng(round, 9);
    const started = performance.now();
    let sink = 0;
    for (let i = 0; i < DECISIONS; i += 1) {
      const index = pickPeer(algorithm, picker, rng, peers, i % 5_000);
      sink += index;
      // Loads move as they would: the pick gains a request, another one finishes.
      const peer = peers[index];
      if (peer) peer.load += 1;
      const done = peers[i % SERVERS]!;
      if (done.load > 0) done.load -= 1;
    }
    const elapsed = performance.now() - started;
    if (sink < 0) throw new Error('unreachable');
    if (round > 0) rates.push(DECISIONS / (elapsed / 1000));
  }
  return median(rates) ?? 0;
}

function simulate(config: LoadBalancerConfig): { requestsPerSecond: number; speedUp: number } {
  const results: { rps: number; speed: number }[] = [];
  for (let round = 0; round < 3; round += 1) {
    const state = createLoadBalancerState(config, 42 + round);
    const started = performance.now();
    // Frame-sized steps, as the runner advances when playing at 1×.
    for (let t = 16; t <= SIM_SECONDS * 1000; t += 16) advanceLoadBalancer(state, t);
    const elapsed = (performance.now() - started) / 1000;
    const handled = state.lanes.reduce((sum, lane) => sum + lane.totals.arrived, 0);
    results.push({ rps: handled / elapsed, speed: SIM_SECONDS / elapsed });
  }
  return {
    requestsPerSecond: median(results.map((r) => r.rps)) ?? 0,
    speedUp: median(results.map((r) => r.speed)) ?? 0,
  };
}

function snapshotMs(config: LoadBalancerConfig): number {
  const state = createLoadBalancerState(config, 42);
  advanceLoadBalancer(state, 10_000);
  const times: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    advanceLoadBalancer(state, state.nowMs + 16);
    const started = performance.now();
    const snapshot = viewLoadBalancer(state);
    structuredClone(snapshot);
    times.push(performance.now() - started);
  }
  return median(times) ?? 0;
}

async function seekMs(config: LoadBalancerConfig): Promise<{ median: number; worst: number }> {
  const runner = new Runner(async () => loadBalancerSim as unknown as AnyLabSim, {
    clockMs: () => performance.now(),
  });
  const commands = Array.from({ length: 19 }, (_, k) => ({
    atMs: (k + 1) * 30_000,
    command:
      k % 2 === 0
        ? { type: 'setCrashed', serverId: `S${(k % 8) + 1}`, crashed: true }
        : { type: 'setCrashed', serverId: `S${((k - 1) % 8) + 1}`, crashed: false },
  }));
  const run: RunRecord = { labId: 'load-balancer', seed: 42, config, commands, atMs: 600_000 };
  await runner.handle({ type: 'load', run });
  const rng = createRng(5, 5);
  const times: number[] = [];
  // The first seeks warm the JIT up; they are run but not counted.
  for (let i = 0; i < 25; i += 1) {
    const target = nextInt(rng, 0, 600_000);
    const started = performance.now();
    await runner.handle({ type: 'seek', atMs: target });
    await runner.handle({ type: 'frame', wallMs: 0 });
    if (i >= 5) times.push(performance.now() - started);
  }
  return { median: median(times) ?? 0, worst: Math.max(...times) };
}

function formatRate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} k/s`;
  return `${value.toFixed(0)} /s`;
}

export async function runLoadBalancerBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const algorithm of ALGORITHMS) {
    const rate = decisionsPerSecond(algorithm);
    rows.push({
      benchmark: `decisions/s: ${algorithm}`,
      workload: `${SERVERS} servers, 1 ineligible, ${DECISIONS.toLocaleString('en-US')} picks`,
      result: formatRate(rate),
      ratio: 'n/a',
      // 2,000 requests/s in four lanes at 10× speed needs 80,000 decisions per second.
      pass: rate >= 80_000 ? 'yes' : 'NO',
      note: 'no peer npm library installed; budget ≥ 80 k/s (4 lanes × 2,000 req/s × 10×)',
    });
  }
  const scale: LoadBalancerConfig = {
    ...loadBalancerDefaults,
    servers: SERVERS,
    requestsPerSecond: 2_000,
  };
  for (const [name, config] of [
    ['1 balancer', scale],
    [
      '4 balancers side by side',
      { ...scale, compare: 'round-robin,least-connections,power-of-two,peak-ewma' },
    ],
  ] as const) {
    const result = simulate(config);
    rows.push({
      benchmark: `simulated requests/s (${name})`,
      workload: `${SERVERS} servers, 2,000 req/s, ${SIM_SECONDS} virtual s in 16 ms steps`,
      result: `${formatRate(result.requestsPerSecond)} (${result.speedUp.toFixed(1)}× real time)`,
      ratio: 'n/a',
      pass: result.speedUp >= REALTIME_BUDGET ? 'yes' : 'NO',
      note: `budget ≥ ${REALTIME_BUDGET}× real time (the worker's 8 ms of a 16.7 ms frame)`,
    });
  }
  const snapshot = snapshotMs(scale);
  rows.push({
    benchmark: 'snapshot per frame (view + structuredClone)',
    workload: `${SERVERS} servers, 2,000 req/s`,
    result: `${snapshot.toFixed(3)} ms`,
    ratio: 'n/a',
    pass: snapshot <= SNAPSHOT_BUDGET_MS ? 'yes' : 'NO',
    note: `budget ≤ ${SNAPSHOT_BUDGET_MS} ms (median of 200 frames)`,
  });
  const seek = await seekMs({ ...loadBalancerDefaults, servers: 8 });
  rows.push({
    benchmark: 'seek in a 10-minute run (Runner, 20 seeks after 5 warm-up)',
    workload: '8 servers, 200 req/s, a crash or recovery every 30 s',
    result: `median ${seek.median.toFixed(1)} ms, worst ${seek.worst.toFixed(1)} ms`,
    ratio: 'n/a',
    pass: seek.worst <= SEEK_BUDGET_MS ? 'yes' : 'NO',
    note: `budget ≤ ${SEEK_BUDGET_MS} ms (DESIGN.md §8)`,
  });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runLoadBalancerBench();
  console.table(rows);
}
