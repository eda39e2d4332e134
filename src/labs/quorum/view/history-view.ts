/**
 * The history as a space-time diagram (d3): one lane per client, a bar from each operation's
 * invocation to its completion, labelled with what it wrote or read. Failed operations are
 * hatched, stale reads carry a warning mark, and operations the checker picked out are outlined.
 */
import { axisBottom, scaleLinear, select } from 'd3';
import { currentTheme, seriesColor } from '../../../app/palette';
import { formatValue, keyName } from '../sim/constants';
import type { HistoryOp } from '../sim/model';

export const HISTORY_WIDTH = 600;
const LANE_HEIGHT = 26;
const MARGIN = { top: 8, right: 12, bottom: 26, left: 36 };

export interface HistoryView {
  update(
    ops: readonly HistoryOp[],
    lanes: number,
    atMs: number,
    windowMs: number,
    highlight: readonly number[],
    keysShown: number,
  ): void;
  destroy(): void;
}

export function opLabel(op: HistoryOp, withKey: boolean): string {
  const key = withKey ? `${keyName(op.key)} ` : '';
  if (op.kind === 'write')
    return `W ${key}${formatValue(op.value)}${op.status === 'fail' ? ' ✗' : ''}`;
  if (op.status === 'fail') return `R ${key}✗`;
  if (op.status === 'pending') return `R ${key}…`;
  return `R ${key}${op.values.map(formatValue).join('|')}${op.stale ? ' !' : ''}`;
}

export function createHistoryView(root: HTMLElement): HistoryView {
  const svg = select(root)
    .append('svg')
    .attr('class', 'history-svg')
    .attr('role', 'img')
    .attr('aria-label', 'Space-time diagram of client operations');
  const defs = svg.append('defs');
  defs
    .append('pattern')
    .attr('id', 'quorum-hatch')
    .attr('width', 6)
    .attr('height', 6)
    .attr('patternUnits', 'userSpaceOnUse')
    .attr('patternTransform', 'rotate(45)')
    .append('line')
    .attr('x1', 0)
    .attr('y1', 0)
    .attr('x2', 0)
    .attr('y2', 6)
    .attr('class', 'hatch-line');
  const lanesLayer = svg.append('g').attr('class', 'lanes');
  const barsLayer = svg.append('g').attr('class', 'bars');
  const axis = svg.append('g').attr('class', 'axis');
  const nowLine = svg.append('line').attr('class', 'now-line');
  return {
    update(ops, lanes, atMs, windowMs, highlight, keysShown) {
      const theme = currentTheme();
      const height = MARGIN.top + lanes * LANE_HEIGHT + MARGIN.bottom;
      svg.attr('viewBox', `0 0 ${HISTORY_WIDTH} ${height}`);
      const start = Math.max(0, atMs - windowMs);
      const end = Math.max(start + 1, atMs);
      const x = scaleLinear()
        .domain([start, end])
        .range([MARGIN.left, HISTORY_WIDTH - MARGIN.right]);
      const laneY = (lane: number) => MARGIN.top + lane * LANE_HEIGHT;
      lanesLayer
        .selectAll<SVGGElement, number>('g.lane')
        .data(Array.from({ length: lanes }, (_, i) => i))
        .join((enter) => {
          const g = enter.append('g').attr('class', 'lane');
          g.append('line');
          g.append('text').attr('x', 4).attr('dy', '0.35em');
          return g;
        })
        .call((g) =>
          g
            .select('line')
            .attr('x1', MARGIN.left)
            .attr('x2', HISTORY_WIDTH - MARGIN.right)
            .attr('y1', (d) => laneY(d) + LANE_HEIGHT / 2)
            .attr('y2', (d) => laneY(d) + LANE_HEIGHT / 2),
        )
        .call((g) =>
          g
            .select('text')
            .attr('y', (d) => laneY(d) + LANE_HEIGHT / 2)
            .text((d) => `C${d + 1}`),
        );
      axis.attr('transform', `translate(0,${MARGIN.top + lanes * LANE_HEIGHT + 2})`).call(
        axisBottom(x)
          .ticks(6)
          .tickFormat((t) => `${(Number(t) / 1000).toFixed(windowMs < 4_000 ? 1 : 0)} s`),
      );
      nowLine
        .attr('x1', x(atMs))
        .attr('x2', x(atMs))
        .attr('y1', MARGIN.top)
        .attr('y2', MARGIN.top + lanes * LANE_HEIGHT);
      const visible = ops.filter(
        (op) => op.invokeMs <= end && (op.completeMs ?? atMs) >= start && op.invokeMs <= atMs,
      );
      const marked = new Set(highlight);
      const bars = barsLayer
        .selectAll<SVGGElement, HistoryOp>('g.op')
        .data(visible, (d) => d.id)
        .join((enter) => {
          const g = enter.append('g').attr('class', 'op');
          g.append('rect')
            .attr('class', 'op-bar')
            .attr('height', LANE_HEIGHT - 8)
            .attr('rx', 3);
          g.append('text').attr('class', 'op-label').attr('dy', '0.35em');
          g.append('title');
          return g;
        })
        .attr('data-op', (d) => d.id)
        .attr(
          'class',
          (d) =>
            `op op-${d.kind} op-${d.status}${d.stale ? ' is-stale' : ''}${marked.has(d.id) ? ' is-highlighted' : ''}`,
        );
      const barEnd = (d: HistoryOp) => x(Math.min(d.completeMs ?? atMs, atMs));
      bars
        .select('rect')
        .attr('x', (d) => x(Math.max(d.invokeMs, start)))
        .attr('y', (d) => laneY(d.client) + 4)
        .attr('width', (d) => Math.max(3, barEnd(d) - x(Math.max(d.invokeMs, start))))
        .attr('fill', (d) =>
          d.status === 'fail'
            ? 'url(#quorum-hatch)'
            : d.kind === 'write'
              ? seriesColor(4, theme)
              : seriesColor(0, theme),
        );
      bars
        .select('text')
        .attr('x', (d) => x(Math.max(d.invokeMs, start)) + 3)
        .attr('y', (d) => laneY(d.client) + LANE_HEIGHT / 2)
        .text((d) =>
          barEnd(d) - x(Math.max(d.invokeMs, start)) > 34 ? opLabel(d, keysShown > 1) : '',
        );
      bars.select('title').text((d) => describeOp(d));
    },
    destroy() {
      svg.remove();
    },
  };
}

export function describeOp(op: HistoryOp): string {
  const span = `${(op.invokeMs / 1000).toFixed(3)} → ${op.completeMs === null ? '…' : `${(op.completeMs / 1000).toFixed(3)} s`}`;
  const what =
    op.kind === 'write'
      ? `write ${keyName(op.key)} = ${formatValue(op.value)}`
      : `read ${keyName(op.key)}${op.status === 'ok' ? ` → ${op.values.map(formatValue).join(' | ')}` : ''}`;
  const outcome =
    op.status === 'fail'
      ? ` failed (${op.reason})`
      : op.stale
        ? ` STALE: missed ${op.missed.map(formatValue).join(', ')}`
        : op.sloppy
          ? ' (sloppy quorum)'
          : '';
  return `#${op.id} C${op.client + 1} ${what}, ${span} via R${op.coordinator + 1}${outcome}`;
}
