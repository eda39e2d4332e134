/**
 * The million-request comparison: one seeded stream of requests (the lab's current traffic and
 * clients) through every algorithm with the lab's limits, in slices so the runner can show
 * progress and cancel. Retries are left out, so every algorithm sees exactly the same requests.
 */

import { createRng } from '../../../kernel/prng';
import type { BatchJob } from '../../../kernel/sim';
import {
  acquireRange,
  acquireTiersRange,
  createLimiter,
  createRangeTally,
  resetRangeTally,
} from './algorithms';
import {
  ALGORITHM_IDS,
  type AlgorithmId,
  BATCH_REQUESTS_DEFAULT,
  BATCH_REQUESTS_MAX,
  clientKey,
  type TrafficPattern,
} from './constants';
import { tiersOf } from './lane';
import type { RateLimiterState } from './model';
import { createTraffic, fillArrivals } from './traffic';

export interface CompareParams {
  requests?: number;
  /** Requests per slice (SLICE when not given; tests use small ones). */
  slice?: number;
}

export interface CompareRow {
  algorithm: AlgorithmId;
  accepted: number;
  delayed: number;
  rejected: number;
  /** The most requests one client got through in any window of the limit's length. */
  maxInWindow: number;
}

export interface CompareResult {
  requests: number;
  pattern: TrafficPattern;
  ratePerSecond: number;
  clients: number;
  limit: number;
  windowMs: number;
  burst: number;
  /** Virtual time the stream spans. */
  spanMs: number;
  rows: CompareRow[];
}

/**
 * Requests per slice: 10 to 20 ms of work on this machine. The runner runs slices for 12 ms at a
 * time and then gives way (a timer, at least 4 ms in a worker): slices shorter than that would
 * leave the worker idle a third of the time. Progress still moves 40 times, and a cancel or a
 * frame waits at most one slice.
 */
const SLICE = 200_000;

export function* runMillionComparison(
  state: RateLimiterState,
  params: CompareParams | undefined,
): BatchJob<CompareResult> {
  const requests = Math.max(
    1,
    Math.min(BATCH_REQUESTS_MAX, Math.floor(params?.requests ?? BATCH_REQUESTS_DEFAULT)),
  );
  // Bursts only (no steady traffic) would leave the stream empty: use Poisson at 100/s then.
  const settings = { ...state.traffic.settings };
  if (settings.pattern === 'none') settings.pattern = 'poisson';
  if (settings.ratePerSecond <= 0) settings.ratePerSecond = 100;
  const slice = Math.max(1_000, Math.min(SLICE, Math.floor(params?.slice ?? SLICE)));
  const traffic = createTraffic(settings, createRng(state.seed, 17), 0);
  const times = new Float64Array(requests);
  const clientOf = new Uint8Array(requests);
  const total = requests * (ALGORITHM_IDS.length + 1);
  const label = `${requests.toLocaleString('en-US')} requests through ${ALGORITHM_IDS.length} algorithms`;
  let made = 0;
  while (made < requests) {
    const end = Math.min(requests, made + slice);
    made = fillArrivals(traffic, times, clientOf, made, end);
    yield { done: made, total, label };
    if (made < end) break;
  }
  const abusive = state.clients.abuseFactor > 1;
  // Clients behind one IP share a key, and so a limiter.
  const keyNames: string[] = [];
  const keyOfClient = new Int32Array(settings.clients);
  for (let client = 0; client < settings.clients; client += 1) {
    const key = clientKey(client, abusive, state.clients.keyBy);
    let index = keyNames.indexOf(key);
    if (index < 0) index = keyNames.push(key) - 1;
    keyOfClient[client] = index;
  }
  const limits = { ...state.limits };
  const tiers = tiersOf(limits);
  const tierParams = tiers.client.map((t) => t.params);
  if (tiers.global) tierParams.push(tiers.global.params);
  const tally = createRangeTally(clientOf, made, settings.clients, limits.windowMs);
  const forwardAt = new Float64Array(slice);
  const rows: CompareRow[] = [];
  let done = requests;
  for (const algorithm of ALGORITHM_IDS) {
    // Each key's tiers, then the shared global tier: limiters[tier][key].
    const limiters = tierParams.map((params, tier) =>
      tier < tiers.client.length || !tiers.global
        ? keyNames.map(() => createLimiter(algorithm, params))
        : [createLimiter(algorithm, params)],
    );
    resetRangeTally(tally);
    for (let from = 0; from < made; from += slice) {
      const to = Math.min(made, from + slice);
      if (tierParams.length === 1) {
        acquireRange(
          algorithm,
          limiters[0]!,
          tierParams[0]!,
          times,
          clientOf,
          keyOfClient,
          from,
          to,
          forwardAt,
          tally,
        );
      } else {
        acquireTiersRange(
          limiters,
          tierParams,
          times,
          clientOf,
          keyOfClient,
          from,
          to,
          forwardAt,
          tally,
        );
      }
      yield { done: done + to, total, label };
    }
    done += requests;
    rows.push({
      algorithm,
      accepted: tally.accepted,
      delayed: tally.delayed,
      rejected: tally.rejected,
      maxInWindow: tally.maxInWindow,
    });
  }
  return {
    requests: made,
    pattern: settings.pattern,
    ratePerSecond: settings.ratePerSecond,
    clients: settings.clients,
    limit: limits.limit,
    windowMs: limits.windowMs,
    burst: limits.burst,
    spanMs: made > 0 ? times[made - 1]! : 0,
    rows,
  };
}
