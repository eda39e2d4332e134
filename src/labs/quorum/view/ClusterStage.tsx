/**
 * The stage: the cluster (d3 view) with the latest request's quorums and their overlap, and under
 * it the history as a space-time diagram. Both follow the session store directly, so the stage
 * does not re-render React every frame.
 */
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { currentTheme } from '../../../app/palette';
import type { Session, SessionState } from '../../../app/session';
import { formatValue, keyName } from '../sim/constants';
import type { QuorumCommand } from '../sim/model';
import type { QuorumSnapshot } from '../sim/snapshot';
import { createClusterView, latestRequest, messageColor } from './cluster-view';
import { createHistoryView } from './history-view';
import { useQuorumSnapshot } from './QuorumPage';
import type { QuorumUi } from './ui-store';

export function ClusterStage({
  session,
  ui,
  stageRef,
  send,
}: {
  session: Session;
  ui: QuorumUi;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: QuorumCommand) => void;
}) {
  const clusterRoot = useRef<HTMLDivElement>(null);
  const historyRoot = useRef<HTMLDivElement>(null);
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    const clusterElement = clusterRoot.current;
    const historyElement = historyRoot.current;
    if (!clusterElement || !historyElement) return;
    const cluster = createClusterView(clusterElement, {
      onPartition: (groups) => sendRef.current({ type: 'setPartition', groups }),
      onIsolate: (nodeId) => sendRef.current({ type: 'isolate', nodeId }),
      onHeal: () => sendRef.current({ type: 'heal' }),
      onCycleGroup: (nodeId) => {
        const snapshot = session.store.getState().snapshot as QuorumSnapshot | null;
        if (snapshot)
          sendRef.current({ type: 'setPartition', groups: cycleGroup(snapshot, nodeId) });
      },
    });
    const history = createHistoryView(historyElement);
    const draw = () => {
      const state: SessionState = session.store.getState();
      const snapshot = state.snapshot as QuorumSnapshot | null;
      if (!snapshot) return;
      const atMs = state.frame?.atMs ?? snapshot.atMs;
      const local = ui.getState();
      const key = Math.min(local.shownKey, snapshot.config.keys - 1);
      cluster.update(snapshot, atMs, key);
      history.update(
        local.history,
        snapshot.config.clients,
        atMs,
        local.historyWindowMs,
        local.highlight?.opIds ?? [],
        snapshot.config.keys,
      );
    };
    draw();
    // A frame updates the session store and then (with the history) the UI store in the same
    // task: draw once, after both.
    let scheduled = false;
    let stopped = false;
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (!stopped) draw();
      });
    };
    const stopSession = session.store.subscribe(schedule);
    const stopUi = ui.subscribe(schedule);
    return () => {
      stopped = true;
      stopSession();
      stopUi();
      cluster.destroy();
      history.destroy();
    };
  }, [session, ui]);

  return (
    <section className="panel stage quorum-stage" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">The cluster</h2>
        <KeyPicker session={session} ui={ui} />
      </div>
      <div className="cluster-container" ref={clusterRoot} data-testid="cluster" />
      <Legend />
      <QuorumCaption session={session} ui={ui} />
      <div className="history-header">
        <h3 id="history-title">History (one lane per client)</h3>
        <WindowPicker ui={ui} />
      </div>
      <div className="history-container" ref={historyRoot} data-testid="history" />
      <p className="stage-hint">
        Drag a line across the cluster to cut the network along it; focus a replica and press I to
        isolate it, G to move it to the next group, H to heal. Rings show the last request on the
        shown key: blue = the write quorum of the newest completed write, orange dashed = the
        replicas that answered the read, a red diamond = a replica in both (the overlap).
      </p>
    </section>
  );
}

/** Moves a server to the next group (A → B → C → A), starting a two-way split if whole. */
export function cycleGroup(snapshot: QuorumSnapshot, nodeId: string): string[][] {
  const all = snapshot.servers.map((s) => s.id);
  const groups = snapshot.groups ? snapshot.groups.map((g) => [...g]) : [];
  const listed = new Set(groups.flat());
  const rest = all.filter((id) => !listed.has(id));
  const full = rest.length > 0 ? [...groups, rest] : groups;
  if (full.length === 0) return [[nodeId]];
  const from = full.findIndex((g) => g.includes(nodeId));
  const to = (from + 1) % Math.max(2, Math.min(3, full.length + 1));
  const next = full.map((g) => g.filter((id) => id !== nodeId));
  while (next.length <= to) next.push([]);
  next[to]?.push(nodeId);
  return next.filter((g) => g.length > 0);
}

function KeyPicker({ session, ui }: { session: Session; ui: QuorumUi }) {
  const keys = useStore(
    session.store,
    (s) => (s.snapshot as QuorumSnapshot | null)?.config.keys ?? 1,
  );
  const shown = useStore(ui, (s) => s.shownKey);
  if (keys <= 1) return <span className="muted">key: bio</span>;
  return (
    <label className="select-field inline">
      Key shown
      <select
        value={Math.min(shown, keys - 1)}
        onChange={(e) => ui.setState({ shownKey: Number(e.target.value) })}
        data-testid="key-shown"
      >
        {Array.from({ length: keys }, (_, k) => (
          <option key={keyName(k)} value={k}>
            {keyName(k)}
          </option>
        ))}
      </select>
    </label>
  );
}

function WindowPicker({ ui }: { ui: QuorumUi }) {
  const windowMs = useStore(ui, (s) => s.historyWindowMs);
  return (
    <label className="select-field inline">
      Window
      <select
        value={windowMs}
        onChange={(e) => ui.setState({ historyWindowMs: Number(e.target.value) })}
        data-testid="history-window"
      >
        {[2_000, 5_000, 10_000, 30_000, 120_000].map((ms) => (
          <option key={ms} value={ms}>
            last {ms / 1000} s
          </option>
        ))}
      </select>
    </label>
  );
}

function Legend() {
  const theme = currentTheme();
  const items: [string, Parameters<typeof messageColor>[0]][] = [
    ['client request / reply', 'req'],
    ['write path', 'write'],
    ['read path', 'read'],
    ['anti-entropy', 'merkle'],
    ['hinted handoff', 'hint'],
  ];
  return (
    <ul className="legend" aria-label="Message colours">
      {items.map(([label, kind]) => (
        <li key={label}>
          <span className="legend-dot" style={{ background: messageColor(kind, theme) }} />
          {label}
        </li>
      ))}
      <li>
        <span className="legend-dot is-hollow" /> dropped
      </li>
    </ul>
  );
}

/** In words: the last request's quorum, and for a read its overlap with the last write's quorum. */
function QuorumCaption({ session, ui }: { session: Session; ui: QuorumUi }) {
  const snapshot = useQuorumSnapshot(session);
  const shown = useStore(ui, (s) => s.shownKey);
  if (!snapshot) return null;
  const key = Math.min(shown, snapshot.config.keys - 1);
  const request = latestRequest(snapshot, key);
  const { writeQuorum, readQuorum, replicas } = snapshot.config;
  let text = `No request on ${keyName(key)} yet.`;
  if (request) {
    const who = `C${request.client + 1} via R${request.coordinator + 1}`;
    if (request.outcome === 'fail') {
      text = `Last request: ${who} ${request.kind} failed (${request.reason}).`;
    } else if (request.kind === 'write') {
      text = `Last request: ${who} wrote ${formatValue(request.value ?? 0)}; acknowledged by ${request.acks.join(', ')} (W = ${writeQuorum}${request.outcome === 'sloppy' ? ', sloppy' : ''}).`;
    } else {
      const overlap = request.overlap;
      const both = overlap?.common ?? [];
      text = `Last request: ${who} read ${request.resolvedValues.map(formatValue).join(' | ') || '—'} from ${request.repliedBy.join(', ')} (R = ${readQuorum}).${
        overlap
          ? ` Newest write ${formatValue(overlap.writeValue)} was acknowledged by ${overlap.writeNodes.join(', ')}; overlap: ${both.length > 0 ? both.join(', ') : 'none'}.`
          : ''
      }`;
    }
  }
  const overlap = writeQuorum + readQuorum - replicas;
  return (
    <p className="quorum-caption" data-testid="quorum-caption" aria-live="off">
      <strong>
        W + R − N = {writeQuorum} + {readQuorum} − {replicas} = {overlap}
      </strong>{' '}
      {overlap > 0 ? '(quorums must overlap).' : '(quorums can miss each other).'} {text}
    </p>
  );
}
