/**
 * The aria-live region: screen readers hear the important events as they happen. Announcements
 * are at most one a second so fast playback does not flood the reader; the events that arrive
 * in between are not dropped but gathered into the next announcement (in full when few, counted
 * with the newest ones read when many).
 */
import { useEffect, useRef, useState } from 'react';
import { announcement } from '../narration';
import { type Session, useSession } from '../session';

const ANNOUNCE_INTERVAL_MS = 1_000;
export function Narrator({ session }: { session: Session }) {
  const narration = useSession(session, (s) => s.narration);
  const [text, setText] = useState('');
  const lastAt = useRef(0);
  const pending = useRef<string[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    if (narration.id === 0) return;
    pending.current.push(...narration.texts);
    const flush = () => {
      timer.current = undefined;
      if (pending.current.length === 0) return;
      setText(announcement(pending.current));
      pending.current = [];
      lastAt.current = performance.now();
    };
    const wait = lastAt.current + ANNOUNCE_INTERVAL_MS - performance.now();
    if (wait <= 0) flush();
    else if (timer.current === undefined) timer.current = setTimeout(flush, wait);
  }, [narration]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="narration">
      {text}
    </div>
  );
}
