/**
 * The home page: every lab that exists, with what it teaches and a search over titles and
 * concepts. Each card shows a still taken from the real lab; pointing at a card (or focusing it)
 * swaps the still for the lab itself, live: the embedded view (`?embed=1&play=1`) in a scaled,
 * inert frame. One live preview at a time keeps the page light; with reduced motion, or on touch
 * screens without hover, the stills stay.
 */
import { Link } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { LABS, type LabEntry } from '../labs/registry';
import { prefersReducedMotion } from './theme';

/** The live preview renders the lab at this size, then scales it down to the card. */
const PREVIEW_WIDTH = 960;
const PREVIEW_HEIGHT = 600;
/** Pointing at a card this long starts its live preview (a pass over the grid starts none). */
const PREVIEW_DELAY_MS = 350;

export function Home() {
  const [query, setQuery] = useState('');
  const [live, setLive] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const needle = query.trim().toLowerCase();
  const shown = LABS.filter(
    (lab) =>
      needle === '' ||
      [lab.title, lab.summary, ...lab.concepts].some((text) => text.toLowerCase().includes(needle)),
  );
  const startPreview = (id: string) => {
    window.clearTimeout(timer.current);
    if (prefersReducedMotion() || !matchMedia('(hover: hover)').matches) return;
    timer.current = window.setTimeout(() => setLive(id), PREVIEW_DELAY_MS);
  };
  const stopPreview = (id: string) => {
    window.clearTimeout(timer.current);
    setLive((current) => (current === id ? null : current));
  };
  return (
    <div className="home">
      <section className="hero">
        <h1>System Design Lab</h1>
        <p>
          Learn system design by playing with the real algorithms. Every lab runs a seeded,
          replayable simulation of the actual implementation in your browser: change it, break it,
          and share the exact run by link.
        </p>
        <label className="search">
          <span>Find a lab or concept</span>
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="hash ring, 429, quorum, LRU…"
          />
        </label>
      </section>
      <ul className="lab-cards">
        {shown.map((lab) => (
          <li
            key={lab.id}
            className="lab-card"
            onPointerEnter={() => startPreview(lab.id)}
            onPointerLeave={() => stopPreview(lab.id)}
            onFocus={() => startPreview(lab.id)}
            onBlur={() => stopPreview(lab.id)}
          >
            <Link to="/labs/$labId" params={{ labId: lab.id }} className="lab-card-link">
              <div className="lab-card-media">
                <img
                  src={lab.preview}
                  alt={`A still of the ${lab.title} lab`}
                  width={480}
                  height={300}
                  loading="lazy"
                />
                {live === lab.id ? <LivePreview lab={lab} /> : null}
              </div>
              <h2>{lab.title}</h2>
              <p>{lab.summary}</p>
              <p className="concepts">{lab.concepts.join(' · ')}</p>
            </Link>
          </li>
        ))}
      </ul>
      {shown.length === 0 ? <p>No lab matches “{query}”.</p> : null}
    </div>
  );
}

/** The lab itself, embedded and playing, scaled to the card; inert (the card is the link). */
function LivePreview({ lab }: { lab: LabEntry }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [scale, setScale] = useState<number | null>(null);
  useEffect(() => {
    const box = frame.current?.parentElement;
    if (!box) return;
    const fitToCard = () => setScale(box.clientWidth / PREVIEW_WIDTH);
    fitToCard();
    const observer = new ResizeObserver(fitToCard);
    observer.observe(box);
    return () => observer.disconnect();
  }, []);
  const src = `${window.location.href.split('#')[0]}#/labs/${lab.id}?embed=1&play=1`;
  return (
    <iframe
      ref={frame}
      className="lab-card-live"
      src={src}
      title={`${lab.title}, playing`}
      data-testid={`live-preview-${lab.id}`}
      inert
      width={PREVIEW_WIDTH}
      height={PREVIEW_HEIGHT}
      style={{ transform: `scale(${scale ?? 0})`, visibility: scale ? 'visible' : 'hidden' }}
    />
  );
}
