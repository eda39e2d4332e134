/**
 * Shared limits. Every growing collection in a simulation has one, and the kernel asserts at it
 * with a clear message, so a runaway scenario stops loudly instead of freezing the tab.
 */

/** Enough for a burst across a large cluster; more would not fit on screen or in a frame budget. */
export const MESSAGES_IN_FLIGHT_MAX = 10_000;

/** Timers, retries and deliveries together; past this a run is almost surely a feedback loop. */
export const EVENT_QUEUE_MAX = 100_000;

/** The largest cluster a lab can draw and simulate at interactive speed. */
export const NODES_MAX = 1_024;

/** The newest events kept for the event log and timeline; older ones are counted, not kept. */
export const EVENT_LOG_CAPACITY = 2_000;

/** A million ranks keeps the cumulative Zipf table at 8 MB, which a worker holds comfortably. */
export const ZIPF_RANKS_MAX = 1_000_000;
