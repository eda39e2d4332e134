/** The narrated event log. Clicking an event seeks the run to that moment. */
import { memo } from 'react';
import { formatSeconds } from '../format';
import { type LoggedEvent, type Session, useSession } from '../session';

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
          <EventRow key={event.id} event={event} session={session} />
        ))}
      </ol>
    </section>
  );
}

/**
 * One entry. Entries never change once logged, so when events arrive while playing only the new
 * rows render; the list of up to SHOWN_MAX is otherwise just matched by key.
 */
const EventRow = memo(function EventRow({
  event,
  session,
}: {
  event: LoggedEvent;
  session: Session;
}) {
  return (
    <li className={`event event-${event.kind}`}>
      <button type="button" onClick={() => session.send({ type: 'seek', atMs: event.atMs })}>
        <time>{formatSeconds(event.atMs)}</time>
        <span>{event.text}</span>
      </button>
    </li>
  );
});
