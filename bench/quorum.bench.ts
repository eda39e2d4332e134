/**
 * Quorum lab benchmarks. There is no installed npm peer for either job (no linearizability
 * checker such as Porcupine or Knossos exists in node_modules, and no Dynamo-style simulator), so
 * the rows give absolute throughput against our own budgets, and say so.
 *
 * - Checker: ops/s of the Wing–Gong–Lowe search on real histories of 100, 200 and 300 operations
 *   from the simulator (linearizable ones, and ones with stale reads that it must reject).
 * - Simulation: simulated client requests per virtual second of wall time at the scale
 *   (9 replicas, 200 operations/s), and the share of a 60 fps frame that 1× speed costs.
 *
 * Run alone: npx tsx bench/quorum.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { quorumDefaults } from '../src/labs/quorum/config';
import { toCheckOps } from '../src/labs/quorum/sim/batch';
import { type CheckOp, checkLinearizable } from '../src/labs/quorum/sim/checker';
import {
  advanceQuorum,
  applyQuorumCommand,
  createQuorumState,
  type QuorumConfig,
} from '../src/labs/quorum/sim/model';

export interface Row {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

const NO_PEER = 'no peer npm package installed (Porcupine/Knossos are Go/Clojure)';

function historyOf(
  ops: number,
  strict: boolean,
  seed: number,
  scene: Partial<QuorumConfig> = { replicas: 5, clients: 6, opsPerSecond: 150 },
): CheckOp[] {
  const replicas = scene.replicas ?? 5;
  const config: QuorumConfig = {
    ...quorumDefaults,
    writeQuorum: strict ? Math.floor(replicas / 2) + 1 : 1,
    readQuorum: strict ? Math.floor(replicas / 2) + 1 : 1,
    keys: 1,
    ...scene,
  };
  const state = createQuorumState(config, seed);
  if (!strict) applyQuorumCommand(state, { type: 'isolate', nodeId: `R${replicas}` });
  let t = 0;
  while (state.history.length < ops && t < 120_000) {
    t += 50;
    advanceQuorum(state, t);
  }
  // Let the last operations finish so every op in the slice has its outcome.
  advanceQuorum(state, t + 2_000);
  return toCheckOps(state.history.slice(0, ops));
}

function time(fn: () => void, minMs = 300): { perRunMs: number; runs: number } {
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < minMs || runs < 3) {
    fn();
    runs += 1;
  }
  return { perRunMs: (performance.now() - start) / runs, runs };
}

export async function runQuorumBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const ops of [100, 200, 300]) {
    for (const strict of [true, false]) {
      const history = historyOf(ops, strict, 11);
      let status = '';
      const { perRunMs } = time(() => {
        status = checkLinearizable(history).status;
      });
      const opsPerSecond = (history.length / perRunMs) * 1000;
      rows.push({
        benchmark: 'linearizability check',
        workload: `${history.length} ops, ${strict ? 'W=R=3 of 5 (linearizable)' : 'W=R=1, R5 cut off (stale reads)'}`,
        result: `${Math.round(opsPerSecond).toLocaleString('en-US')} ops/s (${perRunMs.toFixed(2)} ms)`,
        ratio: '—',
        pass: perRunMs < 100 ? 'yes (< 100 ms)' : 'no',
        note: `verdict ${status}; ${NO_PEER}`,
      });
    }
  }
  // The large scene's shape (9 replicas, 8 clients at 200 ops/s, 20 ms links) on one key, so
  // all 200 operations are one register's history: eight clients overlap all the time.
  for (const strict of [true, false]) {
    const history = historyOf(200, strict, 5, {
      replicas: 9,
      clients: 8,
      opsPerSecond: 200,
      latencyMs: 20,
    });
    let status = '';
    const { perRunMs } = time(() => {
      status = checkLinearizable(history).status;
    });
    rows.push({
      benchmark: 'linearizability check',
      workload: `${history.length} ops on one key, large scene (9 replicas, 8 clients, 200 ops/s), ${strict ? 'W=R=5 (linearizable)' : 'W=R=1, R9 cut off (stale reads)'}`,
      result: `${perRunMs.toFixed(2)} ms (${Math.round((history.length / perRunMs) * 1000).toLocaleString('en-US')} ops/s)`,
      ratio: '—',
      pass: perRunMs < 100 ? 'yes (< 100 ms)' : 'no',
      note: `verdict ${status}; ${NO_PEER}`,
    });
  }
  const config: QuorumConfig = {
    ...quorumDefaults,
    replicas: 9,
    writeQuorum: 5,
    readQuorum: 5,
    clients: 8,
    keys: 8,
    opsPerSecond: 200,
    latencyMs: 20,
  };
  const virtualMs = 20_000;
  let requests = 0;
  const { perRunMs } = time(() => {
    const state = createQuorumState(config, 3);
    for (let t = 16; t <= virtualMs; t += 16) advanceQuorum(state, t);
    requests = state.counters.opsInvoked;
  }, 1_000);
  const perVirtualSecondMs = perRunMs / (virtualMs / 1000);
  rows.push({
    benchmark: 'simulation',
    workload: '9 replicas, W=R=5, 8 clients, 200 ops/s target, 20 ms links, 20 s virtual',
    result: `${Math.round((requests / perRunMs) * 1000).toLocaleString('en-US')} requests/s simulated (${requests} requests in ${perRunMs.toFixed(0)} ms)`,
    ratio: `${(1000 / perVirtualSecondMs).toFixed(0)}× real time`,
    pass: perVirtualSecondMs / 60 < 8 ? 'yes (1× costs < 8 ms per 60 fps frame)' : 'no',
    note: `${(perVirtualSecondMs / 60).toFixed(2)} ms of sim per frame at 1×; ${NO_PEER}`,
  });
  return rows;
}

export function formatQuorumBenchTable(rows: Row[]): string {
  const headers: (keyof Row)[] = ['benchmark', 'workload', 'result', 'ratio', 'pass', 'note'];
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map((r) => line(headers.map((h) => r[h]))),
  ].join('\n');
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  console.log(formatQuorumBenchTable(await runQuorumBench()));
}
