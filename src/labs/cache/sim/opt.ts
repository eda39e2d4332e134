/**
 * Belady's MIN (1966), the offline optimum: on a miss with a full cache, drop the key whose next
 * use is farthest in the future. This version may also decline to cache the missing key when its
 * own next use is farther than every resident key's (bypass), which makes it the bound for every
 * policy here, admission filters included. It needs the whole future, so it only runs over a
 * trace recorded in advance: the curve job's.
 */

/** "Never used again": larger than any index into a trace. */
export const NEVER = 0x7fff_ffff;

/** For each position, the position of the same key's next reference, or NEVER. */
export function nextUseOf(trace: Int32Array, keySpace: number): Int32Array {
  const next = new Int32Array(trace.length);
  const last = new Int32Array(keySpace).fill(NEVER);
  for (let i = trace.length - 1; i >= 0; i -= 1) {
    const key = trace[i]!;
    next[i] = last[key]!;
    last[key] = i;
  }
  return next;
}

/** MIN's state: a max-heap of resident keys by next use, resumable between slices. */
export interface OptState {
  capacity: number;
  keys: Int32Array;
  nextUse: Int32Array;
  /** Heap index of each key, or -1 when not resident. */
  position: Int32Array;
  size: number;
  hits: number;
  evictions: number;
}

export function createOpt(capacity: number, keySpace: number): OptState {
  return {
    capacity,
    keys: new Int32Array(capacity),
    nextUse: new Int32Array(capacity),
    position: new Int32Array(keySpace).fill(-1),
    size: 0,
    hits: 0,
    evictions: 0,
  };
}

function place(opt: OptState, index: number, key: number, use: number): void {
  opt.keys[index] = key;
  opt.nextUse[index] = use;
  opt.position[key] = index;
}

function siftUp(opt: OptState, start: number): void {
  let index = start;
  const key = opt.keys[index]!;
  const use = opt.nextUse[index]!;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (opt.nextUse[parent]! >= use) break;
    place(opt, index, opt.keys[parent]!, opt.nextUse[parent]!);
    index = parent;
  }
  place(opt, index, key, use);
}

function siftDown(opt: OptState, start: number): void {
  let index = start;
  const key = opt.keys[index]!;
  const use = opt.nextUse[index]!;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= opt.size) break;
    const right = left + 1;
    let child = left;
    if (right < opt.size && opt.nextUse[right]! > opt.nextUse[left]!) child = right;
    if (opt.nextUse[child]! <= use) break;
    place(opt, index, opt.keys[child]!, opt.nextUse[child]!);
    index = child;
  }
  place(opt, index, key, use);
}

/** Runs MIN over trace[from, to); `next` is nextUseOf(trace). */
export function runOpt(
  opt: OptState,
  trace: Int32Array,
  next: Int32Array,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i += 1) {
    const key = trace[i]!;
    const use = next[i]!;
    const at = opt.position[key]!;
    if (at >= 0) {
      opt.hits += 1;
      // Its next use moved later, so it can only rise in the max-heap.
      opt.nextUse[at] = use;
      siftUp(opt, at);
      continue;
    }
    if (opt.size < opt.capacity) {
      place(opt, opt.size, key, use);
      opt.size += 1;
      siftUp(opt, opt.size - 1);
      continue;
    }
    // Full: keep the key only if it is needed sooner than the farthest resident one.
    if (use >= opt.nextUse[0]!) continue;
    opt.position[opt.keys[0]!] = -1;
    opt.evictions += 1;
    place(opt, 0, key, use);
    siftDown(opt, 0);
  }
}

/** MIN's hit count over a whole trace. */
export function optHits(trace: Int32Array, capacity: number, keySpace: number): number {
  const opt = createOpt(capacity, keySpace);
  runOpt(opt, trace, nextUseOf(trace, keySpace), 0, trace.length);
  return opt.hits;
}
