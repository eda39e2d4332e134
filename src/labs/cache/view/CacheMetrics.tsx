/**
 * Metrics: live figures, hit ratio and database load over time, and the batch-computed hit-ratio
 * curves of every policy against cache size, with Belady's OPT as the bound.
 */
import { useEffect, useState } from 'react';
import { createLineChart } from '../../../app/charts/charts';
import { useChart } from '../../../app/charts/use-chart';
import { formatCount, formatPercent } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import { latestBatch, type Session, useSession } from '../../../app/session';
import { BatchProgress } from '../../../app/ui/BatchProgress';
import { Figure } from '../../../app/ui/Figure';
import type { CurveResult } from '../sim/batch';
import { CURVE_REQUESTS, CURVE_SIZES, policyLabel, SERIES_BUCKET_MS } from '../sim/constants';
import type { CacheSnapshot } from '../sim/snapshot';
import { useCacheSnapshot } from './CachePage';

export function CacheMetrics({ session }: { session: Session }) {
  const snapshot = useCacheSnapshot(session);
  if (!snapshot) return null;
  const c = snapshot.counters;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return (
    <section className="panel metrics cache-metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <dl className="figures" data-testid="figures">
        <Figure
          label="Hit ratio (reads)"
          value={formatPercent(snapshot.hitRatio)}
          testId="hit-ratio"
        />
        <Figure
          label="Reads: hits / misses"
          value={`${formatCount(c.hits)} / ${formatCount(c.misses)}`}
          testId="hits-misses"
        />
        <Figure
          label="Requests (reads + writes)"
          value={formatCount(c.requests)}
          testId="requests"
        />
        <Figure label="Mean response time" value={ms(snapshot.meanLatencyMs)} />
        <Figure
          label="Database queries (reads + writes)"
          value={formatCount(c.dbReads + c.dbWrites)}
          testId="db-queries"
        />
        <Figure
          label="Database load now / peak (in flight)"
          value={`${snapshot.dbInFlight} / ${snapshot.dbInFlightPeak}`}
          testId="db-peak"
        />
        <Figure label="Stale reads" value={formatCount(c.staleReads)} testId="stale-reads" />
        <Figure
          label="Longest stale window"
          value={`${formatCount(c.maxStaleWindowMs)} ms`}
          testId="stale-window"
        />
        <Figure label="Evictions" value={formatCount(c.evictions)} />
        <Figure
          label="Expired: lazy / active / forced"
          value={`${formatCount(c.expiredLazy)} / ${formatCount(c.expiredActive)} / ${formatCount(c.expiredForced)}`}
        />
        <Figure label="Expired but still in memory" value={formatCount(snapshot.expiredResident)} />
        <Figure
          label="Waited on a query (single flight)"
          value={formatCount(c.coalesced)}
          testId="coalesced"
        />
        <Figure label="Early refreshes" value={formatCount(c.earlyRefreshes)} />
        <Figure
          label="Dirty entries (write-back)"
          value={formatCount(snapshot.dirty)}
          testId="dirty"
        />
        <Figure
          label="Crashes: dirty entries / writes lost"
          value={`${c.crashes}: ${formatCount(c.lostDirtyEntries)} / ${formatCount(c.lostWrites)}`}
          testId="lost"
        />
      </dl>
      <SeriesCharts session={session} snapshot={snapshot} />
      <HitRatioCurves session={session} snapshot={snapshot} />
    </section>
  );
}

/** While playing, the charts are redrawn at most once a second (wall time); paused, at once. */
const CHART_REDRAW_MS = 1_000;

const SERIES_CHART_SIZE = { width: 420, height: 170 };

function SeriesCharts({ session, snapshot }: { session: Session; snapshot: CacheSnapshot }) {
  const complete = snapshot.series.slice(0, -1);
  const x = (b: (typeof complete)[number]) => b.startMs / 1000;
  const perSecond = 1000 / SERIES_BUCKET_MS;
  const playing = session.store.getState().frame?.playing ?? false;
  const redrawOn = [complete.at(-1)?.startMs, complete.length, snapshot.lanes.length];
  const throttle = { throttleMs: playing ? CHART_REDRAW_MS : 0 };
  const ratioSvg = useChart(
    (element) =>
      createLineChart(element, {
        size: SERIES_CHART_SIZE,
        xLabel: 'virtual time (s)',
        yLabel: 'hit ratio',
        title: 'Hit ratio per half second: the cache, and each compare lane',
        yFormat: '.0%',
      }),
    (chart, theme) =>
      chart.update([
        {
          name: 'cache',
          color: seriesColor(2, theme),
          points: complete
            .filter((b) => b.hits + b.misses > 0)
            .map((b) => [x(b), b.hits / (b.hits + b.misses)] as [number, number]),
        },
        ...snapshot.lanes.map((lane, i) => ({
          name: lane.policy,
          color: seriesColor(i + 3, theme),
          dashed: true,
          points: complete
            .filter((b) => b.laneRequests > 0 && b.laneHits.length === snapshot.lanes.length)
            .map((b) => [x(b), (b.laneHits[i] ?? 0) / b.laneRequests] as [number, number]),
        })),
      ]),
    redrawOn,
    throttle,
  );
  const loadSvg = useChart(
    (element) =>
      createLineChart(element, {
        size: SERIES_CHART_SIZE,
        xLabel: 'virtual time (s)',
        yLabel: 'queries / s',
        title: 'Database queries per second, and the most in flight at once',
      }),
    (chart, theme) =>
      chart.update([
        {
          name: 'queries/s',
          color: seriesColor(5, theme),
          points: complete.map((b) => [x(b), b.dbQueries * perSecond] as [number, number]),
        },
        {
          name: 'in flight (peak)',
          color: seriesColor(4, theme),
          dashed: true,
          points: complete.map((b) => [x(b), b.dbInFlightPeak] as [number, number]),
        },
      ]),
    redrawOn,
    throttle,
  );
  const laneNames = snapshot.lanes.map((l) => policyLabel(l.policy)).join(', ');
  return (
    <div className="cache-charts">
      <figure>
        <figcaption>
          Hit ratio over time (solid: the cache{laneNames ? `; dashed: ${laneNames}` : ''})
        </figcaption>
        <svg ref={ratioSvg} className="chart" data-testid="ratio-chart" />
      </figure>
      <figure>
        <figcaption>Database load (solid: queries/s; dashed: most in flight at once)</figcaption>
        <svg ref={loadSvg} className="chart" data-testid="load-chart" />
      </figure>
    </div>
  );
}

function HitRatioCurves({ session, snapshot }: { session: Session; snapshot: CacheSnapshot }) {
  const batch = useSession(session, (s) => latestBatch(s, 'hitRatioCurves'));
  const result = (batch?.result ?? null) as CurveResult | null;
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 560, height: 260 },
        xLabel: 'cache size (slots, log scale)',
        yLabel: 'hit ratio',
        title: 'Hit ratio against cache size for every policy, with OPT as the bound',
        xLog: true,
        yFormat: '.0%',
      }),
    (chart, theme) => {
      if (!result) return;
      chart.update(
        result.curves.map((curve, i) => ({
          name: curve.policy,
          color: curveColor(curve.policy, i, theme),
          dashed: curveDashed(curve.policy, i),
          points: curve.hitRatios.map((r, j) => [result.sizes[j]!, r] as [number, number]),
        })),
        { x: snapshot.settings.capacity, label: `now: ${snapshot.settings.capacity}` },
      );
    },
    [result, snapshot.settings.capacity],
  );
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [elapsedMs, setElapsedMs] = useState<number | null>(null);
  useEffect(() => {
    if (result && startedAt !== null) {
      setElapsedMs(performance.now() - startedAt);
      setStartedAt(null);
    }
  }, [result, startedAt]);
  const atNow = result ? nearestIndex(result.sizes, snapshot.settings.capacity) : -1;
  return (
    <figure className="curve-figure">
      <figcaption>
        Hit ratio against cache size{' '}
        <button
          type="button"
          data-testid="run-curves"
          disabled={batch?.running ?? false}
          onClick={() => {
            setElapsedMs(null);
            setStartedAt(performance.now());
            session.startBatch('hitRatioCurves', {});
          }}
        >
          {result ? 'Recompute' : 'Compute'} curves
        </button>
      </figcaption>
      <BatchProgress session={session} batch={batch} />
      <svg
        ref={svg}
        className="chart"
        data-testid="curve-chart"
        style={result ? undefined : { display: 'none' }}
      />
      {result ? (
        <>
          <ul className="curve-legend" data-testid="curve-legend">
            {result.curves.map((curve, i) => (
              <li key={curve.policy}>
                <span
                  className="swatch"
                  style={{ background: swatchBackground(curveColor(curve.policy, i), i) }}
                />
                {policyLabel(curve.policy)}
                {atNow >= 0
                  ? `: ${formatPercent(curve.hitRatios[atNow] ?? 0)} at ${result.sizes[atNow]}`
                  : ''}
              </li>
            ))}
          </ul>
          <p className="muted" data-testid="curve-summary">
            {formatCount(result.requests)} requests of {result.workload} (
            {formatCount(result.distinctKeys)} distinct keys), {result.sizes.length} sizes from{' '}
            {result.sizes[0]} to {formatCount(result.sizes.at(-1) ?? 0)} slots; OPT (dashed) is
            Belady&rsquo;s offline optimum.
            {elapsedMs !== null
              ? ` Computed in ${(elapsedMs / 1000).toFixed(1)} s in the worker.`
              : ''}
          </p>
        </>
      ) : (
        <p className="muted">
          Replays {formatCount(CURVE_REQUESTS)} requests of the current workload through every
          policy at {CURVE_SIZES} cache sizes, in the worker (several seconds; longer on a busy
          machine).
        </p>
      )}
    </figure>
  );
}

/** Eight colours go round; lines past the eighth, and OPT, are dashed (and so are their swatches). */
function curveDashed(policy: string, index: number): boolean {
  return policy === 'opt' || index >= 8;
}

function curveColor(policy: string, index: number, theme = currentTheme()): string {
  return policy === 'opt' ? 'var(--fg)' : seriesColor(index, theme);
}

function swatchBackground(color: string, index: number): string {
  return index >= 8
    ? `repeating-linear-gradient(90deg, ${color} 0 4px, transparent 4px 6px)`
    : color;
}

function nearestIndex(sizes: number[], capacity: number): number {
  let best = -1;
  let bestGap = Number.POSITIVE_INFINITY;
  sizes.forEach((size, i) => {
    const gap = Math.abs(Math.log(size) - Math.log(capacity));
    if (gap < bestGap) {
      bestGap = gap;
      best = i;
    }
  });
  return best;
}
