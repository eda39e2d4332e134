/** The leader-election lab as a LabSim the worker runner can drive. */
import type { BatchJob, LabSim } from '../../../kernel/sim';
import { type MessagesVsNParams, runMessagesVsN } from './batch';
import { checkLeaderElectionInvariants } from './invariants';
import {
  advanceLeaderElection,
  applyLeaderElectionCommand,
  createLeaderElectionState,
  type LeaderElectionCommand,
  type LeaderElectionConfig,
  type LeaderElectionState,
  nextLeaderElectionEventAtMs,
} from './model';
import { type LeaderElectionSnapshot, viewLeaderElection } from './snapshot';

export const leaderElectionSim: LabSim<
  LeaderElectionConfig,
  LeaderElectionState,
  LeaderElectionCommand,
  LeaderElectionSnapshot,
  MessagesVsNParams
> = {
  id: 'leader-election',
  create: createLeaderElectionState,
  apply: applyLeaderElectionCommand,
  advanceTo: advanceLeaderElection,
  nextEventAtMs: nextLeaderElectionEventAtMs,
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: (state) => viewLeaderElection(state),
  batch(state, name, params): BatchJob<unknown> {
    if (name !== 'messagesVsN') throw new Error(`Unknown batch job "${name}".`);
    return runMessagesVsN(state.seed, params);
  },
  checkInvariants: checkLeaderElectionInvariants,
};

export default leaderElectionSim;
