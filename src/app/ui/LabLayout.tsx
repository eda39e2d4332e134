/**
 * The anatomy every lab page shares (DESIGN.md §5): header with share/export, notices, stage,
 * controls, metrics, event log, lesson, and the playback bar; keyboard shortcuts, narration and
 * the worker's errors with a reset that keeps the URL.
 */
import { Link } from '@tanstack/react-router';
import { AnimatePresence, m } from 'framer-motion';
import { type ReactNode, useEffect, useState, useSyncExternalStore } from 'react';
import { SPEED_MAX, SPEED_MIN } from '../../worker/protocol';
import { type Session, useSession } from '../session';
import { Narrator } from './Narrator';
import { PlaybackBar } from './PlaybackBar';
import { PLAYBACK_SHORTCUTS, type Shortcut, ShortcutSheet } from './ShortcutSheet';

export interface LabLayoutProps {
  title: string;
  summary: string;
  session: Session;
  seed: number;
  notices: string[];
  onDismissNotices: () => void;
  onReset: () => void;
  onSeedChange: (seed: number) => void;
  share: ReactNode;
  stage: ReactNode;
  controls: ReactNode;
  metrics: ReactNode;
  eventLog: ReactNode;
  lesson: ReactNode;
  labShortcuts: Shortcut[];
  /** Embedded in another page: only the stage and the playback bar, and a link to the full lab. */
  embed?: boolean;
}

function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const media = matchMedia(query);
      media.addEventListener('change', onChange);
      return () => media.removeEventListener('change', onChange);
    },
    () => matchMedia(query).matches,
  );
}

/** This page's address without the embedding options: the full lab at the same run. */
function fullLabHref(): string {
  const [base, hash = ''] = window.location.href.split('#');
  const [path, query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  params.delete('embed');
  params.delete('play');
  const rest = params.toString();
  return `${base}#${path}${rest ? `?${rest}` : ''}`;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return type !== 'checkbox' && type !== 'radio' && type !== 'range';
  }
  return target.isContentEditable;
}

export function LabLayout(props: LabLayoutProps) {
  const { session } = props;
  const [sheetOpen, setSheetOpen] = useState(false);
  const error = useSession(session, (s) => s.error);
  // On a phone the share and export buttons fold into one disclosure, so the stage comes first.
  const narrow = useMediaQuery('(max-width: 760px)');

  useEffect(() => {
    // Quick presses of + or − each build on the last one asked for, not on the last frame's speed.
    let pendingSpeed: number | null = null;
    const changeSpeed = (factor: number) => {
      const base = pendingSpeed ?? session.store.getState().frame?.speed ?? 1;
      pendingSpeed = Math.min(SPEED_MAX, Math.max(SPEED_MIN, base * factor));
      session.send({ type: 'setSpeed', speed: pendingSpeed });
    };
    const unsubscribe = session.store.subscribe((state) => {
      if (pendingSpeed !== null && state.frame?.speed === pendingSpeed) pendingSpeed = null;
    });
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isTyping(event.target)) return;
      const state = session.store.getState();
      const onControl =
        event.target instanceof HTMLButtonElement || event.target instanceof HTMLInputElement;
      switch (event.key) {
        case ' ':
          // Space belongs to the focused control (a button, a checkbox, a radio) when there is one.
          if (event.target instanceof HTMLButtonElement || event.target instanceof HTMLInputElement)
            return;
          event.preventDefault();
          session.send({ type: state.frame?.playing ? 'pause' : 'play' });
          return;
        case 'ArrowRight':
          if (onControl && (event.target as HTMLInputElement).type === 'range') return;
          event.preventDefault();
          session.send({ type: 'step' });
          return;
        case 'ArrowLeft':
          if (onControl && (event.target as HTMLInputElement).type === 'range') return;
          event.preventDefault();
          session.send({ type: 'stepBack' });
          return;
        case '+':
        case '=':
          changeSpeed(2);
          return;
        case '-':
        case '_':
          changeSpeed(0.5);
          return;
        case 'Home':
          event.preventDefault();
          session.send({ type: 'seek', atMs: 0 });
          return;
        case '?':
          setSheetOpen((open) => !open);
          return;
        default:
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      unsubscribe();
    };
  }, [session]);

  // What both the full page and the embedded view show: notices, the worker's errors, the
  // playback bar, narration and the shortcut sheet.
  const alerts = (
    <>
      <AnimatePresence>
        {props.notices.length > 0 ? (
          <m.div
            className="notices"
            role="alert"
            data-testid="notices"
            initial={{ opacity: 0, height: 0 }}
            animate={{ opacity: 1, height: 'auto' }}
            exit={{ opacity: 0, height: 0 }}
          >
            <ul>
              {props.notices.map((notice) => (
                <li key={notice}>{notice}</li>
              ))}
            </ul>
            <button type="button" onClick={props.onDismissNotices}>
              Dismiss
            </button>
          </m.div>
        ) : null}
      </AnimatePresence>
      {error ? (
        <div className="error-panel" role="alert" data-testid="worker-error">
          <h2>The simulation stopped</h2>
          <p>
            {error.message} <span className="muted">(during {error.during})</span>
          </p>
          <p>Your settings are kept in the address bar.</p>
          <button type="button" onClick={props.onReset}>
            Reset lab
          </button>
        </div>
      ) : null}
    </>
  );
  const dock = (
    <>
      <div className="playback-dock">
        <PlaybackBar
          session={session}
          seed={props.seed}
          onReset={props.onReset}
          onSeedChange={props.onSeedChange}
        />
      </div>
      <Narrator session={session} />
      {sheetOpen ? (
        <ShortcutSheet
          shortcuts={[...PLAYBACK_SHORTCUTS, ...props.labShortcuts]}
          onClose={() => setSheetOpen(false)}
        />
      ) : null}
    </>
  );

  if (props.embed) {
    return (
      <div className="lab lab-embedded">
        <h1 className="embed-title">
          <a
            href={fullLabHref()}
            target="_blank"
            rel="noopener"
            onClick={(event) => {
              event.currentTarget.href = fullLabHref();
            }}
          >
            {props.title} <span className="muted">· open in System Design Lab ↗</span>
          </a>
        </h1>
        {alerts}
        <div className="lab-stage">{props.stage}</div>
        {dock}
      </div>
    );
  }

  return (
    <div className="lab">
      <header className="lab-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <Link to="/">All labs</Link>
          </nav>
          <h1>{props.title}</h1>
          <p className="summary">{props.summary}</p>
        </div>
        <div className="lab-header-actions">
          {narrow ? (
            <details className="share-menu">
              <summary>Share &amp; export</summary>
              {props.share}
            </details>
          ) : (
            props.share
          )}
          <button
            type="button"
            onClick={() => setSheetOpen(true)}
            aria-label="Keyboard shortcuts (?)"
          >
            ?
          </button>
        </div>
      </header>
      {alerts}
      <div className="lab-grid">
        <div className="lab-stage">{props.stage}</div>
        <aside className="lab-controls" aria-label="Controls">
          {props.controls}
        </aside>
        <div className="lab-metrics">{props.metrics}</div>
        <div className="lab-log">{props.eventLog}</div>
        <div className="lab-lesson">{props.lesson}</div>
      </div>
      {dock}
    </div>
  );
}
