import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fnv1a32,
  HASH_NAMES,
  hashString,
  murmur3_32,
  utf8ByteLength,
  utf8Encode,
  xxhash32,
} from './hash';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));

describe('utf8Encode', () => {
  it('encodes 1-, 2-, 3- and 4-byte code points and replaces lone surrogates with U+FFFD', () => {
    expect([...utf8Encode('a')]).toEqual([0x61]);
    expect([...utf8Encode('é')]).toEqual([0xc3, 0xa9]);
    expect([...utf8Encode('€')]).toEqual([0xe2, 0x82, 0xac]);
    expect([...utf8Encode('😀')]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    expect([...utf8Encode('\ud800x')]).toEqual([0xef, 0xbf, 0xbd, 0x78]);
    expect([...utf8Encode('x\udc00')]).toEqual([0x78, 0xef, 0xbf, 0xbd]);
    expect([...utf8Encode('')]).toEqual([]);
  });

  it('matches Buffer.from(text, "utf8") on random strings of whole code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
        const expected = Buffer.from(text, 'utf8');
        expect(Buffer.from(utf8Encode(text)).equals(expected)).toBe(true);
        expect(utf8ByteLength(text)).toBe(expected.length);
      }),
    );
  });

  it('matches Buffer.from(text, "utf8") on random UTF-16 code units, lone surrogates included', () => {
    const codeUnit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    );
    fc.assert(
      fc.property(fc.array(codeUnit, { maxLength: 64 }), (units) => {
        const text = String.fromCharCode(...units);
        const expected = Buffer.from(text, 'utf8');
        expect(Buffer.from(utf8Encode(text)).equals(expected)).toBe(true);
        expect(utf8ByteLength(text)).toBe(expected.length);
      }),
    );
  });
});

describe('murmur3_32', () => {
  // MurmurHash3 x86_32 vectors published by Ian Boyd, "MurmurHash3 test vectors",
  // https://stackoverflow.com/a/31929528 (checked against Appleby's SMHasher code; the same
  // table is used by the Python mmh3 package's tests). They cover every tail length, an
  // unsigned seed, embedded NUL bytes, multi-byte UTF-8 and a 256-byte input.
  const vectors: [label: string, bytes: Uint8Array, seed: number, expected: number][] = [
    ['empty, seed 0', ascii(''), 0, 0],
    ['empty, seed 1', ascii(''), 1, 0x514e28b7],
    ['empty, seed 0xffffffff', ascii(''), 0xffffffff, 0x81f16f39],
    ['ff ff ff ff', Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
    ['21 43 65 87', Uint8Array.of(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
    ['21 43 65 87, seed 0x5082edee', Uint8Array.of(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
    ['21 43 65', Uint8Array.of(0x21, 0x43, 0x65), 0, 0x7e4a8634],
    ['21 43', Uint8Array.of(0x21, 0x43), 0, 0xa0f7b07a],
    ['21', Uint8Array.of(0x21), 0, 0x72661cf4],
    ['00 00 00 00', Uint8Array.of(0, 0, 0, 0), 0, 0x2362f9de],
    ['00 00 00', Uint8Array.of(0, 0, 0), 0, 0x85f0b427],
    ['00 00', Uint8Array.of(0, 0), 0, 0x30f4c306],
    ['00', Uint8Array.of(0), 0, 0x514e28b7],
    ['aaaa', ascii('aaaa'), 0x9747b28c, 0x5a97808a],
    ['aaa', ascii('aaa'), 0x9747b28c, 0x283e0130],
    ['aa', ascii('aa'), 0x9747b28c, 0x5d211726],
    ['a', ascii('a'), 0x9747b28c, 0x7fa09ea6],
    ['abcd', ascii('abcd'), 0x9747b28c, 0xf0478627],
    ['abc', ascii('abc'), 0x9747b28c, 0xc84a62dd],
    ['ab', ascii('ab'), 0x9747b28c, 0x74875592],
    ['Hello, world!', ascii('Hello, world!'), 0x9747b28c, 0x24884cba],
    ['ππππππππ (UTF-8)', utf8Encode('ππππππππ'), 0x9747b28c, 0xd58063c1],
    ['a × 256', ascii('a'.repeat(256)), 0x9747b28c, 0x37405bdc],
    ['abc, seed 0', ascii('abc'), 0, 0xb3dd93fa],
    [
      'abcdbcdecdef…nopq, seed 0',
      ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      0,
      0xee925b90,
    ],
    [
      'The quick brown fox…',
      ascii('The quick brown fox jumps over the lazy dog'),
      0x9747b28c,
      0x2fa826cd,
    ],
  ];

  it.each(vectors)('%s', (_label, bytes, seed, expected) => {
    expect(murmur3_32(bytes, seed)).toBe(expected);
  });

  it('defaults the seed to 0', () => {
    expect(murmur3_32(ascii('abc'))).toBe(0xb3dd93fa);
  });
});

describe('fnv1a32', () => {
  // FNV-1a 32-bit vectors from the FNV reference test suite by Landon Curt Noll
  // (test_fnv.c, fnv1a_32_vector; http://www.isthe.com/chongo/tech/comp/fnv/).
  const vectors: [text: string, expected: number][] = [
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['b', 0xe70c2de5],
    ['c', 0xe60c2c52],
    ['d', 0xe10c2473],
    ['e', 0xe00c22e0],
    ['f', 0xe30c2799],
    ['fo', 0x6222e842],
    ['foo', 0xa9f37ed7],
    ['foob', 0x3f5076ef],
    ['fooba', 0x39aaa18a],
    ['foobar', 0xbf9cf968],
    ['\0', 0x050c5d1f],
    ['chongo', 0xbd564e7d],
  ];

  it.each(vectors)('"%s"', (text, expected) => {
    expect(fnv1a32(ascii(text))).toBe(expected);
  });
});

describe('xxhash32', () => {
  // String vectors from github.com/pierrec/xxHash (xxHash32/xxHash32_test.go, reused by
  // pierrec/lz4), which cover the short path, the 4-byte words, the single bytes and the
  // 16-byte stripes. "Nobody inspects…" is the example in the python-xxhash README.
  const stringVectors: [text: string, expected: number][] = [
    ['', 0x02cc5d05],
    ['a', 0x550d7456],
    ['ab', 0x4999fc53],
    ['abc', 0x32d153ff],
    ['abcd', 0xa3643705],
    ['abcde', 0x9738f19b],
    ['abcdef', 0x8b7cd587],
    ['abcdefg', 0x9dd093b3],
    ['abcdefgh', 0x0bb3c6bb],
    ['abcdefghi', 0xd03c13fd],
    ['abcdefghij', 0x8b988cfe],
    ['abcdefghijklmnop', 0x9d2d8b62],
    ['abcdefghijklmnopqrstuvwxyz0123456789', 0x42ae804d],
    ['Nobody inspects the spammish repetition', 0xe2293b2f],
  ];

  it.each(stringVectors)('"%s", seed 0', (text, expected) => {
    expect(xxhash32(ascii(text))).toBe(expected);
  });

  // xxHash's own sanity check (Cyan4973/xxHash, xxhsum's BMK_sanityCheck / tests): a 101-byte
  // buffer filled from a squaring generator that starts at PRIME32_1, hashed at lengths 0, 1,
  // 14 and 101 with seeds 0 and PRIME32_1.
  const PRIME32_1 = 0x9e3779b1;
  const sanityBuffer = new Uint8Array(101);
  let byteGenerator = PRIME32_1;
  for (let i = 0; i < sanityBuffer.length; i++) {
    sanityBuffer[i] = byteGenerator >>> 24;
    byteGenerator = Math.imul(byteGenerator, byteGenerator) >>> 0;
  }
  const sanityVectors: [byteLength: number, seed: number, expected: number][] = [
    [0, 0, 0x02cc5d05],
    [0, PRIME32_1, 0x36b78ae7],
    [1, 0, 0xb85cbee5],
    [1, PRIME32_1, 0xd5845d64],
    [14, 0, 0xe5aa0ab4],
    [14, PRIME32_1, 0x4481951d],
    [101, 0, 0x1f1aa412],
    [101, PRIME32_1, 0x498ec8e2],
  ];

  it.each(sanityVectors)('sanity buffer, %i bytes, seed %i', (byteLength, seed, expected) => {
    expect(xxhash32(sanityBuffer.subarray(0, byteLength), seed)).toBe(expected);
  });
});

describe('hashString', () => {
  it('hashes the UTF-8 bytes with seed 0 (published vectors)', () => {
    expect(hashString('murmur3', 'abc')).toBe(0xb3dd93fa);
    expect(hashString('fnv1a', 'foobar')).toBe(0xbf9cf968);
    expect(hashString('xxhash32', 'abc')).toBe(0x32d153ff);
  });

  it('agrees with hashing utf8Encode(text) for every hash, ASCII or not, short or long', () => {
    const byteHashes = {
      murmur3: (bytes: Uint8Array) => murmur3_32(bytes, 0),
      fnv1a: fnv1a32,
      xxhash32: (bytes: Uint8Array) => xxhash32(bytes, 0),
    } as const;
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 200, maxLength: 400 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...HASH_NAMES), text, (name, sample) => {
        expect(hashString(name, sample)).toBe(byteHashes[name](utf8Encode(sample)));
      }),
    );
  });

  it('returns unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HASH_NAMES), fc.string(), (name, sample) => {
        const hash = hashString(name, sample);
        expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
      }),
    );
  });

  it('refuses an unknown hash name with a clear message', () => {
    expect(() => hashString('md5' as never, 'x')).toThrow(/Unknown hash function "md5"/);
  });
});
