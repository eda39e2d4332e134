/**
 * Play/pause with an unmistakable state, step back and forward, speed on a log scale (0.1× to
 * 100×), a timeline scrubber with event markers, reset, and the seed.
 */
import { useId, useState } from 'react';
import type { TimelineMarker } from '../../worker/protocol';
import { SPEED_MAX, SPEED_MIN } from '../../worker/protocol';
import { formatSeconds, formatSpeed } from '../format';
import { type Session, useSession } from '../session';
import { SEED_MAX } from '../url-state';
import { Icon } from './icons';

/** The timeline always shows at least this much, so early markers are not squashed. */
const TIMELINE_MS_MIN = 10_000;

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
  const frame = useSession(session, (s) => s.frame);
  const markers = useSession(session, (s) => s.markers);
  const playing = frame?.playing ?? false;
  const atMs = frame?.atMs ?? 0;
  const speed = frame?.speed ?? 1;
  const endMs = Math.max(TIMELINE_MS_MIN, frame?.horizonMs ?? 0, atMs);
  const speedId = useId();
  return (
    <section className="playback" aria-label="Playback">
      <div className="playback-buttons">
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
      <Timeline session={session} atMs={atMs} endMs={endMs} markers={markers} />
      <div className="playback-readouts">
        <output className="clock" aria-label="Virtual time" data-testid="clock">
          {formatSeconds(atMs)}
        </output>
        <label htmlFor={speedId} className="speed">
          <span>Speed</span>
          <input
            id={speedId}
            type="range"
            min={Math.log10(SPEED_MIN)}
            max={Math.log10(SPEED_MAX)}
            step={0.05}
            value={Math.log10(speed)}
            aria-valuetext={formatSpeed(speed)}
            onChange={(e) =>
              session.send({ type: 'setSpeed', speed: 10 ** Number(e.target.value) })
            }
          />
          <output data-testid="speed">{formatSpeed(speed)}</output>
        </label>
        {frame?.behind ? (
          <span className="behind" role="status">
            real speed {formatSpeed(frame.actualSpeed)}
          </span>
        ) : null}
        <SeedField seed={seed} onSeedChange={onSeedChange} />
      </div>
    </section>
  );
}

function Timeline({
  session,
  atMs,
  endMs,
  markers,
}: {
  session: Session;
  atMs: number;
  endMs: number;
  markers: TimelineMarker[];
}) {
  const visible = markers.length > 400 ? thinMarkers(markers, 400) : markers;
  return (
    <div className="timeline">
      <input
        type="range"
        className="timeline-range"
        aria-label="Timeline"
        data-testid="timeline"
        min={0}
        max={endMs}
        step={10}
        value={atMs}
        aria-valuetext={`${formatSeconds(atMs)} of ${formatSeconds(endMs)}`}
        onChange={(e) => session.send({ type: 'seek', atMs: Number(e.target.value) })}
      />
      <div className="timeline-markers" aria-hidden="true">
        {visible.map((marker, index) => (
          <button
            type="button"
            tabIndex={-1}
            // biome-ignore lint/suspicious/noArrayIndexKey: markers are positional and never reorder.
            key={`${marker.atMs}-${index}`}
            className={`marker marker-${marker.kind}`}
            style={{ left: `${(marker.atMs / endMs) * 100}%` }}
            title={`${formatSeconds(marker.atMs)}: ${marker.text}`}
            onClick={() => session.send({ type: 'seek', atMs: marker.atMs })}
          />
        ))}
      </div>
    </div>
  );
}

/** Keeps the timeline readable on long runs: at most `max` markers, spread over the run. */
function thinMarkers(markers: TimelineMarker[], max: number): TimelineMarker[] {
  const stride = markers.length / max;
  const kept: TimelineMarker[] = [];
  for (let i = 0; i < max; i += 1) kept.push(markers[Math.floor(i * stride)]!);
  return kept;
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
