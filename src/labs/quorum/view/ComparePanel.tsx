/**
 * Compare mode (DESIGN.md §5): the learner picks 2 to 5 quorum settings (W, R, CP or AP) and the
 * worker replays this very run (config, seed and command log) once per setting, in a batch job with
 * a progress bar; the result is a table and bar charts of stale reads and unavailability.
 *
 * It re-renders only when N, W, R or the mode change (or its own state does), never per frame.
 */
import { memo, useEffect, useId, useState } from 'react';
import { type Bar, createBarChart } from '../../../app/charts/charts';
import { type Theme, useChart, useDocumentTheme } from '../../../app/charts/use-chart';
import { formatCount, formatPercent } from '../../../app/format';
import { seriesColor } from '../../../app/palette';
import { latestBatch, type Session, useSession, useSnapshotWhen } from '../../../app/session';
import { BatchProgress } from '../../../app/ui/BatchProgress';
import { ChoiceGroup } from '../../../app/ui/ChoiceGroup';
import { Figure } from '../../../app/ui/Figure';
import { NumberField } from '../../../app/ui/NumberField';
import {
  COMPARE_TIME_MS_MAX,
  COMPARE_VARIANTS_MAX,
  COMPARE_VARIANTS_MIN,
  type CompareResult,
  type CompareVariant,
  candidateVariants,
  defaultVariants,
  sameVariant,
  type VariantResult,
  validateCompareParams,
  variantKey,
  variantLabel,
} from '../sim/compare';
import type { QuorumSnapshot } from '../sim/snapshot';
import './quorum-compare.css';

const JOB = 'compare';
const LENGTH_S_DEFAULT = 60;

interface Settings {
  replicas: number;
  current: CompareVariant;
}

function settingsOf(snapshot: QuorumSnapshot | null): Settings | null {
  if (!snapshot) return null;
  const c = snapshot.config;
  return {
    replicas: c.replicas,
    current: { writeQuorum: c.writeQuorum, readQuorum: c.readQuorum, mode: c.mode },
  };
}

export const ComparePanel = memo(function ComparePanel({ session }: { session: Session }) {
  const snapshot = useSnapshotWhen<QuorumSnapshot>(session, (s) => {
    const c = s?.config;
    return c ? `${c.replicas}|${c.writeQuorum}|${c.readQuorum}|${c.mode}` : '';
  });
  const settings = settingsOf(snapshot);
  // Only whether a job runs and its result: progress (tens of updates a second) is drawn by
  // CompareProgress alone, so the checkboxes and fields do not re-render with it.
  const running = useSession(session, (s) => latestBatch(s, JOB)?.running ?? false);
  const result = useSession(session, (s) => {
    const batch = latestBatch(s, JOB);
    return (batch && !batch.running ? batch.result : null) as CompareResult | null;
  });
  const [picked, setPicked] = useState<string[] | null>(null);
  const [upToNow, setUpToNow] = useState(true);
  const [lengthS, setLengthS] = useState(LENGTH_S_DEFAULT);
  const [problem, setProblem] = useState<string | null>(null);
  const replicas = settings?.replicas ?? 0;
  const id = useId();
  // A new N offers new candidates: start again from the defaults.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only N resets the choice.
  useEffect(() => setPicked(null), [replicas]);
  if (!settings) return null;
  const candidates = candidateVariants(settings.replicas, settings.current);
  const chosenKeys = picked ?? defaultVariants(settings.replicas, settings.current).map(variantKey);
  const chosen = candidates.filter((v) => chosenKeys.includes(variantKey(v)));
  const full = chosen.length >= COMPARE_VARIANTS_MAX;

  const toggle = (key: string, on: boolean) => {
    const keys = chosen.map(variantKey);
    setPicked(on ? [...keys, key] : keys.filter((k) => k !== key));
    setProblem(null);
  };

  const start = async () => {
    if (chosen.length < COMPARE_VARIANTS_MIN || chosen.length > COMPARE_VARIANTS_MAX) {
      setProblem(
        `Choose ${COMPARE_VARIANTS_MIN} to ${COMPARE_VARIANTS_MAX} settings (${chosen.length} chosen).`,
      );
      return;
    }
    const run = await session.requestRun();
    const untilMs = upToNow ? run.atMs : lengthS * 1000;
    if (upToNow && run.atMs < 1) {
      setProblem('The run is at 0 s: play it for a while first, or compare over a fixed length.');
      return;
    }
    const params = {
      config: run.config,
      seed: run.seed,
      commands: run.commands,
      untilMs,
      variants: chosen,
    };
    const checked = validateCompareParams(params);
    if (!checked.ok) {
      setProblem(checked.reason);
      return;
    }
    setProblem(null);
    session.startBatch(JOB, params);
  };

  return (
    <section className="quorum-compare" aria-labelledby={`${id}-title`} data-testid="compare">
      <h3 id={`${id}-title`}>Compare settings</h3>
      <p className="muted">
        Replays this run (same seed, same partitions and clicks) once per setting and counts what
        each would have given. W, R and mode changes in the run are skipped: each keeps its own.
      </p>
      <ChoiceGroup
        type="checkbox"
        className="compare-pick"
        optionsClassName="compare-choices"
        optionClassName="choice"
        legend={`Settings for N = ${settings.replicas} (${COMPARE_VARIANTS_MIN} to ${COMPARE_VARIANTS_MAX})`}
        options={candidates.map((variant) => {
          const key = variantKey(variant);
          return {
            value: key,
            label: variantLabel(variant),
            hint: sameVariant(variant, settings.current) ? '(current)' : undefined,
            testId: `compare-pick-${key.replaceAll('/', '-')}`,
            disabled: full && !chosenKeys.includes(key),
          };
        })}
        value={chosenKeys}
        onChange={toggle}
      >
        <p className="muted compare-count" aria-live="polite">
          {chosen.length} chosen
          {full ? `: at most ${COMPARE_VARIANTS_MAX}, uncheck one to choose another` : ''}.
        </p>
      </ChoiceGroup>
      <ChoiceGroup
        type="radio"
        className="compare-until"
        optionClassName="choice"
        legend="Compare up to"
        options={[
          { value: 'now', label: 'now (where the run is)', testId: 'compare-until-now' },
          {
            value: 'length',
            label: 'a fixed length of virtual time',
            testId: 'compare-until-length',
          },
        ]}
        value={upToNow ? 'now' : 'length'}
        onChange={(until) => setUpToNow(until === 'now')}
      >
        {upToNow ? null : (
          <NumberField
            label="Length"
            unit="virtual s"
            value={lengthS}
            min={1}
            max={COMPARE_TIME_MS_MAX / 1000}
            onCommit={setLengthS}
            testId="compare-length"
          />
        )}
      </ChoiceGroup>
      <button type="button" data-testid="compare-run" onClick={start} disabled={running}>
        Compare on this run
      </button>
      {problem ? (
        <p role="alert" className="field-error" data-testid="compare-problem">
          {problem}
        </p>
      ) : null}
      <CompareProgress session={session} />
      {result?.status === 'refused' ? (
        <p role="alert" className="field-error" data-testid="compare-refused">
          {result.reason}
        </p>
      ) : null}
      {result?.status === 'done' ? <CompareOutcome result={result} current={settings} /> : null}
    </section>
  );
});

function CompareProgress({ session }: { session: Session }) {
  const batch = useSession(session, (s) => latestBatch(s, JOB));
  return <BatchProgress session={session} batch={batch} />;
}

function share(value: number | null): string {
  return value === null ? '—' : formatPercent(value);
}

function CompareOutcome({
  result,
  current,
}: {
  result: Extract<CompareResult, { status: 'done' }>;
  current: Settings;
}) {
  const theme = useDocumentTheme();
  const skipped = result.skipped.setQuorum + result.skipped.setMode;
  const seconds = (result.untilMs / 1000).toFixed(result.untilMs < 10_000 ? 2 : 1);
  return (
    <div className="compare-outcome" data-testid="compare-result">
      <dl className="figures">
        <Figure label="Compared over" value={`${seconds} s of virtual time`} />
        <Figure label="Commands replayed" value={formatCount(result.commandsReplayed)} />
        <Figure
          label="Skipped (W/R, mode changes)"
          value={`${formatCount(result.skipped.setQuorum)}, ${formatCount(result.skipped.setMode)}`}
          testId="compare-skipped"
        />
      </dl>
      {skipped > 0 ? (
        <p className="muted" data-testid="compare-skipped-note">
          {`The run's log changes W, R or the mode ${skipped === 1 ? 'once' : `${skipped} times`}; each setting here kept its own from the start, so the (current) row matches the live figures only if those changes were made at 0 s.`}
        </p>
      ) : null}
      <div className="compare-scroll">
        <table className="compare-table" data-testid="compare-table">
          <caption className="visually-hidden">
            Each setting on the same run, seed {result.seed}, N = {result.replicas}
          </caption>
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">
                <abbr title="W + R > N: every read quorum meets every write quorum">
                  W+R
                  <wbr />
                  &gt;N
                </abbr>
              </th>
              <th scope="col">Ops</th>
              <th scope="col">
                <abbr title="Refused or timed out, of finished operations">Unavail&shy;able</abbr>
              </th>
              <th scope="col">
                <abbr title="Stale reads, of reads answered">Stale reads</abbr>
              </th>
              <th scope="col">
                <abbr title="Reads that returned concurrent versions (vector clocks)">
                  Sib&shy;lings
                </abbr>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.variants.map((row, index) => (
              <VariantRow
                key={variantKey(row.variant)}
                row={row}
                color={seriesColor(index, theme)}
                isCurrent={sameVariant(row.variant, current.current)}
              />
            ))}
          </tbody>
        </table>
      </div>
      <CompareCharts result={result} />
    </div>
  );
}

function VariantRow({
  row,
  color,
  isCurrent,
}: {
  row: VariantResult;
  color: string;
  isCurrent: boolean;
}) {
  const c = row.counters;
  const testKey = variantKey(row.variant).replaceAll('/', '-');
  return (
    <tr data-testid={`compare-row-${testKey}`}>
      <th scope="row">
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        {variantLabel(row.variant)}
        {isCurrent ? <span className="muted"> (current)</span> : null}
      </th>
      <td>{row.overlapping ? 'yes' : 'no'}</td>
      <td>{formatCount(c.opsInvoked)}</td>
      <td data-testid={`compare-unavailable-${testKey}`}>
        {share(row.unavailableShare)}{' '}
        <span className="muted">({formatCount(c.unavailable + c.timedOut)})</span>
      </td>
      <td data-testid={`compare-stale-${testKey}`}>
        {share(row.staleReadShare)}{' '}
        <span className="muted" data-testid={`compare-stale-count-${testKey}`}>
          ({formatCount(c.staleReads)})
        </span>
      </td>
      <td>{formatCount(c.readsWithSiblings)}</td>
    </tr>
  );
}

const CHART_SIZE = { width: 340, height: 170 };

/** Short bar labels: "2/2 CP". */
function shortLabel(v: CompareVariant): string {
  return `${v.writeQuorum}/${v.readQuorum} ${v.mode.toUpperCase()}`;
}

function CompareCharts({ result }: { result: Extract<CompareResult, { status: 'done' }> }) {
  const bars = (pick: (r: VariantResult) => number | null, theme: Theme): Bar[] =>
    result.variants.map((r, index) => {
      const value = pick(r);
      return {
        label: shortLabel(r.variant),
        value: value === null ? 0 : Math.round(value * 1000) / 10,
        color: seriesColor(index, theme),
        muted: value === null,
      };
    });
  const staleSvg = useChart(
    (element) =>
      createBarChart(element, {
        size: CHART_SIZE,
        yLabel: 'stale reads (%)',
        title: 'Stale reads as a share of reads answered, per setting',
      }),
    (chart, theme) => chart.update(bars((r) => r.staleReadShare, theme)),
    [result],
  );
  const unavailableSvg = useChart(
    (element) =>
      createBarChart(element, {
        size: CHART_SIZE,
        yLabel: 'unavailable (%)',
        title: 'Failed requests as a share of finished operations, per setting',
      }),
    (chart, theme) => chart.update(bars((r) => r.unavailableShare, theme)),
    [result],
  );
  return (
    <div className="compare-charts">
      <figure>
        <figcaption>Stale reads (% of reads answered)</figcaption>
        <svg ref={staleSvg} className="chart" data-testid="compare-stale-chart" />
      </figure>
      <figure>
        <figcaption>Unavailable (% of finished operations)</figcaption>
        <svg ref={unavailableSvg} className="chart" data-testid="compare-unavailable-chart" />
      </figure>
    </div>
  );
}
