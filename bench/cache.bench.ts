/**
 * Caching lab benchmarks: our LRU against the `lru-cache` npm package (isaacs) doing the same
 * job, and the time of the hit-ratio curve job (1,000,000 requests × 20 sizes × 9 policies + OPT).
 *
 * Run directly with `npx tsx bench/cache.bench.ts`, or call `runCacheBench()` from a runner.
 *
 * Fairness: both sides replay the same seeded trace of whole-number keys. One operation is one
 * reference: on lru-cache a `get` that refreshes recency and, on a miss, a `set` that may evict;
 * on ours `accessKey`, which does the same. Both are checked to give the same hit count.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { cacheDefaults } from '../src/labs/cache/config';
import { CURVE_POLICIES } from '../src/labs/cache/sim/batch';
import cacheSim from '../src/labs/cache/sim/index';
import { accessKey, createPolicyCache } from '../src/labs/cache/sim/policies';
import { createWorkload, generateTrace } from '../src/labs/cache/sim/workload';

export interface Row {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

interface PeerLru {
  get(key: number): unknown;
  set(key: number, value: unknown): unknown;
}
type PeerLruConstructor = new (options: { max: number }) => PeerLru;

const requireFromHere = createRequire(import.meta.url);
const TRACE_LENGTH = 1_000_000;
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function opsPerSecond(pass: () => number): { rate: number; hits: number } {
  let hits = pass();
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    hits = pass();
    rates.push((TRACE_LENGTH / (performance.now() - started)) * 1000);
  }
  return { rate: median(rates), hits };
}

const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M ops/s`;

function lruRows(): Row[] {
  const { LRUCache } = requireFromHere('lru-cache') as { LRUCache: PeerLruConstructor };
  const scenarios = [
    { name: 'Zipf s=1, 10,000 keys, 1,000 slots', kind: 'zipf' as const, capacity: 1_000 },
    { name: 'uniform, 10,000 keys, 1,000 slots', kind: 'uniform' as const, capacity: 1_000 },
    { name: 'Zipf s=1, 10,000 keys, 100 slots', kind: 'zipf' as const, capacity: 100 },
  ];
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    const trace = generateTrace(createWorkload(scenario.kind, 10_000, 1, 0, 42, 1), TRACE_LENGTH);
    const ours = opsPerSecond(() => {
      const cache = createPolicyCache('lru', scenario.capacity, 10_000);
      let hits = 0;
      for (let i = 0; i < trace.length; i += 1) if (accessKey(cache, trace[i]!)) hits += 1;
      return hits;
    });
    const peer = opsPerSecond(() => {
      const cache = new LRUCache({ max: scenario.capacity });
      let hits = 0;
      for (let i = 0; i < trace.length; i += 1) {
        const key = trace[i]!;
        if (cache.get(key) !== undefined) hits += 1;
        else cache.set(key, true);
      }
      return hits;
    });
    if (ours.hits !== peer.hits) {
      throw new Error(`LRU disagrees with lru-cache: ${ours.hits} vs ${peer.hits} hits`);
    }
    const ratio = ours.rate / peer.rate;
    rows.push({
      benchmark: 'LRU references',
      workload: scenario.name,
      result: `ours ${fmt(ours.rate)} · lru-cache ${fmt(peer.rate)}`,
      ratio: `${ratio.toFixed(2)}×`,
      pass: ratio >= 1 ? 'yes' : 'no',
      note: `same ${ours.hits.toLocaleString('en-US')} hits`,
    });
  }
  return rows;
}

function curveRows(): Row[] {
  const rows: Row[] = [];
  for (const keys of [200, 10_000]) {
    const state = cacheSim.create({ ...cacheDefaults, keys }, 42);
    const started = performance.now();
    const job = cacheSim.batch!(state, 'hitRatioCurves', {});
    let step = job.next();
    let slices = 0;
    while (!step.done) {
      slices += 1;
      step = job.next();
    }
    const seconds = (performance.now() - started) / 1000;
    const lines = CURVE_POLICIES.length;
    rows.push({
      benchmark: 'hit-ratio curve job',
      workload: `Zipf s=1, ${keys.toLocaleString('en-US')} keys: 1M requests × 20 sizes × ${lines - 1} policies + OPT`,
      result: `${seconds.toFixed(1)} s (${((lines * 20e6) / seconds / 1e6).toFixed(1)} M refs/s)`,
      ratio: '—',
      pass: '—',
      note: `${slices} progress reports; Node, one core`,
    });
  }
  return rows;
}

export async function runCacheBench(): Promise<Row[]> {
  return [...lruRows(), ...curveRows()];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runCacheBench();
  console.table(rows);
}
