/** The caching lab as a LabSim the worker runner can drive. */
import type { BatchJob, LabSim } from '../../../kernel/sim';
import { type CurveParams, runHitRatioCurves } from './batch';
import { checkCacheInvariants } from './invariants';
import {
  advanceCache,
  applyCacheCommand,
  type CacheCommand,
  type CacheConfig,
  type CacheState,
  createCacheState,
  nextEventAtMs,
} from './model';
import { type CacheSnapshot, viewCache } from './snapshot';

export const cacheSim: LabSim<CacheConfig, CacheState, CacheCommand, CacheSnapshot, CurveParams> = {
  id: 'cache',
  create: createCacheState,
  apply: applyCacheCommand,
  advanceTo: advanceCache,
  nextEventAtMs,
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: viewCache,
  batch(state, name, params): BatchJob<unknown> {
    if (name !== 'hitRatioCurves') throw new Error(`Unknown batch job "${name}".`);
    return runHitRatioCurves(state, params);
  },
  checkInvariants: checkCacheInvariants,
};

export default cacheSim;
