/**
 * What the quorum views draw: servers with their stored versions, messages in flight, recent
 * coordinator requests with their quorums, the history (sent only when it changed) and counters.
 */
import { isDropped, messageEndAtMs, messagesInFlight } from '../../../kernel/network';
import { coordinatorOf, MESSAGES_DRAWN_MAX, replicaId } from './constants';
import {
  type Convergence,
  type CoordRequest,
  type Counters,
  divergentKeys,
  type HistoryOp,
  type MessageKind,
  type QuorumConfig,
  type QuorumState,
  type SeriesBucket,
  type SlowLink,
  serverIds,
} from './model';
import type { Version } from './versions';

export interface ServerView {
  id: string;
  kind: 'replica' | 'spare';
  /** Partition group index, or -1 for the implicit group of unlisted nodes (or no partition). */
  side: number;
  /** Per key, the versions stored (replicas) or held as hints (spares). */
  keys: Version[][];
  hintCount: number;
}

export interface ClientView {
  id: string;
  coordinator: string;
  busy: 'read' | 'write' | null;
}

export interface MessageView {
  id: number;
  from: string;
  to: string;
  kind: MessageKind;
  sentAtMs: number;
  endAtMs: number;
  dropped: boolean;
}

export type RequestView = Omit<CoordRequest, 'version' | 'replies' | 'resolved'> & {
  value: number | null;
  repliedBy: string[];
  resolvedValues: number[];
};

/**
 * The history, sent only when it changed: whole (`indexes` null), or as the entries changed since
 * `base`, the version the UI already holds on the same run path (`indexes[i]` is where `ops[i]`
 * goes). Growing by a few operations per frame then costs a few entries, not the whole history.
 */
export interface HistoryPart {
  version: string;
  base: string | null;
  length: number;
  ops: HistoryOp[];
  indexes: number[] | null;
}

export interface QuorumSnapshot {
  atMs: number;
  versions: { history: string };
  config: QuorumConfig;
  servers: ServerView[];
  clients: ClientView[];
  groups: string[][] | null;
  slowLink: SlowLink | null;
  messages: MessageView[];
  messagesInFlight: number;
  /** Per key, its newest finished coordinator request (at most one per key). */
  requests: RequestView[];
  history: HistoryPart | null;
  historyLength: number;
  /** The newest operations, always sent (the lesson and the status line read them). */
  recentOps: HistoryOp[];
  counters: Counters;
  series: SeriesBucket[];
  divergentKeys: number[];
  convergence: Omit<Convergence, 'target'> | null;
  lastConvergence: { healAtMs: number; convergedAtMs: number } | null;
  valueTexts: Record<string, string>;
  /** Per key: the values of the newest completed writes (what a fresh read must see). */
  latestCompleted: number[][];
}

const RECENT_OPS_SENT = 16;

function sideOf(groups: string[][] | null, id: string): number {
  if (groups === null) return -1;
  return groups.findIndex((g) => g.includes(id));
}

function requestView(req: CoordRequest): RequestView {
  const { version, replies, resolved, ...rest } = req;
  return {
    ...rest,
    targets: [...rest.targets],
    acks: [...rest.acks],
    holders: [...rest.holders],
    substitutes: { ...rest.substitutes },
    value: version?.value ?? null,
    repliedBy: replies.map((r) => r.node),
    resolvedValues: resolved?.map((v) => v.value) ?? [],
  };
}

/** The history's version: the seed, the run path (commands applied) and the change counter. */
export function historyVersionOf(state: QuorumState): string {
  return `${state.seed}:${state.lineage}:${state.historyVersion}`;
}

/** What the UI needs to hold the current history, given the version it holds (see HistoryPart). */
export function historyPart(state: QuorumState, known: string | undefined): HistoryPart | null {
  const version = historyVersionOf(state);
  if (known === version) return null;
  const length = state.history.length;
  const [seed, lineage, counter] = (known ?? '').split(':');
  const since = Number(counter);
  if (
    known !== undefined &&
    seed === String(state.seed) &&
    lineage === String(state.lineage) &&
    Number.isInteger(since) &&
    since <= state.historyVersion
  ) {
    const ops: HistoryOp[] = [];
    const indexes: number[] = [];
    for (let i = 0; i < length; i += 1) {
      if ((state.historyRevs[i] ?? 0) > since) {
        ops.push({ ...(state.history[i] as HistoryOp) });
        indexes.push(i);
      }
    }
    return { version, base: known, length, ops, indexes };
  }
  return {
    version,
    base: null,
    length,
    ops: state.history.map((op) => ({ ...op })),
    indexes: null,
  };
}

/** The UI's side of historyPart: the history after applying `part` to `held` (a new array). */
export function applyHistoryPart(held: readonly HistoryOp[], part: HistoryPart): HistoryOp[] {
  if (part.indexes === null) return part.ops;
  const next = held.slice(0, part.length);
  part.indexes.forEach((index, i) => {
    next[index] = part.ops[i] as HistoryOp;
  });
  return next;
}

export function viewQuorum(
  state: QuorumState,
  known: Readonly<Record<string, string>>,
): QuorumSnapshot {
  const { config } = state;
  const historyVersion = historyVersionOf(state);
  const servers: ServerView[] = serverIds(config).map((id) => {
    const isReplica = id.startsWith('R');
    const index = Number(id.slice(1)) - 1;
    const hints = isReplica ? [] : (state.hints[index] ?? []);
    return {
      id,
      kind: isReplica ? 'replica' : 'spare',
      side: sideOf(state.groups, id),
      keys: isReplica
        ? (state.stores[index] ?? []).map((versions) => [...versions])
        : Array.from({ length: config.keys }, (_, key) =>
            hints.filter((h) => h.key === key).flatMap((h) => h.versions),
          ),
      hintCount: hints.length,
    };
  });
  const inFlight = messagesInFlight(state.net, state.nowMs);
  const messages: MessageView[] = inFlight.slice(0, MESSAGES_DRAWN_MAX).map((m) => ({
    id: m.id,
    from: m.from,
    to: m.to,
    kind: m.payload.t,
    sentAtMs: m.sentAtMs,
    endAtMs: messageEndAtMs(m),
    dropped: isDropped(m),
  }));
  // Per key, the newest finished request (what the stage outlines and the caption describes), in
  // the order they finished: a few requests a frame instead of every recent one.
  const newestOnKey = new Map<number, CoordRequest>();
  for (const r of state.recentRequests) if (r.respondedAtMs !== null) newestOnKey.set(r.key, r);
  const requests = state.recentRequests
    .filter((r) => newestOnKey.get(r.key) === r)
    .map(requestView);
  const convergence = state.convergence
    ? { healAtMs: state.convergence.healAtMs, convergedAtMs: state.convergence.convergedAtMs }
    : null;
  return {
    atMs: state.nowMs,
    versions: { history: historyVersion },
    config: { ...config },
    servers,
    clients: state.clients.map((c, i) => ({
      id: `C${i + 1}`,
      coordinator: replicaId(coordinatorOf(i, config.replicas)),
      busy: c.current?.kind ?? null,
    })),
    groups: state.groups ? state.groups.map((g) => [...g]) : null,
    slowLink: state.slowLink ? { ...state.slowLink } : null,
    messages,
    messagesInFlight: inFlight.length,
    requests,
    history: historyPart(state, known.history),
    historyLength: state.history.length,
    recentOps: state.history.slice(-RECENT_OPS_SENT).map((op) => ({ ...op })),
    counters: { ...state.counters },
    series: state.series.slice(-60).map((b) => ({ ...b })),
    divergentKeys: divergentKeys(state),
    convergence,
    lastConvergence: state.lastConvergence ? { ...state.lastConvergence } : null,
    valueTexts: { ...state.valueTexts },
    latestCompleted: state.completed.map((versions) => versions.map((v) => v.value)),
  };
}
