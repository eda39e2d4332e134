import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hmacSha256, hmacSha256Hex, sha256, toHex, utf8Bytes } from './sha256';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const hex = (text: string) =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
const repeat = (byte: number, count: number) => new Uint8Array(count).fill(byte);

// Web Crypto (globalThis.crypto.subtle, Node 20+) is the independent oracle; the sim never uses it.
const subtle = (globalThis as { crypto: { subtle: SubtleCrypto } }).crypto.subtle;

/** A copy backed by a plain ArrayBuffer, the BufferSource Web Crypto's types ask for. */
const own = (bytes: Uint8Array) => new Uint8Array(bytes) as Uint8Array<ArrayBuffer>;

async function webCryptoSha256(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await subtle.digest('SHA-256', own(bytes))));
}

async function webCryptoHmac(key: Uint8Array, message: Uint8Array): Promise<string> {
  // Web Crypto refuses an empty HMAC key; callers give at least one byte.
  const imported = await subtle.importKey(
    'raw',
    own(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return toHex(new Uint8Array(await subtle.sign('HMAC', imported, own(message))));
}

describe('SHA-256 (FIPS 180-4 examples and NIST vectors)', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    [
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
    [
      'The quick brown fox jumps over the lazy dog',
      'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592',
    ],
  ])('sha256(%j)', (message, digest) => {
    expect(toHex(sha256(ascii(message)))).toBe(digest);
  });

  it('hashes one million "a" (the long FIPS vector)', () => {
    expect(toHex(sha256(repeat(0x61, 1_000_000)))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('pads at every length around the block boundary as Web Crypto does', async () => {
    for (let length = 50; length <= 130; length += 1) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(toHex(sha256(bytes)), `length ${length}`).toBe(await webCryptoSha256(bytes));
    }
  });

  it('equals Web Crypto on random byte strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expect(toHex(sha256(bytes))).toBe(await webCryptoSha256(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

describe('HMAC-SHA256 (RFC 4231 test cases)', () => {
  it.each([
    [
      '1',
      repeat(0x0b, 20),
      ascii('Hi There'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    ],
    [
      '2',
      ascii('Jefe'),
      ascii('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      '3',
      repeat(0xaa, 20),
      repeat(0xdd, 50),
      '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    ],
    [
      '4',
      hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      repeat(0xcd, 50),
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    ],
    [
      '6 (key longer than a block)',
      repeat(0xaa, 131),
      ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      '7 (key and data longer than a block)',
      repeat(0xaa, 131),
      ascii(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ])('test case %s', (_name, key, data, mac) => {
    expect(toHex(hmacSha256(key, data))).toBe(mac);
  });

  it('test case 5: the output truncated to 128 bits', () => {
    const mac = hmacSha256(repeat(0x0c, 20), ascii('Test With Truncation'));
    expect(toHex(mac).slice(0, 32)).toBe('a3b6167473100ee06e0c796c2955552b');
  });

  it('equals Web Crypto on random keys (short, block-sized and long) and messages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        async (key, message) => {
          expect(toHex(hmacSha256(key, message))).toBe(await webCryptoHmac(key, message));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('signs text as its UTF-8 bytes, as a webhook sender would', async () => {
    const body = '{"id":"evt_000001","note":"pizza 🍕 ready — café"}';
    const encoder = new TextEncoder();
    expect(hmacSha256Hex('whsec_test', body)).toBe(
      await webCryptoHmac(encoder.encode('whsec_test'), encoder.encode(body)),
    );
  });
});

describe('utf8Bytes', () => {
  it('equals TextEncoder on any string, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect([...utf8Bytes(text)]).toEqual([...encoder.encode(text)]);
      }),
    );
    expect([...utf8Bytes('\ud800x')]).toEqual([...encoder.encode('\ud800x')]);
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
      }),
    );
  });
});
