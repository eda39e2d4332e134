/**
 * Retry delays: capped exponential backoff with a choice of jitter, after Marc Brooker's
 * "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015). Delays are whole milliseconds.
 *
 * For the n-th retry (n = 1 after the first failed attempt):
 *   exponential(n) = min(cap, base × factor^(n−1))
 *   none:          exponential(n)
 *   full:          uniform in [0, exponential(n)]
 *   equal:         exponential(n)/2 + uniform in [0, exponential(n)/2]
 *   decorrelated:  min(cap, uniform in [base, previous × 3]), previous starting at base
 */
import { nextInt, type RngState } from '../../../kernel/prng';

export type JitterKind = 'none' | 'full' | 'equal' | 'decorrelated';
export const JITTER_KINDS: readonly JitterKind[] = ['none', 'full', 'equal', 'decorrelated'];

export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  capMs: number;
  jitter: JitterKind;
}

/** Brooker's decorrelated jitter grows the previous sleep by up to this factor. */
export const DECORRELATED_GROWTH = 3;

/** The un-jittered delay before retry n (n ≥ 1), capped. */
export function exponentialDelayMs(policy: BackoffPolicy, retry: number): number {
  const raw = policy.baseMs * policy.factor ** (retry - 1);
  return Math.floor(Math.min(policy.capMs, raw));
}

/** The interval a jittered delay for retry n must lie in (both ends inclusive). */
export function delayRangeMs(
  policy: BackoffPolicy,
  retry: number,
  previousDelayMs: number,
): { minMs: number; maxMs: number } {
  const exponential = exponentialDelayMs(policy, retry);
  switch (policy.jitter) {
    case 'none':
      return { minMs: exponential, maxMs: exponential };
    case 'full':
      return { minMs: 0, maxMs: exponential };
    case 'equal': {
      const half = Math.floor(exponential / 2);
      return { minMs: half, maxMs: half + (exponential - half) };
    }
    case 'decorrelated': {
      const upper = Math.max(policy.baseMs, previousDelayMs * DECORRELATED_GROWTH);
      return {
        minMs: Math.min(policy.capMs, policy.baseMs),
        maxMs: Math.floor(Math.min(policy.capMs, upper)),
      };
    }
    default: {
      const unknown: never = policy.jitter;
      throw new Error(`unknown jitter ${String(unknown)}`);
    }
  }
}

/**
 * The delay before retry n. `previousDelayMs` is the delay before the previous retry (the base
 * for the first), used only by decorrelated jitter. Takes one random draw unless jitter is none.
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  retry: number,
  previousDelayMs: number,
  rng: RngState,
): number {
  if (policy.jitter === 'none') return exponentialDelayMs(policy, retry);
  if (policy.jitter === 'decorrelated') {
    const upper = Math.floor(Math.max(policy.baseMs, previousDelayMs * DECORRELATED_GROWTH));
    const drawn = nextInt(rng, Math.min(policy.baseMs, upper), upper + 1);
    return Math.min(policy.capMs, drawn);
  }
  const { minMs, maxMs } = delayRangeMs(policy, retry, previousDelayMs);
  return nextInt(rng, minMs, maxMs + 1);
}
