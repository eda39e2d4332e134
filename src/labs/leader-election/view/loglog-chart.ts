/**
 * A log–log line chart in the style of app/charts/charts.ts, for message counts that span
 * 3 to 500,000. The shared line chart has a log x axis but no log y axis; this factory adds one
 * (candidate for a `yLog` option in shared code) and writes each formula's name at its line's end.
 */
import { axisBottom, axisLeft, line, scaleLog, select } from 'd3';

export interface LogLogSeries {
  name: string;
  color: string;
  points: [number, number][];
  /** Formula curves are dashed and carry their name at the right end; measured ones show dots. */
  formula?: boolean;
  /** The dot shape of measured points, so series differ by more than colour. */
  shape?: 'circle' | 'square' | 'triangle' | 'diamond';
}

export interface LogLogChart {
  update(series: LogLogSeries[]): void;
  destroy(): void;
}

const MARGIN = { top: 12, right: 92, bottom: 36, left: 58 };

const SYMBOL_PATHS: Record<NonNullable<LogLogSeries['shape']>, string> = {
  circle: 'M3.2,0A3.2,3.2 0 1 1 -3.2,0A3.2,3.2 0 1 1 3.2,0Z',
  square: 'M-3,-3H3V3H-3Z',
  triangle: 'M0,-3.8L3.6,2.6H-3.6Z',
  diamond: 'M0,-4L4,0L0,4L-4,0Z',
};

export function createLogLogChart(
  element: SVGSVGElement,
  options: { width: number; height: number; xLabel: string; yLabel: string; title: string },
): LogLogChart {
  const { width, height } = options;
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = height - MARGIN.top - MARGIN.bottom;
  const svg = select(element).attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img');
  svg.selectAll('*').remove();
  svg.append('title').text(options.title);
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const xAxis = plot
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${innerHeight})`);
  const yAxis = plot.append('g').attr('class', 'axis');
  plot
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', innerWidth / 2)
    .attr('y', innerHeight + 32)
    .attr('text-anchor', 'middle')
    .text(options.xLabel);
  plot
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(${-46},${innerHeight / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(options.yLabel);
  const lines = plot.append('g');
  const dots = plot.append('g');
  const labels = plot.append('g');
  return {
    update(series) {
      const xs = series.flatMap((s) => s.points.map((p) => p[0]));
      const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => y > 0);
      const x = scaleLog()
        .domain([Math.max(1, Math.min(...xs, 3)), Math.max(...xs, 4)])
        .range([0, innerWidth]);
      const y = scaleLog()
        .domain([Math.max(1, Math.min(...ys, 3)), Math.max(...ys, 10)])
        .nice()
        .range([innerHeight, 0]);
      xAxis.call(axisBottom(x).ticks(6, '~s'));
      yAxis.call(axisLeft(y).ticks(6, '~s'));
      const path = line<[number, number]>()
        .x((p) => x(p[0]))
        .y((p) => y(Math.max(1, p[1])));
      lines
        .selectAll<SVGPathElement, LogLogSeries>('path')
        .data(series, (s) => s.name)
        .join('path')
        .attr('fill', 'none')
        .attr('stroke', (s) => s.color)
        .attr('stroke-width', (s) => (s.formula ? 1.5 : 1))
        .attr('stroke-opacity', (s) => (s.formula ? 1 : 0.5))
        .attr('stroke-dasharray', (s) => (s.formula ? '5 4' : null))
        .attr('d', (s) => path(s.points) ?? '');
      dots
        .selectAll<SVGGElement, LogLogSeries>('g.series-dots')
        .data(
          series.filter((s) => !s.formula),
          (s) => s.name,
        )
        .join('g')
        .attr('class', 'series-dots')
        .selectAll('path')
        .data((s) => s.points.map((p) => ({ p, s })))
        .join('path')
        .attr('d', (d) => SYMBOL_PATHS[d.s.shape ?? 'circle'])
        .attr('transform', (d) => `translate(${x(d.p[0])},${y(Math.max(1, d.p[1]))})`)
        .attr('fill', (d) => d.s.color)
        .selectAll('title')
        .data((d) => [d])
        .join('title')
        .text((d) => `${d.s.name}, n = ${d.p[0]}: ${Math.round(d.p[1]).toLocaleString('en-US')}`);
      labels
        .selectAll<SVGTextElement, LogLogSeries>('text')
        .data(
          series.filter((s) => s.formula && s.points.length > 0),
          (s) => s.name,
        )
        .join('text')
        .attr('class', 'formula-label')
        .attr('x', (s) => x(s.points.at(-1)![0]) + 4)
        .attr('y', (s) => y(Math.max(1, s.points.at(-1)![1])))
        .attr('dy', '0.35em')
        .attr('fill', (s) => s.color)
        .text((s) => s.name);
    },
    destroy() {
      svg.selectAll('*').remove();
    },
  };
}
