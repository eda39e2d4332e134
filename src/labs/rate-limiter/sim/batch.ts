/**
 * The million-request comparison: one seeded stream of requests (the lab's current traffic and
 * clients) through every algorithm with the lab's limits, in slices so the runner can show
 * progress and cancel. Retries are left out, so every algorithm sees exactly the same requests.
 */

import { createRng } from '../../../kernel/prng';
import type { BatchJob } from '../../../kernel/sim';
import {
  acquireNow,
  commitLimiter,
  type LimiterState,
  type LimitParams,
  peekLimiter,
} from './algorithms';
import {
  ALGORITHM_IDS,
  type AlgorithmId,
  BATCH_REQUESTS_DEFAULT,
  BATCH_REQUESTS_MAX,
  clientKey,
  type TrafficPattern,
} from './constants';
import { createLane, limitersFor, tiersOf, trackForwarded } from './lane';
import type { RateLimiterState } from './model';
import { createTraffic, nextArrivalAtMs, takeArrivalsAt } from './traffic';

export interface CompareParams {
  requests?: number;
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

const SLICE = 25_000;

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
  const traffic = createTraffic(settings, createRng(state.seed, 17), 0);
  const times = new Float64Array(requests);
  const clientOf = new Uint8Array(requests);
  const total = requests * (ALGORITHM_IDS.length + 1);
  const label = `${requests.toLocaleString('en-US')} requests through ${ALGORITHM_IDS.length} algorithms`;
  let made = 0;
  while (made < requests) {
    const at = nextArrivalAtMs(traffic);
    if (at === null) break;
    for (const arrival of takeArrivalsAt(traffic, at)) {
      if (made >= requests) break;
      times[made] = arrival.atMs;
      clientOf[made] = arrival.client;
      made += 1;
      if (made % SLICE === 0) yield { done: made, total, label };
    }
  }
  const abusive = state.clients.abuseFactor > 1;
  const keys = Array.from({ length: settings.clients }, (_, i) =>
    clientKey(i, abusive, state.clients.keyBy),
  );
  const limits = { ...state.limits };
  const rows: CompareRow[] = [];
  let done = requests;
  const tiers = tiersOf(limits);
  const tierParams = tiers.client.map((t) => t.params);
  if (tiers.global) tierParams.push(tiers.global.params);
  const firstParams = tierParams[0]!;
  for (const algorithm of ALGORITHM_IDS) {
    const lane = createLane(algorithm, limits, settings.clients, null);
    // Each client's tiers, plus the shared global tier, as one array per client.
    const limiters = keys.map((key) => {
      const own = limitersFor(lane, key, limits);
      return lane.globalLimiter ? [...own, lane.globalLimiter] : own;
    });
    for (let i = 0; i < made; i += 1) {
      const atMs = times[i]!;
      const client = clientOf[i]!;
      const own = limiters[client]!;
      const forwardAtMs =
        own.length === 1
          ? acquireNow(own[0]!, firstParams, atMs)
          : decideQuickly(own, tierParams, atMs);
      if (forwardAtMs < 0) {
        lane.rejected += 1;
      } else {
        if (forwardAtMs > atMs) lane.delayed += 1;
        else lane.accepted += 1;
        trackForwarded(lane, client, forwardAtMs, limits.windowMs);
      }
      if ((i + 1) % SLICE === 0) yield { done: done + i + 1, total, label };
    }
    done += requests;
    rows.push({
      algorithm,
      accepted: lane.accepted,
      delayed: lane.delayed,
      rejected: lane.rejected,
      maxInWindow: lane.maxInWindow,
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

/**
 * The lanes' decision (every tier must allow; a queue tier may delay) without the response
 * details the stage needs: the forward time, or -1 when refused.
 */
function decideQuickly(limiters: LimiterState[], params: LimitParams[], atMs: number): number {
  let delayMs = 0;
  for (let t = 0; t < limiters.length; t += 1) {
    const decision = peekLimiter(limiters[t]!, params[t]!, atMs);
    if (!decision.allowed) return -1;
    if (decision.delayMs > delayMs) delayMs = decision.delayMs;
  }
  let forwardAtMs = atMs;
  for (let t = 0; t < limiters.length; t += 1) {
    const departs = commitLimiter(limiters[t]!, params[t]!, atMs, atMs + delayMs);
    if (departs > forwardAtMs) forwardAtMs = departs;
  }
  return forwardAtMs;
}
