/**
 * Metrics: live counts (availability, staleness, repair work, convergence time), operations per
 * second over time, and the history checker: stale reads and linearizability, where clicking a
 * finding seeks the run there and outlines the operations involved.
 */
import { useStore } from 'zustand';
import { createLineChart } from '../../../app/charts/charts';
import { useChart } from '../../../app/charts/use-chart';
import { formatCount, formatPercent } from '../../../app/format';
import { seriesColor } from '../../../app/palette';
import { latestBatch, type Session, useSession } from '../../../app/session';
import { BatchProgress } from '../../../app/ui/BatchProgress';
import { Figure } from '../../../app/ui/Figure';
import type { CheckResult } from '../sim/batch';
import { formatValue, HISTORY_MAX, keyName } from '../sim/constants';
import type { HistoryOp } from '../sim/model';
import type { QuorumSnapshot } from '../sim/snapshot';
import { ComparePanel } from './ComparePanel';
import { describeOp } from './history-view';
import { useQuorumSnapshot } from './QuorumPage';
import type { QuorumUi } from './ui-store';

export function QuorumMetrics({ session, ui }: { session: Session; ui: QuorumUi }) {
  const snapshot = useQuorumSnapshot(session);
  if (!snapshot) return null;
  const c = snapshot.counters;
  const failed = c.unavailable + c.timedOut;
  const finished = c.readsOk + c.writesOk + failed;
  const convergence = snapshot.convergence;
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <dl className="figures" data-testid="figures">
        <Figure label="Operations invoked" value={formatCount(c.opsInvoked)} />
        <Figure
          label="Succeeded (reads / writes)"
          value={`${formatCount(c.readsOk)} / ${formatCount(c.writesOk)}`}
        />
        <Figure
          label="Unavailable (failed)"
          value={`${formatCount(failed)} (${formatPercent(finished > 0 ? failed / finished : 0)})`}
          testId="unavailable"
        />
        <Figure label="Stale reads" value={formatCount(c.staleReads)} testId="stale-reads" />
        <Figure
          label="Sloppy answers (AP)"
          value={`${formatCount(c.sloppyWrites)} writes, ${formatCount(c.sloppyReads)} reads`}
          testId="sloppy"
        />
        <Figure
          label="Hints stored / handed off"
          value={`${formatCount(c.hintsStored)} / ${formatCount(c.hintsDelivered)}`}
        />
        <Figure label="Read repair writes" value={formatCount(c.readRepairWrites)} />
        <Figure label="Reads with siblings" value={formatCount(c.readsWithSiblings)} />
        <Figure
          label="Anti-entropy (exchanges, in sync, keys fixed)"
          value={`${formatCount(c.aeExchanges)}, ${formatCount(c.aeInSync)}, ${formatCount(c.aeKeysRepaired)}`}
        />
        <Figure label="Anti-entropy entries sent" value={formatCount(c.aeEntriesSent)} />
        <Figure
          label="Keys on which replicas differ"
          value={
            snapshot.divergentKeys.length === 0
              ? 'none'
              : snapshot.divergentKeys.map(keyName).join(', ')
          }
          testId="divergent"
        />
        <Figure
          label="Time to converge after healing"
          testId="converge-time"
          value={
            convergence && convergence.convergedAtMs === null
              ? `converging… ${((snapshot.atMs - convergence.healAtMs) / 1000).toFixed(2)} s so far`
              : snapshot.lastConvergence
                ? `${((snapshot.lastConvergence.convergedAtMs - snapshot.lastConvergence.healAtMs) / 1000).toFixed(2)} s`
                : 'heal a partition to measure'
          }
        />
        <Figure
          label="Messages in flight / dropped"
          value={`${formatCount(snapshot.messagesInFlight)} / ${formatCount(c.messagesDropped)}`}
        />
      </dl>
      <OpsChart snapshot={snapshot} playing={session.store.getState().frame?.playing ?? false} />
      <HistoryCheck session={session} ui={ui} snapshot={snapshot} />
      <ComparePanel session={session} />
    </section>
  );
}

/** While playing fast, the chart is redrawn at most this often (each redraw rewrites its SVG). */
const CHART_INTERVAL_MS = 1_000;

function OpsChart({ snapshot, playing }: { snapshot: QuorumSnapshot; playing: boolean }) {
  const svg = useChart(
    (element) =>
      createLineChart(element, {
        size: { width: 420, height: 180 },
        xLabel: 'virtual time (s)',
        yLabel: 'operations / s',
        title: 'Operations per second: succeeded, failed, stale reads and sloppy answers',
      }),
    (chart, theme) => {
      const done = snapshot.series.slice(0, -1);
      const line = (
        name: string,
        color: string,
        pick: (b: QuorumSnapshot['series'][number]) => number,
        dashed = false,
      ) => ({
        name,
        color,
        dashed,
        points: done.map((b) => [b.startMs / 1000, pick(b)] as [number, number]),
      });
      chart.update([
        line('succeeded', seriesColor(2, theme), (b) => b.ok),
        line('failed', seriesColor(7, theme), (b) => b.failed, true),
        line('stale reads', seriesColor(5, theme), (b) => b.stale),
        line('sloppy', seriesColor(6, theme), (b) => b.sloppy, true),
      ]);
    },
    // The chart changes once per virtual second.
    [snapshot.series.at(-1)?.startMs, snapshot.series.length],
    // At 10× a virtual second ends every 100 ms: while playing, redraw at most once a wall second.
    { throttleMs: playing ? CHART_INTERVAL_MS : 0 },
  );
  return (
    <figure>
      <figcaption>Operations per second (completed seconds)</figcaption>
      {snapshot.series.length < 2 ? (
        <p className="muted">Press play: the chart fills in as virtual seconds complete.</p>
      ) : null}
      <svg ref={svg} className="chart" data-testid="ops-chart" />
    </figure>
  );
}

interface Finding {
  id: string;
  label: string;
  atMs: number;
  opIds: number[];
}

function findings(result: CheckResult | null, history: readonly HistoryOp[]): Finding[] {
  const byId = new Map(history.map((op) => [op.id, op]));
  const writerOf = (key: number, value: number) =>
    history.find((op) => op.kind === 'write' && op.key === key && op.value === value);
  const out: Finding[] = [];
  for (const op of history) {
    if (!op.stale) continue;
    const missed = op.missed
      .map((v) => writerOf(op.key, v)?.id)
      .filter((id): id is number => id !== undefined);
    out.push({
      id: `stale-${op.id}`,
      label: `Stale read #${op.id}: C${op.client + 1} read ${keyName(op.key)} = ${op.values.map(formatValue).join(' | ')} at ${((op.completeMs ?? 0) / 1000).toFixed(2)} s, after ${op.missed.map(formatValue).join(', ')} completed.`,
      atMs: op.completeMs ?? op.invokeMs,
      opIds: [op.id, ...missed],
    });
  }
  for (const verdict of result?.linearizability?.keys ?? []) {
    if (verdict.status !== 'violation') continue;
    const blocked = byId.get(verdict.blockedOpId);
    const recent = verdict.linearizedOpIds.slice(-2);
    const returned =
      blocked?.kind === 'read' ? writerOf(blocked.key, blocked.values[0] ?? -1)?.id : undefined;
    const ids = [verdict.blockedOpId, ...recent, ...(returned !== undefined ? [returned] : [])];
    out.push({
      id: `lin-${verdict.key}`,
      label: `Not linearizable on ${keyName(verdict.key)}: no order of the operations fits ${blocked ? describeOp(blocked) : `#${verdict.blockedOpId}`} (after ${verdict.linearizedOpIds.length} operations placed).`,
      atMs: blocked ? (blocked.completeMs ?? blocked.invokeMs) : 0,
      opIds: [...new Set(ids)],
    });
  }
  return out;
}

function HistoryCheck({
  session,
  ui,
  snapshot,
}: {
  session: Session;
  ui: QuorumUi;
  snapshot: QuorumSnapshot;
}) {
  const batch = useSession(session, (s) => latestBatch(s, 'check'));
  // Read, not subscribed: the history changes every frame while playing, and this panel follows
  // the steady snapshot readout (four times a second, exact when paused) like the figures above.
  const history = ui.getState().history;
  const highlight = useStore(ui, (s) => s.highlight);
  const result = (batch?.result ?? null) as CheckResult | null;
  const lin = result?.linearizability ?? null;
  const list = findings(result, history);
  return (
    <section className="history-check" aria-labelledby="check-title" data-testid="checker">
      <h3 id="check-title">History checker</h3>
      <p className="muted">
        {snapshot.historyLength} of at most {HISTORY_MAX} operations recorded. Stale reads are
        flagged as they complete; linearizability is checked on demand (Wing &amp; Gong search with
        memoisation, per key).
      </p>
      <button
        type="button"
        data-testid="run-check"
        onClick={() => session.startBatch('check', {})}
        disabled={batch?.running ?? false}
      >
        Check linearizability
      </button>
      <BatchProgress session={session} batch={batch} />
      {result ? (
        <p
          data-testid="check-verdict"
          className={lin?.status === 'ok' ? 'overlap-ok' : 'overlap-warn'}
        >
          {lin === null
            ? `Vector-clock reads can return siblings, so only staleness is checked: ${result.staleReads.length} stale reads in ${result.opsChecked} operations.`
            : lin.status === 'ok'
              ? `Linearizable: all ${result.opsChecked} operations fit one order (${formatCount(lin.steps)} search steps).`
              : lin.status === 'violation'
                ? `Not linearizable (checked ${result.opsChecked} operations up to ${(result.atMs / 1000).toFixed(2)} s).`
                : `Unknown: the search stopped after ${formatCount(lin.steps)} steps.`}
        </p>
      ) : null}
      {list.length === 0 ? (
        <p className="muted" data-testid="no-violations">
          No violations found{result ? '' : ' yet (stale reads appear here as they happen)'}.
        </p>
      ) : (
        <ul className="violations" data-testid="violations">
          {list.slice(0, 50).map((f) => (
            <li key={f.id}>
              <button
                type="button"
                aria-pressed={highlight?.label === f.id}
                onClick={() => {
                  ui.setState({ highlight: { opIds: f.opIds, label: f.id } });
                  session.send({ type: 'pause' });
                  session.send({ type: 'seek', atMs: f.atMs + 1 });
                }}
              >
                {f.label}
              </button>
            </li>
          ))}
          {list.length > 50 ? <li className="muted">…and {list.length - 50} more.</li> : null}
        </ul>
      )}
      {highlight ? (
        <button
          type="button"
          className="link-button"
          onClick={() => ui.setState({ highlight: null })}
        >
          Clear the highlight
        </button>
      ) : null}
    </section>
  );
}
