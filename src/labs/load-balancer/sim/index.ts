/** The load-balancer lab as a LabSim the worker runner can drive. */
import type { LabSim } from '../../../kernel/sim';
import { checkLoadBalancerInvariants } from './invariants';
import {
  advanceLoadBalancer,
  applyLoadBalancerCommand,
  createLoadBalancerState,
  type LoadBalancerCommand,
  type LoadBalancerConfig,
  type LoadBalancerState,
  nextLoadBalancerEventAtMs,
} from './model';
import { type LoadBalancerSnapshot, viewLoadBalancer } from './snapshot';

export const loadBalancerSim: LabSim<
  LoadBalancerConfig,
  LoadBalancerState,
  LoadBalancerCommand,
  LoadBalancerSnapshot
> = {
  id: 'load-balancer',
  create: createLoadBalancerState,
  apply: applyLoadBalancerCommand,
  advanceTo: advanceLoadBalancer,
  nextEventAtMs: nextLoadBalancerEventAtMs,
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: (state) => viewLoadBalancer(state),
  // Thousands of requests a second make replay costly: a checkpoint every virtual second keeps
  // any seek within about one second of replay.
  checkpointIntervalMs: 1_000,
  checkInvariants: checkLoadBalancerInvariants,
};

export default loadBalancerSim;
