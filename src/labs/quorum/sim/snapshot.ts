/**
 * What the quorum views draw: servers with their stored versions, messages in flight, recent
 * coordinator requests with their quorums, the history (sent only when it changed) and counters.
 */
import { isDropped, messageEndAtMs, messagesInFlight } from '../../../kernel/network';
import { CLIENTS_MAX, coordinatorOf, MESSAGES_DRAWN_MAX, replicaId } from './constants';
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

export interface HistoryPart {
  version: string;
  ops: HistoryOp[];
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

export function viewQuorum(
  state: QuorumState,
  known: Readonly<Record<string, string>>,
): QuorumSnapshot {
  const { config } = state;
  const historyVersion = `${state.seed}:${state.historyVersion}:${state.history.length}`;
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
  const active = Object.values(state.requests).filter((r) => r.respondedAtMs === null);
  const requests = [...state.recentRequests, ...active]
    .filter((r, i, all) => all.indexOf(r) === i)
    .slice(-CLIENTS_MAX * 3)
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
    history:
      known.history === historyVersion
        ? null
        : { version: historyVersion, ops: state.history.map((op) => ({ ...op })) },
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
