/**
 * Metrics: the live counts beside the closed forms for this ring size, and the batch chart of
 * messages against n (measured best, worst, random and HS points with the formulas drawn beside
 * them), computed in the worker with a progress bar.
 */
import { createLineChart, type Series } from '../../../app/charts/charts';
import { type Theme, useChart } from '../../../app/charts/use-chart';
import { formatCount } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import { latestBatch, type Session, useSession } from '../../../app/session';
import { BatchProgress } from '../../../app/ui/BatchProgress';
import { Figure } from '../../../app/ui/Figure';
import type { MessagesVsNResult } from '../sim/batch';
import {
  hsMessageBound,
  lcrBestMessages,
  lcrRandomMessages,
  lcrWorstMessages,
  NODES_BATCH_MAX,
} from '../sim/constants';
import type { LeaderElectionSnapshot } from '../sim/snapshot';
import { useElectionCounts } from './LeaderElectionPage';

export function ElectionMetrics({ session }: { session: Session }) {
  const snapshot = useElectionCounts(session);
  if (!snapshot) return null;
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <Figures snapshot={snapshot} />
      <MessagesChart session={session} />
    </section>
  );
}

function Figures({ snapshot }: { snapshot: LeaderElectionSnapshot }) {
  const f = snapshot.formulas;
  const lcr = snapshot.lcr;
  const hs = snapshot.hs;
  const bully = snapshot.bully;
  return (
    <dl className="figures" data-testid="figures">
      <Figure label="Nodes n" value={String(f.n)} />
      {lcr ? (
        <Figure
          label="LCR election + termination messages"
          value={`${formatCount(lcr.electionMessages)} + ${formatCount(lcr.terminationMessages)}`}
          testId="figure-lcr-total"
        />
      ) : null}
      {hs ? (
        <Figure
          label="HS election + termination messages"
          value={`${formatCount(hs.electionMessages)} + ${formatCount(hs.terminationMessages)}`}
          testId="figure-hs-total"
        />
      ) : null}
      {bully ? (
        <Figure
          label="Bully messages (all kinds)"
          value={formatCount(Object.values(bully.messagesByKind).reduce((s, c) => s + c, 0))}
        />
      ) : null}
      <Figure label="LCR best, 2n − 1" value={formatCount(f.best)} testId="formula-best" />
      <Figure label="LCR worst, n(n + 1)/2" value={formatCount(f.worst)} testId="formula-worst" />
      <Figure label="LCR random, n·Hₙ" value={f.random.toFixed(1)} testId="formula-random" />
      <Figure
        label="HS bound, 8n(1 + ⌈log₂ n⌉)"
        value={formatCount(f.hsBound)}
        testId="formula-hs"
      />
    </dl>
  );
}

const SIZES_FOR_CURVES = Array.from({ length: 61 }, (_, i) =>
  Math.round(3 * (NODES_BATCH_MAX / 3) ** (i / 60)),
);

function MessagesChart({ session }: { session: Session }) {
  const batch = useSession(session, (s) => latestBatch(s, 'messagesVsN'));
  const result = (batch?.result ?? null) as MessagesVsNResult | null;
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 520, height: 300 },
        // Room on the right for the formulas' names at their lines' ends.
        margin: { right: 92, bottom: 36, left: 58 },
        xLabel: 'ring size n (log scale)',
        yLabel: 'election messages (log scale)',
        title: 'LCR and HS election messages against ring size, measured points and formulas',
        xLog: true,
        yLog: true,
        describePoint: (series, [n, messages]) =>
          `${series.name}, n = ${n}: ${Math.round(messages).toLocaleString('en-US')}`,
      }),
    (chart, theme) => {
      if (result) chart.update(messagesSeries(result, theme));
    },
    [result],
  );
  const running = batch?.running ?? false;
  return (
    <figure className="messages-chart">
      <figcaption>
        Messages against ring size{' '}
        <button
          type="button"
          onClick={() => session.startBatch('messagesVsN', { nMax: NODES_BATCH_MAX, trials: 30 })}
          disabled={running}
          data-testid="run-batch"
        >
          {result ? 'Recompute' : 'Compute up to 1,024 nodes'}
        </button>
      </figcaption>
      <BatchProgress session={session} batch={batch} />
      <svg
        ref={svg}
        className="chart"
        data-testid="messages-chart"
        style={result ? undefined : { display: 'none' }}
      />
      {result ? (
        <>
          <ChartKey />
          <details>
            <summary>The measured numbers</summary>
            <div className="node-table-scroll">
              <table className="batch-table" data-testid="batch-table">
                <thead>
                  <tr>
                    <th scope="col">n</th>
                    <th scope="col">best</th>
                    <th scope="col">2n−1</th>
                    <th scope="col">worst</th>
                    <th scope="col">n(n+1)/2</th>
                    <th scope="col">random mean</th>
                    <th scope="col">n·Hₙ</th>
                    <th scope="col">HS mean</th>
                  </tr>
                </thead>
                <tbody>
                  {result.points.map((p) => (
                    <tr key={p.n}>
                      <th scope="row">{p.n}</th>
                      <td>{formatCount(p.best)}</td>
                      <td>{formatCount(lcrBestMessages(p.n))}</td>
                      <td>{formatCount(p.worst)}</td>
                      <td>{formatCount(lcrWorstMessages(p.n))}</td>
                      <td>{p.randomMean.toFixed(1)}</td>
                      <td>{lcrRandomMessages(p.n).toFixed(1)}</td>
                      <td>{p.hsMean.toFixed(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
          <p className="muted" data-testid="batch-summary">
            {formatCount(result.elections)} elections run to the end ({formatCount(result.messages)}{' '}
            messages); random points average {result.trials} arrangements (HS: {result.hsTrials}).
            Dashed lines are the formulas; marks are measured. Each run also sent n announcement
            messages, not counted here.
          </p>
        </>
      ) : (
        <p className="muted">
          Runs LCR on the best, the worst and {30} random arrangements (and HS on 10) for every ring
          size from 3 to 1,024, in the worker.
        </p>
      )}
    </figure>
  );
}

/** The formula curves over every ring size up to the batch's largest, and the measured points. */
function messagesSeries(result: MessagesVsNResult, theme: Theme): Series[] {
  const nMax = result.nMax;
  const sizes = [...new Set(SIZES_FOR_CURVES.filter((n) => n <= nMax).concat(nMax))];
  const curve = (f: (n: number) => number) => sizes.map((n) => [n, f(n)] as [number, number]);
  const measured = (pick: (p: MessagesVsNResult['points'][number]) => number) =>
    result.points.map((p) => [p.n, pick(p)] as [number, number]);
  return [
    {
      name: 'n(n+1)/2',
      color: seriesColor(5, theme),
      points: curve(lcrWorstMessages),
      formula: true,
    },
    {
      name: '8n(1+⌈log₂n⌉)',
      color: seriesColor(6, theme),
      points: curve(hsMessageBound),
      formula: true,
    },
    {
      name: 'n·Hₙ',
      color: seriesColor(4, theme),
      points: curve(lcrRandomMessages),
      formula: true,
    },
    { name: '2n−1', color: seriesColor(2, theme), points: curve(lcrBestMessages), formula: true },
    {
      name: 'LCR worst (measured)',
      color: seriesColor(5, theme),
      points: measured((p) => p.worst),
      shape: 'triangle',
    },
    {
      name: 'HS random (measured)',
      color: seriesColor(6, theme),
      points: measured((p) => p.hsMean),
      shape: 'diamond',
    },
    {
      name: 'LCR random (measured mean)',
      color: seriesColor(4, theme),
      points: measured((p) => p.randomMean),
      shape: 'circle',
    },
    {
      name: 'LCR best (measured)',
      color: seriesColor(2, theme),
      points: measured((p) => p.best),
      shape: 'square',
    },
  ];
}

function ChartKey() {
  const theme = currentTheme();
  const items: [number, string, string][] = [
    [2, 'square', 'best: ascending clockwise'],
    [4, 'circle', 'random (mean)'],
    [5, 'triangle', 'worst: descending clockwise'],
    [6, 'diamond', 'Hirschberg–Sinclair, random'],
  ];
  return (
    <ul className="chart-key">
      {items.map(([color, shape, label]) => (
        <li key={label}>
          <span
            className={`legend-message legend-${shape}`}
            style={{ background: seriesColor(color, theme) }}
            aria-hidden="true"
          />
          {label}
        </li>
      ))}
    </ul>
  );
}
