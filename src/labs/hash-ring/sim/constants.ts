/**
 * The hash-ring lab's limits and small pure helpers, in a module of their own so the page, the URL
 * schema and the simulation share them without the page loading the simulation code.
 */
import { ZIPF_RANKS_MAX } from '../../../kernel/limits';

export type HashName = 'murmur3' | 'fnv1a' | 'xxhash32';
export const HASH_NAMES: readonly HashName[] = ['murmur3', 'fnv1a', 'xxhash32'];

export const SERVERS_MAX = 100;
export const VNODES_PER_SERVER_MAX = 500;
export const WEIGHT_MAX = 10;
export const VNODES_TOTAL_MAX = 100_000;
export const KEYS_BULK_MAX = 1_000_000;
/** Named and generated keys together; the Zipf popularity table is sized for this many ranks. */
export const KEYS_TOTAL_MAX = ZIPF_RANKS_MAX;
export const NAMED_KEYS_MAX = 10_000;
export const KEY_NAME_LENGTH_MAX = 200;
export const REPLICATION_FACTOR_MAX = 5;
export const REQUESTS_PER_SECOND_MAX = 1_000;
/** The stage draws at most this many keys; statistics always use every key. */
export const KEYS_DRAWN_MAX = 10_000;
/** Requests stay in the snapshot this long, so the view can animate them travelling. */
export const REQUEST_FLIGHT_MS = 600;
export const LOAD_BUCKET_MS = 1_000;
/** The request-load window behind per-server "recent" figures. */
export const LOAD_WINDOW_MS = 10_000;

export function formatHash(hash: number): string {
  return `0x${hash.toString(16).padStart(8, '0')}`;
}
