/**
 * Metrics: keys per server with the mean, the spread as figures, request load over time (where a
 * hot key shows), and the batch-computed curve of spread against virtual nodes.
 */
import { createBarChart, createLineChart } from '../../../app/charts/charts';
import { useChart } from '../../../app/charts/use-chart';
import { formatCount, formatPercent, formatRatio } from '../../../app/format';
import { seriesColor } from '../../../app/palette';
import { latestBatch, type Session, useSession } from '../../../app/session';
import { BatchProgress } from '../../../app/ui/BatchProgress';
import { Figure } from '../../../app/ui/Figure';
import type { VnodeCurveResult } from '../sim/batch';
import { LOAD_WINDOW_MS } from '../sim/constants';
import type { HashRingSnapshot } from '../sim/snapshot';
import { useHashRingSnapshot } from './HashRingPage';

export function HashRingMetrics({ session }: { session: Session }) {
  const snapshot = useHashRingSnapshot(session);
  if (!snapshot) return null;
  const keys = snapshot.keyStats;
  const requests = snapshot.requestStats;
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <dl className="figures" data-testid="figures">
        <Figure label="Keys" value={formatCount(snapshot.keysTotal)} />
        <Figure label="Keys per live server (mean)" value={formatCount(keys.mean)} />
        <Figure
          label="Spread of keys (std dev / mean)"
          value={formatPercent(keys.coefficientOfVariation)}
          testId="keys-cv"
        />
        <Figure
          label="Busiest server (keys, max / mean)"
          value={keys.mean > 0 ? formatRatio(keys.maxOverMean) : '—'}
          testId="keys-max-over-mean"
        />
        <Figure
          label={`Busiest server (requests in ${LOAD_WINDOW_MS / 1000} s, max / mean)`}
          value={requests.mean > 0 ? formatRatio(requests.maxOverMean) : '—'}
        />
        <Figure label="Requests served" value={formatCount(snapshot.requestsTotal)} />
        {snapshot.hotKey ? (
          <Figure
            label="Hottest key"
            value={`${snapshot.hotKey.name}: ${formatPercent(snapshot.hotKey.share)} of requests → ${snapshot.hotKey.ownerId ?? '—'}`}
          />
        ) : null}
      </dl>
      <KeysBarChart snapshot={snapshot} />
      <LoadChart snapshot={snapshot} />
      <VnodeCurve session={session} snapshot={snapshot} />
    </section>
  );
}

function KeysBarChart({ snapshot }: { snapshot: HashRingSnapshot }) {
  const svg = useChart(
    (element) =>
      createBarChart(element, {
        size: { width: 420, height: 180 },
        yLabel: 'keys',
        title: 'Keys per server, with the mean over live servers',
      }),
    (chart, theme) =>
      chart.update(
        snapshot.servers.map((s, i) => ({
          label: s.id,
          value: s.keyCount,
          color: seriesColor(i, theme),
          muted: s.failed,
        })),
        snapshot.keyStats.mean > 0 ? { value: snapshot.keyStats.mean, label: 'mean' } : null,
      ),
    // Key counts change only with the ring or the keys, not with every tick of the readout.
    [snapshot.versions.keys],
  );
  return (
    <figure>
      <figcaption>Keys per server</figcaption>
      <svg ref={svg} className="chart" data-testid="keys-chart" />
    </figure>
  );
}

function LoadChart({ snapshot }: { snapshot: HashRingSnapshot }) {
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 420, height: 180 },
        xLabel: 'virtual time (s)',
        yLabel: 'requests / s',
        title: 'Requests per second handled by each server',
      }),
    (chart, theme) => {
      const complete = snapshot.loadSeries.slice(0, -1);
      chart.update(
        snapshot.servers.slice(0, 24).map((server, index) => ({
          name: server.id,
          color: seriesColor(index, theme),
          dashed: index >= 8,
          points: complete.map(
            (bucket) => [bucket.startMs / 1000, bucket.counts[index] ?? 0] as [number, number],
          ),
        })),
      );
    },
    // The chart changes once per load bucket.
    [snapshot.loadSeries.at(-1)?.startMs, snapshot.servers.length, snapshot.loadSeries.length],
  );
  return (
    <figure>
      <figcaption>Request load per server (completed seconds)</figcaption>
      {snapshot.loadSeries.length < 2 ? (
        <p className="muted">
          {snapshot.config.requestsPerSecond === 0
            ? 'No requests: set a request rate under Requests, then play.'
            : 'Press play: the chart fills in as virtual seconds complete.'}
        </p>
      ) : null}
      <svg ref={svg} className="chart" data-testid="load-chart" />
    </figure>
  );
}

function VnodeCurve({ session, snapshot }: { session: Session; snapshot: HashRingSnapshot }) {
  const batch = useSession(session, (s) => latestBatch(s, 'vnodeCurve'));
  const result = (batch?.result ?? null) as VnodeCurveResult | null;
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 420, height: 200 },
        xLabel: 'virtual nodes per server (log scale)',
        yLabel: 'std dev / mean',
        title: 'Spread of keys over servers against virtual nodes, per hash function',
        xLog: true,
        yFormat: '.0%',
      }),
    (chart, theme) => {
      if (!result) return;
      const hashes = [...new Set(result.points.map((p) => p.hash))];
      chart.update(
        hashes.map((hash, index) => ({
          name: hash,
          color: seriesColor(index + 4, theme),
          dashed: index === 1,
          points: result.points
            .filter((p) => p.hash === hash)
            .map((p) => [p.vnodesPerServer, p.stdDevOverMean] as [number, number]),
        })),
        { x: snapshot.config.vnodesPerServer, label: `now: ${snapshot.config.vnodesPerServer}` },
      );
    },
    [result, snapshot.config.vnodesPerServer],
  );
  return (
    <figure className="vnode-curve">
      <figcaption>
        Spread against virtual nodes{' '}
        <button
          type="button"
          onClick={() => session.startBatch('vnodeCurve', {})}
          disabled={batch?.running ?? false}
          data-testid="run-curve"
        >
          {result ? 'Recompute' : 'Compute'}
        </button>
      </figcaption>
      <BatchProgress session={session} batch={batch} />
      <svg
        ref={svg}
        className="chart"
        data-testid="vnode-chart"
        style={result ? undefined : { display: 'none' }}
      />
      {result ? (
        <p className="muted">
          {formatCount(result.keysUsed)} {result.syntheticKeys ? 'generated ' : ''}keys over{' '}
          {result.servers} live servers; lines:{' '}
          {[...new Set(result.points.map((p) => p.hash))].join(', ')}.
        </p>
      ) : (
        <p className="muted">
          Computes the spread for 1 to 500 virtual nodes with each hash function, in the worker.
        </p>
      )}
    </figure>
  );
}
