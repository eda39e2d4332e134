/** The hash-ring lab as a LabSim the worker runner can drive. */
import type { BatchJob, LabSim } from '../../../kernel/sim';
import { runVnodeCurve, type VnodeCurveParams } from './batch';
import { checkHashRingInvariants } from './invariants';
import {
  advanceHashRing,
  applyHashRingCommand,
  createHashRingState,
  type HashRingCommand,
  type HashRingConfig,
  type HashRingState,
  nextRequestAtMs,
} from './model';
import { type HashRingSnapshot, viewHashRing } from './snapshot';

export const hashRingSim: LabSim<
  HashRingConfig,
  HashRingState,
  HashRingCommand,
  HashRingSnapshot,
  VnodeCurveParams
> = {
  id: 'hash-ring',
  create: createHashRingState,
  apply: applyHashRingCommand,
  advanceTo: advanceHashRing,
  nextEventAtMs: nextRequestAtMs,
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: viewHashRing,
  batch(state, name, params): BatchJob<unknown> {
    if (name !== 'vnodeCurve') throw new Error(`Unknown batch job "${name}".`);
    return runVnodeCurve(state, params);
  },
  checkInvariants: checkHashRingInvariants,
};

export default hashRingSim;
