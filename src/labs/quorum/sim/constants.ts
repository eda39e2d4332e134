/**
 * The quorum lab's limits, names and small pure helpers, in a module of their own so the page, the
 * URL schema and the simulation share them without the page loading the simulation code.
 */

export const REPLICAS_MIN = 3;
export const REPLICAS_MAX = 9;
/** Spare nodes hold hinted writes for unreachable replicas (sloppy quorum); not replicas. */
export const SPARES_MAX = 3;
export const KEYS_MAX = 16;
export const CLIENTS_MAX = 8;
export const OPS_PER_SECOND_MAX = 400;
export const LATENCY_MS_MIN = 2;
export const LATENCY_MS_MAX = 1_000;
export const TIMEOUT_MS_MIN = 20;
export const TIMEOUT_MS_MAX = 10_000;
export const ANTI_ENTROPY_PERIOD_MS_MIN = 100;
export const ANTI_ENTROPY_PERIOD_MS_MAX = 60_000;
export const SLOW_FACTOR_MAX = 50;
/** Recorded client operations; the checker's search is sized for histories this long. */
export const HISTORY_MAX = 600;
/** Coordinator requests kept for the quorum overlap drawing and the request list. */
export const RECENT_REQUESTS_MAX = 24;
/** Messages drawn in flight; the count is always exact. */
export const MESSAGES_DRAWN_MAX = 400;
/** Client ↔ coordinator hop: the client runs beside its coordinator. */
export const CLIENT_LINK_MS = 2;
/** How often a spare retries handing its hints to their home replica. */
export const HINT_RETRY_MS = 500;
export const HINTS_MAX = 2_000;
export const BIO_TEXT_MAX = 40;
export const SERIES_BUCKET_MS = 1_000;
/**
 * Routine events (read repairs, failures, hints …) logged one by one per kind and window of virtual
 * time; the rest of the window's are summarised in one line.
 */
export const ROUTINE_EVENTS_PER_WINDOW = 2;
export const ROUTINE_WINDOW_MS = 5_000;
export const SERIES_BUCKETS_MAX = 120;

export type ConsistencyMode = 'cp' | 'ap';
export type ConflictMode = 'lww' | 'vclock';
export type ReadRepairMode = 'blocking' | 'async' | 'off';
export type AntiEntropyMode = 'off' | 'full' | 'merkle';

export const KEY_NAMES = [
  'bio',
  'name',
  'city',
  'avatar',
  'status',
  'email',
  'phone',
  'theme',
  'lang',
  'plan',
  'team',
  'role',
  'site',
  'pet',
  'song',
  'book',
] as const;

export function keyName(index: number): string {
  return KEY_NAMES[index] ?? `k${index}`;
}

export function replicaId(index: number): string {
  return `R${index + 1}`;
}

export function spareId(index: number): string {
  return `H${index + 1}`;
}

export function clientId(index: number): string {
  return `C${index + 1}`;
}

/** The replica a client sends its requests to (its coordinator). */
export function coordinatorOf(client: number, replicas: number): number {
  return client % replicas;
}

/** Value 0 is every key's initial value; writes get 1, 2, 3 … in the order clients issue them. */
export function formatValue(value: number): string {
  return `v${value}`;
}
