/**
 * The stage: the shop's events and the four lanes on one scrolling timeline (d3 view), buttons to
 * make events, the selected event's delays per lane, and the retry schedule of a failing webhook.
 */
import { useEffect, useRef, useState } from 'react';
import { currentTheme } from '../../../app/palette';
import { type Session, type SessionState, steadyTick, useSnapshotWhen } from '../../../app/session';
import { useReducedMotion } from '../../../app/theme';
import { LANE_IDS, LANE_LABELS } from '../sim/constants';
import type { WebhooksCommand } from '../sim/model';
import type { WebhooksSnapshot } from '../sim/snapshot';
import { createRetryView, type RetryView } from './retry-view';
import { createTimelineView, formatMs, laneColor } from './timeline-view';

export function TimelineStage({
  session,
  stageRef,
  send,
}: {
  session: Session;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: WebhooksCommand) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const reducedMotion = useReducedMotion();
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const view = createTimelineView(element, { onSelectEvent: setSelectedSeq });
    // The stage follows every frame, so it reads the store directly instead of re-rendering React.
    const draw = (state: SessionState) => {
      const snapshot = state.snapshot as WebhooksSnapshot | null;
      if (snapshot) view.update(snapshot, state.frame?.atMs ?? snapshot.atMs, reducedMotion);
    };
    draw(session.store.getState());
    const unsubscribe = session.store.subscribe(draw);
    return () => {
      unsubscribe();
      view.destroy();
    };
  }, [session, reducedMotion]);

  const status = useSnapshotWhen<WebhooksSnapshot>(session, (s) =>
    s
      ? `${s.consumerDown}|${s.producerUp}|${s.receiversDown}|${s.eventsTotal}|${currentTheme()}|${selectedSeq === null ? '' : s.events.find((e) => e.seq === selectedSeq)?.knownAtMs.join(',')}`
      : '',
  );

  return (
    <section className="panel stage wh-stage" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">Pizza shop and its customers</h2>
        <div className="wh-actions">
          <button
            type="button"
            className="wh-primary"
            data-testid="fire-event"
            aria-keyshortcuts="P"
            onClick={() => send({ type: 'fireEvent' })}
          >
            Pizza ready!
          </button>
          <button
            type="button"
            data-testid="fire-ten"
            onClick={() => send({ type: 'fireEvent', count: 10 })}
          >
            10 pizzas
          </button>
        </div>
      </div>
      {status ? (
        <p className="wh-status" data-testid="stage-status">
          <span>
            {status.eventsTotal} event{status.eventsTotal === 1 ? '' : 's'}
          </span>
          <span className={status.producerUp ? '' : 'wh-bad'}>
            shop: {status.producerUp ? 'up' : 'restarting'}
          </span>
          <span className={status.consumerDown ? 'wh-bad' : ''} data-testid="consumer-status">
            consumer: {status.consumerDown ? 'down' : 'up'}
          </span>
          {status.receiversDown ? <span className="wh-bad">webhook receivers: down</span> : null}
        </p>
      ) : null}
      <div className="wh-timeline" ref={container} data-testid="timeline-stage" />
      <ul className="wh-legend" aria-label="Legend">
        {LANE_IDS.map((lane) => (
          <li key={lane}>
            <span className="swatch" style={{ background: laneColor(lane, currentTheme()) }} />
            {LANE_LABELS[lane]}
          </li>
        ))}
        <li>
          ▼ event · arrow = request/response · ✕ dropped · dashed = duplicate · dot = consumer knows
        </li>
      </ul>
      <SelectedEvent snapshot={status} seq={selectedSeq} onClear={() => setSelectedSeq(null)} />
      <RetrySchedule session={session} />
      <p className="stage-hint">
        Time runs right to left: now is the right edge. Each lane’s upper line is the shop, the
        lower line is you; arrows go up for requests and down for responses and pushes. The bar
        under each event is how long that lane took to find out. Webhook signatures are real
        HMAC-SHA256 (our own implementation, checked against Web Crypto).
      </p>
    </section>
  );
}

function SelectedEvent({
  snapshot,
  seq,
  onClear,
}: {
  snapshot: WebhooksSnapshot | null;
  seq: number | null;
  onClear: () => void;
}) {
  if (!snapshot || seq === null) return null;
  const event = snapshot.events.find((e) => e.seq === seq);
  if (!event) return null;
  return (
    <div className="wh-selected" data-testid="selected-event" aria-live="polite">
      <strong>Event #{event.seq}</strong> at {(event.createdAtMs / 1000).toFixed(2)} s:{' '}
      {LANE_IDS.map((lane, index) => {
        const known = event.knownAtMs[index]!;
        return (
          <span key={lane}>
            {LANE_LABELS[lane]} {known < 0 ? 'not yet' : formatMs(known - event.createdAtMs)}
            {index < LANE_IDS.length - 1 ? ' · ' : ''}
          </span>
        );
      })}{' '}
      <button type="button" onClick={onClear}>
        Close
      </button>
    </div>
  );
}

function RetrySchedule({ session }: { session: Session }) {
  const svg = useRef<SVGSVGElement>(null);
  const view = useRef<RetryView | null>(null);
  const [chosenId, setChosenId] = useState<number | null>(null);
  const snapshot = useSnapshotWhen<WebhooksSnapshot>(session, (s, frame) =>
    s
      ? `${s.webhook.focus.map((d) => `${d.id}:${d.attempts.length}:${d.result}:${d.phase}`).join(',')}|${JSON.stringify(s.config)}|${steadyTick(frame)}|${currentTheme()}`
      : '',
  );
  useEffect(() => {
    if (!svg.current) return;
    view.current = createRetryView(svg.current);
    return () => view.current?.destroy();
  }, []);
  const focus = snapshot?.webhook.focus ?? [];
  const chosen = focus.find((d) => d.id === chosenId) ?? focus.at(-1) ?? null;
  useEffect(() => {
    if (snapshot) view.current?.update(chosen, snapshot.config, snapshot.atMs);
  }, [snapshot, chosen]);
  return (
    <div className="wh-retry" data-testid="retry-schedule">
      <div className="wh-retry-header">
        <h3>Retry schedule of a failing webhook</h3>
        {focus.length > 1 ? (
          <label className="select-field">
            Delivery
            <select
              value={chosen?.id ?? ''}
              onChange={(e) => setChosenId(Number(e.target.value))}
              data-testid="retry-choice"
            >
              {focus.map((d) => (
                <option key={d.id} value={d.id}>
                  event #{d.eventSeq} ({d.attempts.length} attempts, {d.result})
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <svg ref={svg} className="wh-retry-svg" data-export-figure="" />
    </div>
  );
}
