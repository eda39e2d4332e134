/** The rate-limiter lab as a LabSim the worker runner can drive. */
import type { BatchJob, LabSim } from '../../../kernel/sim';
import { type CompareParams, runMillionComparison } from './batch';
import { checkRateLimiterInvariants } from './invariants';
import {
  advanceRateLimiter,
  applyRateLimiterCommand,
  createRateLimiterState,
  nextRateLimiterEventAtMs,
  type RateLimiterCommand,
  type RateLimiterConfig,
  type RateLimiterState,
} from './model';
import { type RateLimiterSnapshot, viewRateLimiter } from './snapshot';

export const rateLimiterSim: LabSim<
  RateLimiterConfig,
  RateLimiterState,
  RateLimiterCommand,
  RateLimiterSnapshot,
  CompareParams
> = {
  id: 'rate-limiter',
  create: createRateLimiterState,
  apply: applyRateLimiterCommand,
  advanceTo: advanceRateLimiter,
  nextEventAtMs: nextRateLimiterEventAtMs,
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: viewRateLimiter,
  batch(state, name, params): BatchJob<unknown> {
    if (name !== 'compareMillion') throw new Error(`Unknown batch job "${name}".`);
    return runMillionComparison(state, params);
  },
  checkInvariants: checkRateLimiterInvariants,
};

export default rateLimiterSim;
