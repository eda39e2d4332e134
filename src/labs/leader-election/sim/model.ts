/**
 * The leader-election lab model: one set of UIDs on n nodes and the election(s) running on them
 * (LCR alone, LCR beside Hirschberg–Sinclair, or Bully), over the kernel's simulated network,
 * with synchronous rounds (every link takes exactly one round) or asynchronous seeded delays.
 */
import type { LatencyDistribution } from '../../../kernel/distributions';
import { EVENT_LOG_CAPACITY } from '../../../kernel/limits';
import { nextMessageAtMs } from '../../../kernel/network';
import { createRng, type RngState, shuffleInPlace, splitRng } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import {
  advanceBullyRun,
  type BullyRun,
  crashBullyNode,
  createBullyRun,
  nextBullyEventAtMs,
  recoverBullyNode,
  startBully,
} from './bully';
import {
  type Arrangement,
  DELAY_MS_MAX,
  DELAY_MS_MIN,
  type Mode,
  NODES_MIN,
  NODES_STAGE_MAX,
  parseUidList,
  RANDOM_UID_MAX,
  type Timing,
} from './constants';
import { advanceRingRun, crashRingNode, startRingElection } from './ring';
import { createRingRun, type Narrate, type RingRun } from './ring-core';

export interface LeaderElectionConfig {
  mode: Mode;
  /** Ring size for the generated arrangements; typed UIDs bring their own count. */
  nodes: number;
  arrangement: Arrangement;
  /** The typed UID list ("5, 12, 3"), used when arrangement is 'typed'. */
  uids: string;
  timing: Timing;
  /** Sync: the length of a round. Async: the mean link delay. Virtual ms. */
  delayMs: number;
}

export type LeaderElectionCommand =
  | { type: 'crash'; node: number }
  | { type: 'recover'; node: number }
  | { type: 'crashLeader' }
  | { type: 'restart' };

export interface LeaderElectionState {
  nowMs: number;
  seed: number;
  config: LeaderElectionConfig;
  uids: number[];
  rng: RngState;
  /** 1 for the first election, +1 per restart. */
  electionNumber: number;
  startedAtMs: number;
  lcr: RingRun | null;
  hs: RingRun | null;
  bully: BullyRun | null;
  events: EventLog;
}

/** Arranges UIDs round the ring, clockwise from node 0. */
export function arrangeUids(
  arrangement: Exclude<Arrangement, 'typed'>,
  n: number,
  rng: RngState,
  uidMax = Math.max(RANDOM_UID_MAX, n),
): number[] {
  switch (arrangement) {
    case 'ascending':
      return Array.from({ length: n }, (_, i) => i + 1);
    case 'descending':
      return Array.from({ length: n }, (_, i) => n - i);
    case 'random': {
      // n distinct values from 1..uidMax, in random order (a partial Fisher–Yates).
      const pool = Array.from({ length: uidMax }, (_, i) => i + 1);
      return shuffleInPlace(rng, pool).slice(0, n);
    }
    default: {
      const unknown: never = arrangement;
      throw new Error(`unknown arrangement ${JSON.stringify(unknown)}`);
    }
  }
}

export function latencyFor(timing: Timing, delayMs: number): LatencyDistribution {
  if (timing === 'sync') return { kind: 'constant', ms: delayMs };
  return {
    kind: 'uniform',
    minMs: Math.max(1, Math.round(delayMs / 5)),
    maxMs: Math.round((delayMs * 9) / 5),
  };
}

export function latencyMaxMs(latency: LatencyDistribution): number {
  return latency.kind === 'constant' ? latency.ms : latency.kind === 'uniform' ? latency.maxMs : 0;
}

function narratorOf(state: LeaderElectionState): Narrate {
  return (atMs, kind, text, important = false) =>
    appendEvent(state.events, { atMs, kind, text, important });
}

function log(state: LeaderElectionState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function refuse(state: LeaderElectionState, text: string): void {
  log(state, 'refused', text, true);
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

export function createLeaderElectionState(
  config: LeaderElectionConfig,
  seed: number,
): LeaderElectionState {
  const rng = createRng(seed, 5);
  const safeConfig: LeaderElectionConfig = {
    ...config,
    nodes: clampInt(config.nodes, NODES_MIN, NODES_STAGE_MAX),
    delayMs: clampInt(config.delayMs, DELAY_MS_MIN, DELAY_MS_MAX),
  };
  const state: LeaderElectionState = {
    nowMs: 0,
    seed,
    config: safeConfig,
    uids: [],
    rng,
    electionNumber: 0,
    startedAtMs: 0,
    lcr: null,
    hs: null,
    bully: null,
    events: createEventLog(EVENT_LOG_CAPACITY),
  };
  state.uids = initialUids(state);
  startElectionRound(state);
  return state;
}

function initialUids(state: LeaderElectionState): number[] {
  const { config } = state;
  const uidRng = splitRng(state.rng, 'uids');
  if (config.arrangement !== 'typed') return arrangeUids(config.arrangement, config.nodes, uidRng);
  const parsed = parseUidList(config.uids);
  if (parsed.ok) return parsed.uids;
  refuse(state, `${parsed.message} Using ascending UIDs 1 to ${config.nodes} instead.`);
  return arrangeUids('ascending', config.nodes, uidRng);
}

/** Builds fresh runs on the current UIDs and starts them now. */
function startElectionRound(state: LeaderElectionState): void {
  const { config, uids } = state;
  state.electionNumber += 1;
  state.startedAtMs = state.nowMs;
  const latency = latencyFor(config.timing, config.delayMs);
  const label = `${state.electionNumber}`;
  state.lcr = null;
  state.hs = null;
  state.bully = null;
  const timing =
    config.timing === 'sync'
      ? `synchronous rounds of ${config.delayMs} ms`
      : `asynchronous links (${latencyText(latency)})`;
  if (config.mode === 'bully') {
    state.bully = createBullyRun(
      uids,
      latency,
      latencyMaxMs(latency),
      splitRng(state.rng, `bully-${label}`),
    );
    log(state, 'start', `Bully on ${uids.length} fully connected nodes, ${timing}.`);
    startBully(state.bully, state.nowMs, narratorOf(state));
    return;
  }
  state.lcr = createRingRun('lcr', uids, latency, splitRng(state.rng, `lcr-${label}`));
  startRingElection(state.lcr, state.nowMs);
  if (config.mode === 'compare') {
    state.hs = createRingRun('hs', uids, latency, splitRng(state.rng, `hs-${label}`));
    startRingElection(state.hs, state.nowMs);
  }
  log(
    state,
    'start',
    `${config.mode === 'compare' ? 'LCR and Hirschberg–Sinclair' : 'LCR'} on a ring of ${uids.length} nodes (UIDs ${arrangementText(config.arrangement)}), ${timing}: every node sends its UID.`,
  );
}

function latencyText(latency: LatencyDistribution): string {
  return latency.kind === 'uniform' ? `${latency.minMs}–${latency.maxMs} ms` : 'fixed delay';
}

function arrangementText(arrangement: Arrangement): string {
  switch (arrangement) {
    case 'ascending':
      return 'ascending clockwise';
    case 'descending':
      return 'descending clockwise';
    case 'random':
      return 'in random order';
    case 'typed':
      return 'as typed';
    default: {
      const unknown: never = arrangement;
      return String(unknown);
    }
  }
}

export function applyLeaderElectionCommand(
  state: LeaderElectionState,
  command: LeaderElectionCommand,
): void {
  switch (command.type) {
    case 'crash':
      crashNode(state, command.node);
      return;
    case 'recover':
      recoverNode(state, command.node);
      return;
    case 'crashLeader':
      crashLeader(state);
      return;
    case 'restart':
      startElectionRound(state);
      return;
    default: {
      const unknown: never = command;
      refuse(state, `Unknown command ${JSON.stringify(unknown)}.`);
    }
  }
}

function validNode(state: LeaderElectionState, node: number): boolean {
  if (Number.isInteger(node) && node >= 0 && node < state.uids.length) return true;
  refuse(state, `There is no node ${node}: nodes are numbered 0 to ${state.uids.length - 1}.`);
  return false;
}

function crashNode(state: LeaderElectionState, node: number): void {
  if (!validNode(state, node)) return;
  const narrate = narratorOf(state);
  let crashed = false;
  if (state.bully) crashed = crashBullyNode(state.bully, node, state.nowMs, narrate);
  if (state.lcr) crashed = crashRingNode(state.lcr, node, state.nowMs, narrate) || crashed;
  if (state.hs) crashed = crashRingNode(state.hs, node, state.nowMs, narrate) || crashed;
  if (!crashed) refuse(state, `Node ${node} is already down.`);
}

function recoverNode(state: LeaderElectionState, node: number): void {
  if (!validNode(state, node)) return;
  if (!state.bully) {
    refuse(
      state,
      'LCR and HS have no recovery: a restarted node would not know an election is on. Restart the election instead.',
    );
    return;
  }
  if (!recoverBullyNode(state.bully, node, state.nowMs, narratorOf(state))) {
    refuse(state, `Node ${node} is not down.`);
  }
}

function crashLeader(state: LeaderElectionState): void {
  const leader = currentLeaderIndex(state);
  if (leader === null) {
    refuse(state, 'There is no leader to crash right now.');
    return;
  }
  crashNode(state, leader);
}

/** The node currently acting as leader (Bully) or elected (LCR), or null. */
export function currentLeaderIndex(state: LeaderElectionState): number | null {
  if (state.bully) {
    const index = state.bully.nodes.findIndex((n) => n.state === 'leader');
    return index >= 0 ? index : null;
  }
  const lcr = state.lcr;
  if (!lcr || lcr.leaderIndex === null) return null;
  return lcr.nodes[lcr.leaderIndex]?.state === 'crashed' ? null : lcr.leaderIndex;
}

export function advanceLeaderElection(state: LeaderElectionState, atMs: number): void {
  const narrate = narratorOf(state);
  if (state.lcr) advanceRingRun(state.lcr, atMs, narrate);
  if (state.hs) advanceRingRun(state.hs, atMs, narrate);
  if (state.bully) advanceBullyRun(state.bully, atMs, narrate);
  state.nowMs = atMs;
}

export function nextLeaderElectionEventAtMs(state: LeaderElectionState): number | null {
  const times = [
    state.lcr ? nextMessageAtMs(state.lcr.net) : null,
    state.hs ? nextMessageAtMs(state.hs.net) : null,
    state.bully ? nextBullyEventAtMs(state.bully) : null,
  ].filter((t): t is number => t !== null);
  return times.length > 0 ? Math.min(...times) : null;
}
