/**
 * A drawn slot, as the views read it, and the columns of typed arrays the snapshot carries the
 * slots in. A module of its own with no imports, so the page can read slots without loading the
 * simulation.
 */
export interface SlotView {
  slot: number;
  key: number;
  hits: number;
  lastAccessMs: number;
  insertedAtMs: number;
  /** -1 = never expires. */
  expiresAtMs: number;
  dirty: boolean;
  stale: boolean;
  /** Place in the eviction order (0 = next to go), or -1 when the policy has none (Random). */
  rank: number;
  /** CLOCK's reference bit or SIEVE's visited bit. */
  bit: number | null;
  /** LFU's reference count. */
  count: number | null;
  /** W-TinyLFU's estimated frequency (its count-min sketch). */
  estimate: number | null;
  /** ARC's, 2Q's or W-TinyLFU's list. */
  list: string | null;
}

/**
 * The drawn slots as columns of typed arrays: a structured clone copies them in one go, where 256
 * small objects a frame would each be walked. `slotViewAt` gives one slot back as a SlotView.
 */
export interface SlotColumns {
  /** Filled slots sent (at most SLOTS_DRAWN_MAX). */
  length: number;
  slot: Int32Array;
  key: Int32Array;
  hits: Int32Array;
  lastAccessMs: Float64Array;
  insertedAtMs: Float64Array;
  expiresAtMs: Float64Array;
  /** 1 = dirty, 2 = stale. */
  flags: Uint8Array;
  rank: Int32Array;
  /** −1 = none. */
  bit: Int8Array;
  /** −1 = none. */
  lfuCount: Int32Array;
  /** −1 = none. */
  estimate: Int8Array;
  /** 0 = none, else 1 + the index in SLOT_LIST_NAMES. */
  list: Uint8Array;
}

export const SLOT_LIST_NAMES = [
  'T1',
  'T2',
  'B1',
  'B2',
  'A1in',
  'Am',
  'A1out',
  'window',
  'probation',
  'protected',
] as const;

export const SLOT_DIRTY = 1;
export const SLOT_STALE = 2;

export function slotViewAt(columns: SlotColumns, i: number): SlotView {
  const bit = columns.bit[i]!;
  const count = columns.lfuCount[i]!;
  const estimate = columns.estimate[i]!;
  const list = columns.list[i]!;
  return {
    slot: columns.slot[i]!,
    key: columns.key[i]!,
    hits: columns.hits[i]!,
    lastAccessMs: columns.lastAccessMs[i]!,
    insertedAtMs: columns.insertedAtMs[i]!,
    expiresAtMs: columns.expiresAtMs[i]!,
    dirty: (columns.flags[i]! & SLOT_DIRTY) !== 0,
    stale: (columns.flags[i]! & SLOT_STALE) !== 0,
    rank: columns.rank[i]!,
    bit: bit < 0 ? null : bit,
    count: count < 0 ? null : count,
    estimate: estimate < 0 ? null : estimate,
    list: list === 0 ? null : (SLOT_LIST_NAMES[list - 1] ?? null),
  };
}

export function slotViews(columns: SlotColumns): SlotView[] {
  return Array.from({ length: columns.length }, (_, i) => slotViewAt(columns, i));
}
