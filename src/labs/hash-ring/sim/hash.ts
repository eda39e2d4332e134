/**
 * 32-bit non-cryptographic hashes for placing servers and keys on the ring.
 *
 * Every function here is our own implementation, so the lab runs the same bits in the worker,
 * in tests and in the benchmark. All results are unsigned 32-bit integers (0 … 2^32 − 1).
 * Strings are hashed as their UTF-8 bytes, which is what other languages' implementations do,
 * so published test vectors apply unchanged.
 */

import { HASH_NAMES, type HashName } from './constants';

export { HASH_NAMES, type HashName };

const REPLACEMENT_CHARACTER = 0xfffd;

/**
 * The UTF-8 length of a string in bytes. A lone surrogate counts as U+FFFD (3 bytes), which is
 * what the WHATWG encoder and Node's Buffer write in its place.
 */
export function utf8ByteLength(text: string): number {
  let byteLength = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) byteLength += 1;
    else if (unit < 0x800) byteLength += 2;
    else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      byteLength += 4;
      i++;
    } else byteLength += 3;
  }
  return byteLength;
}

/** Writes the UTF-8 bytes of `text` into `target` from index 0 and returns how many it wrote. */
export function utf8EncodeInto(text: string, target: Uint8Array): number {
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let codePoint = text.charCodeAt(i);
    if (isHighSurrogate(codePoint) && isLowSurrogate(text.charCodeAt(i + 1))) {
      codePoint = combineSurrogates(codePoint, text.charCodeAt(i + 1));
      i++;
    } else if (isHighSurrogate(codePoint) || isLowSurrogate(codePoint)) {
      codePoint = REPLACEMENT_CHARACTER;
    }
    at = writeCodePoint(codePoint, target, at);
  }
  return at;
}

/** The UTF-8 bytes of a string, as `new TextEncoder().encode(text)` would give them. */
export function utf8Encode(text: string): Uint8Array {
  const bytes = new Uint8Array(utf8ByteLength(text));
  utf8EncodeInto(text, bytes);
  return bytes;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function combineSurrogates(high: number, low: number): number {
  return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
}

function writeCodePoint(codePoint: number, target: Uint8Array, at: number): number {
  if (codePoint < 0x80) {
    target[at] = codePoint;
    return at + 1;
  }
  if (codePoint < 0x800) {
    target[at] = 0xc0 | (codePoint >> 6);
    target[at + 1] = 0x80 | (codePoint & 0x3f);
    return at + 2;
  }
  if (codePoint < 0x10000) {
    target[at] = 0xe0 | (codePoint >> 12);
    target[at + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
    target[at + 2] = 0x80 | (codePoint & 0x3f);
    return at + 3;
  }
  target[at] = 0xf0 | (codePoint >> 18);
  target[at + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
  target[at + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
  target[at + 3] = 0x80 | (codePoint & 0x3f);
  return at + 4;
}

function rotateLeft32(value: number, bitCount: number): number {
  return (value << bitCount) | (value >>> (32 - bitCount));
}

function readUint32LittleEndian(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

const MURMUR3_C1 = 0xcc9e2d51;
const MURMUR3_C2 = 0x1b873593;

/** MurmurHash3 x86_32 (Austin Appleby, SMHasher) of the first `byteLength` bytes. */
function murmur3_32Prefix(bytes: Uint8Array, byteLength: number, seed: number): number {
  let hash = seed >>> 0;
  const blockEnd = byteLength & ~3;
  for (let at = 0; at < blockEnd; at += 4) {
    let block = readUint32LittleEndian(bytes, at);
    block = Math.imul(block, MURMUR3_C1);
    block = rotateLeft32(block, 15);
    block = Math.imul(block, MURMUR3_C2);
    hash ^= block;
    hash = rotateLeft32(hash, 13);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  const tailLength = byteLength & 3;
  if (tailLength > 0) {
    // The 1 to 3 bytes past the last whole block are mixed as one little-endian word.
    let tail = bytes[blockEnd]!;
    if (tailLength >= 2) tail ^= bytes[blockEnd + 1]! << 8;
    if (tailLength === 3) tail ^= bytes[blockEnd + 2]! << 16;
    tail = Math.imul(tail, MURMUR3_C1);
    tail = rotateLeft32(tail, 15);
    tail = Math.imul(tail, MURMUR3_C2);
    hash ^= tail;
  }
  hash ^= byteLength;
  return murmur3Finalize(hash);
}

/** The fmix32 avalanche: every input bit affects every output bit. */
function murmur3Finalize(hash: number): number {
  let mixed = hash;
  mixed ^= mixed >>> 16;
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  return mixed >>> 0;
}

/** MurmurHash3 x86_32, unsigned. */
export function murmur3_32(bytes: Uint8Array, seed = 0): number {
  return murmur3_32Prefix(bytes, bytes.length, seed);
}

const FNV_OFFSET_BASIS_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

function fnv1a32Prefix(bytes: Uint8Array, byteLength: number): number {
  let hash = FNV_OFFSET_BASIS_32;
  for (let at = 0; at < byteLength; at++) {
    hash ^= bytes[at]!;
    hash = Math.imul(hash, FNV_PRIME_32);
  }
  return hash >>> 0;
}

/** FNV-1a, 32-bit (Fowler, Noll, Vo), unsigned. */
export function fnv1a32(bytes: Uint8Array): number {
  return fnv1a32Prefix(bytes, bytes.length);
}

const XXH_PRIME32_1 = 0x9e3779b1;
const XXH_PRIME32_2 = 0x85ebca77;
const XXH_PRIME32_3 = 0xc2b2ae3d;
const XXH_PRIME32_4 = 0x27d4eb2f;
const XXH_PRIME32_5 = 0x165667b1;
const XXH32_STRIPE_BYTES = 16;

function xxhash32Round(lane: number, input: number): number {
  const mixed = (lane + Math.imul(input, XXH_PRIME32_2)) | 0;
  return Math.imul(rotateLeft32(mixed, 13), XXH_PRIME32_1);
}

/** Consumes whole 16-byte stripes in four lanes and folds the lanes into one word. */
function xxhash32Stripes(bytes: Uint8Array, stripeEnd: number, seed: number): number {
  let lane1 = (seed + XXH_PRIME32_1 + XXH_PRIME32_2) | 0;
  let lane2 = (seed + XXH_PRIME32_2) | 0;
  let lane3 = seed | 0;
  let lane4 = (seed - XXH_PRIME32_1) | 0;
  for (let at = 0; at < stripeEnd; at += XXH32_STRIPE_BYTES) {
    lane1 = xxhash32Round(lane1, readUint32LittleEndian(bytes, at));
    lane2 = xxhash32Round(lane2, readUint32LittleEndian(bytes, at + 4));
    lane3 = xxhash32Round(lane3, readUint32LittleEndian(bytes, at + 8));
    lane4 = xxhash32Round(lane4, readUint32LittleEndian(bytes, at + 12));
  }
  return (
    (rotateLeft32(lane1, 1) +
      rotateLeft32(lane2, 7) +
      rotateLeft32(lane3, 12) +
      rotateLeft32(lane4, 18)) |
    0
  );
}

function xxhash32Prefix(bytes: Uint8Array, byteLength: number, seed: number): number {
  const stripeEnd = byteLength - (byteLength % XXH32_STRIPE_BYTES);
  let hash =
    byteLength >= XXH32_STRIPE_BYTES
      ? xxhash32Stripes(bytes, stripeEnd, seed)
      : (seed + XXH_PRIME32_5) | 0;
  hash = (hash + byteLength) | 0;
  let at = stripeEnd;
  for (; at + 4 <= byteLength; at += 4) {
    hash = (hash + Math.imul(readUint32LittleEndian(bytes, at), XXH_PRIME32_3)) | 0;
    hash = Math.imul(rotateLeft32(hash, 17), XXH_PRIME32_4);
  }
  for (; at < byteLength; at++) {
    hash = (hash + Math.imul(bytes[at]!, XXH_PRIME32_5)) | 0;
    hash = Math.imul(rotateLeft32(hash, 11), XXH_PRIME32_1);
  }
  return xxhash32Avalanche(hash);
}

function xxhash32Avalanche(hash: number): number {
  let mixed = hash;
  mixed ^= mixed >>> 15;
  mixed = Math.imul(mixed, XXH_PRIME32_2);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, XXH_PRIME32_3);
  mixed ^= mixed >>> 16;
  return mixed >>> 0;
}

/** xxHash32 (Yann Collet), unsigned. */
export function xxhash32(bytes: Uint8Array, seed = 0): number {
  return xxhash32Prefix(bytes, bytes.length, seed);
}

/**
 * One reusable byte buffer for `hashString`. Encoding into it instead of a fresh array keeps
 * hashing a million keys free of garbage; it is private scratch space, so `hashString` is still
 * a pure function of its arguments. It grows only for unusually long strings.
 */
let scratchBytes = new Uint8Array(256);

function encodeIntoScratch(text: string): number {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes, so this bound needs no scan.
  const byteLengthMax = text.length * 3;
  if (byteLengthMax > scratchBytes.length) {
    scratchBytes = new Uint8Array(Math.max(byteLengthMax, scratchBytes.length * 2));
  }
  return asciiEncodeIntoScratch(text) ?? utf8EncodeInto(text, scratchBytes);
}

/** Copies an all-ASCII string byte for byte; returns undefined at the first non-ASCII unit. */
function asciiEncodeIntoScratch(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) return undefined;
    scratchBytes[i] = unit;
  }
  return text.length;
}

/** The unsigned 32-bit hash of a string's UTF-8 bytes with the named function (seed 0). */
export function hashString(name: HashName, text: string): number {
  const byteLength = encodeIntoScratch(text);
  switch (name) {
    case 'murmur3':
      return murmur3_32Prefix(scratchBytes, byteLength, 0);
    case 'fnv1a':
      return fnv1a32Prefix(scratchBytes, byteLength);
    case 'xxhash32':
      return xxhash32Prefix(scratchBytes, byteLength, 0);
    default:
      return assertNeverHashName(name);
  }
}

function assertNeverHashName(name: never): never {
  throw new Error(`Unknown hash function "${String(name)}"; expected one of ${HASH_NAMES}.`);
}
