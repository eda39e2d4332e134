/**
 * Leader-election engine benchmark. There is no obvious peer npm package that runs LCR, HS or
 * Bully, so this measures our own throughput with no ratio against a peer:
 * 1. LCR elections per second for n = 64 (random UIDs, synchronous rounds) on the stage's
 *    transport, the kernel network with per-message send and arrival times (what the worker runs
 *    while the learner watches), and on the batch transport (lockstep rounds).
 * 2. The same for Hirschberg–Sinclair, and for LCR's worst arrangement (n(n + 1)/2 messages).
 * 3. The whole batch job behind the chart: every ring size from 3 to 1,024 nodes, best, worst,
 *    30 random arrangements and 10 HS runs each, wall time.
 *
 * Run directly with `npx tsx bench/leader-election.bench.ts`, or call `runLeaderElectionBench()`.
 */
import { pathToFileURL } from 'node:url';
import { createRng } from '../src/kernel/prng';
import { runElectionToEnd, runMessagesVsN } from '../src/labs/leader-election/sim/batch';
import { arrangeUids, latencyFor } from '../src/labs/leader-election/sim/model';
import { advanceRingRun, startRingElection } from '../src/labs/leader-election/sim/ring';
import {
  createRingRun,
  type RingAlgorithm,
  silent,
} from '../src/labs/leader-election/sim/ring-core';

export interface Row {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

const ROUNDS = 5;
/** The batch chart should be ready in well under the time a learner waits for a chart. */
const BATCH_BUDGET_MS = 3_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function now(): number {
  return performance.now();
}

/** One election on the stage transport: the kernel network, messages with send/arrive times. */
function electOnNetwork(algorithm: RingAlgorithm, uids: number[], seed: number): number {
  const run = createRingRun(algorithm, uids, latencyFor('sync', 100), createRng(seed, 3));
  startRingElection(run, 0);
  let atMs = 0;
  while (run.finishedAtMs === null && run.stalledAtMs === null) {
    atMs += 100;
    advanceRingRun(run, atMs, silent);
  }
  return run.electionMessages + run.terminationMessages;
}

function electInRounds(algorithm: RingAlgorithm, uids: number[], seed: number): number {
  const job = runElectionToEnd(algorithm, uids, createRng(seed, 3), { messages: 0 });
  let step = job.next();
  while (!step.done) step = job.next();
  return step.value.electionMessages + step.value.terminationMessages;
}

function electionsPerSecond(
  elect: (uids: number[], seed: number) => number,
  arrangement: 'random' | 'descending',
  n: number,
  minMs = 400,
): { perSecond: number; messagesPerElection: number } {
  const rates: number[] = [];
  let messages = 0;
  let elections = 0;
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const started = now();
    let count = 0;
    while (now() - started < minMs) {
      const uids = arrangeUids(arrangement, n, createRng(count + 1, 9), n);
      messages += elect(uids, count);
      elections += 1;
      count += 1;
    }
    // The first round warms the JIT up.
    if (round > 0) rates.push((count * 1000) / (now() - started));
  }
  return { perSecond: median(rates), messagesPerElection: messages / elections };
}

export async function runLeaderElectionBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const n = 64;
  const cases: [string, RingAlgorithm, 'random' | 'descending', 'network' | 'rounds'][] = [
    ['LCR elections/s', 'lcr', 'random', 'network'],
    ['LCR elections/s', 'lcr', 'random', 'rounds'],
    ['LCR elections/s', 'lcr', 'descending', 'network'],
    ['HS elections/s', 'hs', 'random', 'network'],
    ['HS elections/s', 'hs', 'random', 'rounds'],
  ];
  for (const [benchmark, algorithm, arrangement, transport] of cases) {
    const elect = transport === 'network' ? electOnNetwork : electInRounds;
    const { perSecond, messagesPerElection } = electionsPerSecond(
      (uids, seed) => elect(algorithm, uids, seed),
      arrangement,
      n,
    );
    rows.push({
      benchmark,
      workload: `n = ${n}, ${arrangement} UIDs, ${transport === 'network' ? 'kernel network (stage)' : 'lockstep rounds (batch)'}`,
      result: `${Math.round(perSecond).toLocaleString('en-US')} elections/s (${Math.round((perSecond * messagesPerElection) / 1000).toLocaleString('en-US')}k messages/s)`,
      ratio: '—',
      pass: '—',
      note: `${messagesPerElection.toFixed(1)} messages per election incl. ${n} announcements; no peer npm package`,
    });
  }
  // One LCR election on the largest batch ring: the worst arrangement sends n(n + 1)/2 + n
  // messages (525,824 at n = 1,024), a random one about n·Hₙ + n.
  const big = 1024;
  for (const arrangement of ['descending', 'random'] as const) {
    const times: number[] = [];
    let messages = 0;
    for (let round = 0; round < 4; round += 1) {
      const uids = arrangeUids(arrangement, big, createRng(round + 1, 9), big);
      const started = now();
      messages = electInRounds('lcr', uids, round);
      // The first round warms the JIT up.
      if (round > 0) times.push(now() - started);
    }
    rows.push({
      benchmark: 'LCR at n = 1,024',
      workload: `one election, ${arrangement === 'descending' ? 'worst (descending)' : 'random'} UIDs, lockstep rounds (batch)`,
      result: `${median(times).toFixed(1)} ms`,
      ratio: '—',
      pass: '—',
      note: `${messages.toLocaleString('en-US')} messages incl. ${big} announcements; median of 3`,
    });
  }
  const batchTimes: number[] = [];
  let summary = '';
  for (let round = 0; round < 3; round += 1) {
    const started = now();
    const job = runMessagesVsN(42, { nMax: 1024, trials: 30 });
    let step = job.next();
    let slices = 0;
    while (!step.done) {
      step = job.next();
      slices += 1;
    }
    batchTimes.push(now() - started);
    summary = `${step.value.elections.toLocaleString('en-US')} elections, ${step.value.messages.toLocaleString('en-US')} messages, ${slices.toLocaleString('en-US')} slices`;
  }
  const batchMs = median(batchTimes);
  rows.push({
    benchmark: 'Batch chart run time',
    workload: 'n = 3 … 1,024 (26 sizes): best, worst, 30 random LCR + 10 HS each',
    result: `${Math.round(batchMs).toLocaleString('en-US')} ms`,
    ratio: '—',
    pass:
      batchMs <= BATCH_BUDGET_MS ? `yes (≤ ${BATCH_BUDGET_MS} ms)` : `NO (> ${BATCH_BUDGET_MS} ms)`,
    note: `${summary}; median of 3, Node, one core`,
  });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runLeaderElectionBench();
  console.table(rows);
}
