/**
 * Webhooks lab benchmark: how fast the simulation runs (webhook deliveries per second of CPU,
 * with every other lane running alongside), and our SHA-256 / HMAC-SHA256 against node:crypto.
 *
 * Run directly with `npx tsx bench/webhooks.bench.ts`, or call `runWebhooksBench()` from a runner.
 *
 * There is no peer npm package that simulates webhook delivery, so the sim rows have no ratio;
 * node:crypto (OpenSSL, native code) is the peer for the hash rows. Ours is pure TypeScript and
 * synchronous because the simulation may not use the crypto global; it only needs to sign a few
 * thousand small bodies per virtual second, so the ratio is informative, not a pass/fail race.
 */
import { createHash, createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { WEBHOOKS_DEFAULTS } from '../src/labs/webhooks/sim/constants';
import webhooksSim from '../src/labs/webhooks/sim/index';
import { hmacSha256, sha256 } from '../src/labs/webhooks/sim/sha256';
import { median } from './stats';

export interface BenchRow {
  benchmark: string;
  workload: string;
  result: string;
  ratio: string;
  pass: string;
  note: string;
}

const ROUNDS = 5;

function timeMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function medianOf(rounds: number, run: () => void): number {
  run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < rounds; i += 1) times.push(timeMs(run));
  return median(times) ?? Number.NaN;
}

function simScenario(label: string, config: typeof WEBHOOKS_DEFAULTS, virtualMs: number) {
  let deliveries = 0;
  let attempts = 0;
  const ms = medianOf(3, () => {
    const state = webhooksSim.create(config, 42);
    for (let t = 0; t < virtualMs; t += 16) webhooksSim.advanceTo(state, t + 16);
    deliveries = state.webhook.delivered + state.webhook.herdDelivered;
    attempts = state.webhook.attemptsTotal;
  });
  return {
    label,
    deliveriesPerSecond: (deliveries * 1000) / ms,
    attempts,
    deliveries,
    speedup: virtualMs / ms,
  };
}

function format(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

export async function runWebhooksBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const scenarios = [
    simScenario('default scene', { ...WEBHOOKS_DEFAULTS, eventsPerMinute: 60 }, 600_000),
    simScenario(
      'large preset',
      {
        ...WEBHOOKS_DEFAULTS,
        eventsPerMinute: 600,
        pollIntervalMs: 500,
        extraReceivers: 100,
        dropPercent: 5,
        duplicatePercent: 5,
      },
      120_000,
    ),
  ];
  for (const s of scenarios) {
    rows.push({
      benchmark: 'webhooks sim: deliveries/s (CPU)',
      workload: `${s.label}: ${s.deliveries.toLocaleString('en-US')} deliveries, ${s.attempts.toLocaleString('en-US')} attempts`,
      result: `${format(s.deliveriesPerSecond)} /s`,
      ratio: `${format(s.speedup)}× real time`,
      pass: s.speedup >= 10 ? 'yes' : 'no',
      note: 'all four lanes run alongside; every attempt signed and verified with HMAC-SHA256; pass = ≥ 10× real time',
    });
  }
  for (const [size, count] of [
    [64, 40_000],
    [1_024, 8_000],
    [65_536, 120],
  ] as const) {
    const data = Uint8Array.from({ length: size }, (_, i) => (i * 131) & 0xff);
    const ours = medianOf(ROUNDS, () => {
      for (let i = 0; i < count; i += 1) sha256(data);
    });
    const node = medianOf(ROUNDS, () => {
      for (let i = 0; i < count; i += 1) createHash('sha256').update(data).digest();
    });
    const oursMbps = (size * count) / 1e6 / (ours / 1000);
    const nodeMbps = (size * count) / 1e6 / (node / 1000);
    rows.push({
      benchmark: 'SHA-256 throughput: ours vs node:crypto',
      workload: `${size.toLocaleString('en-US')}-byte messages × ${count.toLocaleString('en-US')}`,
      result: `${oursMbps.toFixed(1)} MB/s (node:crypto ${nodeMbps.toFixed(1)} MB/s)`,
      ratio: `${(oursMbps / nodeMbps).toFixed(2)}×`,
      pass: 'n/a',
      note: 'ours: pure TS, synchronous; node:crypto: OpenSSL native',
    });
  }
  const key = Uint8Array.from('whsec_pizza_shop_demo_secret', (c) => c.charCodeAt(0));
  const body = Uint8Array.from(
    '1234.{"id":"evt_000001","type":"pizza.ready","order":1001,"created_ms":0}',
    (c) => c.charCodeAt(0),
  );
  const count = 20_000;
  const ours = medianOf(ROUNDS, () => {
    for (let i = 0; i < count; i += 1) hmacSha256(key, body);
  });
  const node = medianOf(ROUNDS, () => {
    for (let i = 0; i < count; i += 1) createHmac('sha256', key).update(body).digest();
  });
  rows.push({
    benchmark: 'HMAC-SHA256 signatures/s: ours vs node:crypto',
    workload: `${body.length}-byte webhook signing string × ${count.toLocaleString('en-US')}`,
    result: `${format((count * 1000) / ours)} /s (node:crypto ${format((count * 1000) / node)} /s)`,
    ratio: `${(node / ours).toFixed(2)}×`,
    pass: 'n/a',
    note: 'a delivery needs two (sign + verify)',
  });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runWebhooksBench();
  console.table(rows);
}
