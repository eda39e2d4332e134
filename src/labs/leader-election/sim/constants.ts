/**
 * The leader-election lab's limits, names and the closed-form message counts it compares with.
 * A module of its own, so the page, the URL schema and the simulation share them without the
 * page loading the simulation code.
 */

/** The stage draws rings of 3 to 64 nodes; batch runs go up to NODES_BATCH_MAX. */
export const NODES_MIN = 3;
export const NODES_STAGE_MAX = 64;
export const NODES_BATCH_MAX = 1_024;
/** Typed UIDs are whole numbers in this range. */
export const UID_MIN = 0;
export const UID_MAX = 999_999;
/** Random UIDs are distinct whole numbers from 1 to this. */
export const RANDOM_UID_MAX = 999;
/** A link delay (sync: the round length; async: the mean delay) in virtual ms. */
export const DELAY_MS_MIN = 50;
export const DELAY_MS_MAX = 5_000;
/** At most this many messages in flight go into a snapshot; the counters always count all. */
export const MESSAGES_DRAWN_MAX = 2_000;
/** Random arrangements averaged per ring size in the batch chart. */
export const BATCH_TRIALS_MAX = 200;

export type Arrangement = 'random' | 'ascending' | 'descending' | 'typed';
export const ARRANGEMENTS: readonly Arrangement[] = ['random', 'ascending', 'descending', 'typed'];
export type Timing = 'sync' | 'async';
export const TIMINGS: readonly Timing[] = ['sync', 'async'];
/** What is on the stage: LCR alone, LCR beside Hirschberg–Sinclair, or Bully. */
export type Mode = 'lcr' | 'compare' | 'bully';
export const MODES: readonly Mode[] = ['lcr', 'compare', 'bully'];

/** The n-th harmonic number 1 + 1/2 + … + 1/n. */
export function harmonic(n: number): number {
  let sum = 0;
  for (let k = n; k >= 1; k -= 1) sum += 1 / k;
  return sum;
}

/** LCR election messages (before the n termination messages) when UIDs ascend clockwise. */
export function lcrBestMessages(n: number): number {
  return 2 * n - 1;
}

/** LCR election messages when UIDs descend clockwise: every UID travels to the maximum. */
export function lcrWorstMessages(n: number): number {
  return (n * (n + 1)) / 2;
}

/** The expected LCR election messages over uniformly random arrangements: n·Hₙ. */
export function lcrRandomMessages(n: number): number {
  return n * harmonic(n);
}

/** The Hirschberg–Sinclair bound on election messages: 8n(1 + ⌈log₂ n⌉). */
export function hsMessageBound(n: number): number {
  return 8 * n * (1 + Math.ceil(Math.log2(n)));
}

/**
 * Reads a typed UID list ("5, 12 3 40") or says what is wrong with it. Duplicates are refused:
 * LCR needs unique UIDs, or two nodes could both see their own UID come back.
 */
export function parseUidList(
  text: string,
  maxCount = NODES_STAGE_MAX,
): { ok: true; uids: number[] } | { ok: false; message: string } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length < NODES_MIN) {
    return { ok: false, message: `Type at least ${NODES_MIN} UIDs (got ${parts.length}).` };
  }
  if (parts.length > maxCount) {
    return { ok: false, message: `At most ${maxCount} UIDs (got ${parts.length}).` };
  }
  const uids: number[] = [];
  const seen = new Set<number>();
  for (const part of parts) {
    if (!/^\d+$/.test(part)) return { ok: false, message: `"${part}" is not a whole number.` };
    const uid = Number(part);
    if (uid < UID_MIN || uid > UID_MAX) {
      return {
        ok: false,
        message: `UID ${part} is outside ${UID_MIN} to ${UID_MAX.toLocaleString('en-US')}.`,
      };
    }
    if (seen.has(uid)) {
      return { ok: false, message: `Duplicate UID ${uid} refused: every node needs its own UID.` };
    }
    seen.add(uid);
    uids.push(uid);
  }
  return { ok: true, uids };
}
