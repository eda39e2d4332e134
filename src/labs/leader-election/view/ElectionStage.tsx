/**
 * The stage: the algorithm switch, then one drawing per election (LCR; LCR beside HS on the same
 * UIDs; or Bully), each with its live counters, and a legend of node states and message kinds.
 */
import { useEffect, useRef } from 'react';
import { formatCount, formatSeconds } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import type { Session, SessionState } from '../../../app/session';
import { useReducedMotion } from '../../../app/theme';
import type { Mode } from '../sim/constants';
import type { LeaderElectionCommand } from '../sim/model';
import type { BullyView, LeaderElectionSnapshot, RingRunView } from '../sim/snapshot';
import {
  createElectionView,
  type ElectionKind,
  type ElectionView,
  FLIGHT_COLOR,
  STATE_STYLE,
} from './election-view';
import { useElectionCounts } from './LeaderElectionPage';

const MODE_LABELS: Record<Mode, string> = {
  lcr: 'LCR',
  compare: 'LCR vs Hirschberg–Sinclair',
  bully: 'Bully',
};

export function ElectionStage({
  session,
  mode,
  selected,
  onSelect,
  onMode,
  stageRef,
  send,
}: {
  session: Session;
  mode: Mode;
  selected: number | null;
  onSelect: (index: number | null) => void;
  onMode: (mode: Mode) => void;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: LeaderElectionCommand) => void;
}) {
  const kinds: ElectionKind[] =
    mode === 'lcr' ? ['lcr'] : mode === 'compare' ? ['lcr', 'hs'] : ['bully'];
  return (
    <section className="panel stage" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">{MODE_LABELS[mode]}</h2>
        <fieldset className="mode-switch">
          <legend className="visually-hidden">Algorithm</legend>
          {(Object.keys(MODE_LABELS) as Mode[]).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={m === mode}
              data-testid={`mode-${m}`}
              onClick={() => m !== mode && onMode(m)}
            >
              {SHORT_LABELS[m]}
            </button>
          ))}
        </fieldset>
      </div>
      <div className={`election-grid election-grid-${kinds.length}`}>
        {kinds.map((kind) => (
          <ElectionPanel
            key={`${mode}-${kind}`}
            session={session}
            kind={kind}
            selected={selected}
            onSelect={onSelect}
            send={send}
          />
        ))}
      </div>
      <Legend mode={mode} />
    </section>
  );
}

const SHORT_LABELS: Record<Mode, string> = { lcr: 'LCR', compare: 'LCR vs HS', bully: 'Bully' };

function ElectionPanel({
  session,
  kind,
  selected,
  onSelect,
  send,
}: {
  session: Session;
  kind: ElectionKind;
  selected: number | null;
  onSelect: (index: number | null) => void;
  send: (command: LeaderElectionCommand) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const view = useRef<ElectionView | null>(null);
  const reducedMotion = useReducedMotion();
  const sendRef = useRef(send);
  sendRef.current = send;
  const selectRef = useRef(onSelect);
  selectRef.current = onSelect;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const electionView = createElectionView(element, kind, {
      onToggleCrash: (node, crashed) =>
        sendRef.current(crashed ? { type: 'recover', node } : { type: 'crash', node }),
      onSelect: (node) => selectRef.current(node),
    });
    view.current = electionView;
    // The drawing follows every frame, so it reads the store directly instead of re-rendering React.
    const draw = (state: SessionState) => {
      const snapshot = state.snapshot as LeaderElectionSnapshot | null;
      if (snapshot)
        electionView.update(snapshot, state.frame?.atMs ?? snapshot.atMs, reducedMotion);
    };
    draw(session.store.getState());
    const unsubscribe = session.store.subscribe(draw);
    return () => {
      unsubscribe();
      electionView.destroy();
      view.current = null;
    };
  }, [session, kind, reducedMotion]);

  useEffect(() => {
    view.current?.select(selected);
  }, [selected]);

  const title =
    kind === 'lcr'
      ? 'LCR (one way round)'
      : kind === 'hs'
        ? 'Hirschberg–Sinclair (both ways)'
        : 'Bully (everyone talks to everyone)';
  return (
    <div className="election-panel" data-testid={`panel-${kind}`}>
      <h3>{title}</h3>
      <div className="election-container" ref={container} data-testid={`stage-${kind}`} />
      <Counters session={session} kind={kind} />
    </div>
  );
}

function Counters({ session, kind }: { session: Session; kind: ElectionKind }) {
  const snapshot = useElectionCounts(session);
  if (!snapshot) return null;
  if (kind === 'bully') return snapshot.bully ? <BullyCounters bully={snapshot.bully} /> : null;
  const run = kind === 'lcr' ? snapshot.lcr : snapshot.hs;
  if (!run) return null;
  return <RingCounters run={run} kind={kind} snapshot={snapshot} />;
}

const STATUS_TEXT: Record<RingRunView['status'], string> = {
  electing: 'electing',
  announcing: 'announcing the leader',
  finished: 'finished',
  stalled: 'stalled: will never finish',
};

function RingCounters({
  run,
  kind,
  snapshot,
}: {
  run: RingRunView;
  kind: 'lcr' | 'hs';
  snapshot: LeaderElectionSnapshot;
}) {
  const leader = run.leaderIndex === null ? null : run.nodes[run.leaderIndex];
  const n = snapshot.uids.length;
  return (
    <dl className="counters" data-testid={`${kind}-counters`}>
      <div>
        <dt>Election messages</dt>
        <dd data-testid={`${kind}-election-messages`}>{formatCount(run.electionMessages)}</dd>
      </div>
      <div>
        <dt>Termination messages</dt>
        <dd data-testid={`${kind}-termination-messages`}>
          {formatCount(run.terminationMessages)}
          <span className="muted"> / {n}</span>
        </dd>
      </div>
      <div>
        <dt>In flight</dt>
        <dd data-testid={`${kind}-in-flight`}>{formatCount(run.flightsTotal)}</dd>
      </div>
      <div>
        <dt>{kind === 'hs' ? 'Phase' : snapshot.round !== null ? 'Round' : 'Lost to crashes'}</dt>
        <dd>
          {kind === 'hs'
            ? run.phaseMax
            : snapshot.round !== null
              ? snapshot.round
              : formatCount(run.droppedMessages)}
        </dd>
      </div>
      <div className="counter-wide">
        <dt>Status</dt>
        <dd
          data-testid={`${kind}-status`}
          data-status={run.status}
          className={`status-${run.status}`}
        >
          {STATUS_TEXT[run.status]}
          {run.status === 'finished' && run.finishedAtMs !== null
            ? ` at ${formatSeconds(run.finishedAtMs - snapshot.startedAtMs)}`
            : ''}
          {leader ? ` · leader UID ${leader.uid}` : ''}
        </dd>
      </div>
    </dl>
  );
}

function BullyCounters({ bully }: { bully: BullyView }) {
  const leader = bully.leaderIndex === null ? null : bully.nodes[bully.leaderIndex];
  return (
    <dl className="counters" data-testid="bully-counters">
      {(['election', 'answer', 'coordinator', 'heartbeat'] as const).map((kind) => (
        <div key={kind}>
          <dt>{kind[0]!.toUpperCase() + kind.slice(1)}</dt>
          <dd data-testid={`bully-${kind}-messages`}>{formatCount(bully.messagesByKind[kind])}</dd>
        </div>
      ))}
      <div>
        <dt>Lost to crashes</dt>
        <dd>{formatCount(bully.droppedMessages)}</dd>
      </div>
      <div className="counter-wide">
        <dt>Leader</dt>
        <dd data-testid="bully-leader" data-settled={bully.settled ? 'true' : 'false'}>
          {leader ? `ID ${leader.id} (node ${leader.index})` : 'none'}
          {bully.settled ? ' · the highest live ID leads' : ' · electing'}
        </dd>
      </div>
    </dl>
  );
}

function Legend({ mode }: { mode: Mode }) {
  const theme = currentTheme();
  const states =
    mode === 'bully'
      ? ['follower', 'electing', 'waiting', 'leader', 'crashed']
      : ['candidate', 'relay', 'leader', 'follower', 'crashed'];
  const messages: [keyof typeof FLIGHT_COLOR, string, string][] =
    mode === 'bully'
      ? [
          ['election', 'ELECTION', 'circle'],
          ['answer', 'ANSWER', 'square'],
          ['coordinator', 'COORDINATOR', 'diamond'],
          ['heartbeat', 'heartbeat', 'small'],
        ]
      : [
          [mode === 'lcr' ? 'uid' : 'probe', mode === 'lcr' ? 'UID' : 'UID / probe', 'circle'],
          ...(mode === 'compare'
            ? [['reply', 'HS reply', 'square'] as [keyof typeof FLIGHT_COLOR, string, string]]
            : []),
          ['elected', 'leader announcement', 'diamond'],
        ];
  return (
    <div className="election-legend">
      <ul>
        {states.map((state) => (
          <li key={state}>
            <span
              className={`legend-node legend-${state}`}
              style={{
                background:
                  state === 'crashed' ? undefined : seriesColor(STATE_STYLE[state]!.color, theme),
              }}
              aria-hidden="true"
            />
            {STATE_STYLE[state]!.label}
          </li>
        ))}
      </ul>
      <ul>
        {messages.map(([kind, label, shape]) => (
          <li key={kind}>
            <span
              className={`legend-message legend-${shape}`}
              style={{ background: seriesColor(FLIGHT_COLOR[kind], theme) }}
              aria-hidden="true"
            />
            {label}
          </li>
        ))}
      </ul>
      <p className="stage-hint">
        {mode === 'bully'
          ? 'Click or Tab to a node; C crashes or recovers it. The leader sends heartbeats; silence makes the others start an election.'
          : 'Click or Tab to a node to see what it has seen; C crashes it. Numbers beside messages are the UIDs they carry.'}
      </p>
    </div>
  );
}
