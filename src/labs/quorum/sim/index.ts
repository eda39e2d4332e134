/** The quorum lab as a LabSim the worker runner can drive. */
import type { BatchJob, LabSim } from '../../../kernel/sim';
import { runHistoryCheck } from './batch';
import { runCompare } from './compare';
import { checkQuorumInvariants } from './invariants';
import {
  advanceQuorum,
  applyQuorumCommand,
  createQuorumState,
  nextQuorumEventAtMs,
  type QuorumCommand,
  type QuorumConfig,
  type QuorumState,
} from './model';
import { type QuorumSnapshot, viewQuorum } from './snapshot';

export const quorumSim: LabSim<QuorumConfig, QuorumState, QuorumCommand, QuorumSnapshot> = {
  id: 'quorum',
  create: createQuorumState,
  apply: applyQuorumCommand,
  advanceTo: advanceQuorum,
  nextEventAtMs: nextQuorumEventAtMs,
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: viewQuorum,
  batch(state, name, params): BatchJob<unknown> {
    // compare replays the run from its start for each variant: it needs the run, not the state.
    if (name === 'compare') return runCompare(params);
    if (name !== 'check') throw new Error(`Unknown batch job "${name}".`);
    return runHistoryCheck(state);
  },
  checkInvariants: checkQuorumInvariants,
};

export default quorumSim;
