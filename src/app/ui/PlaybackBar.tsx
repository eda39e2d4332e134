/**
 * Play/pause with an unmistakable state, step back and forward, speed on a log scale (0.1× to
 * 100×), a timeline scrubber with event markers, reset, and the seed.
 *
 * The bar is on screen all the time and the clock moves every frame, so each part subscribes to
 * just the figure it shows: a frame re-renders the clock when its text changes and nothing else.
 * The scrubber and the marker strip are written directly (its value, its end, one viewBox), and
 * the markers are laid out in run milliseconds, so a longer timeline costs one attribute write,
 * not one per marker.
 */
import { type MouseEvent, memo, useId, useLayoutEffect, useRef, useState } from 'react';
import type { Frame, MarkerCause, TimelineMarker } from '../../worker/protocol';
import { assertNever, SPEED_MAX, SPEED_MIN } from '../../worker/protocol';
import { formatSeconds, formatSpeed } from '../format';
import { type Session, type SessionState, useSession } from '../session';
import { SEED_MAX } from '../url-state';
import { Icon } from './icons';

/** The timeline always shows at least this much, so early markers are not squashed. */
const TIMELINE_MS_MIN = 10_000;
/** A click on the marker strip seeks to the nearest marker this close (in CSS pixels). */
const MARKER_HIT_PX = 8;
/** The marker strip's height in its own units (CSS scales it to the strip's height). */
const MARKER_STRIP_HEIGHT = 10;

/** The end of the timeline: the run's horizon, or the minimum while the run is young. */
export function timelineEndMs(frame: Frame | null): number {
  return Math.max(TIMELINE_MS_MIN, frame?.horizonMs ?? 0, frame?.atMs ?? 0);
}

export function PlaybackBar({
  session,
  seed,
  onReset,
  onSeedChange,
}: {
  session: Session;
  seed: number;
  onReset: () => void;
  onSeedChange: (seed: number) => void;
}) {
  return (
    <section className="playback" aria-label="Playback">
      <div className="playback-buttons">
        <PlayToggle session={session} />
        <button
          type="button"
          aria-label="Step back to the previous event (←)"
          title="Step back (←)"
          onClick={() => session.send({ type: 'stepBack' })}
        >
          <Icon name="stepBack" />
        </button>
        <button
          type="button"
          aria-label="Step to the next event (→)"
          title="Step (→)"
          data-testid="step"
          onClick={() => session.send({ type: 'step' })}
        >
          <Icon name="stepForward" />
        </button>
        <button type="button" onClick={onReset} title="Reset the run (same seed and settings)">
          Reset
        </button>
      </div>
      <Timeline session={session} />
      <div className="playback-readouts">
        <Clock session={session} />
        <SpeedControl session={session} />
        <BehindNote session={session} />
        <SeedField seed={seed} onSeedChange={onSeedChange} />
      </div>
    </section>
  );
}

const PlayToggle = memo(function PlayToggle({ session }: { session: Session }) {
  const playing = useSession(session, (s) => s.frame?.playing ?? false);
  return (
    <button
      type="button"
      className={`play-button ${playing ? 'is-playing' : 'is-paused'}`}
      aria-label={playing ? 'Pause (space)' : 'Play (space)'}
      data-testid="play-toggle"
      data-state={playing ? 'playing' : 'paused'}
      onClick={() => session.send({ type: playing ? 'pause' : 'play' })}
    >
      <Icon name={playing ? 'pause' : 'play'} />
      <span className="play-label">{playing ? 'Playing' : 'Paused'}</span>
    </button>
  );
});

const Clock = memo(function Clock({ session }: { session: Session }) {
  // The selector returns the text, so a frame re-renders the clock only when the text changes.
  const text = useSession(session, (s) => formatSeconds(s.frame?.atMs ?? 0));
  return (
    <output className="clock" aria-label="Virtual time" data-testid="clock">
      {text}
    </output>
  );
});

const SpeedControl = memo(function SpeedControl({ session }: { session: Session }) {
  const speed = useSession(session, (s) => s.frame?.speed ?? 1);
  const id = useId();
  return (
    <label htmlFor={id} className="speed">
      <span>Speed</span>
      <input
        id={id}
        type="range"
        min={Math.log10(SPEED_MIN)}
        max={Math.log10(SPEED_MAX)}
        step={0.05}
        value={Math.log10(speed)}
        aria-valuetext={formatSpeed(speed)}
        onChange={(e) => session.send({ type: 'setSpeed', speed: 10 ** Number(e.target.value) })}
      />
      <output data-testid="speed">{formatSpeed(speed)}</output>
    </label>
  );
});

const BehindNote = memo(function BehindNote({ session }: { session: Session }) {
  const realSpeed = useSession(session, (s) =>
    s.frame?.behind ? formatSpeed(s.frame.actualSpeed) : null,
  );
  if (realSpeed === null) return null;
  return (
    <span className="behind" role="status">
      real speed {realSpeed}
    </span>
  );
});

/**
 * The scrubber and the marker strip. Neither re-renders per frame: the scrubber's value, end and
 * spoken value are written when they change, and the markers sit at their own times in a
 * viewBox as long as the run, so a longer run rescales them all with one viewBox write.
 */
const Timeline = memo(function Timeline({ session }: { session: Session }) {
  const markers = useSession(session, (s) => s.markers);
  const rangeRef = useRef<HTMLInputElement>(null);
  const stripRef = useRef<SVGSVGElement>(null);
  useLayoutEffect(() => {
    let shownAtMs = Number.NaN;
    let shownEndMs = Number.NaN;
    let shownValueText = '';
    const show = (state: SessionState) => {
      const range = rangeRef.current;
      const strip = stripRef.current;
      if (!range || !strip) return;
      const atMs = state.frame?.atMs ?? 0;
      const endMs = timelineEndMs(state.frame);
      if (endMs !== shownEndMs) {
        range.max = String(endMs);
        strip.setAttribute('viewBox', `0 0 ${endMs} ${MARKER_STRIP_HEIGHT}`);
      }
      // After the end: a value beyond the old end would have been clamped to it.
      if (atMs !== shownAtMs || endMs !== shownEndMs) range.value = String(atMs);
      const valueText = `${formatSeconds(atMs)} of ${formatSeconds(endMs)}`;
      if (valueText !== shownValueText) range.setAttribute('aria-valuetext', valueText);
      shownAtMs = atMs;
      shownEndMs = endMs;
      shownValueText = valueText;
    };
    show(session.store.getState());
    return session.store.subscribe(show);
  }, [session]);

  // A pointer shortcut: the nearest marker within reach of the click. (Every marked event is in
  // the event log too, where a keyboard reaches it.) Reading layout once per click is fine.
  const seekToNearestMarker = (event: MouseEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    const endMs = timelineEndMs(session.store.getState().frame);
    const msPerPx = endMs / box.width;
    const nearest = nearestMarker(
      markers,
      (event.clientX - box.left) * msPerPx,
      MARKER_HIT_PX * msPerPx,
    );
    if (nearest) session.send({ type: 'seek', atMs: nearest.atMs });
  };

  return (
    <div className="timeline">
      <input
        ref={rangeRef}
        type="range"
        className="timeline-range"
        aria-label="Timeline"
        data-testid="timeline"
        min={0}
        step={10}
        onChange={(e) => session.send({ type: 'seek', atMs: Number(e.target.value) })}
      />
      <svg
        ref={stripRef}
        className="timeline-markers"
        data-testid="timeline-markers"
        preserveAspectRatio="none"
        aria-hidden="true"
        onClick={seekToNearestMarker}
      >
        <MarkerMarks markers={markers} />
      </svg>
    </div>
  );
});

/** The markers at their times; re-rendered only when the worker sends a new list. */
const MarkerMarks = memo(function MarkerMarks({ markers }: { markers: readonly TimelineMarker[] }) {
  return (
    <g>
      {markers.map((marker) => (
        <line
          key={marker.seq}
          className={`marker marker-${marker.kind} ${causeClass(marker.cause)}`}
          data-seq={marker.seq}
          x1={marker.atMs}
          x2={marker.atMs}
          y1={0}
          y2={MARKER_STRIP_HEIGHT}
        >
          <title>{`${formatSeconds(marker.atMs)}: ${marker.text}`}</title>
        </line>
      ))}
    </g>
  );
});

function causeClass(cause: MarkerCause): string {
  switch (cause) {
    case 'command':
      return 'marker-by-command';
    case 'important':
      return 'marker-important';
    default:
      return assertNever(cause);
  }
}

/** The marker nearest to `atMs` within `reachMs`, or null. */
export function nearestMarker(
  markers: readonly TimelineMarker[],
  atMs: number,
  reachMs: number,
): TimelineMarker | null {
  let best: TimelineMarker | null = null;
  for (const marker of markers) {
    const distance = Math.abs(marker.atMs - atMs);
    if (distance <= reachMs && (!best || distance < Math.abs(best.atMs - atMs))) best = marker;
  }
  return best;
}

function SeedField({ seed, onSeedChange }: { seed: number; onSeedChange: (seed: number) => void }) {
  const [draft, setDraft] = useState(String(seed));
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const commit = () => {
    const value = Number(draft);
    if (!/^\d+$/.test(draft.trim()) || !Number.isSafeInteger(value) || value > SEED_MAX) {
      setError(`The seed is a whole number from 0 to ${SEED_MAX}.`);
      setDraft(String(seed));
      return;
    }
    setError(null);
    if (value !== seed) onSeedChange(value);
  };
  return (
    <span className="seed">
      <label htmlFor={id}>Seed</label>
      <input
        id={id}
        inputMode="numeric"
        value={draft}
        size={8}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      {error ? (
        <span id={`${id}-error`} role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
