/**
 * Invariants of the rate-limiter lab, checked after every step in tests and development builds.
 */
import { assert } from '../../../kernel/assert';
import { queueSize } from '../../../kernel/event-queue';
import { logSize } from './algorithms';
import { LANES_MAX, PENDING_RETRIES_MAX, RECENT_REQUESTS_MAX } from './constants';
import { tiersOf } from './lane';
import type { RateLimiterState } from './model';

export function checkRateLimiterInvariants(state: RateLimiterState): void {
  assert(
    Number.isInteger(state.nowMs) && state.nowMs >= 0,
    `time is an integer ≥ 0: ${state.nowMs}`,
  );
  assert(state.lanes.length >= 1 && state.lanes.length <= LANES_MAX, 'lane count within limits');
  const tiers = tiersOf(state.limits);
  for (const lane of state.lanes) {
    const pending = lane.dist ? Object.keys(lane.dist.pending).length : 0;
    assert(
      lane.accepted + lane.rejected + lane.delayed + pending === lane.attempts,
      `every attempt is decided once or pending (${lane.algorithm})`,
    );
    assert(lane.attempts === lane.arrivals + lane.retried, 'attempts are first tries plus retries');
    assert(queueSize(lane.retries) <= PENDING_RETRIES_MAX, 'retry queue bounded');
    assert(lane.recent.length <= RECENT_REQUESTS_MAX * 1.25, 'recent requests bounded');
    const perClient = lane.perClient.reduce(
      (sum, t) => sum + t.accepted + t.rejected + t.delayed,
      0,
    );
    assert(perClient + pending === lane.attempts, 'per-client tallies add up');
    for (const limiters of Object.values(lane.limiters)) {
      limiters.forEach((limiter, i) => {
        const p = tiers.client[i]!.params;
        switch (limiter.kind) {
          case 'token-bucket':
            assert(
              limiter.levelUnits >= 0 && limiter.levelUnits <= p.burst * p.windowMs,
              'tokens within [0, capacity]',
            );
            break;
          case 'leaky-meter':
            assert(
              limiter.levelUnits >= 0 && limiter.levelUnits <= p.burst * p.windowMs,
              'water within [0, capacity]',
            );
            break;
          case 'leaky-queue':
            assert(limiter.departuresUnits.length <= p.burst, 'queue within its size');
            break;
          case 'fixed-window':
            assert(limiter.count <= p.limit, 'fixed window never counts past its limit');
            break;
          case 'sliding-log':
            assert(logSize(limiter) <= p.limit, 'the log never holds more than the limit');
            break;
          case 'sliding-counter':
            assert(
              limiter.currentCount <= p.limit,
              'sliding counter: the current window stays within the limit',
            );
            break;
          case 'gcra':
            assert(limiter.tatUnits >= 0, 'TAT ≥ 0');
            break;
        }
      });
    }
    if (lane.dist && lane.dist.strategy === 'atomic') {
      assert(lane.dist.overshoot === 0, 'the atomic counter never accepts over the limit');
    }
  }
}
