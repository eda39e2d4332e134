/**
 * Metrics: accepted, rejected and delayed per second per lane (d3 line charts), queue length and
 * overshoot, per-client fairness, and the million-request comparison across every algorithm.
 */
import { useRef } from 'react';
import { createBarChart, createLineChart } from '../../../app/charts/charts';
import { useChart } from '../../../app/charts/use-chart';
import { formatCount, formatPercent } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import { latestBatch, type Session, useSession } from '../../../app/session';
import { BatchProgress } from '../../../app/ui/BatchProgress';
import { Figure } from '../../../app/ui/Figure';
import type { CompareResult } from '../sim/batch';
import { ALGORITHM_LABELS, SERIES_BUCKET_MS } from '../sim/constants';
import type { SeriesBucket } from '../sim/lane';
import type { RateLimiterSnapshot } from '../sim/snapshot';
import { useRateLimiterSnapshot } from './RateLimiterPage';

export function RateLimiterMetrics({ session }: { session: Session }) {
  const snapshot = useRateLimiterSnapshot(session, 'slow');
  if (!snapshot) return null;
  const lane0 = snapshot.lanes[0];
  const hasQueue = snapshot.lanes.some((l) => l.algorithm === 'leaky-queue');
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <dl className="figures" data-testid="figures">
        {lane0 ? (
          <>
            <Figure
              label="Requests sent (first tries)"
              value={formatCount(lane0.arrivals)}
              testId="arrivals"
            />
            <Figure
              label={`Fairness, ${lane0.label} (Jain's index of accepted per client)`}
              value={jain(lane0.perClient.map((c) => c.accepted + c.delayed)).toFixed(3)}
              testId="fairness"
            />
          </>
        ) : null}
        {snapshot.lanes.map((lane) => (
          <Figure
            key={lane.index}
            label={`${lane.label}: accepted share`}
            value={formatPercent(
              lane.attempts > 0 ? (lane.accepted + lane.delayed) / lane.attempts : Number.NaN,
            )}
          />
        ))}
      </dl>
      <SeriesChart
        snapshot={snapshot}
        field="accepted"
        title="Accepted per second"
        testId="accepted-chart"
      />
      <SeriesChart
        snapshot={snapshot}
        field="rejected"
        title="Rejected (429) per second"
        testId="rejected-chart"
      />
      {hasQueue ? (
        <SeriesChart
          snapshot={snapshot}
          field="delayed"
          title="Delayed (queued, then passed) per second"
          testId="delayed-chart"
        />
      ) : null}
      {hasQueue ? (
        <SeriesChart
          snapshot={snapshot}
          field="queueMax"
          title="Longest queue in each second (leaky bucket queue)"
          testId="queue-chart"
        />
      ) : null}
      {snapshot.mode === 'distributed' ? (
        <SeriesChart
          snapshot={snapshot}
          field="overshoot"
          title="Accepted over the limit, per second"
          testId="overshoot-chart"
        />
      ) : null}
      <FairnessChart snapshot={snapshot} />
      <MillionComparison session={session} />
    </section>
  );
}

/**
 * A chart's drawing width: its figure's width on a phone, so the axis text is not scaled down
 * (read once, when the chart is made), and 420 elsewhere.
 */
function chartWidth(svg: SVGSVGElement): number {
  const available = svg.parentElement?.clientWidth ?? CHART_WIDTH;
  return Math.round(Math.min(CHART_WIDTH, Math.max(280, available || CHART_WIDTH)));
}

const CHART_WIDTH = 420;

function jain(values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares > 0 ? (sum * sum) / (values.length * squares) : 1;
}

function SeriesChart({
  snapshot,
  field,
  title,
  testId,
}: {
  snapshot: RateLimiterSnapshot;
  field: keyof Omit<SeriesBucket, 'startMs'>;
  title: string;
  testId: string;
}) {
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: chartWidth(element), height: 170 },
        xLabel: 'time (s)',
        yLabel: field === 'queueMax' ? 'requests waiting' : 'requests',
        title,
      }),
    (chart, theme) =>
      chart.update(
        snapshot.lanes.map((lane) => ({
          name: lane.label,
          color: seriesColor(lane.index + 4, theme),
          dashed: lane.index % 2 === 1,
          // The bucket still filling is left out, so the last point is never a half-second dip.
          points: lane.series
            .filter((b) => b.startMs + SERIES_BUCKET_MS <= snapshot.atMs)
            .map((b) => [b.startMs / 1000, b[field]] as [number, number]),
        })),
      ),
    [snapshot],
  );
  return (
    <figure>
      <figcaption>
        {title}
        <span className="visually-hidden">: </span>
        <span className="rl-legend">
          {snapshot.lanes.map((lane) => (
            <span key={lane.index}>
              <span
                className="swatch"
                style={{ background: seriesColor(lane.index + 4, currentTheme()) }}
              />
              {lane.label}
              {lane.index % 2 === 1 ? ' (dashed)' : ''}
            </span>
          ))}
        </span>
      </figcaption>
      <svg ref={svg} className="chart" data-testid={testId} />
    </figure>
  );
}

function FairnessChart({ snapshot }: { snapshot: RateLimiterSnapshot }) {
  const lane = snapshot.lanes[0];
  const svg = useChart(
    (element) =>
      createBarChart(element, {
        size: { width: chartWidth(element), height: 170 },
        yLabel: 'accepted',
        title: 'Accepted requests per client in the first lane',
      }),
    (chart, theme) => {
      if (!lane) return;
      chart.update(
        snapshot.clients.map((c) => ({
          label: c.name,
          value: (lane.perClient[c.index]?.accepted ?? 0) + (lane.perClient[c.index]?.delayed ?? 0),
          color: seriesColor(c.index, theme),
        })),
        null,
      );
    },
    [snapshot],
  );
  return (
    <figure>
      <figcaption>Fairness: accepted per client ({lane?.label})</figcaption>
      <svg ref={svg} className="chart" data-testid="fairness-chart" />
    </figure>
  );
}

function MillionComparison({ session }: { session: Session }) {
  const batch = useSession(session, (s) => latestBatch(s, 'compareMillion'));
  const result = batch && !batch.running ? (batch.result as CompareResult | null) : null;
  const started = useRef(0);
  const elapsed = useRef<number | null>(null);
  if (batch?.running) elapsed.current = null;
  if (result && elapsed.current === null && started.current > 0) {
    elapsed.current = performance.now() - started.current;
  }
  return (
    <figure data-testid="million">
      <figcaption>
        Every algorithm on the same 1,000,000 requests (this traffic and these limits, no retries)
      </figcaption>
      <button
        type="button"
        data-testid="run-million"
        disabled={batch?.running ?? false}
        onClick={() => {
          started.current = performance.now();
          elapsed.current = null;
          session.startBatch('compareMillion', { requests: 1_000_000 });
        }}
      >
        Run the 1,000,000-request comparison
      </button>
      <BatchProgress session={session} batch={batch} />
      {result ? (
        <div className="rl-table-wrap">
          <table className="rl-table" data-testid="million-table">
            <caption>
              {formatCount(result.requests)} requests, {result.pattern} at{' '}
              {formatCount(result.ratePerSecond)}/s from {result.clients} clients over{' '}
              {(result.spanMs / 1000).toFixed(0)} s of virtual time; limit {result.limit} per{' '}
              {result.windowMs} ms, burst {result.burst}
              {elapsed.current !== null ? `; computed in ${Math.round(elapsed.current)} ms` : ''}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Algorithm</th>
                <th scope="col">Accepted</th>
                <th scope="col">Delayed</th>
                <th scope="col">Rejected</th>
                <th scope="col">Max in any window</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row) => (
                <tr key={row.algorithm}>
                  <th scope="row">{ALGORITHM_LABELS[row.algorithm]}</th>
                  <td>{formatCount(row.accepted)}</td>
                  <td>{formatCount(row.delayed)}</td>
                  <td>{formatCount(row.rejected)}</td>
                  <td className={row.maxInWindow > result.limit ? 'rl-status-429' : undefined}>
                    {formatCount(row.maxInWindow)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </figure>
  );
}
