/**
 * PCG32 (O'Neill's pcg-c-basic: 64-bit LCG state, XSH RR output), the only randomness a
 * simulation may use.
 *
 * The 64-bit state lives in two uint32 halves and every step uses 32-bit arithmetic, so the hot
 * path needs no BigInt and the state is plain data that structuredClone copies exactly.
 */

import { assert, assertProbability } from './assert';

/** A PCG32 generator as plain data: the LCG state and its odd increment, as uint32 halves. */
export interface RngState {
  stateHi: number;
  stateLo: number;
  incHi: number;
  incLo: number;
}

// 6364136223846793005, the 64-bit LCG multiplier of pcg32_random_r, split into halves.
const MULTIPLIER_HI = 0x5851f42d;
const MULTIPLIER_LO = 0x4c957f2d;
const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

/** How many uint32 draws splitRng takes from the parent, whatever the label. */
export const SPLIT_DRAWS = 4;

/** Splits a non-negative safe integer into its high and low uint32 halves. */
function toHalves(value: number, what: string): [hi: number, lo: number] {
  assert(
    Number.isSafeInteger(value) && value >= 0,
    `${what} must be a whole number in [0, 2^53) (got ${value})`,
  );
  return [Math.floor(value / TWO_POW_32), value >>> 0];
}

/** state = state * multiplier + inc (mod 2^64), in 32-bit pieces. */
function advanceState(rng: RngState): void {
  const { stateHi, stateLo } = rng;
  // The low halves' full 64-bit product, from 16-bit pieces so every partial product is exact.
  const a0 = stateLo & 0xffff;
  const a1 = stateLo >>> 16;
  const b0 = MULTIPLIER_LO & 0xffff;
  const b1 = MULTIPLIER_LO >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const productLo = ((middle << 16) | (p00 & 0xffff)) >>> 0;
  const productHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16);
  // The cross terms only reach the high half, where only their low 32 bits survive.
  const crossHi = productHi + Math.imul(stateHi, MULTIPLIER_LO) + Math.imul(stateLo, MULTIPLIER_HI);
  const sumLo = productLo + rng.incLo;
  const carry = sumLo >= TWO_POW_32 ? 1 : 0;
  rng.stateLo = sumLo >>> 0;
  rng.stateHi = (crossHi + rng.incHi + carry) >>> 0;
}

/** XSH RR: xorshift the high bits down, then rotate by the top five bits of the old state. */
function outputOf(stateHi: number, stateLo: number): number {
  const xoredLo = (((stateLo >>> 18) | (stateHi << 14)) ^ stateLo) >>> 0;
  const xoredHi = ((stateHi >>> 18) ^ stateHi) >>> 0;
  const xorshifted = ((xoredLo >>> 27) | (xoredHi << 5)) >>> 0;
  const rotation = stateHi >>> 27;
  return ((xorshifted >>> rotation) | (xorshifted << ((32 - rotation) & 31))) >>> 0;
}

/** pcg32_srandom_r on 64-bit values given as uint32 halves. */
function seedFromHalves(
  initStateHi: number,
  initStateLo: number,
  initSeqHi: number,
  initSeqLo: number,
): RngState {
  const rng: RngState = {
    stateHi: 0,
    stateLo: 0,
    incHi: ((initSeqHi << 1) | (initSeqLo >>> 31)) >>> 0,
    incLo: ((initSeqLo << 1) | 1) >>> 0,
  };
  nextUint32(rng);
  const sumLo = rng.stateLo + initStateLo;
  rng.stateLo = sumLo >>> 0;
  rng.stateHi = (rng.stateHi + initStateHi + (sumLo >= TWO_POW_32 ? 1 : 0)) >>> 0;
  nextUint32(rng);
  return rng;
}

/**
 * Seeds a generator exactly as pcg32_srandom_r(rng, seed, stream) does. Seed and stream are
 * unsigned integers below 2^53; the stream selects one of 2^63 independent sequences.
 */
export function createRng(seed: number, stream = 0): RngState {
  const [seedHi, seedLo] = toHalves(seed, 'seed');
  const [streamHi, streamLo] = toHalves(stream, 'stream');
  return seedFromHalves(seedHi, seedLo, streamHi, streamLo);
}

/** pcg32_random_r: the next uniformly distributed uint32. */
export function nextUint32(rng: RngState): number {
  const { stateHi, stateLo } = rng;
  advanceState(rng);
  return outputOf(stateHi, stateLo);
}

/** A uniform float in [0, 1) with 53 random bits (two draws). */
export function nextFloat(rng: RngState): number {
  const high27 = nextUint32(rng) >>> 5;
  const low26 = nextUint32(rng) >>> 6;
  return (high27 * 0x400_0000 + low26) / TWO_POW_53;
}

/**
 * A uniform integer in [minInclusive, maxExclusive), at most 2^32 values wide. Draws below
 * 2^32 mod range are rejected (as pcg32_boundedrand_r does) so no value is favoured.
 */
export function nextInt(rng: RngState, minInclusive: number, maxExclusive: number): number {
  const range = maxExclusive - minInclusive;
  assert(
    Number.isSafeInteger(minInclusive) && Number.isSafeInteger(maxExclusive),
    `nextInt bounds must be whole numbers (got ${minInclusive}, ${maxExclusive})`,
  );
  assert(
    range >= 1 && range <= TWO_POW_32,
    `nextInt range must hold 1 to 2^32 values (got [${minInclusive}, ${maxExclusive}))`,
  );
  const threshold = (TWO_POW_32 - range) % range;
  for (;;) {
    const draw = nextUint32(rng);
    if (draw >= threshold) return minInclusive + (draw % range);
  }
}

/** True with the given probability: 0 is never, 1 is always. */
export function nextBool(rng: RngState, probabilityTrue: number): boolean {
  assertProbability(probabilityTrue, 'nextBool probability');
  return nextFloat(rng) < probabilityTrue;
}

// FNV-1a 32-bit parameters; the second basis gives split labels a second, independent hash.
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPLIT_LABEL_BASIS = 0x9e3779b9;

function fnv1a(text: string, basis: number): number {
  let hash = basis;
  for (let index = 0; index < text.length; index += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * A stable 32-bit seed from text: FNV-1a over UTF-16 code units (for ASCII text this equals
 * FNV-1a over its bytes), so a seed typed as a word gives the same run everywhere.
 */
export function seedFromString(text: string): number {
  return fnv1a(text, FNV_OFFSET_BASIS);
}

/**
 * A 64-bit stream key per label. Number labels use the high half 0; string labels use two
 * hashes with the high half forced odd, so they never meet a number label.
 */
function splitLabelKey(label: string | number): [hi: number, lo: number] {
  if (typeof label === 'string') {
    return [(fnv1a(label, SPLIT_LABEL_BASIS) | 1) >>> 0, fnv1a(label, FNV_OFFSET_BASIS)];
  }
  assert(
    Number.isInteger(label) && label >= 0 && label < TWO_POW_32,
    `a numeric split label must be a uint32 (got ${label})`,
  );
  return [0, label];
}

/**
 * Derives an independent sub-stream. The parent advances by exactly SPLIT_DRAWS draws, which
 * give the child's starting state and a stream mask; the label (masked) picks the child's
 * stream, so different labels split from the same parent state get different streams.
 */
export function splitRng(rng: RngState, label: string | number): RngState {
  const [keyHi, keyLo] = splitLabelKey(label);
  const initStateHi = nextUint32(rng);
  const initStateLo = nextUint32(rng);
  const maskHi = nextUint32(rng);
  const maskLo = nextUint32(rng);
  return seedFromHalves(initStateHi, initStateLo, (keyHi ^ maskHi) >>> 0, (keyLo ^ maskLo) >>> 0);
}

/** Fisher–Yates shuffle: every permutation equally likely. Returns the same array. */
export function shuffleInPlace<T>(rng: RngState, array: T[]): T[] {
  for (let index = array.length - 1; index > 0; index -= 1) {
    const other = nextInt(rng, 0, index + 1);
    const held = array[index] as T;
    array[index] = array[other] as T;
    array[other] = held;
  }
  return array;
}

/** One element chosen uniformly. */
export function pickOne<T>(rng: RngState, array: readonly T[]): T {
  assert(array.length > 0, 'pickOne needs a non-empty array');
  return array[nextInt(rng, 0, array.length)] as T;
}
