/**
 * Rate-limiter engine benchmark: decisions per second of our token bucket (and every other
 * algorithm) against the `limiter` npm package's TokenBucket (tryRemoveTokens), the package
 * people reach for in Node.
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
import { acquireNow, createLimiter, tryAcquire } from '../src/labs/rate-limiter/sim/algorithms';
import { ALGORITHM_IDS } from '../src/labs/rate-limiter/sim/constants';

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
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runRateLimiterBench();
  console.table(rows);
}
