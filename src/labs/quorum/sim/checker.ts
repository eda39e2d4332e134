/**
 * Checking a history of register operations.
 *
 * Linearizability (Herlihy and Wing 1990) is checked with the Wing and Gong search (1993) with
 * Lowe's memoisation (2017), as Knossos and Porcupine do: walk the history in real-time order,
 * try to linearize each pending call whose effect the model accepts, and backtrack when an
 * operation's return is reached before it was linearized. A cache of (linearized set, model state)
 * pairs already explored prunes the search. Linearizability is local (compositional), so each key's
 * sub-history is checked on its own.
 *
 * Operations that never completed (a write that timed out) may have taken effect at any time after
 * their call, or never: they get a call and no return. Reads that never completed are dropped.
 */
import { assert } from '../../../kernel/assert';

export interface CheckOp {
  id: number;
  key: number;
  kind: 'read' | 'write';
  /** The written value, or the value the read returned. */
  value: number;
  invokeMs: number;
  /** null when the operation never completed (timed out or still running). */
  completeMs: number | null;
}

export type KeyVerdict =
  | { status: 'ok'; key: number; ops: number; steps: number }
  | {
      status: 'violation';
      key: number;
      ops: number;
      steps: number;
      /** The operation whose return could not be reached in any order tried. */
      blockedOpId: number;
      /** The longest order found that respects real time and the register (op ids). */
      linearizedOpIds: number[];
    }
  | { status: 'unknown'; key: number; ops: number; steps: number };

export interface CheckProgress {
  done: number;
  total: number;
}

export const CHECK_STEPS_MAX = 4_000_000;
const YIELD_EVERY_STEPS = 25_000;

interface Entry {
  op: number;
  isCall: boolean;
  atMs: number;
  /** The index of the matching return entry, or -1 when the op never returned. */
  match: number;
}

/**
 * The Wing–Gong–Lowe search for one key, as a generator that yields every few thousand steps so a
 * batch job can slice it. The initial register value is 0.
 */
export function* searchKey(
  ops: readonly CheckOp[],
  key: number,
  stepsMax = CHECK_STEPS_MAX,
): Generator<number, KeyVerdict, void> {
  const kept = ops.filter((op) => op.kind === 'write' || op.completeMs !== null);
  const count = kept.length;
  if (count === 0) return { status: 'ok', key, ops: 0, steps: 0 };
  // Entries: a call per op and a return per completed op, in time order. At the same ms calls
  // come first, so operations that touch in time count as concurrent.
  const raw: Entry[] = [];
  kept.forEach((op, index) => {
    raw.push({ op: index, isCall: true, atMs: op.invokeMs, match: -1 });
    if (op.completeMs !== null) {
      assert(op.completeMs >= op.invokeMs, `op ${op.id} completes before it is invoked`);
      raw.push({ op: index, isCall: false, atMs: op.completeMs, match: -1 });
    }
  });
  raw.sort((a, b) => a.atMs - b.atMs || Number(b.isCall) - Number(a.isCall) || a.op - b.op);
  // A doubly linked list with a sentinel at index 0; entry i of `raw` is node i + 1.
  const size = raw.length + 1;
  const next = new Int32Array(size + 1);
  const prev = new Int32Array(size + 1);
  const callNode = new Int32Array(count);
  const returnNode = new Int32Array(count).fill(-1);
  raw.forEach((entry, i) => {
    if (entry.isCall) callNode[entry.op] = i + 1;
    else returnNode[entry.op] = i + 1;
  });
  for (let node = 0; node < size; node += 1) {
    next[node] = node + 1 < size ? node + 1 : -1;
    prev[node] = node - 1;
  }
  const entryAt = (node: number): Entry => raw[node - 1] as Entry;
  const lift = (op: number) => {
    const c = callNode[op] as number;
    const cPrev = prev[c] as number;
    const cNext = next[c] as number;
    next[cPrev] = cNext;
    if (cNext !== -1) prev[cNext] = cPrev;
    const r = returnNode[op] as number;
    if (r !== -1) {
      const rPrev = prev[r] as number;
      const rNext = next[r] as number;
      next[rPrev] = rNext;
      if (rNext !== -1) prev[rNext] = rPrev;
    }
  };
  const unlift = (op: number) => {
    const r = returnNode[op] as number;
    if (r !== -1) {
      const rPrev = prev[r] as number;
      const rNext = next[r] as number;
      next[rPrev] = r;
      if (rNext !== -1) prev[rNext] = r;
    }
    const c = callNode[op] as number;
    const cPrev = prev[c] as number;
    const cNext = next[c] as number;
    next[cPrev] = c;
    if (cNext !== -1) prev[cNext] = c;
  };
  const words = Math.ceil(count / 32);
  const linearized = new Uint32Array(words);
  const cache = new Set<string>();
  const cacheKey = (state: number) => {
    let text = `${state}`;
    for (let w = 0; w < words; w += 1) text += `,${linearized[w]}`;
    return text;
  };
  const stack: { op: number; state: number }[] = [];
  let state = 0;
  let node = next[0] as number;
  let steps = 0;
  let best: { count: number; blocked: number; order: number[] } = {
    count: -1,
    blocked: -1,
    order: [],
  };
  while (next[0] !== -1) {
    steps += 1;
    if (steps > stepsMax) return { status: 'unknown', key, ops: count, steps };
    if (steps % YIELD_EVERY_STEPS === 0) yield steps;
    if (node === -1) break; // only calls that never returned are left: leave them out
    const entry = entryAt(node);
    if (entry.isCall) {
      const op = kept[entry.op] as CheckOp;
      const accepted = op.kind === 'write' || op.value === state;
      const nextState = op.kind === 'write' ? op.value : state;
      if (accepted) {
        const word = entry.op >>> 5;
        const bit = 1 << (entry.op & 31);
        linearized[word] = (linearized[word] as number) | bit;
        const keyText = cacheKey(nextState);
        if (!cache.has(keyText)) {
          cache.add(keyText);
          stack.push({ op: entry.op, state });
          state = nextState;
          lift(entry.op);
          node = next[0] as number;
          continue;
        }
        linearized[word] = (linearized[word] as number) & ~bit;
      }
      node = next[node] as number;
      continue;
    }
    // A return reached before its op was linearized: this order fails; undo the last choice.
    if (stack.length > best.count) {
      best = { count: stack.length, blocked: entry.op, order: stack.map((s) => s.op) };
    }
    const last = stack.pop();
    if (last === undefined) {
      return {
        status: 'violation',
        key,
        ops: count,
        steps,
        blockedOpId: (kept[best.blocked] as CheckOp).id,
        linearizedOpIds: best.order.map((i) => (kept[i] as CheckOp).id),
      };
    }
    linearized[last.op >>> 5] = (linearized[last.op >>> 5] as number) & ~(1 << (last.op & 31));
    state = last.state;
    unlift(last.op);
    node = next[callNode[last.op] as number] as number;
  }
  return { status: 'ok', key, ops: count, steps };
}

export interface HistoryVerdict {
  status: 'ok' | 'violation' | 'unknown';
  keys: KeyVerdict[];
  ops: number;
  steps: number;
}

/** Checks every key's sub-history, yielding progress; the verdict is the worst key's. */
export function* checkHistorySteps(
  ops: readonly CheckOp[],
  stepsMax = CHECK_STEPS_MAX,
): Generator<CheckProgress, HistoryVerdict, void> {
  const keys = [...new Set(ops.map((op) => op.key))].sort((a, b) => a - b);
  const verdicts: KeyVerdict[] = [];
  let steps = 0;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as number;
    const search = searchKey(
      ops.filter((op) => op.key === key),
      key,
      stepsMax,
    );
    for (;;) {
      const step = search.next();
      if (step.done) {
        verdicts.push(step.value);
        steps += step.value.steps;
        break;
      }
      yield { done: i, total: keys.length };
    }
    yield { done: i + 1, total: keys.length };
  }
  const status = verdicts.some((v) => v.status === 'violation')
    ? 'violation'
    : verdicts.some((v) => v.status === 'unknown')
      ? 'unknown'
      : 'ok';
  return { status, keys: verdicts, ops: ops.length, steps };
}

/** Runs the check to the end (tests and benchmarks). */
export function checkLinearizable(ops: readonly CheckOp[], stepsMax = CHECK_STEPS_MAX) {
  const run = checkHistorySteps(ops, stepsMax);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}
