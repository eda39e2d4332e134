/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written out so the simulation can sign and
 * verify webhooks synchronously and deterministically, without the crypto global. Checked in
 * tests against the FIPS 180 and RFC 4231 vectors and against Web Crypto on random inputs.
 */

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The initial hash value: square roots of the first 8 primes (FIPS 180-4 §5.3.3). */
const H0 = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const BLOCK_BYTES = 64;
// One schedule buffer reused by every call: the functions are synchronous, so nothing interleaves.
const schedule = new Uint32Array(64);

/** Runs the compression function over one 64-byte block at `offset`, updating `hash` in place. */
function compressBlock(hash: Uint32Array, bytes: Uint8Array, offset: number): void {
  const w = schedule;
  for (let t = 0; t < 16; t += 1) {
    const i = offset + t * 4;
    w[t] = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
  }
  for (let t = 16; t < 64; t += 1) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const sigma0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const sigma1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + sigma0 + w[t - 7]! + sigma1) >>> 0;
  }
  let a = hash[0]!;
  let b = hash[1]!;
  let c = hash[2]!;
  let d = hash[3]!;
  let e = hash[4]!;
  let f = hash[5]!;
  let g = hash[6]!;
  let h = hash[7]!;
  for (let t = 0; t < 64; t += 1) {
    const bigSigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choose = (e & f) ^ (~e & g);
    const t1 = (h + bigSigma1 + choose + K[t]! + w[t]!) | 0;
    const bigSigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (bigSigma0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  hash[0] = (hash[0]! + a) >>> 0;
  hash[1] = (hash[1]! + b) >>> 0;
  hash[2] = (hash[2]! + c) >>> 0;
  hash[3] = (hash[3]! + d) >>> 0;
  hash[4] = (hash[4]! + e) >>> 0;
  hash[5] = (hash[5]! + f) >>> 0;
  hash[6] = (hash[6]! + g) >>> 0;
  hash[7] = (hash[7]! + h) >>> 0;
}

/** SHA-256 of a byte string: the 32-byte digest. */
export function sha256(message: Uint8Array): Uint8Array {
  const hash = new Uint32Array(H0);
  const fullBlocks = Math.floor(message.length / BLOCK_BYTES);
  for (let block = 0; block < fullBlocks; block += 1) {
    compressBlock(hash, message, block * BLOCK_BYTES);
  }
  // Padding (§5.1.1): a 1 bit, zeros, then the message length in bits as a 64-bit big-endian
  // number, making the tail one or two blocks.
  const rest = message.length - fullBlocks * BLOCK_BYTES;
  const tailLength = rest + 9 <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES;
  const tail = new Uint8Array(tailLength);
  tail.set(message.subarray(fullBlocks * BLOCK_BYTES));
  tail[rest] = 0x80;
  const bitLength = message.length * 8;
  const high = Math.floor(bitLength / 0x1_0000_0000);
  const low = bitLength >>> 0;
  for (let i = 0; i < 4; i += 1) {
    tail[tailLength - 8 + i] = (high >>> (24 - 8 * i)) & 0xff;
    tail[tailLength - 4 + i] = (low >>> (24 - 8 * i)) & 0xff;
  }
  for (let offset = 0; offset < tailLength; offset += BLOCK_BYTES)
    compressBlock(hash, tail, offset);
  const digest = new Uint8Array(32);
  for (let i = 0; i < 8; i += 1) {
    const word = hash[i]!;
    digest[i * 4] = word >>> 24;
    digest[i * 4 + 1] = (word >>> 16) & 0xff;
    digest[i * 4 + 2] = (word >>> 8) & 0xff;
    digest[i * 4 + 3] = word & 0xff;
  }
  return digest;
}

const IPAD = 0x36;
const OPAD = 0x5c;

/** HMAC-SHA256 (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)), keys over 64 bytes hashed first. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const blockKey = new Uint8Array(BLOCK_BYTES);
  blockKey.set(key.length > BLOCK_BYTES ? sha256(key) : key);
  const inner = new Uint8Array(BLOCK_BYTES + message.length);
  const outer = new Uint8Array(BLOCK_BYTES + 32);
  for (let i = 0; i < BLOCK_BYTES; i += 1) {
    inner[i] = blockKey[i]! ^ IPAD;
    outer[i] = blockKey[i]! ^ OPAD;
  }
  inner.set(message, BLOCK_BYTES);
  outer.set(sha256(inner), BLOCK_BYTES);
  return sha256(outer);
}

/** UTF-8 bytes of a string (no TextEncoder, so the encoding is ours and the same everywhere). */
export function utf8Bytes(text: string): Uint8Array {
  // Fast path: ASCII text (every webhook body here) is one byte per code unit.
  const ascii = new Uint8Array(text.length);
  let index = 0;
  for (; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0x80) break;
    ascii[index] = code;
  }
  if (index === text.length) return ascii;
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    let code = text.charCodeAt(i);
    // A surrogate pair is one code point; a lone surrogate becomes U+FFFD, as TextEncoder does.
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i += 1;
      } else code = 0xfffd;
    } else if (code >= 0xdc00 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) {
      out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    } else {
      out.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
  }
  return Uint8Array.from(out);
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function hmacSha256Hex(key: string, message: string): string {
  return toHex(hmacSha256(utf8Bytes(key), utf8Bytes(message)));
}

/** Compares two strings in time that depends only on their lengths, as signature checks must. */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return difference === 0;
}
