/**
 * Seeded workloads: which key each request reads or writes. The key stream and the write coin
 * come from two separate PRNG streams, so the same seed gives the same keys whatever the share
 * of writes.
 */
import { createZipf, sampleZipf, type ZipfTable } from '../../../kernel/distributions';
import { createRng, nextFloat, nextInt, type RngState } from '../../../kernel/prng';
import { HOT_SET_SHIFT_EVERY, SCAN_CYCLE, SCAN_LENGTH, type WorkloadKind } from './constants';

export interface WorkloadState {
  kind: WorkloadKind;
  keys: number;
  zipfS: number;
  /** Probability that a request is a write. */
  writeShare: number;
  /** Requests drawn so far. */
  index: number;
  scanCursor: number;
  hotOffset: number;
  keyRng: RngState;
  writeRng: RngState;
}

export function createWorkload(
  kind: WorkloadKind,
  keys: number,
  zipfS: number,
  writeShare: number,
  seed: number,
  stream: number,
): WorkloadState {
  return {
    kind,
    keys,
    zipfS,
    writeShare,
    index: 0,
    scanCursor: 0,
    hotOffset: 0,
    keyRng: createRng(seed, stream),
    writeRng: createRng(seed, stream + 1),
  };
}

// Zipf tables depend only on (keys, s); they are memoised outside the state (which stays small).
const zipfTables = new Map<string, ZipfTable>();

export function zipfTableFor(keys: number, s: number): ZipfTable {
  const id = `${keys}|${s}`;
  let table = zipfTables.get(id);
  if (!table) {
    table = createZipf(keys, s);
    if (zipfTables.size >= 4) zipfTables.clear();
    zipfTables.set(id, table);
  }
  return table;
}

/** The next key of the stream. Key 0 is the most popular under Zipf (before any shift). */
export function nextKey(w: WorkloadState): number {
  const index = w.index;
  w.index += 1;
  switch (w.kind) {
    case 'uniform':
      return nextInt(w.keyRng, 0, w.keys);
    case 'zipf':
      return sampleZipf(zipfTableFor(w.keys, w.zipfS), w.keyRng);
    case 'loop':
      return index % w.keys;
    case 'scan': {
      if (index % SCAN_CYCLE < SCAN_LENGTH) {
        const key = w.scanCursor;
        w.scanCursor = (w.scanCursor + 1) % w.keys;
        return key;
      }
      return sampleZipf(zipfTableFor(w.keys, w.zipfS), w.keyRng);
    }
    case 'shifting': {
      if (index > 0 && index % HOT_SET_SHIFT_EVERY === 0) {
        w.hotOffset = nextInt(w.keyRng, 0, w.keys);
      }
      const rank = sampleZipf(zipfTableFor(w.keys, w.zipfS), w.keyRng);
      return (rank + w.hotOffset) % w.keys;
    }
    default: {
      const unknown: never = w.kind;
      throw new Error(`unknown workload ${String(unknown)}`);
    }
  }
}

/** Whether the next request is a write (one draw from the write stream when writes exist). */
export function nextIsWrite(w: WorkloadState): boolean {
  if (w.writeShare <= 0) return false;
  return nextFloat(w.writeRng) < w.writeShare;
}

/** A whole trace of keys, for the curve job and the tests. */
export function generateTrace(w: WorkloadState, length: number): Int32Array {
  const trace = new Int32Array(length);
  for (let i = 0; i < length; i += 1) trace[i] = nextKey(w);
  return trace;
}
