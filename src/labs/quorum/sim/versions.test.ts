import { describe, expect, it } from 'vitest';
import { buildMerkleTree, childrenOf, differingNodes, isLeaf, keyOfLeaf } from './merkle';
import {
  compareClocks,
  compareLww,
  covers,
  initialVersion,
  joinClocks,
  reconcile,
  type Version,
} from './versions';

const v = (value: number, clock: number[], ts = 0, node = 0): Version => ({
  value,
  ts,
  node,
  clock,
});

describe('vector clocks', () => {
  it('orders clocks by happened-before, and finds concurrent ones', () => {
    expect(compareClocks([1, 0], [1, 1])).toBe('before');
    expect(compareClocks([2, 1], [1, 1])).toBe('after');
    expect(compareClocks([1, 1], [1, 1])).toBe('equal');
    expect(compareClocks([1, 0], [0, 1])).toBe('concurrent');
    expect(joinClocks([3, 0, 1], [1, 2, 1])).toEqual([3, 2, 1]);
  });

  it('keeps concurrent writes as siblings', () => {
    const a = v(1, [1, 0]);
    const b = v(2, [0, 1]);
    expect(reconcile('vclock', [a], [b]).map((x) => x.value)).toEqual([1, 2]);
  });

  it('drops a version that happened before another (causally ordered writes)', () => {
    const first = v(1, [1, 0]);
    const second = v(2, [1, 1]);
    expect(reconcile('vclock', [first], [second]).map((x) => x.value)).toEqual([2]);
    expect(reconcile('vclock', [second], [first]).map((x) => x.value)).toEqual([2]);
  });

  it('a write that has seen both siblings replaces them', () => {
    const merged = v(3, [1, 1]);
    expect(reconcile('vclock', [v(1, [1, 0]), v(2, [0, 1])], [merged]).map((x) => x.value)).toEqual(
      [3],
    );
  });

  it('keeps one copy of a version seen twice', () => {
    const a = v(1, [1, 0]);
    expect(reconcile('vclock', [a], [{ ...a }])).toHaveLength(1);
  });

  it('covers says whether a replica already holds everything a target holds', () => {
    expect(covers('vclock', [v(3, [1, 1])], [v(1, [1, 0]), v(2, [0, 1])])).toBe(true);
    expect(covers('vclock', [v(1, [1, 0])], [v(1, [1, 0]), v(2, [0, 1])])).toBe(false);
  });
});

describe('last write wins', () => {
  it('keeps the version with the highest (timestamp, coordinator)', () => {
    const older = v(1, [], 10, 2);
    const newer = v(2, [], 11, 0);
    const tie = v(3, [], 11, 1);
    expect(compareLww(newer, older)).toBeGreaterThan(0);
    expect(reconcile('lww', [older], [newer]).map((x) => x.value)).toEqual([2]);
    expect(reconcile('lww', [newer], [tie]).map((x) => x.value)).toEqual([3]);
    // Concurrent writes are not kept: one of them is silently lost.
    expect(reconcile('lww', [v(1, [1, 0], 5, 0)], [v(2, [0, 1], 5, 1)])).toHaveLength(1);
  });

  it('the initial version loses to any write', () => {
    expect(covers('lww', [initialVersion(2)], [v(1, [1, 0], 1, 0)])).toBe(false);
    expect(covers('lww', [v(1, [1, 0], 1, 0)], [initialVersion(2)])).toBe(true);
  });
});

describe('Merkle tree', () => {
  const store = (values: number[]) => values.map((value, i) => [v(value, [], value, i)]);

  it('gives equal roots for equal stores and different roots otherwise', () => {
    expect(buildMerkleTree(store([1, 2, 3])).hashes[0]).toBe(
      buildMerkleTree(store([1, 2, 3])).hashes[0],
    );
    expect(buildMerkleTree(store([1, 2, 3])).hashes[0]).not.toBe(
      buildMerkleTree(store([1, 9, 3])).hashes[0],
    );
  });

  it('pads to a power of two and walks down to exactly the differing keys', () => {
    const a = buildMerkleTree(store([1, 2, 3, 4, 5]));
    const b = buildMerkleTree(store([1, 2, 3, 7, 5]));
    expect(a.leaves).toBe(8);
    expect(a.depth).toBe(3);
    let nodes = [0];
    let rounds = 0;
    while (!nodes.every((n) => isLeaf(a, n))) {
      const diff = differingNodes(
        a,
        nodes,
        nodes.map((n) => b.hashes[n] ?? 0),
      );
      nodes = diff.flatMap((n) => childrenOf(n));
      rounds += 1;
    }
    const leaves = differingNodes(
      a,
      nodes,
      nodes.map((n) => b.hashes[n] ?? 0),
    );
    expect(leaves.map((n) => keyOfLeaf(a, n))).toEqual([3]);
    expect(rounds).toBe(3);
  });
});
