/**
 * The batch chart: LCR election messages against ring size n, measured by running the real LCR
 * (and Hirschberg–Sinclair) to completion on the best arrangement (ascending clockwise), the
 * worst (descending) and many random ones, up to 1,024 nodes. The runner calls next() in slices,
 * so a long run reports progress and can be cancelled.
 */
import { createRng, type RngState, splitRng } from '../../../kernel/prng';
import type { BatchJob } from '../../../kernel/sim';
import { BATCH_TRIALS_MAX, hsMessageBound, NODES_BATCH_MAX, NODES_MIN } from './constants';
import { arrangeUids, latencyFor } from './model';
import { advanceOneRound, startRingElection } from './ring';
import { createRingRun, type RingAlgorithm, type RingRun, silent } from './ring-core';

export interface MessagesVsNParams {
  nMax?: number;
  trials?: number;
}

export interface MessagesVsNPoint {
  n: number;
  best: number;
  worst: number;
  randomMean: number;
  randomMin: number;
  randomMax: number;
  hsMean: number;
  hsMax: number;
  hsBound: number;
  /** Announcement messages of every run at this n (n each when nothing fails). */
  terminationPerRun: number;
}

export interface MessagesVsNResult {
  nMax: number;
  trials: number;
  hsTrials: number;
  points: MessagesVsNPoint[];
  /** Elections run in all, and messages delivered in all. */
  elections: number;
  messages: number;
}

export const BATCH_SIZES = [
  3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640,
  768, 1024,
];
export const BATCH_TRIALS_DEFAULT = 30;
/** HS runs cost more per election, so fewer random arrangements are averaged for it. */
const HS_TRIALS_MAX = 10;
/** A slice ends after about this many delivered messages, so one slice stays a few ms long. */
const MESSAGES_PER_SLICE = 20_000;

export interface ElectionOutcome {
  electionMessages: number;
  terminationMessages: number;
  leaderUid: number | null;
  finishedAtMs: number | null;
}

/**
 * Runs one election in lockstep rounds to the end, yielding every MESSAGES_PER_SLICE
 * deliveries; returns its counts. `finishedAtMs` is then the round it finished in.
 */
export function* runElectionToEnd(
  algorithm: RingAlgorithm,
  uids: readonly number[],
  rng: RngState,
  counter: { messages: number },
): Generator<void, ElectionOutcome, void> {
  const run: RingRun = createRingRun(algorithm, uids, latencyFor('sync', 1), rng, 'rounds');
  startRingElection(run, 0);
  let round = 0;
  let sinceYield = 0;
  while (run.finishedAtMs === null && run.stalledAtMs === null) {
    round += 1;
    const handled = advanceOneRound(run, round, silent);
    counter.messages += handled;
    sinceYield += handled;
    if (sinceYield >= MESSAGES_PER_SLICE) {
      sinceYield = 0;
      yield;
    }
  }
  return {
    electionMessages: run.electionMessages,
    terminationMessages: run.terminationMessages,
    leaderUid: run.leaderIndex === null ? null : run.nodes[run.leaderIndex]!.uid,
    finishedAtMs: run.finishedAtMs,
  };
}

export function* runMessagesVsN(
  seed: number,
  params: MessagesVsNParams | undefined,
): BatchJob<MessagesVsNResult> {
  const nMax = clampInt(params?.nMax ?? NODES_BATCH_MAX, NODES_MIN, NODES_BATCH_MAX);
  const trials = clampInt(params?.trials ?? BATCH_TRIALS_DEFAULT, 1, BATCH_TRIALS_MAX);
  const hsTrials = Math.min(trials, HS_TRIALS_MAX);
  const sizes = BATCH_SIZES.filter((n) => n <= nMax);
  const total = sizes.length * (2 + trials + hsTrials);
  const counter = { messages: 0 };
  const root = createRng(seed, 77);
  const points: MessagesVsNPoint[] = [];
  let done = 0;
  let elections = 0;
  const label = `LCR and HS on rings of ${NODES_MIN} to ${nMax.toLocaleString('en-US')} nodes`;
  const progress = () => ({ done, total, label });
  // Runs one election, reporting progress between its slices.
  function* one(algorithm: RingAlgorithm, uids: number[], rng: RngState) {
    const job = runElectionToEnd(algorithm, uids, rng, counter);
    for (;;) {
      const step = job.next();
      if (step.done) {
        done += 1;
        elections += 1;
        return step.value;
      }
      yield progress();
    }
  }
  for (const n of sizes) {
    const rng = splitRng(root, n);
    const best = yield* one('lcr', arrangeUids('ascending', n, rng), rng);
    yield progress();
    const worst = yield* one('lcr', arrangeUids('descending', n, rng), rng);
    yield progress();
    const random: number[] = [];
    const hs: number[] = [];
    for (let t = 0; t < trials; t += 1) {
      const uids = arrangeUids('random', n, rng, n);
      random.push((yield* one('lcr', uids, rng)).electionMessages);
      yield progress();
      if (t < hsTrials) {
        hs.push((yield* one('hs', uids, rng)).electionMessages);
        yield progress();
      }
    }
    points.push({
      n,
      best: best.electionMessages,
      worst: worst.electionMessages,
      randomMean: mean(random),
      randomMin: Math.min(...random),
      randomMax: Math.max(...random),
      hsMean: mean(hs),
      hsMax: Math.max(...hs),
      hsBound: hsMessageBound(n),
      terminationPerRun: best.terminationMessages,
    });
  }
  return { nMax, trials, hsTrials, points, elections, messages: counter.messages };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}
