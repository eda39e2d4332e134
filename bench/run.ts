/**
 * `npm run bench`: the engine benchmarks of DESIGN.md §8, in Node, printed as one table.
 *
 * 1. Hash ring lookups, ours against the `hashring` npm package (bench/ring.bench.ts): the
 *    ratio ours / peer has the budget ≥ 1×.
 * 2. The worker's Runner seeking in a 10-minute virtual run of the hash-ring lab, with commands
 *    along the way: each seek is timed from the seek command to the frame the UI would draw
 *    (seek + frame, which builds the snapshot). Budget: every seek ≤ 100 ms.
 * 3. Distribution statistics for 1,000,000 keys: a `setBulkKeys` command plus the frame with
 *    its snapshot, on a fresh run each round so the derived-data memos are cold. Budget < 1 s.
 *
 * Report only: budget misses are printed, the exit code is 0 (1 when a benchmark throws). The
 * table is also written to artifacts/bench.md and artifacts/bench.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashRingDefaults } from '../src/labs/hash-ring/config';
import hashRingSim from '../src/labs/hash-ring/sim/index';
import type { HashRingCommand, HashRingConfig } from '../src/labs/hash-ring/sim/model';
import type { RunRecord } from '../src/worker/protocol';
import { type AnyLabSim, Runner } from '../src/worker/runner';
import { type Row as RingRow, runRingBench } from './ring.bench';
import { median, percentile, seededRandom } from './stats';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SEEK_BUDGET_MS = 100;
const BULK_BUDGET_MS = 1_000;
const PEER_RATIO_BUDGET = 1;
const RUN_LENGTH_MS = 10 * 60 * 1000;
const COMMAND_EVERY_MS = 30_000;
const SEEK_COUNT = 50;
const BULK_KEYS = 1_000_000;
const BULK_ROUNDS = 5;
const ARTIFACTS_DIR = 'artifacts';

interface TableRow {
  benchmark: string;
  workload: string;
  result: string;
  budget: string;
  pass: boolean | null;
  note: string;
}

interface SeekScenario {
  name: string;
  config: HashRingConfig;
  /** The command applied at the k-th 30-second mark (k = 1, 2, …), if any. */
  commandAt: (k: number) => HashRingCommand | null;
}

const SEEK_SCENARIOS: SeekScenario[] = [
  {
    name: 'default config',
    config: hashRingDefaults,
    commandAt: () => ({ type: 'addServer' }),
  },
  {
    // The perf suite's "large" scene: the ring is full, so servers fail and recover instead.
    name: 'large (100 × 500, 10k keys, 1000 req/s)',
    config: {
      ...hashRingDefaults,
      servers: 100,
      vnodesPerServer: 500,
      keys: 10_000,
      requestsPerSecond: 1_000,
    },
    commandAt: (k) => ({
      type: 'setFailed',
      serverId: `S${((k - 1) % 10) + 1}`,
      failed: Math.floor((k - 1) / 10) % 2 === 0,
    }),
  },
];

function ms(value: number | null): string {
  if (value === null) return '—';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function newRunner(): Runner {
  return new Runner(async () => hashRingSim as unknown as AnyLabSim, {
    clockMs: () => performance.now(),
  });
}

function runRecord(config: HashRingConfig, atMs = 0): RunRecord {
  return { labId: 'hash-ring', seed: 42, config, commands: [], atMs };
}

/** Messages the runner answered with an error, turned into an exception. */
async function send(runner: Runner, command: Parameters<Runner['handle']>[0]): Promise<void> {
  for (const message of await runner.handle(command)) {
    if (message.type === 'error') throw new Error(`${message.during}: ${message.message}`);
  }
}

/** Seek as the UI does it: the seek command, then the frame that carries the new snapshot. */
async function timedSeek(runner: Runner, atMs: number): Promise<number> {
  const startedMs = performance.now();
  await send(runner, { type: 'seek', atMs });
  const frame = runner.frame(0);
  const elapsedMs = performance.now() - startedMs;
  if (frame.atMs !== Math.round(atMs)) {
    throw new Error(`seek to ${atMs} ms landed at ${frame.atMs} ms`);
  }
  return elapsedMs;
}

async function seekRows(scenario: SeekScenario): Promise<TableRow[]> {
  const runner = newRunner();
  await send(runner, { type: 'load', run: runRecord(scenario.config) });
  runner.frame(0);

  // Play the run forward to 10 minutes, a command at every 30-second mark.
  const advanceStartedMs = performance.now();
  let commands = 0;
  for (let atMs = COMMAND_EVERY_MS; atMs <= RUN_LENGTH_MS; atMs += COMMAND_EVERY_MS) {
    await send(runner, { type: 'seek', atMs });
    const command = scenario.commandAt(atMs / COMMAND_EVERY_MS);
    if (command && atMs < RUN_LENGTH_MS) {
      await send(runner, { type: 'apply', command });
      commands += 1;
    }
    runner.frame(0);
  }
  const advanceMs = performance.now() - advanceStartedMs;
  if (runner.nowMs !== RUN_LENGTH_MS) throw new Error(`the run reached ${runner.nowMs} ms`);

  const random = seededRandom(20_240_601);
  const latencies: number[] = [];
  for (let i = 0; i < SEEK_COUNT; i += 1) {
    latencies.push(await timedSeek(runner, Math.floor(random() * RUN_LENGTH_MS)));
  }
  const worst = Math.max(...latencies);
  return [
    {
      benchmark: `runner: play a 10-min run (${scenario.name})`,
      workload: `${RUN_LENGTH_MS / 60_000} virtual min, ${commands} commands`,
      result: `${ms(advanceMs)} ms`,
      budget: '—',
      pass: null,
      note: `${runner.checkpointCount} checkpoints, ${runner.commandLog.length} logged commands`,
    },
    {
      benchmark: `runner: seek + frame (${scenario.name})`,
      workload: `${SEEK_COUNT} seeded random seeks in the 10-min run`,
      result: `median ${ms(median(latencies))} ms, p95 ${ms(percentile(latencies, 0.95))} ms, max ${ms(worst)} ms`,
      budget: `every seek ≤ ${SEEK_BUDGET_MS} ms`,
      pass: worst <= SEEK_BUDGET_MS,
      note: 'replay from the nearest checkpoint plus the snapshot',
    },
  ];
}

async function bulkKeysRow(): Promise<TableRow> {
  const applyAndView: number[] = [];
  const clones: number[] = [];
  // One warm-up round (JIT), then measured rounds; each on a fresh run with a key count that
  // differs by one, so the memoised hashes and owners are never reused.
  for (let round = 0; round <= BULK_ROUNDS; round += 1) {
    const runner = newRunner();
    await send(runner, { type: 'load', run: runRecord(hashRingDefaults) });
    runner.frame(0);
    const count = BULK_KEYS - round;
    const startedMs = performance.now();
    await send(runner, { type: 'apply', command: { type: 'setBulkKeys', count } });
    const frame = runner.frame(0);
    const elapsedMs = performance.now() - startedMs;
    const keysTotal = (frame.snapshot as { keysTotal?: number } | null)?.keysTotal;
    if (keysTotal !== count) throw new Error(`the snapshot has ${keysTotal} keys, not ${count}`);
    // postMessage structured-clones the frame on its way to the UI.
    const cloneStartedMs = performance.now();
    structuredClone(frame);
    clones.push(performance.now() - cloneStartedMs);
    applyAndView.push(elapsedMs);
  }
  const [first, ...measured] = applyAndView;
  const worst = Math.max(...measured);
  return {
    benchmark: 'distribution statistics: setBulkKeys + view()',
    workload: `${BULK_KEYS.toLocaleString('en-US')} keys, 4 servers × 100 vnodes`,
    result: `median ${ms(median(measured))} ms, max ${ms(worst)} ms (first, cold JIT: ${ms(first!)} ms)`,
    budget: `< ${BULK_BUDGET_MS} ms`,
    pass: worst < BULK_BUDGET_MS && first! < BULK_BUDGET_MS,
    note: `median of ${BULK_ROUNDS} cold-memo rounds; frame structuredClone (postMessage) ${ms(median(clones.slice(1)))} ms more`,
  };
}

function ringRows(rows: RingRow[]): TableRow[] {
  return rows.map((row) => {
    const rate = Math.round(row.lookupsPerSecond).toLocaleString('en-US');
    const isLookup = row.serversByVnodes.includes('×') && !row.library.startsWith('ours:');
    const ratio = row.ratioOursOverPeer;
    return {
      benchmark: `ring: ${row.library}`,
      workload: row.serversByVnodes,
      result: `${rate} ${isLookup ? 'lookups' : 'keys'}/s`,
      budget: ratio === null ? '—' : `ours/peer ${ratio.toFixed(2)}× (≥ ${PEER_RATIO_BUDGET}×)`,
      pass: ratio === null ? null : ratio >= PEER_RATIO_BUDGET,
      note: row.note,
    };
  });
}

function formatTable(rows: TableRow[]): string {
  const lines = [
    '| benchmark | workload | result | ratio / budget | pass | note |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const pass = row.pass === null ? '—' : row.pass ? 'pass' : 'FAIL';
    lines.push(
      `| ${row.benchmark} | ${row.workload} | ${row.result} | ${row.budget} | ${pass} | ${row.note} |`,
    );
  }
  return lines.join('\n');
}

/** What each lab's bench returns (same columns as this table, with the verdict as text). */
interface LabBenchRow {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

function labBenchFiles(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('.bench.ts') && name !== 'ring.bench.ts')
    .sort();
}

async function runLabBench(file: string): Promise<LabBenchRow[]> {
  const module = (await import(join(BENCH_DIR, file))) as Record<string, unknown>;
  const run = Object.entries(module).find(
    ([name, value]) => /^run\w+Bench$/.test(name) && typeof value === 'function',
  )?.[1] as (() => Promise<LabBenchRow[]>) | undefined;
  if (!run) throw new Error(`${file} exports no run…Bench() function`);
  return run();
}

function labRows(rows: LabBenchRow[]): TableRow[] {
  return rows.map((row) => {
    const verdict = row.pass.trim().toLowerCase();
    const pass = /^(pass|yes|ok|✓)/.test(verdict)
      ? true
      : /^(fail|no|✗)/.test(verdict)
        ? false
        : null;
    return { ...row, budget: row.ratio, pass };
  });
}

async function main(): Promise<void> {
  const startedAt = new Date();
  console.log(`Engine benchmarks, Node ${process.version}, ${startedAt.toISOString()}\n`);
  const rows: TableRow[] = [];
  const failures: string[] = [];
  const section = async (name: string, run: () => Promise<TableRow[]>) => {
    process.stdout.write(`${name}… `);
    const sectionStartedMs = performance.now();
    try {
      rows.push(...(await run()));
      console.log(`${((performance.now() - sectionStartedMs) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${name}: ${message}`);
      console.log('failed');
    }
  };
  await section('hash ring lookups vs hashring', async () => ringRows(await runRingBench()));
  for (const scenario of SEEK_SCENARIOS) {
    await section(`runner seeks (${scenario.name})`, () => seekRows(scenario));
  }
  await section('1,000,000-key distribution', async () => [await bulkKeysRow()]);
  // Every other lab's bench/<id>.bench.ts exports run…Bench(): its rows join the table.
  for (const file of labBenchFiles()) {
    await section(file, async () => labRows(await runLabBench(file)));
  }

  const table = formatTable(rows);
  console.log(`\n${table}\n`);
  for (const failure of failures) console.error(`Benchmark failed: ${failure}`);

  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(
    join(ARTIFACTS_DIR, 'bench.md'),
    `# Engine benchmarks (${startedAt.toISOString()}, Node ${process.version})\n\n${table}\n`,
  );
  writeFileSync(
    join(ARTIFACTS_DIR, 'bench.json'),
    `${JSON.stringify({ measuredAt: startedAt.toISOString(), node: process.version, rows, failures }, null, 2)}\n`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

await main();
