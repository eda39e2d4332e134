/**
 * The stage: one lane per algorithm (or distributed strategy) on the same traffic, the lanes'
 * figures side by side, and the response inspector for a selected request.
 */
import { useEffect, useRef } from 'react';
import { formatCount } from '../../../app/format';
import type { Session, SessionState } from '../../../app/session';
import { useReducedMotion } from '../../../app/theme';
import type { RateLimiterCommand } from '../sim/model';
import type { LaneView, RateLimiterSnapshot } from '../sim/snapshot';
import { createLanesView } from './lanes-view';
import { useRateLimiterSnapshot } from './RateLimiterPage';

export function RateLimiterStage({
  session,
  stageRef,
  send,
}: {
  session: Session;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: RateLimiterCommand) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const reducedMotion = useReducedMotion();
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const view = createLanesView(element, {
      onSelect: (lane, id) => sendRef.current({ type: 'selectRequest', lane, id }),
    });
    // The stage follows every frame, so it reads the store directly instead of re-rendering React.
    const draw = (state: SessionState) => {
      const snapshot = state.snapshot as RateLimiterSnapshot | null;
      if (snapshot) view.update(snapshot, state.frame?.atMs ?? snapshot.atMs, reducedMotion);
    };
    draw(session.store.getState());
    const unsubscribe = session.store.subscribe(draw);
    return () => {
      unsubscribe();
      view.destroy();
    };
  }, [session, reducedMotion]);

  return (
    <section className="panel stage" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">Requests through the limiters</h2>
      </div>
      <div className="rl-lanes" ref={container} data-testid="lanes" />
      <p className="rl-legend" aria-hidden="true">
        <span>● passed to the API</span>
        <span>■ waiting (queue or store)</span>
        <span>✕ 429 Too Many Requests</span>
        <span>◆ message to or from the counter store</span>
      </p>
      <LaneTable session={session} />
      <Inspector session={session} send={send} />
    </section>
  );
}

function LaneTable({ session }: { session: Session }) {
  const snapshot = useRateLimiterSnapshot(session);
  if (!snapshot) return null;
  const limit = snapshot.limits.limit;
  const distributed = snapshot.mode === 'distributed';
  return (
    <div className="rl-table-wrap">
      <table className="rl-table" data-testid="lane-table">
        <caption className="visually-hidden">Figures per lane</caption>
        <thead>
          <tr>
            <th scope="col">{distributed ? 'Strategy' : 'Algorithm'}</th>
            <th scope="col">Accepted</th>
            <th scope="col">Delayed</th>
            <th scope="col">Rejected (429)</th>
            <th
              scope="col"
              title={`Most requests one client got through in any ${snapshot.limits.windowMs} ms`}
            >
              Max in {snapshot.limits.windowMs} ms (limit {limit})
            </th>
            {distributed ? (
              <th scope="col">Accepted over the limit</th>
            ) : (
              <th scope="col">Retries</th>
            )}
          </tr>
        </thead>
        <tbody>
          {snapshot.lanes.map((lane) => (
            <LaneRow key={lane.index} lane={lane} limit={limit} distributed={distributed} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LaneRow({
  lane,
  limit,
  distributed,
}: {
  lane: LaneView;
  limit: number;
  distributed: boolean;
}) {
  const over = lane.maxInWindow > limit;
  return (
    <tr data-testid={`lane-${lane.index}`} data-algorithm={lane.algorithm}>
      <th scope="row">{lane.label}</th>
      <td data-testid={`lane-${lane.index}-accepted`}>{formatCount(lane.accepted)}</td>
      <td data-testid={`lane-${lane.index}-delayed`}>{formatCount(lane.delayed)}</td>
      <td data-testid={`lane-${lane.index}-rejected`}>{formatCount(lane.rejected)}</td>
      <td
        data-testid={`lane-${lane.index}-max-window`}
        className={over ? 'rl-status-429' : undefined}
      >
        {formatCount(lane.maxInWindow)}
        {over ? ` (${(lane.maxInWindow / limit).toFixed(1)}×)` : ''}
      </td>
      {distributed ? (
        <td data-testid={`lane-${lane.index}-overshoot`}>
          {formatCount(lane.dist?.overshoot ?? 0)}
          {lane.dist?.bound !== null && lane.dist?.bound !== undefined
            ? ` (bound ${formatCount(lane.dist.bound)}/window)`
            : ' (unbounded)'}
        </td>
      ) : (
        <td>{formatCount(lane.retried)}</td>
      )}
    </tr>
  );
}

function Inspector({ session, send }: { session: Session; send: (c: RateLimiterCommand) => void }) {
  const snapshot = useRateLimiterSnapshot(session, 'slow');
  if (!snapshot) return null;
  const selected = snapshot.selected;
  return (
    <div className="rl-inspector" data-testid="inspector">
      <h3>Responses</h3>
      {snapshot.lanes.map((lane) => (
        <div key={lane.index}>
          <span className="muted">{lane.label}: </span>
          <ul className="rl-responses" aria-label={`Latest responses from ${lane.label}`}>
            {lane.latest.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  aria-pressed={selected?.lane === lane.index && selected.request.id === r.id}
                  className={`rl-status-${r.status}`}
                  onClick={() => send({ type: 'selectRequest', lane: lane.index, id: r.id })}
                  aria-label={`Request ${r.id} from ${snapshot.clients[r.client]?.name ?? ''}: ${r.status}`}
                >
                  #{r.id} {r.status}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {selected ? (
        <div data-testid="selected-response">
          <p>
            Request #{selected.request.id} from {snapshot.clients[selected.request.client]?.name}{' '}
            (attempt {selected.request.attempt}) at {(selected.request.atMs / 1000).toFixed(3)} s,{' '}
            {selected.laneLabel}
            {selected.request.gateway >= 0 ? `, gateway gw${selected.request.gateway + 1}` : ''}
            {selected.request.delayMs > 0
              ? `, held ${selected.request.delayMs} ms in the queue`
              : ''}
            {selected.request.refusedBy
              ? `, refused by the ${selected.request.refusedBy} limit`
              : ''}
            .
          </p>
          <pre data-testid="response-headers">
            {[selected.statusLine, ...selected.headers.map(([k, v]) => `${k}: ${v}`)].join('\n')}
          </pre>
          {selected.request.status === 429 ? (
            <p className="muted">
              Retry-After is in whole seconds; the limiter's exact wait is{' '}
              {selected.request.retryAfterMs} ms.
            </p>
          ) : null}
          <button type="button" onClick={() => send({ type: 'clearSelection' })}>
            Close
          </button>
        </div>
      ) : (
        <p className="muted">
          Click a dot on the stage, or pick a response above, to see its status and headers.
        </p>
      )}
    </div>
  );
}
