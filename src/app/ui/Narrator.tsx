/**
 * The aria-live region: screen readers hear the important events as they happen. Announcements
 * are throttled so fast playback does not flood the reader.
 */
import { useEffect, useRef, useState } from 'react';
import { type Session, useSession } from '../session';

const ANNOUNCE_INTERVAL_MS = 1_000;

export function Narrator({ session }: { session: Session }) {
  const narration = useSession(session, (s) => s.narration);
  const [text, setText] = useState('');
  const lastAt = useRef(0);
  const pending = useRef<string | null>(null);
  useEffect(() => {
    if (narration.id === 0) return;
    const now = performance.now();
    const wait = lastAt.current + ANNOUNCE_INTERVAL_MS - now;
    pending.current = narration.text;
    const flush = () => {
      if (pending.current === null) return;
      setText(pending.current);
      pending.current = null;
      lastAt.current = performance.now();
    };
    if (wait <= 0) {
      flush();
      return;
    }
    const timer = setTimeout(flush, wait);
    return () => clearTimeout(timer);
  }, [narration]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="narration">
      {text}
    </div>
  );
}
