/**
 * Compare mode: the same traffic through 2 to 4 balancers, side by side: latency percentiles,
 * errors, drops and how evenly each spread the requests, and p99 over time for each.
 */
import { createLineChart } from '../../../app/charts/charts';
import { useChart, useDocumentTheme } from '../../../app/charts/use-chart';
import { formatCount, formatRatio } from '../../../app/format';
import { seriesColor } from '../../../app/palette';
import type { Session } from '../../../app/session';
import { ALGORITHM_LABELS, ALGORITHM_SHORT } from '../sim/constants';
import type { LaneView, LoadBalancerSnapshot } from '../sim/snapshot';
import { useBalancerSnapshot } from './LoadBalancerPage';

export function maxOverMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return mean > 0 ? Math.max(...values) / mean : Number.NaN;
}

export function ComparePanel({ session }: { session: Session }) {
  const snapshot = useBalancerSnapshot(session);
  const theme = useDocumentTheme();
  if (!snapshot || snapshot.lanes.length < 2) return null;
  const rows: { label: string; testId: string; value: (lane: LaneView) => string }[] = [
    {
      label: 'p50 latency (last 10 s)',
      testId: 'p50',
      value: (l) => ms(l.window.p50, l.window.count),
    },
    { label: 'p95 latency', testId: 'p95', value: (l) => ms(l.window.p95, l.window.count) },
    { label: 'p99 latency', testId: 'p99', value: (l) => ms(l.window.p99, l.window.count) },
    { label: 'Succeeded', testId: 'ok', value: (l) => formatCount(l.totals.ok) },
    {
      label: 'Errors (reset, timeout)',
      testId: 'errors',
      value: (l) => formatCount(l.totals.errors),
    },
    { label: 'Dropped (503)', testId: 'dropped', value: (l) => formatCount(l.totals.dropped) },
    {
      label: 'Busiest server (served, max / mean)',
      testId: 'spread',
      value: (l) => formatRatio(maxOverMean(l.servers.map((s) => s.served))),
    },
  ];
  if (snapshot.config.sessions === 'sticky') {
    rows.push({
      label: 'Users logged out',
      testId: 'logged-out',
      value: (l) => formatCount(l.totals.loggedOut),
    });
  }
  return (
    <div className="lb-compare" data-testid="compare">
      <h3>Same traffic, {snapshot.lanes.length} algorithms</h3>
      <div className="lb-table-scroll">
        <table className="compare-table">
          <caption className="visually-hidden">Each algorithm on the same requests</caption>
          <thead>
            <tr>
              <th scope="col">Figure</th>
              {snapshot.lanes.map((lane) => (
                <th scope="col" key={lane.index}>
                  <span
                    className="swatch"
                    style={{ background: seriesColor(lane.index, theme) }}
                    aria-hidden="true"
                  />
                  <abbr title={ALGORITHM_LABELS[lane.algorithm]}>
                    {ALGORITHM_SHORT[lane.algorithm]}
                  </abbr>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.testId}>
                <th scope="row">{row.label}</th>
                {snapshot.lanes.map((lane) => (
                  <td key={lane.index} data-testid={`compare-${row.testId}-${lane.algorithm}`}>
                    {row.value(lane)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <P99Chart snapshot={snapshot} />
    </div>
  );
}

function ms(value: number, count: number): string {
  return count > 0 ? `${formatCount(value)} ms` : '—';
}

function P99Chart({ snapshot }: { snapshot: LoadBalancerSnapshot }) {
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 560, height: 190 },
        xLabel: 'virtual time (s)',
        yLabel: 'p99 (ms)',
        title: 'p99 latency per second, one line per algorithm',
      }),
    (chart, theme) =>
      chart.update(
        snapshot.lanes.map((lane) => ({
          name: ALGORITHM_SHORT[lane.algorithm],
          color: seriesColor(lane.index, theme),
          dashed: lane.index % 2 === 1,
          points: lane.series.tSec.map((t, i) => [t, lane.series.p99[i] ?? 0] as [number, number]),
        })),
      ),
    // The chart changes once per second.
    [snapshot.lanes[0]?.series.tSec.at(-1), snapshot.lanes.length],
  );
  return (
    <figure>
      <figcaption>
        {`p99 latency over time: ${snapshot.lanes
          .map(
            (lane) =>
              `${ALGORITHM_SHORT[lane.algorithm]}${lane.index % 2 === 1 ? ' (dashed)' : ''}`,
          )
          .join(', ')}`}
      </figcaption>
      <svg ref={svg} className="chart" data-testid="compare-chart" />
    </figure>
  );
}
