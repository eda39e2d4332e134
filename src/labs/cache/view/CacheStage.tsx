/**
 * The stage: topology and slots (d3 view), the actions that stress the cache, the evictions with
 * their reasons, the last miss burst, and the compare lanes side by side.
 */
import { useEffect, useRef } from 'react';
import { formatCount, formatPercent } from '../../../app/format';
import { type Session, type SessionState, useSnapshotWhen } from '../../../app/session';
import { useReducedMotion } from '../../../app/theme';
import { policyLabel } from '../sim/constants';
import type { CacheCommand } from '../sim/model';
import type { CacheSnapshot } from '../sim/snapshot';
import { useCacheSnapshot } from './CachePage';
import { type CacheView, createCacheView } from './cache-view';

export function CacheStage({
  session,
  stageRef,
  send,
}: {
  session: Session;
  stageRef: (element: HTMLElement | null) => void;
  send: (command: CacheCommand) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const view = useRef<CacheView | null>(null);
  const reducedMotion = useReducedMotion();
  const sendRef = useRef(send);
  sendRef.current = send;
  const hotKeyRef = useRef(0);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const cacheView = createCacheView(element, {
      onExpireKey: (key) => sendRef.current({ type: 'expireKey', key }),
      onReadBurst: (key) => sendRef.current({ type: 'readBurst', key, count: 20 }),
    });
    view.current = cacheView;
    // The stage follows every frame, so it reads the store directly instead of re-rendering React.
    const draw = (state: SessionState) => {
      const snapshot = state.snapshot as CacheSnapshot | null;
      if (!snapshot) return;
      hotKeyRef.current = snapshot.hotKey;
      cacheView.update(
        snapshot,
        state.frame?.atMs ?? snapshot.atMs,
        reducedMotion,
        state.frame?.playing ?? false,
      );
    };
    draw(session.store.getState());
    const unsubscribe = session.store.subscribe(draw);
    return () => {
      unsubscribe();
      cacheView.destroy();
      view.current = null;
    };
  }, [session, reducedMotion]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (event.key === 'b' || event.key === 'B') {
        sendRef.current({ type: 'readBurst', key: hotKeyRef.current, count: 50 });
      } else if (event.key === 'x' || event.key === 'X') {
        sendRef.current({ type: 'crash' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section className="panel stage cache-stage-panel" aria-labelledby="stage-title" ref={stageRef}>
      <div className="stage-header">
        <h2 id="stage-title">App → cache → database</h2>
        <div className="cache-actions">
          <button
            type="button"
            data-testid="read-burst"
            aria-keyshortcuts="B"
            onClick={() => send({ type: 'readBurst', key: hotKeyRef.current, count: 50 })}
          >
            50 reads of the hot key
          </button>
          <button
            type="button"
            data-testid="expire-hot"
            onClick={() => send({ type: 'expireKey', key: hotKeyRef.current })}
          >
            Expire the hot key
          </button>
          <button
            type="button"
            data-testid="crash"
            aria-keyshortcuts="X"
            onClick={() => send({ type: 'crash' })}
          >
            Crash the cache
          </button>
        </div>
      </div>
      <div className="cache-container" ref={container} data-testid="cache-stage" />
      <p className="stage-hint">
        Each slot shows its key, the policy&rsquo;s metadata (LFU count, CLOCK/SIEVE bit, ARC/2Q
        list, W-TinyLFU segment and estimated frequency f, or hits), a green recency bar (full right
        after a read) and a blue bar for the time left before expiry. &ldquo;next&rdquo; marks the
        next victim; D = dirty, S = stale. Tap, click or press Enter on a slot for 20 reads of its
        key, E to expire it.
      </p>
      <StageNotes session={session} />
      <CompareLanes session={session} />
    </section>
  );
}

function StageNotes({ session }: { session: Session }) {
  const snapshot = useCacheSnapshot(session);
  if (!snapshot) return null;
  const evictions = snapshot.recentEvictions.slice(-4).reverse();
  const burst = snapshot.recentBursts.at(-1);
  const sketch = snapshot.sketch;
  return (
    <div className="stage-notes">
      {sketch ? (
        <p className="sketch-note" data-testid="sketch-note">
          W-TinyLFU: a {sketch.windowMax}-slot LRU window, then {sketch.mainMax} main slots (up to{' '}
          {sketch.protectedMax} protected, the rest probation). Its count-min sketch has{' '}
          {sketch.rows} rows of {sketch.width.toLocaleString('en-US')} 4-bit counters (
          {((sketch.rows * sketch.width) / 2).toLocaleString('en-US')} bytes);{' '}
          {sketch.adds.toLocaleString('en-US')} of {sketch.sample.toLocaleString('en-US')}{' '}
          increments before every counter halves ({sketch.resets} halving
          {sketch.resets === 1 ? '' : 's'} so far).
        </p>
      ) : null}
      <div>
        <h3>Evictions</h3>
        {evictions.length === 0 ? (
          <p className="muted">None yet: the cache has room.</p>
        ) : (
          <ul className="eviction-list" data-testid="evictions">
            {evictions.map((e) => (
              <li key={`${e.atMs}-${e.key}`}>
                <span className="muted">{(e.atMs / 1000).toFixed(2)} s</span> {e.text}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h3>Last miss burst</h3>
        {burst ? (
          <p data-testid="last-burst">
            Key {burst.key}: {burst.queries} database quer{burst.queries === 1 ? 'y' : 'ies'} for{' '}
            {burst.queries + burst.waiters} request{burst.queries + burst.waiters === 1 ? '' : 's'}
            {burst.waiters > 0 ? ` (${burst.waiters} waited on a query in flight)` : ''}, over{' '}
            {burst.endedAtMs - burst.startedAtMs} ms.
          </p>
        ) : (
          <p className="muted">No miss has finished yet.</p>
        )}
      </div>
    </div>
  );
}

function CompareLanes({ session }: { session: Session }) {
  const snapshot = useSnapshotWhen<CacheSnapshot>(session, (s, frame) =>
    s && s.lanes.length > 0
      ? `${s.settings.compare}|${frame?.playing ? Math.floor(performance.now() / 250) : s.atMs}|${frame?.commandLogVersion ?? 0}`
      : '',
  );
  if (!snapshot || snapshot.lanes.length === 0) return null;
  const best = Math.max(...snapshot.lanes.map((l) => l.hitRatio));
  return (
    <div className="compare-lanes" data-testid="compare-lanes">
      <h3>
        Compare: the same requests through {snapshot.lanes.length} policies (
        {snapshot.settings.capacity} slots each, eviction only: every request counts as one
        reference)
      </h3>
      <ul>
        {snapshot.lanes.map((lane) => (
          <li key={lane.policy} className="lane" data-testid={`lane-${lane.policy}`}>
            <strong>{policyLabel(lane.policy)}</strong>
            <span className="lane-ratio" data-testid={`lane-ratio-${lane.policy}`}>
              {formatPercent(lane.hitRatio)}
            </span>
            <span className="meter lane-meter" aria-hidden="true">
              <span
                style={{ width: `${lane.hitRatio * 100}%` }}
                className={lane.hitRatio === best && best > 0 ? 'is-best' : ''}
              />
            </span>
            <span className="muted">
              {formatCount(lane.hits)} hits · {formatCount(lane.misses)} misses ·{' '}
              {formatCount(lane.evictions)} evictions
            </span>
            <span className="lane-order" title="Next victims, first to go on the left">
              next out: {lane.order.length > 0 ? lane.order.slice(0, 8).join(', ') : 'any (random)'}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
