/** The narrated event log. Clicking an event seeks the run to that moment. */
import { formatSeconds } from '../format';
import { type Session, useSession } from '../session';

const SHOWN_MAX = 200;

export function EventLog({ session }: { session: Session }) {
  const events = useSession(session, (s) => s.events);
  const shown = events.slice(-SHOWN_MAX).reverse();
  return (
    <section className="panel event-log" aria-labelledby="event-log-title">
      <h2 id="event-log-title">Event log</h2>
      {shown.length === 0 ? <p className="muted">Nothing has happened yet.</p> : null}
      <ol data-testid="event-log">
        {shown.map((event) => (
          <li key={event.id} className={`event event-${event.kind}`}>
            <button type="button" onClick={() => session.send({ type: 'seek', atMs: event.atMs })}>
              <time>{formatSeconds(event.atMs)}</time>
              <span>{event.text}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
