/**
 * Metrics of the balancer shown on the stage: latency percentiles, outcomes, sessions, each
 * server's in-flight, queue and utilisation, and charts of latency, errors and requests per server.
 */
import { createBarChart, createLineChart, type Series } from '../../../app/charts/charts';
import { type Theme, useChart } from '../../../app/charts/use-chart';
import { formatCount, formatPercent } from '../../../app/format';
import { seriesColor } from '../../../app/palette';
import type { Session } from '../../../app/session';
import { Figure } from '../../../app/ui/Figure';
import { ALGORITHM_LABELS } from '../sim/constants';
import type { LaneView, LoadBalancerSnapshot } from '../sim/snapshot';
import { serverStatus } from './balancer-view';
import { useBalancerSnapshot } from './LoadBalancerPage';

export function LoadBalancerMetrics({
  session,
  laneIndex,
}: {
  session: Session;
  laneIndex: number;
}) {
  const snapshot = useBalancerSnapshot(session);
  if (!snapshot) return null;
  const lane = snapshot.lanes[laneIndex] ?? snapshot.lanes[0];
  if (!lane) return null;
  const t = lane.totals;
  const has = lane.window.count > 0;
  const lastSecond = lane.series.ok.at(-1) ?? 0;
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">
        Metrics{snapshot.lanes.length > 1 ? `: ${ALGORITHM_LABELS[lane.algorithm]}` : ''}
      </h2>
      <dl className="figures" data-testid="figures">
        <Figure
          label="p50 latency (last 10 s)"
          value={has ? `${formatCount(lane.window.p50)} ms` : '—'}
          testId="fig-p50"
        />
        <Figure
          label="p95 latency (last 10 s)"
          value={has ? `${formatCount(lane.window.p95)} ms` : '—'}
          testId="fig-p95"
        />
        <Figure
          label="p99 latency (last 10 s)"
          value={has ? `${formatCount(lane.window.p99)} ms` : '—'}
          testId="fig-p99"
        />
        <Figure label="Requests sent" value={formatCount(t.arrived)} testId="fig-arrived" />
        <Figure label="Succeeded" value={formatCount(t.ok)} testId="fig-ok" />
        <Figure
          label="Throughput (last second)"
          value={`${formatCount(lastSecond)} /s`}
          testId="fig-throughput"
        />
        <Figure
          label="Errors (reset or timed out)"
          value={`${formatCount(t.errors)} (${formatCount(t.resets)} reset, ${formatCount(t.timeouts)} timed out)`}
          testId="fig-errors"
        />
        <Figure
          label="Dropped (503: no healthy server or queue full)"
          value={formatCount(t.dropped)}
          testId="fig-dropped"
        />
        <Figure
          label="Failovers (retried on another server)"
          value={formatCount(t.failovers)}
          testId="fig-failovers"
        />
        <Figure
          label="Waiting for an answer"
          value={formatCount(lane.pending)}
          testId="fig-pending"
        />
        {snapshot.config.sessions !== 'stateless' ? (
          <>
            <Figure
              label="Users logged in"
              value={formatCount(lane.loggedIn)}
              testId="fig-logged-in"
            />
            <Figure
              label="Users logged out (session lost)"
              value={formatCount(t.loggedOut)}
              testId="fig-logged-out"
            />
          </>
        ) : null}
        {snapshot.config.layer === 'l4' ? (
          <Figure
            label="Open connections"
            value={formatCount(lane.openConnections)}
            testId="fig-connections"
          />
        ) : null}
        <Figure
          label="Scheduling decisions"
          value={formatCount(t.decisions)}
          testId="fig-decisions"
        />
      </dl>
      <ServerTable snapshot={snapshot} lane={lane} />
      <LatencyChart lane={lane} />
      <OutcomeChart lane={lane} />
      <ServedChart snapshot={snapshot} lane={lane} />
    </section>
  );
}

function ServerTable({ snapshot, lane }: { snapshot: LoadBalancerSnapshot; lane: LaneView }) {
  const layer4 = snapshot.config.layer === 'l4';
  const sticky = snapshot.config.sessions === 'sticky';
  return (
    <div className="lb-table-scroll">
      <table className="compare-table lb-server-table" data-testid="server-table">
        <caption>Per server (as this balancer sees them)</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">State</th>
            <th scope="col">In flight</th>
            <th scope="col">Queue</th>
            <th scope="col">Utilisation</th>
            <th scope="col">Served</th>
            <th scope="col">Errors</th>
            {layer4 ? <th scope="col">Conns</th> : null}
            {sticky ? <th scope="col">Sessions</th> : null}
          </tr>
        </thead>
        <tbody>
          {snapshot.servers.map((spec, index) => {
            const server = lane.servers[index];
            return (
              <tr key={spec.id} data-testid={`row-${spec.id}`}>
                <th scope="row">{spec.id}</th>
                <td data-testid={`health-${spec.id}`}>{serverStatus(spec, server)}</td>
                <td>{formatCount(server?.inFlight ?? 0)}</td>
                <td>{formatCount(server?.queued ?? 0)}</td>
                <td>{formatPercent(server?.utilisation ?? 0, 0)}</td>
                <td data-testid={`served-${spec.id}`}>{formatCount(server?.served ?? 0)}</td>
                <td>{formatCount((server?.errors ?? 0) + (server?.dropped ?? 0))}</td>
                {layer4 ? <td>{formatCount(server?.connections ?? 0)}</td> : null}
                {sticky ? <td>{formatCount(server?.sessions ?? 0)}</td> : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A line chart of one lane's per-second series, redrawn once per second of the run. */
function useLaneChart(
  lane: LaneView,
  labels: { yLabel: string; title: string },
  series: (s: LaneView['series'], theme: Theme) => Series[],
) {
  return useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 420, height: 180 },
        xLabel: 'virtual time (s)',
        ...labels,
      }),
    (chart, theme) => chart.update(series(lane.series, theme)),
    [lane.index, lane.series.tSec.at(-1)],
  );
}

/** One point per second of the run: [second, value]. */
function perSecond(s: LaneView['series'], values: number[]): [number, number][] {
  return s.tSec.map((t, i) => [t, values[i] ?? 0]);
}

function LatencyChart({ lane }: { lane: LaneView }) {
  const svg = useLaneChart(
    lane,
    { yLabel: 'latency (ms)', title: 'Latency percentiles per second' },
    (s, theme) => [
      { name: 'p50', color: seriesColor(2, theme), points: perSecond(s, s.p50) },
      { name: 'p95', color: seriesColor(0, theme), points: perSecond(s, s.p95), dashed: true },
      { name: 'p99', color: seriesColor(5, theme), points: perSecond(s, s.p99) },
    ],
  );
  return (
    <figure>
      <figcaption>Latency per second: p50 (green), p95 (orange, dashed), p99 (red)</figcaption>
      {lane.series.tSec.length < 2 ? (
        <p className="muted">Play a few seconds to draw the chart.</p>
      ) : null}
      <svg ref={svg} className="chart" data-testid="latency-chart" />
    </figure>
  );
}

function OutcomeChart({ lane }: { lane: LaneView }) {
  const svg = useLaneChart(
    lane,
    { yLabel: 'requests / s', title: 'Errors and dropped requests per second' },
    (s, theme) => {
      // With no failures at all, an invisible point at 1 keeps the y axis at 0…1 instead of 0…0.
      const quiet = s.errors.every((v) => v === 0) && s.dropped.every((v) => v === 0);
      return [
        { name: 'errors', color: seriesColor(5, theme), points: perSecond(s, s.errors) },
        {
          name: 'dropped',
          color: seriesColor(0, theme),
          points: perSecond(s, s.dropped),
          dashed: true,
        },
        ...(quiet && s.tSec.length > 0
          ? [
              {
                name: 'scale',
                color: 'transparent',
                points: [[s.tSec[0]!, 1]] as [number, number][],
              },
            ]
          : []),
      ];
    },
  );
  return (
    <figure>
      <figcaption>Errors (red) and dropped requests (orange, dashed) per second</figcaption>
      <svg ref={svg} className="chart" data-testid="errors-chart" />
    </figure>
  );
}

function ServedChart({ snapshot, lane }: { snapshot: LoadBalancerSnapshot; lane: LaneView }) {
  const total = lane.servers.reduce((sum, s) => sum + s.served, 0);
  const svg = useChart(
    (element) =>
      createBarChart(element, {
        size: { width: 420, height: 180 },
        yLabel: 'requests',
        title: 'Requests served by each server, with the mean',
      }),
    (chart, theme) => {
      const bars = snapshot.servers.map((spec, index) => ({
        label: spec.id,
        value: lane.servers[index]?.served ?? 0,
        color: seriesColor(index, theme),
        muted: spec.crashed || spec.health === 'unhealthy' || spec.removing,
      }));
      const mean = bars.length > 0 ? total / bars.length : 0;
      chart.update(bars, mean > 0 ? { value: mean, label: 'mean' } : null);
    },
    // The bars change with the served counts.
    [lane.index, total, snapshot.servers.length],
  );
  return (
    <figure>
      <figcaption>Requests served per server</figcaption>
      <svg ref={svg} className="chart" data-testid="served-chart" />
    </figure>
  );
}
