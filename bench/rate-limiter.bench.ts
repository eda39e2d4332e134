/**
 * Rate-limiter engine benchmark: decisions per second of our token bucket (and every other
 * algorithm) against the `limiter` npm package's TokenBucket (tryRemoveTokens), the package
 * people reach for in Node.
 *
 * It also times the lab's 1,000,000-request comparison across all seven algorithms (the batch
 * job the worker runs in slices; budget < 1 s), drained here in one go, for the default scene,
 * the large scene and a run with per-minute and global tiers.
 *
 * Run directly with `npx tsx bench/rate-limiter.bench.ts`, or call `runRateLimiterBench()`.
 *
 * Fairness: `limiter` reads the wall clock (Date.now) on every call and cannot be given a
 * virtual one, so it is driven in real time; ours is given a virtual ms that advances by one
 * every 10 decisions (a 100 kHz stream). Both decide one request at a time with a bucket of 10
 * tokens refilling 10 per second, so nearly all decisions are refusals in both, the hot path of
 * a limiter under attack. `limiter`'s TokenBucket also rounds nothing and keeps floats, like
 * most bucket implementations; ours keeps exact integer units.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { rateLimiterDefaults } from '../src/labs/rate-limiter/config';
import { lab } from '../src/labs/rate-limiter/lab';
import { acquireNow, createLimiter, tryAcquire } from '../src/labs/rate-limiter/sim/algorithms';
import { runMillionComparison } from '../src/labs/rate-limiter/sim/batch';
import { ALGORITHM_IDS } from '../src/labs/rate-limiter/sim/constants';
import { createRateLimiterState, type RateLimiterConfig } from '../src/labs/rate-limiter/sim/model';

export interface Row {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

interface PeerTokenBucket {
  tryRemoveTokens(count: number): boolean;
}
type PeerTokenBucketConstructor = new (options: {
  bucketSize: number;
  tokensPerInterval: number;
  interval: number | string;
}) => PeerTokenBucket;

const DECISIONS = 2_000_000;
const ROUNDS = 5;
const params = { limit: 10, windowMs: 1_000, burst: 10 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(run: () => number): { perSecond: number; checksum: number } {
  const rates: number[] = [];
  let checksum = 0;
  run();
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    checksum = run();
    rates.push(DECISIONS / ((performance.now() - start) / 1000));
  }
  return { perSecond: median(rates), checksum };
}

function ours(algorithm: (typeof ALGORITHM_IDS)[number], fast: boolean): () => number {
  return () => {
    const state = createLimiter(algorithm, params);
    let accepted = 0;
    for (let i = 0; i < DECISIONS; i += 1) {
      const nowMs = Math.floor(i / 10);
      if (fast) {
        if (acquireNow(state, params, nowMs) >= 0) accepted += 1;
      } else if (tryAcquire(state, params, nowMs).allowed) accepted += 1;
    }
    return accepted;
  };
}

function loadPeer(): PeerTokenBucketConstructor | null {
  try {
    const require = createRequire(import.meta.url);
    return (require('limiter') as { TokenBucket: PeerTokenBucketConstructor }).TokenBucket;
  } catch {
    return null;
  }
}

const format = (n: number) => `${(n / 1e6).toFixed(2)} M decisions/s`;

const MILLION_BUDGET_MS = 1_000;
const MILLION_ROUNDS = 5;

/** The large scene's settings, read from lab.ts's perf query. */
function largeScene(): Partial<RateLimiterConfig> {
  const params = new URLSearchParams(lab.perf.largeQuery);
  const scene: Record<string, string | number> = {};
  for (const [key, value] of params) scene[key] = /^\d+$/.test(value) ? Number(value) : value;
  return scene as Partial<RateLimiterConfig>;
}

/** Median wall time of the whole 1,000,000-request job, every slice drained, fresh state each round. */
function timeMillion(config: RateLimiterConfig): { ms: number; rows: number } {
  const times: number[] = [];
  let rows = 0;
  for (let round = 0; round <= MILLION_ROUNDS; round += 1) {
    const state = createRateLimiterState(config, 42);
    const start = performance.now();
    const job = runMillionComparison(state, { requests: 1_000_000 });
    let step = job.next();
    while (!step.done) step = job.next();
    // The first round warms the JIT up and is not counted.
    if (round > 0) times.push(performance.now() - start);
    rows = step.value.rows.length;
  }
  return { ms: median(times), rows };
}

export async function runRateLimiterBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const Peer = loadPeer();
  const oursBucket = measure(ours('token-bucket', false));
  const oursFast = measure(ours('token-bucket', true));
  let peerRate: number | null = null;
  if (Peer) {
    const peer = measure(() => {
      const bucket = new Peer({ bucketSize: 10, tokensPerInterval: 10, interval: 1_000 });
      let accepted = 0;
      for (let i = 0; i < DECISIONS; i += 1) if (bucket.tryRemoveTokens(1)) accepted += 1;
      return accepted;
    });
    peerRate = peer.perSecond;
    rows.push({
      benchmark: 'token bucket, one decision at a time',
      workload: `${DECISIONS.toLocaleString('en-US')} requests, 10 tokens, 10/s`,
      result: format(peer.perSecond),
      ratio: '—',
      pass: '—',
      note: 'limiter@4 TokenBucket.tryRemoveTokens (peer; reads Date.now per call)',
    });
  } else {
    rows.push({
      benchmark: 'token bucket, one decision at a time',
      workload: '—',
      result: 'not run',
      ratio: '—',
      pass: '—',
      note: 'the `limiter` package is not installed; no peer to compare with',
    });
  }
  const ratioOf = (rate: number) => (peerRate ? rate / peerRate : Number.NaN);
  for (const [label, m] of [
    ['ours: tryAcquire (peek + commit, full response figures)', oursBucket],
    ['ours: acquireNow (the batch hot path)', oursFast],
  ] as const) {
    const ratio = ratioOf(m.perSecond);
    rows.push({
      benchmark: 'token bucket, one decision at a time',
      workload: `${DECISIONS.toLocaleString('en-US')} requests, 10 tokens, 10/s`,
      result: format(m.perSecond),
      ratio: Number.isFinite(ratio) ? `${ratio.toFixed(2)}× limiter` : '—',
      pass: Number.isFinite(ratio) ? (ratio >= 1 ? 'yes' : 'no') : '—',
      note: label,
    });
  }
  for (const algorithm of ALGORITHM_IDS) {
    if (algorithm === 'token-bucket') continue;
    const m = measure(ours(algorithm, true));
    rows.push({
      benchmark: `${algorithm}, one decision at a time`,
      workload: `${DECISIONS.toLocaleString('en-US')} requests, limit 10/s, burst 10`,
      result: format(m.perSecond),
      ratio: '—',
      pass: '—',
      note: 'ours: acquireNow (no peer package for this algorithm)',
    });
  }
  for (const [name, overrides] of [
    ['default scene', {}],
    ['large scene (lab.ts perf.largeQuery)', largeScene()],
    ['per-minute and global tiers', { minuteLimit: 300, globalLimit: 20 }],
  ] as const) {
    const config = { ...rateLimiterDefaults, ...overrides } as RateLimiterConfig;
    const { ms, rows: algorithms } = timeMillion(config);
    rows.push({
      benchmark: '1,000,000-request comparison',
      workload: `${name}: 1,000,000 requests × ${algorithms} algorithms`,
      result: `${ms.toFixed(0)} ms`,
      ratio: `budget < ${MILLION_BUDGET_MS} ms`,
      pass: ms < MILLION_BUDGET_MS ? 'yes' : 'no',
      note: `median of ${MILLION_ROUNDS} after a warm-up, drained in one go (the app's worker runs it in slices between frames)`,
    });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runRateLimiterBench();
  console.table(rows);
}
