/**
 * The stage: the ring (d3 view), a palette to drag new servers from, and beside it the same keys
 * under `hash mod N`, so every change shows both "keys moved" figures and the ideal.
 */
import { useEffect, useRef, useState } from 'react';
import { formatCount, formatPercent } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import { type Session, type SessionState, useSnapshotWhen } from '../../../app/session';
import { useReducedMotion } from '../../../app/theme';
import { Icon } from '../../../app/ui/icons';
import type { HashRingCommand } from '../sim/model';
import type { HashRingSnapshot } from '../sim/snapshot';
import { createRingView, type RingView } from './ring-view';

export function RingStage({
  session,
  stageRef,
  send,
}: {
  session: Session;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: HashRingCommand) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const view = useRef<RingView | null>(null);
  const reducedMotion = useReducedMotion();
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const ringView = createRingView(element, {
      onRemoveServer: (serverId) => sendRef.current({ type: 'removeServer', serverId }),
      onToggleFailed: (serverId, failed) =>
        sendRef.current({ type: 'setFailed', serverId, failed }),
      onSelectServer: (serverId) => {
        document.getElementById(`server-row-${serverId}`)?.scrollIntoView({ block: 'nearest' });
      },
    });
    view.current = ringView;
    // The stage follows every frame, so it reads the store directly instead of re-rendering React.
    const draw = (state: SessionState) => {
      const snapshot = state.snapshot as HashRingSnapshot | null;
      if (snapshot) ringView.update(snapshot, state.frame?.atMs ?? snapshot.atMs, reducedMotion);
    };
    draw(session.store.getState());
    const unsubscribe = session.store.subscribe(draw);
    return () => {
      unsubscribe();
      ringView.destroy();
      view.current = null;
    };
  }, [session, reducedMotion]);

  return (
    <section className="panel stage" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">The ring</h2>
        <ServerPalette view={view} onAdd={(weight) => send({ type: 'addServer', weight })} />
      </div>
      <div className="stage-body">
        <div className="ring-container" ref={container} data-testid="ring" />
        <ModuloPanel session={session} />
      </div>
      <p className="stage-hint">
        Drag a server from the palette onto the ring to add it; drag a server off the ring (or focus
        it and press Delete) to remove it. Dots inside the ring are keys, coloured by the server
        that owns them; ringed dots moved in the last change.
      </p>
    </section>
  );
}

/**
 * A server chip to drag onto the ring. Pointer events make it work with mouse, pen and touch; the
 * button beside it does the same from the keyboard.
 */
function ServerPalette({
  view,
  onAdd,
}: {
  view: React.RefObject<RingView | null>;
  onAdd: (weight: number) => void;
}) {
  const [ghost, setGhost] = useState<{ x: number; y: number; over: boolean } | null>(null);
  const [weight, setWeight] = useState(1);
  return (
    <div className="palette">
      <span
        className="palette-chip"
        data-testid="palette-server"
        role="presentation"
        onPointerDown={(event) => {
          event.preventDefault();
          (event.target as HTMLElement).setPointerCapture(event.pointerId);
          setGhost({ x: event.clientX, y: event.clientY, over: false });
        }}
        onPointerMove={(event) => {
          if (!ghost) return;
          const hit = view.current?.hitRing(event.clientX, event.clientY);
          setGhost({ x: event.clientX, y: event.clientY, over: hit?.onRing ?? false });
        }}
        onPointerUp={(event) => {
          if (!ghost) return;
          const hit = view.current?.hitRing(event.clientX, event.clientY);
          setGhost(null);
          if (hit?.onRing) {
            view.current?.expectServerFrom({ x: hit.x, y: hit.y });
            onAdd(weight);
          }
        }}
        onPointerCancel={() => setGhost(null)}
      >
        <Icon name="plus" /> server
      </span>
      <label className="palette-weight">
        weight
        <select value={weight} onChange={(e) => setWeight(Number(e.target.value))}>
          {[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        onClick={() => onAdd(weight)}
        data-testid="add-server"
        aria-keyshortcuts="A"
      >
        Add server
      </button>
      {ghost ? (
        <span
          className={`palette-ghost ${ghost.over ? 'is-over' : ''}`}
          style={{ left: ghost.x, top: ghost.y }}
          aria-hidden="true"
        >
          {ghost.over ? 'drop to add' : 'drag onto the ring'}
        </span>
      ) : null}
    </div>
  );
}

/** The comparison: the same keys under hash mod N, and what the last change moved in each. */
function ModuloPanel({ session }: { session: Session }) {
  const snapshot = useSnapshotWhen<HashRingSnapshot>(session, (s) =>
    s
      ? `${s.versions.ring}|${s.versions.keys}|${s.lastChange?.atMs ?? ''}|${s.lastChange?.description ?? ''}|${currentTheme()}`
      : '',
  );
  if (!snapshot) return null;
  const change = snapshot.lastChange;
  const theme = currentTheme();
  const total = snapshot.keysTotal;
  const maxCount = Math.max(
    1,
    ...snapshot.modulo.counts,
    ...snapshot.servers.map((s) => s.keyCount),
  );
  const indexOf = new Map(snapshot.servers.map((s, i) => [s.id, i]));
  return (
    <div className="modulo-panel" data-testid="compare">
      <h3>Ring vs hash mod N</h3>
      {change ? (
        <dl className="moved" data-testid="keys-moved">
          <div>
            <dt>{change.description}</dt>
            <dd />
          </div>
          <div>
            <dt>Ring: keys moved</dt>
            <dd data-testid="moved-ring">
              {formatCount(change.movedOnRing)} (
              {formatPercent(total > 0 ? change.movedOnRing / change.keysTotal : 0)})
            </dd>
          </div>
          <div>
            <dt>mod N: keys moved</dt>
            <dd data-testid="moved-modulo">
              {formatCount(change.movedModulo)} (
              {formatPercent(total > 0 ? change.movedModulo / change.keysTotal : 0)})
            </dd>
          </div>
          <div>
            <dt>Ideal</dt>
            <dd data-testid="moved-ideal">
              {change.idealFraction === null
                ? '—'
                : `1/${Math.round(1 / change.idealFraction)} = ${formatPercent(change.idealFraction)}`}
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted">Add, remove or fail a server to compare how many keys move.</p>
      )}
      <table className="compare-table">
        <caption>Keys per server</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Ring</th>
            <th scope="col">mod {snapshot.modulo.liveIds.length}</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.servers.slice(0, 12).map((server) => {
            const moduloIndex = snapshot.modulo.liveIds.indexOf(server.id);
            const moduloCount = moduloIndex >= 0 ? (snapshot.modulo.counts[moduloIndex] ?? 0) : 0;
            const color = seriesColor(indexOf.get(server.id) ?? 0, theme);
            return (
              <tr key={server.id}>
                <th scope="row">
                  <span className="swatch" style={{ background: color }} />
                  {server.id}
                  {server.failed ? ' (failed)' : ''}
                </th>
                <td>
                  <Meter value={server.keyCount} max={maxCount} color={color} />
                  {formatCount(server.keyCount)}
                </td>
                <td>
                  <Meter value={moduloCount} max={maxCount} color={color} />
                  {formatCount(moduloCount)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {snapshot.servers.length > 12 ? (
        <p className="muted">…and {snapshot.servers.length - 12} more servers (see Metrics).</p>
      ) : null}
    </div>
  );
}

function Meter({ value, max, color }: { value: number; max: number; color: string }) {
  return (
    <span className="meter" aria-hidden="true">
      <span style={{ width: `${(value / max) * 100}%`, background: color }} />
    </span>
  );
}
