/**
 * Hashing for the affinity algorithms: FNV-1a over the text, then MurmurHash3's 32-bit finaliser
 * so nearby strings ("10.0.0.1", "10.0.0.2") land far apart.
 */

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's fmix32: every input bit affects every output bit. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash32(text: string): number {
  return fmix32(fnv1a32(text));
}

/** A uniform number in [0, 1) from two integers, for draws that must match across lanes. */
export function unitHash(a: number, b: number): number {
  return fmix32(Math.imul(a, 0x9e3779b1) ^ fmix32(b + 0x7f4a7c15)) / 0x1_0000_0000;
}

/** The address the balancer sees for a client (one per user). */
export function clientIpOf(clientId: number): string {
  return `10.${(clientId >> 16) & 255}.${(clientId >> 8) & 255}.${clientId & 255}`;
}
