import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckOp, checkLinearizable, searchKey } from './checker';

/** A tiny DSL for hand-made histories: [kind, value, invokeMs, completeMs | null]. */
type Row = ['w' | 'r', number, number, number | null];

function history(rows: Row[], key = 0): CheckOp[] {
  return rows.map(([kind, value, invokeMs, completeMs], i) => ({
    id: i + 1,
    key,
    kind: kind === 'w' ? 'write' : 'read',
    value,
    invokeMs,
    completeMs,
  }));
}

function verdict(rows: Row[]): string {
  return checkLinearizable(history(rows)).status;
}

/**
 * Reference: brute force over every subset of the writes that never completed and every order of
 * the chosen operations that respects real time (a before b when a completed before b started),
 * simulating a register that starts at 0. Exponential, so only for a handful of operations.
 */
function bruteForceLinearizable(ops: readonly CheckOp[]): boolean {
  const reads = ops.filter((op) => op.kind === 'read' && op.completeMs !== null);
  const writes = ops.filter((op) => op.kind === 'write');
  const sure = [...reads, ...writes.filter((op) => op.completeMs !== null)];
  const maybe = writes.filter((op) => op.completeMs === null);
  for (let mask = 0; mask < 1 << maybe.length; mask += 1) {
    const chosen = [...sure, ...maybe.filter((_, i) => mask & (1 << i))];
    if (someOrderWorks(chosen, new Set(), 0)) return true;
  }
  return false;
}

function someOrderWorks(ops: readonly CheckOp[], placed: Set<number>, value: number): boolean {
  if (placed.size === ops.length) return true;
  for (const op of ops) {
    if (placed.has(op.id)) continue;
    // Every op that completed before this one started must already be placed.
    const ready = ops.every(
      (p) =>
        placed.has(p.id) || p.id === op.id || p.completeMs === null || p.completeMs >= op.invokeMs,
    );
    if (!ready) continue;
    if (op.kind === 'read' && op.value !== value) continue;
    placed.add(op.id);
    const ok = someOrderWorks(ops, placed, op.kind === 'write' ? op.value : value);
    placed.delete(op.id);
    if (ok) return true;
  }
  return false;
}

describe('linearizability checker on hand-made histories', () => {
  // Histories from the literature: Herlihy & Wing (1990) §2 register examples, Lamport's
  // regular-vs-atomic register (1986, "new-old inversion"), and the shapes Knossos and Porcupine
  // use in their test suites (concurrent writes, reads that flip back, indeterminate writes).
  it('accepts a sequential write then read of the new value (Herlihy & Wing)', () => {
    expect(
      verdict([
        ['w', 1, 0, 10],
        ['r', 1, 20, 30],
      ]),
    ).toBe('ok');
  });

  it('rejects a read that misses a write completed before it started (stale read)', () => {
    const result = checkLinearizable(
      history([
        ['w', 1, 0, 10],
        ['r', 0, 20, 30],
      ]),
    );
    expect(result.status).toBe('violation');
    const key = result.keys[0];
    expect(key?.status === 'violation' ? key.blockedOpId : null).toBe(2);
  });

  it('accepts a read concurrent with a write returning either the old or the new value', () => {
    expect(
      verdict([
        ['w', 1, 0, 50],
        ['r', 0, 10, 20],
      ]),
    ).toBe('ok');
    expect(
      verdict([
        ['w', 1, 0, 50],
        ['r', 1, 10, 20],
      ]),
    ).toBe('ok');
  });

  it('rejects the new-old inversion: a regular register but not an atomic one (Lamport)', () => {
    // Both reads overlap the write; the first sees the new value, the later one the old.
    expect(
      verdict([
        ['w', 1, 0, 100],
        ['r', 1, 10, 20],
        ['r', 0, 30, 40],
      ]),
    ).toBe('violation');
    // The other way round is fine: old, then new.
    expect(
      verdict([
        ['w', 1, 0, 100],
        ['r', 0, 10, 20],
        ['r', 1, 30, 40],
      ]),
    ).toBe('ok');
  });

  it('rejects reads that flip between two concurrent writes after both completed', () => {
    const rows: Row[] = [
      ['w', 1, 0, 10],
      ['w', 2, 0, 10],
      ['r', 1, 20, 30],
      ['r', 2, 40, 50],
    ];
    expect(verdict(rows)).toBe('violation');
    expect(
      verdict([
        ['w', 1, 0, 10],
        ['w', 2, 0, 10],
        ['r', 2, 20, 30],
        ['r', 2, 40, 50],
      ]),
    ).toBe('ok');
  });

  it('rejects a read of a value nobody wrote', () => {
    expect(
      verdict([
        ['w', 1, 0, 10],
        ['r', 7, 20, 30],
      ]),
    ).toBe('violation');
  });

  it('treats a write that never completed as possibly taking effect (Knossos :info)', () => {
    // A timed-out write seen later: fine. Seen and then unseen: not linearizable.
    expect(
      verdict([
        ['w', 1, 0, null],
        ['r', 1, 50, 60],
      ]),
    ).toBe('ok');
    expect(
      verdict([
        ['w', 1, 0, null],
        ['r', 0, 50, 60],
      ]),
    ).toBe('ok');
    expect(
      verdict([
        ['w', 1, 0, null],
        ['r', 1, 50, 60],
        ['r', 0, 70, 80],
      ]),
    ).toBe('violation');
  });

  it('accepts the Herlihy & Wing queue-like interleaving of three overlapping writes and reads', () => {
    const rows: Row[] = [
      ['w', 1, 0, 30],
      ['w', 2, 10, 40],
      ['r', 2, 20, 50],
      ['w', 3, 45, 60],
      ['r', 3, 61, 70],
      ['r', 3, 65, 75],
    ];
    expect(verdict(rows)).toBe('ok');
  });

  it('counts operations touching in time as concurrent', () => {
    expect(
      verdict([
        ['w', 1, 0, 10],
        ['r', 0, 10, 20],
      ]),
    ).toBe('ok');
    expect(
      verdict([
        ['w', 1, 0, 10],
        ['r', 0, 11, 20],
      ]),
    ).toBe('violation');
  });

  it('checks each key on its own (linearizability is local)', () => {
    const ops = [
      ...history(
        [
          ['w', 1, 0, 10],
          ['r', 1, 20, 30],
        ],
        0,
      ),
    ];
    const other = history(
      [
        ['w', 5, 0, 10],
        ['r', 0, 20, 30],
      ],
      1,
    ).map((op) => ({ ...op, id: op.id + 10 }));
    const result = checkLinearizable([...ops, ...other]);
    expect(result.status).toBe('violation');
    expect(result.keys.map((k) => k.status)).toEqual(['ok', 'violation']);
  });

  it('reports unknown when the search runs out of steps', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 12; i += 1) rows.push(['w', i + 1, 0, 100]);
    rows.push(['r', 99, 200, 210]);
    expect(checkLinearizable(history(rows), 50).status).toBe('unknown');
    expect(checkLinearizable(history(rows)).status).toBe('violation');
  });

  it('handles a long linearizable history quickly thanks to the cache', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 300; i += 1) {
      const t = i * 10;
      rows.push(['w', i + 1, t, t + 15]);
      rows.push(['r', i + 1, t + 16, t + 18]);
    }
    const search = searchKey(history(rows), 0);
    let step = search.next();
    while (!step.done) step = search.next();
    expect(step.value.status).toBe('ok');
    expect(step.value.steps).toBeLessThan(20_000);
  });
});

const rowArbitrary = fc.record({
  isWrite: fc.boolean(),
  value: fc.integer({ min: 0, max: 3 }),
  invokeMs: fc.integer({ min: 0, max: 12 }),
  durationMs: fc.integer({ min: 0, max: 6 }),
  completes: fc.integer({ min: 0, max: 9 }),
});

describe('linearizability checker against brute force', () => {
  it('agrees on random small histories', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 1, maxLength: 7 }), (rows) => {
        const ops: CheckOp[] = rows.map((row, i) => ({
          id: i + 1,
          key: 0,
          kind: row.isWrite ? 'write' : 'read',
          value: row.isWrite ? row.value + 1 : row.value,
          invokeMs: row.invokeMs,
          // Writes sometimes never complete; reads always do (unfinished reads are dropped).
          completeMs: row.isWrite && row.completes === 0 ? null : row.invokeMs + row.durationMs,
        }));
        const expected = bruteForceLinearizable(ops) ? 'ok' : 'violation';
        expect(checkLinearizable(ops).status).toBe(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('finds both verdicts among the random histories (the property is not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 2, maxLength: 6 }), (rows) => {
        const ops: CheckOp[] = rows.map((row, i) => ({
          id: i + 1,
          key: 0,
          kind: row.isWrite ? 'write' : 'read',
          value: row.isWrite ? row.value + 1 : row.value,
          invokeMs: row.invokeMs,
          completeMs: row.invokeMs + row.durationMs,
        }));
        seen.add(checkLinearizable(ops).status);
      }),
      { numRuns: 300 },
    );
    expect([...seen].sort()).toEqual(['ok', 'violation']);
  });
});
