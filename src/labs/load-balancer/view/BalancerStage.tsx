/**
 * The stage: the d3 view of clients, balancer and servers, a palette to drag new servers from,
 * the balancer picker in compare mode, and the side-by-side comparison under it.
 */
import { useEffect, useRef, useState } from 'react';
import type { Session, SessionState } from '../../../app/session';
import { useReducedMotion } from '../../../app/theme';
import { Icon } from '../../../app/ui/icons';
import { ALGORITHM_LABELS, ALGORITHM_SHORT, type PoolName } from '../sim/constants';
import type { LoadBalancerCommand } from '../sim/model';
import type { LoadBalancerSnapshot } from '../sim/snapshot';
import { type BalancerView, createBalancerView } from './balancer-view';
import { ComparePanel } from './ComparePanel';
import { useBalancerSettings } from './LoadBalancerPage';

/** The slowness the S key and the "Slow" button apply. */
export const SLOW_FACTOR = 8;
/** The period of flapping started from the stage or the server list. */
export const FLAP_PERIOD_MS = 4_000;

export function BalancerStage({
  session,
  laneIndex,
  onLaneChange,
  stageRef,
  send,
}: {
  session: Session;
  laneIndex: number;
  onLaneChange: (lane: number) => void;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: LoadBalancerCommand) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const view = useRef<BalancerView | null>(null);
  const reducedMotion = useReducedMotion();
  const sendRef = useRef(send);
  sendRef.current = send;
  const laneRef = useRef(laneIndex);
  laneRef.current = laneIndex;
  const settings = useBalancerSettings(session);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const balancerView = createBalancerView(element, {
      onRemove: (serverId) => sendRef.current({ type: 'removeServer', serverId }),
      onToggleCrash: (serverId, crashed) =>
        sendRef.current({ type: 'setCrashed', serverId, crashed }),
      onToggleSlow: (serverId, slow) =>
        sendRef.current({ type: 'setSlowness', serverId, slowness: slow ? SLOW_FACTOR : 1 }),
      onToggleFlap: (serverId, flapping) =>
        sendRef.current({ type: 'setFlapping', serverId, periodMs: flapping ? FLAP_PERIOD_MS : 0 }),
      onSelect: (serverId) => {
        document.getElementById(`lb-server-${serverId}`)?.scrollIntoView({ block: 'nearest' });
      },
    });
    view.current = balancerView;
    // The stage follows every frame, so it reads the store directly instead of re-rendering React.
    const draw = (state: SessionState) => {
      const snapshot = state.snapshot as LoadBalancerSnapshot | null;
      if (snapshot) balancerView.update(snapshot, laneRef.current, reducedMotion);
    };
    draw(session.store.getState());
    const unsubscribe = session.store.subscribe(draw);
    const onResize = () => draw(session.store.getState());
    window.addEventListener('resize', onResize);
    return () => {
      unsubscribe();
      window.removeEventListener('resize', onResize);
      balancerView.destroy();
      view.current = null;
    };
  }, [session, reducedMotion]);

  // Redraw at once when the learner picks another balancer to watch.
  useEffect(() => {
    const snapshot = session.store.getState().snapshot as LoadBalancerSnapshot | null;
    if (snapshot) view.current?.update(snapshot, laneIndex, reducedMotion);
  }, [laneIndex, session, reducedMotion]);

  const lanes = settings?.lanes ?? [];
  return (
    <section className="panel stage lb-stage" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">Traffic</h2>
        <ServerPalette
          view={view}
          pools={settings?.config.pools ?? false}
          full={(settings?.servers.length ?? 0) >= 20}
          onAdd={(pool) => send({ type: 'addServer', pool })}
        />
      </div>
      {lanes.length > 1 ? (
        <div className="lb-lane-tabs" role="radiogroup" aria-label="Balancer shown on the stage">
          {lanes.map((lane) => (
            <label key={lane.index} className={lane.index === laneIndex ? 'is-selected' : ''}>
              <input
                type="radio"
                name="lb-lane"
                checked={lane.index === laneIndex}
                onChange={() => onLaneChange(lane.index)}
              />
              {ALGORITHM_SHORT[lane.algorithm]}
              <span className="visually-hidden"> ({ALGORITHM_LABELS[lane.algorithm]})</span>
            </label>
          ))}
        </div>
      ) : null}
      <div className="lb-container" ref={container} data-testid="lb-stage" />
      <Legend />
      <p className="stage-hint">
        Drag a server from the palette onto the server column to add it; drag a server to the left
        of the dashed line (or focus it and press Delete) to drain and remove it. Focus a server and
        press K to crash or recover it, S to slow it, F to make it flap.
      </p>
      <ComparePanel session={session} />
    </section>
  );
}

function Legend() {
  return (
    <ul className="lb-legend" aria-label="Legend">
      <li>
        <span className="lb-key lb-key-request" aria-hidden="true" /> request
      </li>
      <li>
        <span className="lb-key lb-key-ok" aria-hidden="true" /> response
      </li>
      <li>
        <span className="lb-key lb-key-rejected" aria-hidden="true" /> 503 (dropped)
      </li>
      <li>
        <span className="lb-key lb-key-reset" aria-hidden="true">
          ✕
        </span>{' '}
        refused / reset
      </li>
      <li>
        <span className="lb-key lb-key-slot" aria-hidden="true" /> busy slot
      </li>
      <li>
        <span className="lb-key lb-key-queue" aria-hidden="true" /> queued
      </li>
    </ul>
  );
}

/**
 * A server chip to drag onto the stage. Pointer events make it work with mouse, pen and touch; the
 * button beside it does the same from the keyboard.
 */
function ServerPalette({
  view,
  pools,
  full,
  onAdd,
}: {
  view: React.RefObject<BalancerView | null>;
  pools: boolean;
  full: boolean;
  onAdd: (pool: PoolName) => void;
}) {
  const [ghost, setGhost] = useState<{ x: number; y: number; over: boolean } | null>(null);
  const [pool, setPool] = useState<PoolName>('api');
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'a' || event.key === 'A') onAdd(pool);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onAdd, pool]);
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
          const hit = view.current?.hitServers(event.clientX, event.clientY);
          setGhost({ x: event.clientX, y: event.clientY, over: hit?.over ?? false });
        }}
        onPointerUp={(event) => {
          if (!ghost) return;
          const hit = view.current?.hitServers(event.clientX, event.clientY);
          setGhost(null);
          if (hit?.over) onAdd(pool);
        }}
        onPointerCancel={() => setGhost(null)}
      >
        <Icon name="plus" /> server
      </span>
      {pools ? (
        <label className="palette-weight">
          pool
          <select value={pool} onChange={(e) => setPool(e.target.value as PoolName)}>
            <option value="api">api</option>
            <option value="static">static</option>
          </select>
        </label>
      ) : null}
      <button
        type="button"
        onClick={() => onAdd(pool)}
        data-testid="add-server"
        aria-keyshortcuts="A"
        disabled={full}
      >
        Add server
      </button>
      {ghost ? (
        <span
          className={`palette-ghost ${ghost.over ? 'is-over' : ''}`}
          style={{ left: ghost.x, top: ghost.y }}
          aria-hidden="true"
        >
          {ghost.over ? 'drop to add' : 'drag onto the servers'}
        </span>
      ) : null}
    </div>
  );
}
