/**
 * Metrics per lane (notification delay p50/p95/max, requests, empty responses, server load as
 * requests/s and open connections, duplicates processed), the webhook delivery figures, and two
 * charts: delays per lane, and requests per second over time.
 */
import { createBarChart, createLineChart } from '../../../app/charts/charts';
import { useChart, useDocumentTheme } from '../../../app/charts/use-chart';
import { formatCount } from '../../../app/format';
import type { Session } from '../../../app/session';
import { Figure } from '../../../app/ui/Figure';
import { LOAD_WINDOW_S } from '../sim/constants';
import type { LaneView, WebhooksSnapshot } from '../sim/snapshot';
import { formatMs, laneColor } from './timeline-view';
import { useWebhooksSnapshot } from './WebhooksPage';

function ms(value: number | null): string {
  return value === null ? '—' : formatMs(value);
}

export function WebhooksMetrics({ session }: { session: Session }) {
  const snapshot = useWebhooksSnapshot(session);
  if (!snapshot) return null;
  const w = snapshot.webhook;
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <div className="wh-table-wrap">
        <table className="wh-table" data-testid="lane-table">
          <caption>
            Per lane, over {formatCount(snapshot.eventsTotal)} events (delay = event → consumer
            knows)
          </caption>
          <thead>
            <tr>
              <th scope="col">Lane</th>
              <th scope="col">Knows</th>
              <th scope="col">Delay p50</th>
              <th scope="col">p95</th>
              <th scope="col">max</th>
              <th scope="col">Requests</th>
              <th scope="col">Empty</th>
              <th scope="col">Req/s ({LOAD_WINDOW_S} s)</th>
              <th scope="col">Open conns</th>
              <th scope="col">Dupes processed</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.lanes.map((lane) => (
              <LaneRow key={lane.id} lane={lane} total={snapshot.eventsTotal} />
            ))}
          </tbody>
        </table>
      </div>
      <dl className="figures" data-testid="figures">
        <Figure label="Webhooks delivered" value={formatCount(w.delivered)} testId="wh-delivered" />
        <Figure label="Retries" value={formatCount(w.retries)} testId="wh-retries" />
        <Figure label="Dead-lettered" value={formatCount(w.deadLettered)} testId="wh-dead" />
        <Figure
          label="Processed exactly once"
          value={`${formatCount(w.processedOnce)} of ${formatCount(snapshot.eventsTotal)}`}
          testId="wh-once"
        />
        <Figure
          label="Processed twice or more"
          value={formatCount(w.processedTwiceOrMore)}
          testId="wh-twice"
        />
        <Figure
          label="Duplicates ignored (dedupe)"
          value={formatCount(snapshot.lanes[2]?.duplicatesIgnored ?? 0)}
          testId="wh-ignored"
        />
        <Figure
          label="Signatures verified (HMAC-SHA256)"
          value={formatCount(w.signaturesVerified)}
          testId="wh-verified"
        />
        <Figure
          label="Signatures rejected"
          value={formatCount(w.signaturesRejected)}
          testId="wh-rejected"
        />
        <Figure
          label={`Peak attempts in 250 ms (${w.receivers} receiver${w.receivers === 1 ? '' : 's'})`}
          value={formatCount(w.attemptPeak.count)}
          testId="wh-peak"
        />
        <Figure
          label="Persistent connection reconnects"
          value={formatCount(snapshot.socket.reconnects)}
        />
      </dl>
      <DelayChart snapshot={snapshot} />
      <LoadChart snapshot={snapshot} />
      {w.dlq.length > 0 ? (
        <details className="wh-dlq-list">
          <summary>Dead-letter queue ({formatCount(w.dlqTotal)} in all)</summary>
          <ul>
            {w.dlq.map((d) => (
              <li key={d.deliveryId}>
                event #{d.eventSeq} → receiver {d.receiver}: {d.attempts} attempts, last{' '}
                {d.lastOutcome}, at {(d.atMs / 1000).toFixed(1)} s
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

function LaneRow({ lane, total }: { lane: LaneView; total: number }) {
  const theme = useDocumentTheme();
  return (
    <tr data-testid={`lane-${lane.id}`}>
      <th scope="row">
        <span className="swatch" style={{ background: laneColor(lane.id, theme) }} />
        {lane.label}
      </th>
      <td data-col="known">
        {formatCount(lane.known)}/{formatCount(total)}
      </td>
      <td data-col="p50">{ms(lane.delay.p50Ms)}</td>
      <td data-col="p95">{ms(lane.delay.p95Ms)}</td>
      <td data-col="max">{ms(lane.delay.maxMs)}</td>
      <td data-col="requests">{formatCount(lane.requests)}</td>
      <td data-col="empty">{formatCount(lane.emptyResponses)}</td>
      <td data-col="rps">{lane.requestsPerSecond.toFixed(2)}</td>
      <td data-col="open">{formatCount(lane.openConnections)}</td>
      <td data-col="dupes">{formatCount(lane.duplicatesProcessed)}</td>
    </tr>
  );
}

function DelayChart({ snapshot }: { snapshot: WebhooksSnapshot }) {
  const svg = useChart(
    (element) =>
      createBarChart(element, {
        size: { width: 420, height: 180 },
        yLabel: 'ms',
        title: 'Notification delay p95 per lane (ms), with the short-polling interval',
      }),
    (chart, theme) =>
      chart.update(
        snapshot.lanes.map((lane) => ({
          label: lane.label.replace('Persistent connection', 'Stream'),
          value: lane.delay.p95Ms ?? 0,
          color: laneColor(lane.id, theme),
        })),
        { value: snapshot.config.pollIntervalMs, label: 'poll interval' },
      ),
    [snapshot.lanes.map((l) => l.delay.p95Ms).join(','), snapshot.config.pollIntervalMs],
  );
  return (
    <figure>
      <figcaption>Notification delay, p95 (ms)</figcaption>
      <svg ref={svg} className="chart" data-testid="delay-chart" />
    </figure>
  );
}

function LoadChart({ snapshot }: { snapshot: WebhooksSnapshot }) {
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 420, height: 180 },
        xLabel: 'virtual time (s)',
        yLabel: 'requests / s',
        title: 'Requests per second each lane makes, per completed second',
      }),
    (chart, theme) =>
      chart.update(
        snapshot.lanes.map((lane, index) => ({
          name: lane.label,
          color: laneColor(lane.id, theme),
          dashed: index % 2 === 1,
          points: lane.load.map(([start, count]) => [start / 1000, count] as [number, number]),
        })),
      ),
    // The chart changes once per second.
    [snapshot.lanes[0]?.load.at(-1)?.[0]],
  );
  return (
    <figure>
      <figcaption>Server load: requests per second by lane</figcaption>
      {(snapshot.lanes[0]?.load.length ?? 0) < 2 ? (
        <p className="muted">Press play: the chart fills in as virtual seconds complete.</p>
      ) : null}
      <svg ref={svg} className="chart" data-testid="load-chart" />
    </figure>
  );
}
