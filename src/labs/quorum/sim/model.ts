/**
 * The quorum replication lab model: N replicas of a small key-value register (leaderless, in the
 * style of Dynamo), spare nodes for sloppy quorums, clients that read and write through a
 * coordinator replica over the kernel network, and the repair machinery (read repair, hinted
 * handoff, anti-entropy with an optional Merkle tree summary).
 *
 * The coordinator's failure detector is the network itself: it knows at once which nodes it can
 * reach (a gossip detector would learn it a little later). State is plain data.
 */
import { assert } from '../../../kernel/assert';
import { sampleExponential } from '../../../kernel/distributions';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  removeWhere,
  scheduleEvent,
} from '../../../kernel/event-queue';
import { EVENT_LOG_CAPACITY } from '../../../kernel/limits';
import {
  canReach,
  createNetwork,
  deliverDue,
  healPartition,
  isDropped,
  type LinkSpec,
  type Network,
  nextMessageAtMs,
  sendMessage,
  setLink,
  setPartition,
} from '../../../kernel/network';
import { createRng, nextFloat, nextInt, type RngState, splitRng } from '../../../kernel/prng';
import { appendEvent, createEventLog, type EventLog } from '../../../kernel/sim';
import {
  ANTI_ENTROPY_PERIOD_MS_MAX,
  ANTI_ENTROPY_PERIOD_MS_MIN,
  type AntiEntropyMode,
  BIO_TEXT_MAX,
  CLIENT_LINK_MS,
  CLIENTS_MAX,
  type ConflictMode,
  type ConsistencyMode,
  clientId,
  coordinatorOf,
  formatValue,
  HINT_RETRY_MS,
  HINTS_MAX,
  HISTORY_MAX,
  KEYS_MAX,
  keyName,
  LATENCY_MS_MAX,
  LATENCY_MS_MIN,
  OPS_PER_SECOND_MAX,
  RECENT_REQUESTS_MAX,
  REPLICAS_MAX,
  REPLICAS_MIN,
  type ReadRepairMode,
  ROUTINE_EVENTS_PER_WINDOW,
  ROUTINE_WINDOW_MS,
  replicaId,
  SERIES_BUCKET_MS,
  SERIES_BUCKETS_MAX,
  SLOW_FACTOR_MAX,
  SPARES_MAX,
  spareId,
  TIMEOUT_MS_MAX,
  TIMEOUT_MS_MIN,
} from './constants';
import { buildMerkleTree, childrenOf, differingNodes, isLeaf, keyOfLeaf } from './merkle';
import {
  clockOfSiblings,
  covers,
  initialVersion,
  joinClocks,
  reconcile,
  sameVersions,
  type Version,
} from './versions';

export interface QuorumConfig {
  replicas: number;
  spares: number;
  writeQuorum: number;
  readQuorum: number;
  mode: ConsistencyMode;
  conflict: ConflictMode;
  keys: number;
  clients: number;
  opsPerSecond: number;
  writePercent: number;
  latencyMs: number;
  lossPercent: number;
  timeoutMs: number;
  readRepair: ReadRepairMode;
  antiEntropy: AntiEntropyMode;
  antiEntropyPeriodMs: number;
}

export type QuorumCommand =
  | { type: 'setQuorum'; writeQuorum: number; readQuorum: number }
  | { type: 'setMode'; mode: ConsistencyMode }
  | { type: 'setReadRepair'; readRepair: ReadRepairMode }
  | { type: 'setAntiEntropy'; antiEntropy: AntiEntropyMode; periodMs: number }
  | { type: 'setWorkload'; opsPerSecond: number; writePercent: number }
  | { type: 'setNetwork'; latencyMs: number; lossPercent: number }
  | { type: 'setPartition'; groups: string[][] }
  | { type: 'isolate'; nodeId: string }
  | { type: 'heal' }
  | { type: 'setSlowLink'; a: string; b: string; factor: number; lossPercent: number }
  | { type: 'clearSlowLink' }
  | { type: 'clientWrite'; client: number; key: number; text?: string }
  | { type: 'clientRead'; client: number; key: number };

export type Payload =
  | { t: 'req'; opId: number; kind: 'read' | 'write'; key: number; version: Version | null }
  | { t: 'resp'; opId: number; ok: boolean; versions: Version[]; reason: string }
  | { t: 'write'; reqId: number; key: number; versions: Version[]; hintFor: number | null }
  | { t: 'writeAck'; reqId: number; key: number }
  | { t: 'read'; reqId: number; key: number }
  | { t: 'readReply'; reqId: number; key: number; versions: Version[] }
  | { t: 'aeFull'; syncId: number; versionsByKey: Version[][]; reply: boolean }
  | { t: 'merkle'; syncId: number; nodes: number[]; hashes: number[] }
  | { t: 'aeKeys'; syncId: number; keys: number[]; versionsByKey: Version[][]; reply: boolean }
  | { t: 'hint'; hintId: number; key: number; versions: Version[] }
  | { t: 'hintAck'; hintId: number };

export type MessageKind = Payload['t'];

export interface Hint {
  id: number;
  forReplica: number;
  key: number;
  versions: Version[];
  lastSentAtMs: number | null;
}

export interface ClientState {
  /** The op in flight, or null when idle. */
  current: ClientOp | null;
  /** Vector-clock context per key: what this client has seen of it. */
  contexts: number[][];
  writeCounter: number;
  /** Whether the workload's next op for this client is scheduled. */
  timerPending: boolean;
}

export interface ClientOp {
  id: number;
  kind: 'read' | 'write';
  key: number;
  version: Version | null;
  invokeMs: number;
  /** What a read must return (or supersede) not to be stale: the completed writes at invoke. */
  mustSee: Version[];
  historyIndex: number;
}

export type OpStatus = 'pending' | 'ok' | 'fail';

export interface HistoryOp {
  id: number;
  client: number;
  kind: 'read' | 'write';
  key: number;
  /** The written value; for a read, the values returned (siblings in vector-clock mode). */
  value: number;
  values: number[];
  invokeMs: number;
  completeMs: number | null;
  status: OpStatus;
  /** A failed write that was refused before any replica stored it (it had no effect). */
  noEffect: boolean;
  stale: boolean;
  /** For a stale read: the values of completed writes it missed. */
  missed: number[];
  coordinator: number;
  /** Accepted below its quorum or through spares (AP mode). */
  sloppy: boolean;
  reason: string;
  /** Nodes that acknowledged (write) or answered (read) by the response. */
  quorumNodes: string[];
}

export interface CoordRequest {
  id: number;
  opId: number;
  client: number;
  coordinator: number;
  kind: 'read' | 'write';
  key: number;
  needed: number;
  phase: 'collect' | 'repair';
  version: Version | null;
  targets: string[];
  /** Spare id → the replica index it stands in for. */
  substitutes: Record<string, number>;
  acks: string[];
  replies: { node: string; versions: Version[] }[];
  resolved: Version[] | null;
  holders: string[];
  startedAtMs: number;
  deadlineMs: number;
  respondedAtMs: number | null;
  outcome: 'ok' | 'sloppy' | 'fail' | null;
  reason: string;
  /** For reads: the overlap with the newest completed write's quorum at response time. */
  overlap: { writeValue: number; writeNodes: string[]; common: string[] } | null;
}

export type Timer =
  | { kind: 'timeout'; reqId: number }
  | { kind: 'clientNext'; client: number }
  | { kind: 'antiEntropy' }
  | { kind: 'hintRetry' };

export interface SeriesBucket {
  startMs: number;
  ok: number;
  failed: number;
  stale: number;
  sloppy: number;
}

export interface Convergence {
  healAtMs: number;
  /** Per key, every version any node held at the heal. */
  target: Version[][];
  convergedAtMs: number | null;
}

export interface Counters {
  opsInvoked: number;
  readsOk: number;
  writesOk: number;
  unavailable: number;
  timedOut: number;
  staleReads: number;
  sloppyWrites: number;
  sloppyReads: number;
  hintsStored: number;
  hintsDelivered: number;
  readRepairWrites: number;
  readsWithSiblings: number;
  aeRounds: number;
  aeExchanges: number;
  aeInSync: number;
  aeMessages: number;
  aeEntriesSent: number;
  aeKeysRepaired: number;
  messagesSent: number;
  messagesDropped: number;
  historyDropped: number;
}

/** Events that happen once per operation or message: logged a few per window, then summarised. */
export type RoutineKind = 'repair' | 'stale' | 'siblings' | 'unavailable' | 'hint' | 'handoff';

export interface RoutineLog {
  /** The index of the current window (virtual time ÷ ROUTINE_WINDOW_MS). */
  window: number;
  logged: Partial<Record<RoutineKind, number>>;
  held: Partial<Record<RoutineKind, number>>;
}

export interface SlowLink {
  a: string;
  b: string;
  factor: number;
  lossPercent: number;
}

export interface QuorumState {
  nowMs: number;
  seed: number;
  config: QuorumConfig;
  net: Network<Payload>;
  netRng: RngState;
  workRng: RngState;
  timers: EventQueue<Timer>;
  /** Per replica, per key: the versions it stores (one under LWW; siblings under vector clocks). */
  stores: Version[][][];
  hints: Hint[][];
  clients: ClientState[];
  requests: Record<string, CoordRequest>;
  recentRequests: CoordRequest[];
  history: HistoryOp[];
  /** Bumped on every change to a recorded operation, so the UI is sent only what changed. */
  historyVersion: number;
  /** Per history entry: the historyVersion of its last change (the snapshot sends newer ones). */
  historyRevs: number[];
  /**
   * A hash of the commands applied so far and when: with the seed it names the run's path, so
   * the snapshot may send the history as changes since a version the UI holds on the same path.
   */
  lineage: number;
  /** Routine per-operation events logged in the current window, and those held back. */
  routineLog: RoutineLog;
  /** Per key: the completed writes reconciled (what any later read must see). */
  completed: Version[][];
  /** Per key: the newest completed write's value and the nodes that had acknowledged it. */
  lastWriteQuorum: ({ value: number; nodes: string[] } | null)[];
  /** Texts given to values by hand (the profile bio), by value. */
  valueTexts: Record<string, string>;
  groups: string[][] | null;
  slowLink: SlowLink | null;
  convergence: Convergence | null;
  lastConvergence: { healAtMs: number; convergedAtMs: number } | null;
  counters: Counters;
  series: SeriesBucket[];
  nextValue: number;
  nextOpId: number;
  nextReqId: number;
  nextSyncId: number;
  nextHintId: number;
  aeRound: number;
  events: EventLog;
}

// ---------------------------------------------------------------------------------------------
// Node ids.

export function parseNodeId(
  state: QuorumState,
  id: string,
): { type: 'replica' | 'spare' | 'client'; index: number } | null {
  const match = /^([RHC])(\d+)$/.exec(id);
  if (!match) return null;
  const index = Number(match[2]) - 1;
  const type = match[1] === 'R' ? 'replica' : match[1] === 'H' ? 'spare' : 'client';
  const count =
    type === 'replica'
      ? state.config.replicas
      : type === 'spare'
        ? state.config.spares
        : state.config.clients;
  return index >= 0 && index < count ? { type, index } : null;
}

export function serverIds(config: Pick<QuorumConfig, 'replicas' | 'spares'>): string[] {
  return [
    ...Array.from({ length: config.replicas }, (_, i) => replicaId(i)),
    ...Array.from({ length: config.spares }, (_, i) => spareId(i)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Creation.

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

export function normaliseConfig(config: QuorumConfig): QuorumConfig {
  const replicas = clampInt(config.replicas, REPLICAS_MIN, REPLICAS_MAX);
  return {
    ...config,
    replicas,
    spares: clampInt(config.spares, 0, SPARES_MAX),
    writeQuorum: clampInt(config.writeQuorum, 1, replicas),
    readQuorum: clampInt(config.readQuorum, 1, replicas),
    keys: clampInt(config.keys, 1, KEYS_MAX),
    clients: clampInt(config.clients, 1, CLIENTS_MAX),
    opsPerSecond: clampInt(config.opsPerSecond, 0, OPS_PER_SECOND_MAX),
    writePercent: clampInt(config.writePercent, 0, 100),
    latencyMs: clampInt(config.latencyMs, LATENCY_MS_MIN, LATENCY_MS_MAX),
    lossPercent: clampInt(config.lossPercent, 0, 100),
    timeoutMs: clampInt(config.timeoutMs, TIMEOUT_MS_MIN, TIMEOUT_MS_MAX),
    antiEntropyPeriodMs: clampInt(
      config.antiEntropyPeriodMs,
      ANTI_ENTROPY_PERIOD_MS_MIN,
      ANTI_ENTROPY_PERIOD_MS_MAX,
    ),
  };
}

function linkSpec(latencyMs: number, lossPercent: number, factor = 1): LinkSpec {
  const mean = latencyMs * factor;
  return {
    latency: {
      kind: 'uniform',
      minMs: Math.max(1, Math.ceil(mean / 2)),
      maxMs: Math.max(1, Math.floor((mean * 3) / 2)),
    },
    lossProbability: lossPercent / 100,
  };
}

export function createQuorumState(rawConfig: QuorumConfig, seed: number): QuorumState {
  const config = normaliseConfig(rawConfig);
  const root = createRng(seed, 5);
  const netRng = splitRng(root, 'network');
  const workRng = splitRng(root, 'workload');
  const ids = [
    ...serverIds(config),
    ...Array.from({ length: config.clients }, (_, i) => clientId(i)),
  ];
  const net = createNetwork<Payload>(ids, linkSpec(config.latencyMs, config.lossPercent));
  const initial = initialVersion(config.clients);
  const state: QuorumState = {
    nowMs: 0,
    seed,
    config,
    net,
    netRng,
    workRng,
    timers: createEventQueue(),
    stores: Array.from({ length: config.replicas }, () =>
      Array.from({ length: config.keys }, () => [initial]),
    ),
    hints: Array.from({ length: config.spares }, () => []),
    clients: Array.from({ length: config.clients }, () => ({
      current: null,
      contexts: Array.from({ length: config.keys }, () =>
        new Array<number>(config.clients).fill(0),
      ),
      writeCounter: 0,
      timerPending: false,
    })),
    requests: {},
    recentRequests: [],
    history: [],
    historyVersion: 0,
    historyRevs: [],
    lineage: 0,
    routineLog: { window: 0, logged: {}, held: {} },
    completed: Array.from({ length: config.keys }, () => [initial]),
    lastWriteQuorum: Array.from({ length: config.keys }, () => null),
    valueTexts: {},
    groups: null,
    slowLink: null,
    convergence: null,
    lastConvergence: null,
    counters: {
      opsInvoked: 0,
      readsOk: 0,
      writesOk: 0,
      unavailable: 0,
      timedOut: 0,
      staleReads: 0,
      sloppyWrites: 0,
      sloppyReads: 0,
      hintsStored: 0,
      hintsDelivered: 0,
      readRepairWrites: 0,
      readsWithSiblings: 0,
      aeRounds: 0,
      aeExchanges: 0,
      aeInSync: 0,
      aeMessages: 0,
      aeEntriesSent: 0,
      aeKeysRepaired: 0,
      messagesSent: 0,
      messagesDropped: 0,
      historyDropped: 0,
    },
    series: [],
    nextValue: 1,
    nextOpId: 1,
    nextReqId: 1,
    nextSyncId: 1,
    nextHintId: 1,
    aeRound: 0,
    events: createEventLog(EVENT_LOG_CAPACITY),
  };
  applyLinks(state);
  for (let client = 0; client < config.clients; client += 1) scheduleClientNext(state, client);
  if (config.antiEntropy !== 'off') {
    scheduleEvent(state.timers, config.antiEntropyPeriodMs, { kind: 'antiEntropy' });
  }
  if (config.spares > 0) scheduleEvent(state.timers, HINT_RETRY_MS, { kind: 'hintRetry' });
  log(
    state,
    'start',
    `N = ${config.replicas} replicas, W = ${config.writeQuorum}, R = ${config.readQuorum} (${describeOverlap(config)}), ${config.mode.toUpperCase()} mode, ${config.conflict === 'lww' ? 'last write wins' : 'vector clocks'}.`,
  );
  return state;
}

export function describeOverlap(
  config: Pick<QuorumConfig, 'replicas' | 'writeQuorum' | 'readQuorum'>,
): string {
  const overlap = config.writeQuorum + config.readQuorum - config.replicas;
  return overlap > 0
    ? `W + R > N: every read quorum shares at least ${overlap} replica${overlap === 1 ? '' : 's'} with every write quorum`
    : 'W + R ≤ N: a read quorum can miss the latest write quorum entirely';
}

/** FNV-1a (32 bit) of `text`, continuing from `hash`. */
export function hashText(hash: number, text: string): number {
  let h = (hash ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const ROUTINE_WHAT: Record<RoutineKind, [string, string]> = {
  repair: ['read repair write', 'read repair writes'],
  stale: ['stale read', 'stale reads'],
  siblings: ['read with siblings', 'reads with siblings'],
  unavailable: ['failed request', 'failed requests'],
  hint: ['hint stored', 'hints stored'],
  handoff: ['hint handed off', 'hints handed off'],
};

/**
 * Logs a routine event, at most ROUTINE_EVENTS_PER_WINDOW of each kind per ROUTINE_WINDOW_MS of
 * virtual time: at hundreds of operations a second one line each would bury the log (and the
 * timeline, which marks every event) in noise. The rest are counted and summarised in one line
 * once the window is over; the figures always count every one.
 */
function logRoutine(state: QuorumState, kind: RoutineKind, text: string, important = false): void {
  const window = Math.floor(state.nowMs / ROUTINE_WINDOW_MS);
  if (window !== state.routineLog.window) flushRoutineLog(state, window);
  const routine = state.routineLog;
  const logged = routine.logged[kind] ?? 0;
  if (logged < ROUTINE_EVENTS_PER_WINDOW) {
    routine.logged[kind] = logged + 1;
    log(state, kind, text, important);
  } else {
    routine.held[kind] = (routine.held[kind] ?? 0) + 1;
  }
}

/** Summarises the routine events held back in the window that ended, and starts `window`. */
function flushRoutineLog(state: QuorumState, window: number): void {
  const routine = state.routineLog;
  const from = (routine.window * ROUTINE_WINDOW_MS) / 1000;
  const to = ((routine.window + 1) * ROUTINE_WINDOW_MS) / 1000;
  for (const [kind, count] of Object.entries(routine.held) as [RoutineKind, number][]) {
    if (count <= 0) continue;
    const [one, many] = ROUTINE_WHAT[kind];
    log(
      state,
      kind,
      `…and ${count} more ${count === 1 ? one : many} between ${from} s and ${to} s (the figures count them all).`,
      kind === 'stale' || kind === 'unavailable',
    );
  }
  state.routineLog = { window, logged: {}, held: {} };
}

/** Marks a recorded history entry as changed (the next snapshot sends it again). */
function touchHistory(state: QuorumState, index: number): void {
  state.historyVersion += 1;
  state.historyRevs[index] = state.historyVersion;
}

function log(state: QuorumState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function refuse(state: QuorumState, text: string): void {
  log(state, 'refused', text, true);
}

/** The default link everywhere, the clients' local hop to their coordinator, and the slow link. */
function applyLinks(state: QuorumState): void {
  const { config, net } = state;
  net.defaultLink = linkSpec(config.latencyMs, config.lossPercent);
  net.linkOverrides = {};
  const local: LinkSpec = { latency: { kind: 'constant', ms: CLIENT_LINK_MS }, lossProbability: 0 };
  for (let client = 0; client < config.clients; client += 1) {
    const coordinator = replicaId(coordinatorOf(client, config.replicas));
    setLink(net, clientId(client), coordinator, local);
    setLink(net, coordinator, clientId(client), local);
  }
  const slow = state.slowLink;
  if (slow) {
    const spec = linkSpec(config.latencyMs, slow.lossPercent, slow.factor);
    setLink(net, slow.a, slow.b, spec);
    setLink(net, slow.b, slow.a, spec);
  }
}

/** Partition groups name servers; each client stays on its coordinator's side. */
function applyPartition(state: QuorumState): void {
  if (state.groups === null) {
    healPartition(state.net);
    return;
  }
  const groups = state.groups.map((group) => [...group]);
  for (let client = 0; client < state.config.clients; client += 1) {
    const coordinator = replicaId(coordinatorOf(client, state.config.replicas));
    const group = groups.find((g) => g.includes(coordinator));
    group?.push(clientId(client));
  }
  setPartition(state.net, groups);
}

// ---------------------------------------------------------------------------------------------
// Commands.

export function applyQuorumCommand(state: QuorumState, command: QuorumCommand): void {
  state.lineage = hashText(state.lineage, `${state.nowMs}|${JSON.stringify(command)}`);
  switch (command.type) {
    case 'setQuorum':
      setQuorum(state, command.writeQuorum, command.readQuorum);
      return;
    case 'setMode':
      state.config.mode = command.mode;
      log(
        state,
        'config',
        command.mode === 'cp'
          ? 'CP mode: a request that cannot reach its quorum fails.'
          : 'AP mode: sloppy quorums and hinted handoff keep requests answered.',
        true,
      );
      return;
    case 'setReadRepair':
      state.config.readRepair = command.readRepair;
      log(state, 'config', `Read repair: ${command.readRepair}.`);
      return;
    case 'setAntiEntropy':
      setAntiEntropy(state, command.antiEntropy, command.periodMs);
      return;
    case 'setWorkload':
      setWorkload(state, command.opsPerSecond, command.writePercent);
      return;
    case 'setNetwork':
      state.config.latencyMs = clampInt(command.latencyMs, LATENCY_MS_MIN, LATENCY_MS_MAX);
      state.config.lossPercent = clampInt(command.lossPercent, 0, 100);
      applyLinks(state);
      log(
        state,
        'config',
        `Links: about ${state.config.latencyMs} ms, ${state.config.lossPercent}% loss.`,
      );
      return;
    case 'setPartition':
      partition(state, command.groups);
      return;
    case 'isolate':
      if (
        parseNodeId(state, command.nodeId)?.type === 'client' ||
        !parseNodeId(state, command.nodeId)
      ) {
        refuse(state, `There is no server ${command.nodeId}.`);
        return;
      }
      partition(state, [[command.nodeId]]);
      return;
    case 'heal':
      heal(state);
      return;
    case 'setSlowLink':
      setSlowLink(state, command);
      return;
    case 'clearSlowLink':
      state.slowLink = null;
      applyLinks(state);
      log(state, 'network', 'Every link back to normal.');
      return;
    case 'clientWrite':
      manualOp(state, command.client, 'write', command.key, command.text);
      return;
    case 'clientRead':
      manualOp(state, command.client, 'read', command.key);
      return;
    default: {
      const unknown: never = command;
      refuse(state, `Unknown command ${JSON.stringify(unknown)}.`);
    }
  }
}

function setQuorum(state: QuorumState, writeQuorum: number, readQuorum: number): void {
  const n = state.config.replicas;
  if (![writeQuorum, readQuorum].every((q) => Number.isInteger(q) && q >= 1 && q <= n)) {
    refuse(state, `W and R are whole numbers from 1 to N = ${n}.`);
    return;
  }
  state.config.writeQuorum = writeQuorum;
  state.config.readQuorum = readQuorum;
  log(
    state,
    'config',
    `W = ${writeQuorum}, R = ${readQuorum}: ${describeOverlap(state.config)}.`,
    true,
  );
}

function setAntiEntropy(state: QuorumState, mode: AntiEntropyMode, periodMs: number): void {
  const wasOff = state.config.antiEntropy === 'off';
  state.config.antiEntropy = mode;
  state.config.antiEntropyPeriodMs = clampInt(
    periodMs,
    ANTI_ENTROPY_PERIOD_MS_MIN,
    ANTI_ENTROPY_PERIOD_MS_MAX,
  );
  removeWhere(state.timers, (timer) => timer.kind === 'antiEntropy');
  if (mode !== 'off') {
    scheduleEvent(state.timers, state.nowMs + state.config.antiEntropyPeriodMs, {
      kind: 'antiEntropy',
    });
  }
  log(
    state,
    'config',
    mode === 'off'
      ? 'Anti-entropy off.'
      : `Anti-entropy every ${(state.config.antiEntropyPeriodMs / 1000).toFixed(1)} s (${mode === 'merkle' ? 'Merkle tree summary' : 'full exchange'})${wasOff ? '' : ''}.`,
  );
}

function setWorkload(state: QuorumState, opsPerSecond: number, writePercent: number): void {
  state.config.opsPerSecond = clampInt(opsPerSecond, 0, OPS_PER_SECOND_MAX);
  state.config.writePercent = clampInt(writePercent, 0, 100);
  removeWhere(state.timers, (timer) => timer.kind === 'clientNext');
  for (let client = 0; client < state.config.clients; client += 1) {
    const c = state.clients[client] as ClientState;
    c.timerPending = false;
    if (c.current === null) scheduleClientNext(state, client);
  }
  log(
    state,
    'config',
    `Workload: ${state.config.opsPerSecond} operations/s, ${state.config.writePercent}% writes.`,
  );
}

function partition(state: QuorumState, groups: string[][]): void {
  const seen = new Set<string>();
  const clean: string[][] = [];
  for (const group of groups) {
    const members: string[] = [];
    for (const id of group) {
      const parsed = parseNodeId(state, id);
      if (!parsed || parsed.type === 'client') {
        refuse(state, `There is no server ${id} to put in a partition.`);
        return;
      }
      if (seen.has(id)) {
        refuse(state, `${id} is in two groups.`);
        return;
      }
      seen.add(id);
      members.push(id);
    }
    if (members.length > 0) clean.push(members);
  }
  if (clean.length === 0) {
    heal(state);
    return;
  }
  state.groups = clean;
  applyPartition(state);
  state.convergence = null;
  const rest = serverIds(state.config).filter((id) => !seen.has(id));
  const described = [...clean, ...(rest.length > 0 ? [rest] : [])]
    .map((g) => `{${g.join(', ')}}`)
    .join(' | ');
  log(state, 'partition', `Network partitioned: ${described}.`, true);
}

function heal(state: QuorumState): void {
  if (state.groups === null) {
    log(state, 'partition', 'The network is already whole.');
    return;
  }
  state.groups = null;
  applyPartition(state);
  state.convergence = {
    healAtMs: state.nowMs,
    target: convergenceTarget(state),
    convergedAtMs: null,
  };
  log(state, 'heal', 'Partition healed: replicas start to converge.', true);
  checkConvergence(state);
}

function setSlowLink(
  state: QuorumState,
  command: { a: string; b: string; factor: number; lossPercent: number },
): void {
  const a = parseNodeId(state, command.a);
  const b = parseNodeId(state, command.b);
  if (!a || !b || a.type === 'client' || b.type === 'client' || command.a === command.b) {
    refuse(state, 'Pick two different servers for the slow link.');
    return;
  }
  state.slowLink = {
    a: command.a,
    b: command.b,
    factor: clampInt(command.factor, 1, SLOW_FACTOR_MAX),
    lossPercent: clampInt(command.lossPercent, 0, 100),
  };
  applyLinks(state);
  log(
    state,
    'network',
    `Link ${command.a} ↔ ${command.b}: ${state.slowLink.factor}× slower, ${state.slowLink.lossPercent}% loss.`,
    true,
  );
}

// ---------------------------------------------------------------------------------------------
// Clients.

function scheduleClientNext(state: QuorumState, client: number): void {
  const rate = state.config.opsPerSecond;
  if (rate <= 0) return;
  const meanMs = (1000 * state.config.clients) / rate;
  const gap = Math.max(1, Math.round(sampleExponential(state.workRng, meanMs)));
  (state.clients[client] as ClientState).timerPending = true;
  scheduleEvent(state.timers, state.nowMs + gap, { kind: 'clientNext', client });
}

function workloadOp(state: QuorumState, client: number): void {
  const c = state.clients[client] as ClientState;
  c.timerPending = false;
  // A manual op is running: the next one is scheduled when it completes.
  if (c.current !== null) return;
  const isWrite = nextFloat(state.workRng) * 100 < state.config.writePercent;
  const key = nextInt(state.workRng, 0, state.config.keys);
  invokeOp(state, client, isWrite ? 'write' : 'read', key);
}

function manualOp(
  state: QuorumState,
  client: number,
  kind: 'read' | 'write',
  key: number,
  text?: string,
): void {
  if (!Number.isInteger(client) || client < 0 || client >= state.config.clients) {
    refuse(state, `There is no client ${client + 1}.`);
    return;
  }
  if (!Number.isInteger(key) || key < 0 || key >= state.config.keys) {
    refuse(state, `There is no key ${key}.`);
    return;
  }
  if ((state.clients[client] as ClientState).current !== null) {
    refuse(state, `${clientId(client)} is still waiting for its last operation.`);
    return;
  }
  const op = invokeOp(state, client, kind, key);
  const trimmed = text?.trim().slice(0, BIO_TEXT_MAX);
  if (op.version && trimmed) state.valueTexts[String(op.version.value)] = trimmed;
  log(
    state,
    'client',
    kind === 'write'
      ? `${clientId(client)} writes ${keyName(key)} = ${describeValue(state, op.version?.value ?? 0)} via ${replicaId(coordinatorOf(client, state.config.replicas))}.`
      : `${clientId(client)} reads ${keyName(key)} via ${replicaId(coordinatorOf(client, state.config.replicas))}.`,
    true,
  );
}

export function describeValue(state: Pick<QuorumState, 'valueTexts'>, value: number): string {
  const text = state.valueTexts[String(value)];
  return text ? `${formatValue(value)} “${text}”` : formatValue(value);
}

function invokeOp(
  state: QuorumState,
  client: number,
  kind: 'read' | 'write',
  key: number,
): ClientOp {
  const c = state.clients[client] as ClientState;
  let version: Version | null = null;
  if (kind === 'write') {
    c.writeCounter += 1;
    const clock = [...(c.contexts[key] as number[])];
    clock[client] = c.writeCounter;
    version = { value: state.nextValue, ts: 0, node: -1, clock };
    state.nextValue += 1;
  }
  const op: ClientOp = {
    id: state.nextOpId,
    kind,
    key,
    version,
    invokeMs: state.nowMs,
    mustSee: [...(state.completed[key] as Version[])],
    historyIndex: -1,
  };
  state.nextOpId += 1;
  state.counters.opsInvoked += 1;
  if (state.history.length < HISTORY_MAX) {
    op.historyIndex = state.history.length;
    state.history.push({
      id: op.id,
      client,
      kind,
      key,
      value: version?.value ?? -1,
      values: [],
      invokeMs: state.nowMs,
      completeMs: null,
      status: 'pending',
      noEffect: false,
      stale: false,
      missed: [],
      coordinator: coordinatorOf(client, state.config.replicas),
      sloppy: false,
      reason: '',
      quorumNodes: [],
    });
    touchHistory(state, op.historyIndex);
  } else {
    if (state.counters.historyDropped === 0) {
      log(
        state,
        'history',
        `The history holds ${HISTORY_MAX} operations; later ones run and count but are not recorded.`,
        true,
      );
    }
    state.counters.historyDropped += 1;
  }
  c.current = op;
  send(state, clientId(client), replicaId(coordinatorOf(client, state.config.replicas)), {
    t: 'req',
    opId: op.id,
    kind,
    key,
    version,
  });
  return op;
}

/** The response reaches the client: the op completes, and a read is checked for staleness. */
function completeOp(
  state: QuorumState,
  client: number,
  payload: Extract<Payload, { t: 'resp' }>,
): void {
  const c = state.clients[client] as ClientState;
  const op = c.current;
  if (op === null || op.id !== payload.opId) return;
  c.current = null;
  const entry = op.historyIndex >= 0 ? state.history[op.historyIndex] : undefined;
  if (entry) touchHistory(state, op.historyIndex);
  const bucket = seriesBucket(state);
  if (entry) {
    entry.completeMs = state.nowMs;
    entry.status = payload.ok ? 'ok' : 'fail';
    entry.reason = payload.reason;
  }
  if (!payload.ok) {
    bucket.failed += 1;
  } else if (op.kind === 'write' && op.version) {
    state.counters.writesOk += 1;
    bucket.ok += 1;
    const written = payload.versions[0] ?? op.version;
    state.completed[op.key] = reconcile(
      state.config.conflict,
      state.completed[op.key] as Version[],
      [written],
    );
    c.contexts[op.key] = joinClocks(c.contexts[op.key] as number[], written.clock);
  } else {
    state.counters.readsOk += 1;
    bucket.ok += 1;
    const values = payload.versions.map((v) => v.value);
    if (payload.versions.length > 1) state.counters.readsWithSiblings += 1;
    c.contexts[op.key] = joinClocks(
      c.contexts[op.key] as number[],
      clockOfSiblings(payload.versions, state.config.clients),
    );
    const stale = !covers(state.config.conflict, payload.versions, op.mustSee);
    if (entry) {
      entry.values = values;
      entry.value = values[0] ?? -1;
      entry.stale = stale;
    }
    if (stale) {
      state.counters.staleReads += 1;
      bucket.stale += 1;
      const missed = op.mustSee
        .filter((v) => !covers(state.config.conflict, payload.versions, [v]))
        .map((v) => v.value);
      if (entry) entry.missed = missed;
      logRoutine(
        state,
        'stale',
        `Stale read: ${clientId(client)} read ${keyName(op.key)} = ${values.map((v) => describeValue(state, v)).join(' | ')}, but ${missed.map((v) => describeValue(state, v)).join(', ')} had already been written.`,
        true,
      );
    } else if (payload.versions.length > 1) {
      logRoutine(
        state,
        'siblings',
        `${clientId(client)} read ${payload.versions.length} concurrent versions of ${keyName(op.key)} (${values.map(formatValue).join(', ')}); its next write merges them.`,
      );
    }
  }
  if (!c.timerPending) scheduleClientNext(state, client);
}

function seriesBucket(state: QuorumState): SeriesBucket {
  const startMs = state.nowMs - (state.nowMs % SERIES_BUCKET_MS);
  let bucket = state.series.at(-1);
  if (!bucket || bucket.startMs !== startMs) {
    const window = Math.floor(state.nowMs / ROUTINE_WINDOW_MS);
    if (window !== state.routineLog.window) flushRoutineLog(state, window);
    bucket = { startMs, ok: 0, failed: 0, stale: 0, sloppy: 0 };
    state.series.push(bucket);
    if (state.series.length > SERIES_BUCKETS_MAX) state.series.shift();
  }
  return bucket;
}

// ---------------------------------------------------------------------------------------------
// The network.

function send(state: QuorumState, from: string, to: string, payload: Payload): void {
  state.counters.messagesSent += 1;
  sendMessage(state.net, state.netRng, from, to, payload, state.nowMs);
}

/** What the coordinator's failure detector says: can it reach that node now? */
function reachable(state: QuorumState, from: string, to: string): boolean {
  return from === to || canReach(state.net, from, to);
}

function handleMessage(state: QuorumState, from: string, to: string, payload: Payload): void {
  const target = parseNodeId(state, to);
  if (!target) return;
  switch (payload.t) {
    case 'req':
      startRequest(state, target.index, from, payload);
      return;
    case 'resp':
      completeOp(state, target.index, payload);
      return;
    case 'write':
      if (target.type === 'replica') {
        storeVersions(state, target.index, payload.key, payload.versions);
      } else {
        storeHint(state, target.index, payload.hintFor ?? 0, payload.key, payload.versions);
      }
      send(state, to, from, { t: 'writeAck', reqId: payload.reqId, key: payload.key });
      return;
    case 'writeAck':
      onWriteAck(state, from, payload.reqId);
      return;
    case 'read': {
      const versions =
        target.type === 'replica'
          ? ((state.stores[target.index] as Version[][])[payload.key] as Version[])
          : hintedVersions(state, target.index, payload.key);
      send(state, to, from, { t: 'readReply', reqId: payload.reqId, key: payload.key, versions });
      return;
    }
    case 'readReply':
      onReadReply(state, from, payload.reqId, payload.versions);
      return;
    case 'aeFull':
      onFullExchange(state, target.index, from, payload);
      return;
    case 'merkle':
      onMerkle(state, target.index, from, payload);
      return;
    case 'aeKeys':
      onKeys(state, target.index, from, payload);
      return;
    case 'hint':
      storeVersions(state, target.index, payload.key, payload.versions);
      send(state, to, from, { t: 'hintAck', hintId: payload.hintId });
      return;
    case 'hintAck':
      onHintAck(state, target.index, payload.hintId);
      return;
    default: {
      const unknown: never = payload;
      throw new Error(`unknown payload ${JSON.stringify(unknown)}`);
    }
  }
}

/** A replica reconciles incoming versions into its store; returns whether anything changed. */
function storeVersions(
  state: QuorumState,
  replica: number,
  key: number,
  versions: Version[],
): boolean {
  const store = state.stores[replica] as Version[][];
  const before = store[key] as Version[];
  const after = reconcile(state.config.conflict, before, versions);
  if (sameVersions(state.config.conflict, before, after)) return false;
  store[key] = after;
  return true;
}

function storeHint(
  state: QuorumState,
  spare: number,
  forReplica: number,
  key: number,
  versions: Version[],
): void {
  const hints = state.hints[spare] as Hint[];
  const existing = hints.find((h) => h.forReplica === forReplica && h.key === key);
  if (existing) {
    existing.versions = reconcile(state.config.conflict, existing.versions, versions);
    existing.lastSentAtMs = null;
    return;
  }
  assert(hints.length < HINTS_MAX, `limit reached: hints per spare (${HINTS_MAX})`);
  hints.push({
    id: state.nextHintId,
    forReplica,
    key,
    versions: [...versions],
    lastSentAtMs: null,
  });
  state.nextHintId += 1;
  state.counters.hintsStored += 1;
  logRoutine(
    state,
    'hint',
    `${spareId(spare)} keeps a hint: ${keyName(key)} for ${replicaId(forReplica)}, which is unreachable.`,
  );
}

function hintedVersions(state: QuorumState, spare: number, key: number): Version[] {
  let versions: Version[] = [];
  for (const hint of state.hints[spare] as Hint[]) {
    if (hint.key === key) versions = reconcile(state.config.conflict, versions, hint.versions);
  }
  return versions;
}

// ---------------------------------------------------------------------------------------------
// Coordinators: the write path and the read path.

function startRequest(
  state: QuorumState,
  coordinator: number,
  from: string,
  payload: Extract<Payload, { t: 'req' }>,
): void {
  const client = (parseNodeId(state, from) as { index: number }).index;
  const { config } = state;
  const self = replicaId(coordinator);
  const needed = payload.kind === 'write' ? config.writeQuorum : config.readQuorum;
  const homes = Array.from({ length: config.replicas }, (_, i) => replicaId(i));
  const reachableHomes = homes.filter((id) => reachable(state, self, id));
  const req: CoordRequest = {
    id: state.nextReqId,
    opId: payload.opId,
    client,
    coordinator,
    kind: payload.kind,
    key: payload.key,
    needed,
    phase: 'collect',
    version: payload.version ? { ...payload.version, ts: state.nowMs, node: coordinator } : null,
    targets: [...homes],
    substitutes: {},
    acks: [],
    replies: [],
    resolved: null,
    holders: [],
    startedAtMs: state.nowMs,
    deadlineMs: state.nowMs + config.timeoutMs,
    respondedAtMs: null,
    outcome: null,
    reason: '',
    overlap: null,
  };
  state.nextReqId += 1;
  if (config.mode === 'cp' && reachableHomes.length < needed) {
    req.reason = `unavailable: ${reachableHomes.length} of ${config.replicas} replicas reachable, ${payload.kind === 'write' ? 'W' : 'R'} = ${needed}`;
    state.counters.unavailable += 1;
    failRequest(state, req);
    return;
  }
  state.requests[String(req.id)] = req;
  if (config.mode === 'ap') pickSubstitutes(state, req, homes, reachableHomes);
  scheduleEvent(state.timers, req.deadlineMs, { kind: 'timeout', reqId: req.id });
  if (req.kind === 'write') startWrite(state, req);
  else startRead(state, req);
}

/**
 * Sloppy quorum (Dynamo §4.6): each replica the coordinator cannot reach is stood in for by the
 * next reachable spare, which keeps the write as a hint for it.
 */
function pickSubstitutes(
  state: QuorumState,
  req: CoordRequest,
  homes: string[],
  reachableHomes: string[],
): void {
  const self = replicaId(req.coordinator);
  const spares = Array.from({ length: state.config.spares }, (_, i) => spareId(i)).filter((id) =>
    reachable(state, self, id),
  );
  for (const home of homes) {
    if (reachableHomes.includes(home)) continue;
    const spare = spares.shift();
    if (spare === undefined) break;
    req.substitutes[spare] = (parseNodeId(state, home) as { index: number }).index;
    req.targets.push(spare);
  }
}

function startWrite(state: QuorumState, req: CoordRequest): void {
  const version = req.version as Version;
  const self = replicaId(req.coordinator);
  storeVersions(state, req.coordinator, req.key, [version]);
  req.acks.push(self);
  for (const target of req.targets) {
    if (target === self) continue;
    const hintFor = req.substitutes[target];
    send(state, self, target, {
      t: 'write',
      reqId: req.id,
      key: req.key,
      versions: [version],
      hintFor: hintFor ?? null,
    });
  }
  progressWrite(state, req);
}

function onWriteAck(state: QuorumState, from: string, reqId: number): void {
  const req = state.requests[String(reqId)];
  if (!req) return;
  if (req.kind === 'write') {
    if (!req.acks.includes(from)) req.acks.push(from);
    progressWrite(state, req);
    return;
  }
  // A read repair write was acknowledged: that node now holds the resolved value.
  if (!req.holders.includes(from)) req.holders.push(from);
  if (req.phase === 'repair' && req.respondedAtMs === null && homeHolders(req) >= req.needed) {
    respond(state, req, 'ok');
  }
}

function progressWrite(state: QuorumState, req: CoordRequest): void {
  if (req.respondedAtMs !== null || req.acks.length < req.needed) return;
  const sloppy = req.acks.some((id) => id.startsWith('H'));
  respond(state, req, sloppy ? 'sloppy' : 'ok');
}

function startRead(state: QuorumState, req: CoordRequest): void {
  const self = replicaId(req.coordinator);
  req.replies.push({
    node: self,
    versions: (state.stores[req.coordinator] as Version[][])[req.key] as Version[],
  });
  for (const target of req.targets) {
    if (target !== self) send(state, self, target, { t: 'read', reqId: req.id, key: req.key });
  }
  progressRead(state, req);
}

function onReadReply(state: QuorumState, from: string, reqId: number, versions: Version[]): void {
  const req = state.requests[String(reqId)];
  if (req?.kind !== 'read') return;
  if (req.replies.some((r) => r.node === from)) return;
  req.replies.push({ node: from, versions });
  if (req.resolved !== null) {
    // A late reply: repair it in the background if it is behind (Dynamo's read repair).
    if (state.config.readRepair !== 'off') repairIfBehind(state, req, from, versions);
    return;
  }
  progressRead(state, req);
}

function homeHolders(req: CoordRequest): number {
  return req.holders.filter((id) => id.startsWith('R')).length;
}

/**
 * With R replies in, the coordinator resolves the newest versions. Read repair writes them back to
 * replicas that answered with older ones; in blocking mode the read waits until W replicas hold
 * them (as ABD does), so no later read quorum can miss what this read returned.
 */
function progressRead(state: QuorumState, req: CoordRequest): void {
  if (req.resolved !== null || req.replies.length < req.needed) return;
  const mode = state.config.conflict;
  let resolved: Version[] = [];
  for (const reply of req.replies) resolved = reconcile(mode, resolved, reply.versions);
  req.resolved = resolved;
  req.holders = req.replies.filter((r) => covers(mode, r.versions, resolved)).map((r) => r.node);
  const sloppy = req.replies.some((r) => r.node.startsWith('H'));
  const readRepair = state.config.readRepair;
  if (readRepair === 'off') {
    respond(state, req, sloppy ? 'sloppy' : 'ok');
    return;
  }
  for (const reply of req.replies) repairIfBehind(state, req, reply.node, reply.versions);
  if (readRepair === 'async' || homeHolders(req) >= state.config.writeQuorum) {
    respond(state, req, sloppy ? 'sloppy' : 'ok');
    return;
  }
  // Blocking: also write back to replicas that have not answered, until W hold the value.
  req.phase = 'repair';
  req.needed = state.config.writeQuorum;
  const self = replicaId(req.coordinator);
  for (let i = 0; i < state.config.replicas; i += 1) {
    const id = replicaId(i);
    if (req.holders.includes(id) || req.replies.some((r) => r.node === id)) continue;
    state.counters.readRepairWrites += 1;
    send(state, self, id, {
      t: 'write',
      reqId: req.id,
      key: req.key,
      versions: resolved,
      hintFor: null,
    });
  }
}

function repairIfBehind(
  state: QuorumState,
  req: CoordRequest,
  node: string,
  versions: Version[],
): void {
  const resolved = req.resolved as Version[];
  if (!node.startsWith('R') || covers(state.config.conflict, versions, resolved)) return;
  state.counters.readRepairWrites += 1;
  const self = replicaId(req.coordinator);
  if (node === self) {
    storeVersions(state, req.coordinator, req.key, resolved);
    if (!req.holders.includes(self)) req.holders.push(self);
    logRoutine(state, 'repair', `Read repair: ${self} updates its own ${keyName(req.key)}.`);
    return;
  }
  logRoutine(
    state,
    'repair',
    `Read repair: ${self} sends the newest ${keyName(req.key)} to ${node}.`,
  );
  send(state, self, node, {
    t: 'write',
    reqId: req.id,
    key: req.key,
    versions: resolved,
    hintFor: null,
  });
}

function onTimeout(state: QuorumState, reqId: number): void {
  const req = state.requests[String(reqId)];
  if (!req) return;
  delete state.requests[String(reqId)];
  if (req.respondedAtMs !== null) return;
  const got = req.kind === 'write' ? req.acks.length : req.replies.length;
  if (state.config.mode === 'ap') {
    // Always answer in AP mode: the coordinator itself is a replica, so it has at least one.
    if (req.kind === 'read' && req.resolved === null) {
      let resolved: Version[] = [];
      for (const reply of req.replies)
        resolved = reconcile(state.config.conflict, resolved, reply.versions);
      req.resolved = resolved;
    }
    req.reason = `accepted with ${got} of ${req.needed} after the timeout`;
    respond(state, req, 'sloppy');
    return;
  }
  state.counters.timedOut += 1;
  req.reason =
    req.phase === 'repair'
      ? `timeout: read repair reached ${homeHolders(req)} of W = ${req.needed}`
      : `timeout: ${got} of ${req.kind === 'write' ? 'W' : 'R'} = ${req.needed} answered`;
  failRequest(state, req);
}

function respond(state: QuorumState, req: CoordRequest, outcome: 'ok' | 'sloppy'): void {
  req.respondedAtMs = state.nowMs;
  req.outcome = outcome;
  const nodes = req.kind === 'write' ? req.acks : req.replies.map((r) => r.node);
  if (outcome === 'sloppy') {
    if (req.kind === 'write') state.counters.sloppyWrites += 1;
    else state.counters.sloppyReads += 1;
    seriesBucket(state).sloppy += 1;
  }
  if (req.kind === 'write') {
    const quorum = { value: (req.version as Version).value, nodes: [...req.acks] };
    state.lastWriteQuorum[req.key] = quorum;
  } else {
    const last = state.lastWriteQuorum[req.key];
    if (last) {
      const readNodes = req.replies.map((r) => r.node);
      req.overlap = {
        writeValue: last.value,
        writeNodes: last.nodes,
        common: last.nodes.filter((n) => readNodes.includes(n)),
      };
    }
  }
  const entry = historyEntryOf(state, req);
  if (entry) {
    touchHistory(state, historyIndexOf(state, req));
    entry.sloppy = outcome === 'sloppy';
    entry.quorumNodes = [...nodes];
  }
  const versions = req.kind === 'write' ? [req.version as Version] : (req.resolved as Version[]);
  send(state, replicaId(req.coordinator), clientId(req.client), {
    t: 'resp',
    opId: req.opId,
    ok: true,
    versions,
    reason: req.reason,
  });
  remember(state, req);
}

function historyEntryOf(state: QuorumState, req: CoordRequest): HistoryOp | undefined {
  const index = historyIndexOf(state, req);
  return index < 0 ? undefined : state.history[index];
}

/** The history index of the request's client operation, or -1 when it is not recorded. */
function historyIndexOf(state: QuorumState, req: CoordRequest): number {
  const op = (state.clients[req.client] as ClientState).current;
  if (!op || op.id !== req.opId) return -1;
  return op.historyIndex;
}

/** A request that fails: the client hears so, and the event log says why. */
function failRequest(state: QuorumState, req: CoordRequest): void {
  req.outcome = 'fail';
  req.respondedAtMs = state.nowMs;
  const entry = historyEntryOf(state, req);
  const noEffect = req.kind === 'write' && req.acks.length === 0;
  if (entry) {
    touchHistory(state, historyIndexOf(state, req));
    entry.noEffect = noEffect;
    entry.quorumNodes = req.kind === 'write' ? [...req.acks] : req.replies.map((r) => r.node);
  }
  logRoutine(
    state,
    'unavailable',
    `${clientId(req.client)}'s ${req.kind} of ${keyName(req.key)} failed (${req.reason}).`,
    true,
  );
  send(state, replicaId(req.coordinator), clientId(req.client), {
    t: 'resp',
    opId: req.opId,
    ok: false,
    versions: [],
    reason: req.reason,
  });
  remember(state, req);
}

function remember(state: QuorumState, req: CoordRequest): void {
  if (state.recentRequests.includes(req)) return;
  state.recentRequests.push(req);
  if (state.recentRequests.length > RECENT_REQUESTS_MAX) state.recentRequests.shift();
}

// ---------------------------------------------------------------------------------------------
// Hinted handoff.

function retryHints(state: QuorumState): void {
  for (let spare = 0; spare < state.config.spares; spare += 1) {
    for (const hint of state.hints[spare] as Hint[]) {
      const home = replicaId(hint.forReplica);
      if (!reachable(state, spareId(spare), home)) continue;
      if (
        hint.lastSentAtMs !== null &&
        state.nowMs - hint.lastSentAtMs < 2 * state.config.timeoutMs
      )
        continue;
      hint.lastSentAtMs = state.nowMs;
      send(state, spareId(spare), home, {
        t: 'hint',
        hintId: hint.id,
        key: hint.key,
        versions: hint.versions,
      });
    }
  }
  scheduleEvent(state.timers, state.nowMs + HINT_RETRY_MS, { kind: 'hintRetry' });
}

function onHintAck(state: QuorumState, spare: number, hintId: number): void {
  const hints = state.hints[spare] as Hint[];
  const index = hints.findIndex((h) => h.id === hintId);
  if (index < 0) return;
  const hint = hints[index] as Hint;
  hints.splice(index, 1);
  state.counters.hintsDelivered += 1;
  logRoutine(
    state,
    'handoff',
    `${spareId(spare)} handed ${keyName(hint.key)} back to ${replicaId(hint.forReplica)}.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Anti-entropy: each period every replica syncs with one peer, round-robin over the offsets
// 1 … N − 1, so within N − 1 periods every pair of replicas has compared directly.

function startAntiEntropyRound(state: QuorumState): void {
  const { replicas } = state.config;
  state.aeRound += 1;
  state.counters.aeRounds += 1;
  const offset = 1 + ((state.aeRound - 1) % (replicas - 1));
  for (let i = 0; i < replicas; i += 1) {
    const peer = (i + offset) % replicas;
    if (!reachable(state, replicaId(i), replicaId(peer))) continue;
    state.counters.aeExchanges += 1;
    const syncId = state.nextSyncId;
    state.nextSyncId += 1;
    if (state.config.antiEntropy === 'full') {
      sendAe(
        state,
        i,
        peer,
        {
          t: 'aeFull',
          syncId,
          versionsByKey: state.stores[i] as Version[][],
          reply: true,
        },
        state.config.keys,
      );
    } else {
      const tree = buildMerkleTree(state.stores[i] as Version[][]);
      sendAe(state, i, peer, { t: 'merkle', syncId, nodes: [0], hashes: [tree.hashes[0] ?? 0] }, 1);
    }
  }
  scheduleEvent(state.timers, state.nowMs + state.config.antiEntropyPeriodMs, {
    kind: 'antiEntropy',
  });
}

function sendAe(
  state: QuorumState,
  from: number,
  to: number,
  payload: Payload,
  entries: number,
): void {
  state.counters.aeMessages += 1;
  state.counters.aeEntriesSent += entries;
  send(state, replicaId(from), replicaId(to), payload);
}

function mergeKeys(
  state: QuorumState,
  replica: number,
  keys: number[],
  versionsByKey: Version[][],
): void {
  keys.forEach((key, i) => {
    if (storeVersions(state, replica, key, versionsByKey[i] ?? []))
      state.counters.aeKeysRepaired += 1;
  });
}

function onFullExchange(
  state: QuorumState,
  replica: number,
  from: string,
  payload: Extract<Payload, { t: 'aeFull' }>,
): void {
  const keys = Array.from({ length: state.config.keys }, (_, k) => k);
  mergeKeys(state, replica, keys, payload.versionsByKey);
  if (payload.reply) {
    const peer = (parseNodeId(state, from) as { index: number }).index;
    sendAe(
      state,
      replica,
      peer,
      {
        t: 'aeFull',
        syncId: payload.syncId,
        versionsByKey: state.stores[replica] as Version[][],
        reply: false,
      },
      state.config.keys,
    );
  }
}

function onMerkle(
  state: QuorumState,
  replica: number,
  from: string,
  payload: Extract<Payload, { t: 'merkle' }>,
): void {
  const peer = (parseNodeId(state, from) as { index: number }).index;
  const tree = buildMerkleTree(state.stores[replica] as Version[][]);
  const differing = differingNodes(tree, payload.nodes, payload.hashes);
  if (differing.length === 0) {
    if (payload.nodes.length === 1 && payload.nodes[0] === 0) state.counters.aeInSync += 1;
    return;
  }
  if (differing.every((node) => isLeaf(tree, node))) {
    const keys = differing
      .map((node) => keyOfLeaf(tree, node))
      .filter((k) => k < state.config.keys);
    const store = state.stores[replica] as Version[][];
    sendAe(
      state,
      replica,
      peer,
      {
        t: 'aeKeys',
        syncId: payload.syncId,
        keys,
        versionsByKey: keys.map((k) => store[k] as Version[]),
        reply: true,
      },
      keys.length,
    );
    return;
  }
  const nodes = differing.flatMap((node) => childrenOf(node));
  sendAe(
    state,
    replica,
    peer,
    {
      t: 'merkle',
      syncId: payload.syncId,
      nodes,
      hashes: nodes.map((node) => tree.hashes[node] ?? 0),
    },
    nodes.length,
  );
}

function onKeys(
  state: QuorumState,
  replica: number,
  from: string,
  payload: Extract<Payload, { t: 'aeKeys' }>,
): void {
  mergeKeys(state, replica, payload.keys, payload.versionsByKey);
  if (!payload.reply) return;
  const peer = (parseNodeId(state, from) as { index: number }).index;
  const store = state.stores[replica] as Version[][];
  sendAe(
    state,
    replica,
    peer,
    {
      t: 'aeKeys',
      syncId: payload.syncId,
      keys: payload.keys,
      versionsByKey: payload.keys.map((k) => store[k] as Version[]),
      reply: false,
    },
    payload.keys.length,
  );
}

// ---------------------------------------------------------------------------------------------
// Convergence.

function convergenceTarget(state: QuorumState): Version[][] {
  const mode = state.config.conflict;
  return Array.from({ length: state.config.keys }, (_, key) => {
    let all: Version[] = [];
    for (const store of state.stores) all = reconcile(mode, all, store[key] as Version[]);
    for (const hints of state.hints) {
      for (const hint of hints) if (hint.key === key) all = reconcile(mode, all, hint.versions);
    }
    return all;
  });
}

/** True when every replica holds everything in `target` (per key). */
export function replicasCover(state: QuorumState, target: Version[][]): boolean {
  const mode = state.config.conflict;
  return state.stores.every((store) =>
    target.every((versions, key) => covers(mode, store[key] as Version[], versions)),
  );
}

/** Keys on which the replicas do not all hold the same versions right now. */
export function divergentKeys(state: QuorumState): number[] {
  const mode = state.config.conflict;
  const out: number[] = [];
  for (let key = 0; key < state.config.keys; key += 1) {
    const first = (state.stores[0] as Version[][])[key] as Version[];
    if (state.stores.some((store) => !sameVersions(mode, store[key] as Version[], first)))
      out.push(key);
  }
  return out;
}

function checkConvergence(state: QuorumState): void {
  const pending = state.convergence;
  if (pending === null || pending.convergedAtMs !== null) return;
  if (!replicasCover(state, pending.target)) return;
  pending.convergedAtMs = state.nowMs;
  state.lastConvergence = { healAtMs: pending.healAtMs, convergedAtMs: state.nowMs };
  log(
    state,
    'converged',
    `Replicas converged ${((state.nowMs - pending.healAtMs) / 1000).toFixed(2)} s after the heal: every replica holds every write made before it.`,
    true,
  );
}

// ---------------------------------------------------------------------------------------------
// Time.

export function nextQuorumEventAtMs(state: QuorumState): number | null {
  const timer = peekNextAtMs(state.timers);
  const message = nextMessageAtMs(state.net);
  if (timer === null) return message;
  if (message === null) return timer;
  return Math.min(timer, message);
}

export function advanceQuorum(state: QuorumState, atMs: number): void {
  for (;;) {
    const next = nextQuorumEventAtMs(state);
    if (next === null || next > atMs) break;
    state.nowMs = Math.max(state.nowMs, next);
    const messageAt = nextMessageAtMs(state.net);
    if (messageAt !== null && messageAt <= next) {
      for (const message of deliverDue(state.net, next)) {
        if (isDropped(message)) {
          state.counters.messagesDropped += 1;
          continue;
        }
        handleMessage(state, message.from, message.to, message.payload);
      }
    } else {
      const due = popNextDue(state.timers, next);
      if (due) runTimer(state, due.event);
    }
    checkConvergence(state);
  }
  state.nowMs = Math.max(state.nowMs, atMs);
}

function runTimer(state: QuorumState, timer: Timer): void {
  switch (timer.kind) {
    case 'timeout':
      onTimeout(state, timer.reqId);
      return;
    case 'clientNext':
      workloadOp(state, timer.client);
      return;
    case 'antiEntropy':
      if (state.config.antiEntropy !== 'off') startAntiEntropyRound(state);
      return;
    case 'hintRetry':
      retryHints(state);
      return;
    default: {
      const unknown: never = timer;
      throw new Error(`unknown timer ${JSON.stringify(unknown)}`);
    }
  }
}
