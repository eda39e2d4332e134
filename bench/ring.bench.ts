/**
 * Hash ring engine benchmark: our ring against the `hashring` npm package (3rd-Eden's
 * ketama-compatible ring), on the same string keys and the same number of ring points.
 *
 * Run directly with `npx tsx bench/ring.bench.ts`, or call `runRingBench()` from a runner.
 *
 * Fairness: `hashring` hashes with md5 through node:crypto, places 4 points per md5 digest
 * (ketama) and keeps a 5,000-entry LRU cache of key → server. We compare twice:
 * 1. "md5/ketama": the package as people use it, configured to the same points per server.
 * 2. "murmur3 injected": the package given our own murmur3 (it accepts a hash function) with
 *    one point per hash, so both sides hash the same way and only the ring lookup differs.
 * Both sides take a string key and return the owning server's id string. The 200,000 keys are
 * distinct and cycled in order, so the package's LRU cache never hits; its bookkeeping cost is
 * part of its lookup, as it is in production with a large key space.
 */

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { hashString, murmur3_32 } from '../src/labs/hash-ring/sim/hash';
import {
  assignOwners,
  buildRing,
  ownerOf,
  type Ring,
  type RingServer,
} from '../src/labs/hash-ring/sim/ring';

export interface Row {
  library: string;
  /** "servers × vnodes" for lookups; the workload for the other timings. */
  serversByVnodes: string;
  /** Lookups (or keys processed) per second, median of the measured rounds. */
  lookupsPerSecond: number;
  /** Ours divided by this peer; null on our own rows. */
  ratioOursOverPeer: number | null;
  note: string;
}

/** The slice of the `hashring` package API this benchmark uses. */
interface PeerHashRing {
  get(key: string): string | undefined;
  size: number;
}
type PeerHashFunction = (key: string) => ArrayLike<number>;
interface PeerHashRingOptions {
  'vnode count'?: number;
  replicas?: number;
}
type PeerHashRingConstructor = new (
  servers: string[],
  algorithm?: string | PeerHashFunction,
  options?: PeerHashRingOptions,
) => PeerHashRing;

const requireFromHere = createRequire(import.meta.url);

const LOOKUP_KEY_COUNT = 200_000;
const BULK_KEY_COUNT = 1_000_000;
const WARMUP_ROUNDS = 2;
const MEASURED_ROUNDS = 7;
/** ketama places 4 points per md5 digest (16 bytes = four 32-bit points). */
const KETAMA_POINTS_PER_DIGEST = 4;

const SCENARIOS = [
  { serverCount: 10, vnodesPerServer: 160 },
  { serverCount: 100, vnodesPerServer: 500 },
] as const;

function serverIdsOf(serverCount: number): string[] {
  return Array.from({ length: serverCount }, (_, i) => `cache-${i}.internal:11211`);
}

function keysOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `user:${i}:session`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs `pass` (one sweep over `operationCount` operations) WARMUP_ROUNDS times unmeasured, then
 * MEASURED_ROUNDS times, and returns the median operations per second. The pass returns a
 * checksum that is kept, so the engine cannot discard the work.
 */
function measureOperationsPerSecond(operationCount: number, pass: () => number): number {
  let checksum = 0;
  for (let round = 0; round < WARMUP_ROUNDS; round++) checksum += pass();
  const rates: number[] = [];
  for (let round = 0; round < MEASURED_ROUNDS; round++) {
    const startedAtMs = performance.now();
    checksum += pass();
    const elapsedMs = performance.now() - startedAtMs;
    rates.push((operationCount / elapsedMs) * 1000);
  }
  if (checksum === -1) console.log('unreachable checksum', checksum);
  return median(rates);
}

function ourLookupPass(ring: Ring, keys: string[]): () => number {
  return () => {
    let idLengthSum = 0;
    for (const key of keys) {
      const owner = ownerOf(ring, hashString('murmur3', key));
      idLengthSum += ring.serverIds[owner]!.length;
    }
    return idLengthSum;
  };
}

function peerLookupPass(peer: PeerHashRing, keys: string[]): () => number {
  return () => {
    let idLengthSum = 0;
    for (const key of keys) idLengthSum += peer.get(key)!.length;
    return idLengthSum;
  };
}

/** Our murmur3 in the shape `hashring` reads: the 32-bit value as 4 little-endian bytes. */
function murmur3Digest(key: string): number[] {
  const hash = hashString('murmur3', key);
  return [hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff, hash >>> 24];
}

function assertPeerPointCount(peer: PeerHashRing, expected: number, label: string): void {
  if (peer.size !== expected) {
    throw new Error(`${label}: hashring placed ${peer.size} points, expected ${expected}.`);
  }
}

function lookupRows(serverCount: number, vnodesPerServer: number, keys: string[]): Row[] {
  const PeerHashRing = requireFromHere('hashring') as PeerHashRingConstructor;
  const serverIds = serverIdsOf(serverCount);
  const setup = `${serverCount} × ${vnodesPerServer}`;
  const servers: RingServer[] = serverIds.map((id) => ({ id, weight: 1, failed: false }));
  const ring = buildRing(servers, vnodesPerServer, 'murmur3');

  const peerMd5 = new PeerHashRing(serverIds, 'md5', {
    'vnode count': vnodesPerServer / KETAMA_POINTS_PER_DIGEST,
  });
  assertPeerPointCount(peerMd5, serverCount * vnodesPerServer, 'md5/ketama');
  const peerMurmur3 = new PeerHashRing(serverIds, murmur3Digest, {
    'vnode count': vnodesPerServer,
    replicas: 1,
  });
  assertPeerPointCount(peerMurmur3, serverCount * vnodesPerServer, 'murmur3 injected');

  const oursPerSecond = measureOperationsPerSecond(keys.length, ourLookupPass(ring, keys));
  const md5PerSecond = measureOperationsPerSecond(keys.length, peerLookupPass(peerMd5, keys));
  const murmur3PerSecond = measureOperationsPerSecond(
    keys.length,
    peerLookupPass(peerMurmur3, keys),
  );
  return [
    {
      library: 'ours (murmur3, binary search)',
      serversByVnodes: setup,
      lookupsPerSecond: oursPerSecond,
      ratioOursOverPeer: null,
      note: 'hashString + ownerOf + id',
    },
    {
      library: 'hashring 3.2 (md5/ketama, default)',
      serversByVnodes: setup,
      lookupsPerSecond: md5PerSecond,
      ratioOursOverPeer: oursPerSecond / md5PerSecond,
      note: `vnode count ${vnodesPerServer / KETAMA_POINTS_PER_DIGEST} × 4 points`,
    },
    {
      library: 'hashring 3.2 (our murmur3 injected)',
      serversByVnodes: setup,
      lookupsPerSecond: murmur3PerSecond,
      ratioOursOverPeer: oursPerSecond / murmur3PerSecond,
      note: `vnode count ${vnodesPerServer}, replicas 1`,
    },
  ];
}

function bulkRows(): Row[] {
  const serverIds = serverIdsOf(10);
  const ring = buildRing(
    serverIds.map((id) => ({ id, weight: 1, failed: false })),
    160,
    'murmur3',
  );
  const keys = keysOf(BULK_KEY_COUNT);
  const keyHashes = Uint32Array.from(keys, (key) => hashString('murmur3', key));
  const owners = new Int32Array(BULK_KEY_COUNT);
  const workload = '1,000,000 keys, 10 × 160';
  const hashingRow = (name: 'murmur3' | 'fnv1a' | 'xxhash32'): Row => ({
    library: `ours: hashString('${name}')`,
    serversByVnodes: workload,
    lookupsPerSecond: measureOperationsPerSecond(BULK_KEY_COUNT, () => {
      let xor = 0;
      for (const key of keys) xor ^= hashString(name, key);
      return xor;
    }),
    ratioOursOverPeer: null,
    note: 'string keys like "user:123:session"',
  });
  return [
    {
      library: 'ours: assignOwners (bucket table)',
      serversByVnodes: workload,
      lookupsPerSecond: measureOperationsPerSecond(BULK_KEY_COUNT, () => {
        assignOwners(ring, keyHashes, owners);
        return owners[BULK_KEY_COUNT - 1]!;
      }),
      ratioOursOverPeer: null,
      note: 'precomputed key hashes',
    },
    {
      library: 'ours: ownerOf per key (binary search)',
      serversByVnodes: workload,
      lookupsPerSecond: measureOperationsPerSecond(BULK_KEY_COUNT, () => {
        for (let k = 0; k < BULK_KEY_COUNT; k++) owners[k] = ownerOf(ring, keyHashes[k]!);
        return owners[BULK_KEY_COUNT - 1]!;
      }),
      ratioOursOverPeer: null,
      note: 'precomputed key hashes',
    },
    hashingRow('murmur3'),
    hashingRow('fnv1a'),
    hashingRow('xxhash32'),
    {
      library: 'ours: murmur3_32 on bytes',
      serversByVnodes: workload,
      lookupsPerSecond: measureOperationsPerSecond(BULK_KEY_COUNT, () => {
        const bytes = new Uint8Array(16);
        let xor = 0;
        for (let k = 0; k < BULK_KEY_COUNT; k++) {
          bytes[0] = k;
          xor ^= murmur3_32(bytes);
        }
        return xor;
      }),
      ratioOursOverPeer: null,
      note: '16-byte buffer, no encoding',
    },
  ];
}

export async function runRingBench(): Promise<Row[]> {
  const keys = keysOf(LOOKUP_KEY_COUNT);
  const rows: Row[] = [];
  for (const { serverCount, vnodesPerServer } of SCENARIOS) {
    rows.push(...lookupRows(serverCount, vnodesPerServer, keys));
  }
  rows.push(...bulkRows());
  return rows;
}

function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US');
}

export function formatRingBenchTable(rows: Row[]): string {
  const header = [
    '| library | servers × vnodes | lookups/s | ratio (ours / peer) |',
    '|---|---|---:|---:|',
  ];
  const lines = rows.map((row) => {
    const ratio = row.ratioOursOverPeer === null ? '—' : `${row.ratioOursOverPeer.toFixed(2)}×`;
    return `| ${row.library} | ${row.serversByVnodes} | ${formatRate(row.lookupsPerSecond)} | ${ratio} |`;
  });
  return [...header, ...lines].join('\n');
}

function millisecondsFor(row: Row, operationCount: number): string {
  return ((operationCount / row.lookupsPerSecond) * 1000).toFixed(1);
}

async function main(): Promise<void> {
  console.log(
    `Hash ring lookups: ${LOOKUP_KEY_COUNT.toLocaleString('en-US')} distinct string keys, ` +
      `median of ${MEASURED_ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds, Node ${process.version}.`,
  );
  console.log(
    'Peer = hashring 3.2.0 with the same number of ring points per server: once as shipped ' +
      '(md5 via node:crypto, ketama 4 points per digest, LRU cache that misses on this key set), ' +
      'once with our murmur3 injected and 1 point per hash, so only the ring code differs.\n',
  );
  const rows = await runRingBench();
  console.log(formatRingBenchTable(rows));
  console.log('');
  for (const row of rows.filter((candidate) => candidate.library.startsWith('ours:'))) {
    console.log(`${row.library}: ${millisecondsFor(row, BULK_KEY_COUNT)} ms per 1,000,000 keys`);
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  await main();
}
