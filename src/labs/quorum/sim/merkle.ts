/**
 * A Merkle tree over a replica's keys (Merkle 1987; as Dynamo and Cassandra use for anti-entropy).
 * Leaves hash one key's versions; each inner node hashes its two children. Two replicas compare
 * roots first and walk down only where hashes differ, so in-sync replicas exchange one hash and
 * a few differing keys cost about log2(keys) round trips instead of sending every key.
 *
 * Nodes are numbered heap-style: the root is 0 and node i has children 2i+1 and 2i+2.
 */
import { hashVersions, type Version } from './versions';

export interface MerkleTree {
  /** Leaves, a power of two ≥ the key count (padding leaves hash to 0). */
  leaves: number;
  depth: number;
  hashes: number[];
}

function mix(left: number, right: number): number {
  let h = Math.imul(left ^ 0x9e3779b9, 0x85ebca6b) ^ right;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function buildMerkleTree(versionsByKey: readonly (readonly Version[])[]): MerkleTree {
  let leaves = 1;
  let depth = 0;
  while (leaves < versionsByKey.length) {
    leaves *= 2;
    depth += 1;
  }
  const hashes = new Array<number>(2 * leaves - 1).fill(0);
  const firstLeaf = leaves - 1;
  for (let key = 0; key < versionsByKey.length; key += 1) {
    hashes[firstLeaf + key] = hashVersions(versionsByKey[key] ?? []);
  }
  for (let node = firstLeaf - 1; node >= 0; node -= 1) {
    hashes[node] = mix(hashes[2 * node + 1] ?? 0, hashes[2 * node + 2] ?? 0);
  }
  return { leaves, depth, hashes };
}

export function isLeaf(tree: MerkleTree, node: number): boolean {
  return node >= tree.leaves - 1;
}

export function keyOfLeaf(tree: MerkleTree, node: number): number {
  return node - (tree.leaves - 1);
}

export function childrenOf(node: number): [number, number] {
  return [2 * node + 1, 2 * node + 2];
}

/** The nodes (of those given) whose hash in `tree` differs from the hash the peer sent. */
export function differingNodes(
  tree: MerkleTree,
  nodes: readonly number[],
  peerHashes: readonly number[],
): number[] {
  return nodes.filter((node, i) => tree.hashes[node] !== peerHashes[i]);
}
