/**
 * Assertions for the simulation kernel. A broken rule stops the run with a clear message instead
 * of letting a bad value spread silently through a deterministic replay.
 */

/** The error every kernel check throws, so the runner can tell a broken rule from a crash. */
export class SimAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimAssertionError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SimAssertionError(message);
}

/**
 * Checks that one more item fits: `count` is how many exist now, before adding.
 * Throws "limit reached: <what> (<limit>)" when the limit is already reached.
 */
export function assertLimit(count: number, limit: number, what: string): void {
  if (count >= limit) throw new SimAssertionError(`limit reached: ${what} (${limit})`);
}

/** Virtual time is always a whole, non-negative number of milliseconds. */
export function assertIntegerMs(atMs: number, what: string): void {
  if (!Number.isInteger(atMs) || atMs < 0) {
    throw new SimAssertionError(
      `${what} must be a whole, non-negative number of milliseconds (got ${atMs})`,
    );
  }
}

/** A probability is a finite number in [0, 1]. */
export function assertProbability(probability: number, what: string): void {
  if (!(probability >= 0 && probability <= 1)) {
    throw new SimAssertionError(`${what} must be a probability in [0, 1] (got ${probability})`);
  }
}
