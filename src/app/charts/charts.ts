/**
 * Shared d3 chart factories for every lab's metrics: a bar chart and a multi-series line chart.
 * Each is `create…(svg, options) → { update(data), destroy() }`, made and destroyed in an effect.
 */
import { axisBottom, axisLeft, line, max, scaleBand, scaleLinear, scaleLog, select } from 'd3';

export interface ChartSize {
  width: number;
  height: number;
}

const MARGIN = { top: 12, right: 14, bottom: 34, left: 52 };

/** The frame every chart shares: a titled SVG, a plot area inside margins, axes and labels. */
function createPlotFrame(
  element: SVGSVGElement,
  options: { size: ChartSize; title: string; xLabel?: string; yLabel: string },
) {
  const { width, height } = options.size;
  const svg = select(element).attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img');
  svg.selectAll('*').remove();
  svg.append('title').text(options.title);
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = height - MARGIN.top - MARGIN.bottom;
  const xAxis = plot
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${innerHeight})`);
  const yAxis = plot.append('g').attr('class', 'axis');
  if (options.xLabel) {
    plot
      .append('text')
      .attr('class', 'axis-label')
      .attr('x', innerWidth / 2)
      .attr('y', innerHeight + 30)
      .attr('text-anchor', 'middle')
      .text(options.xLabel);
  }
  plot
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(${-40},${innerHeight / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(options.yLabel);
  return { svg, plot, innerWidth, innerHeight, xAxis, yAxis };
}

export interface Bar {
  label: string;
  value: number;
  color: string;
  muted?: boolean;
}

export interface BarChart {
  update(bars: Bar[], reference?: { value: number; label: string } | null): void;
  destroy(): void;
}

export function createBarChart(
  element: SVGSVGElement,
  options: { size: ChartSize; yLabel: string; title: string },
): BarChart {
  const { svg, plot, innerWidth, innerHeight, xAxis, yAxis } = createPlotFrame(element, options);
  const barsLayer = plot.append('g');
  const referenceLine = plot.append('line').attr('class', 'reference-line');
  const referenceText = plot
    .append('text')
    .attr('class', 'reference-label')
    .attr('text-anchor', 'end');
  return {
    update(bars, reference) {
      const x = scaleBand<string>()
        .domain(bars.map((b) => b.label))
        .range([0, innerWidth])
        .padding(0.15);
      const top = Math.max(max(bars, (b) => b.value) ?? 0, reference?.value ?? 0, 1);
      const y = scaleLinear().domain([0, top]).nice().range([innerHeight, 0]);
      const every = Math.ceil(bars.length / 16);
      xAxis.call(
        axisBottom(x)
          .tickValues(x.domain().filter((_, i) => i % every === 0))
          .tickSizeOuter(0),
      );
      yAxis.call(axisLeft(y).ticks(5, 's'));
      barsLayer
        .selectAll<SVGRectElement, Bar>('rect')
        .data(bars, (b) => b.label)
        .join('rect')
        .attr('x', (b) => x(b.label) ?? 0)
        .attr('width', x.bandwidth())
        .attr('y', (b) => y(b.value))
        .attr('height', (b) => innerHeight - y(b.value))
        .attr('fill', (b) => b.color)
        .attr('opacity', (b) => (b.muted ? 0.35 : 1))
        .selectAll('title')
        .data((b) => [b])
        .join('title')
        .text((b) => `${b.label}: ${b.value.toLocaleString('en-US')}`);
      if (reference) {
        referenceLine
          .attr('x1', 0)
          .attr('x2', innerWidth)
          .attr('y1', y(reference.value))
          .attr('y2', y(reference.value))
          .attr('visibility', 'visible');
        referenceText
          .attr('x', innerWidth)
          .attr('y', y(reference.value) - 4)
          .text(reference.label);
      } else {
        referenceLine.attr('visibility', 'hidden');
        referenceText.text('');
      }
    },
    destroy() {
      svg.selectAll('*').remove();
    },
  };
}

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface LineChart {
  update(series: Series[], marker?: { x: number; label: string } | null): void;
  destroy(): void;
}

export function createLineChart(
  element: SVGSVGElement,
  options: {
    size: ChartSize;
    xLabel: string;
    yLabel: string;
    title: string;
    xLog?: boolean;
    yFormat?: string;
  },
): LineChart {
  const { svg, plot, innerWidth, innerHeight, xAxis, yAxis } = createPlotFrame(element, options);
  const linesLayer = plot.append('g');
  const markerLine = plot.append('line').attr('class', 'reference-line');
  const markerText = plot.append('text').attr('class', 'reference-label');
  return {
    update(series, marker) {
      const xs = series.flatMap((s) => s.points.map((p) => p[0]));
      const ys = series.flatMap((s) => s.points.map((p) => p[1]));
      const xMin = xs.length > 0 ? Math.min(...xs) : 0;
      const xMax = xs.length > 0 ? Math.max(...xs) : 1;
      const x = options.xLog
        ? scaleLog()
            .domain([Math.max(xMin, 1e-9), Math.max(xMax, xMin * 10, 1)])
            .range([0, innerWidth])
        : scaleLinear()
            .domain([xMin, xMax === xMin ? xMin + 1 : xMax])
            .range([0, innerWidth]);
      const y = scaleLinear()
        .domain([0, (max(ys) ?? 0) > 0 ? (max(ys) as number) : 1])
        .nice()
        .range([innerHeight, 0]);
      xAxis.call(axisBottom(x).ticks(6, options.xLog ? '~s' : undefined));
      yAxis.call(axisLeft(y).ticks(5, options.yFormat));
      const path = line<[number, number]>()
        .x((p) => x(p[0]))
        .y((p) => y(p[1]));
      linesLayer
        .selectAll<SVGPathElement, Series>('path')
        .data(series, (s) => s.name)
        .join('path')
        .attr('fill', 'none')
        .attr('stroke', (s) => s.color)
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', (s) => (s.dashed ? '5 4' : null))
        .attr('d', (s) => path(s.points) ?? '');
      linesLayer
        .selectAll<SVGGElement, Series>('g.points')
        .data(series, (s) => s.name)
        .join('g')
        .attr('class', 'points')
        .selectAll('circle')
        .data((s) => (s.points.length <= 40 ? s.points.map((p) => ({ p, color: s.color })) : []))
        .join('circle')
        .attr('r', 2.5)
        .attr('cx', (d) => x(d.p[0]))
        .attr('cy', (d) => y(d.p[1]))
        .attr('fill', (d) => d.color);
      if (marker && Number.isFinite(x(marker.x))) {
        markerLine
          .attr('x1', x(marker.x))
          .attr('x2', x(marker.x))
          .attr('y1', 0)
          .attr('y2', innerHeight)
          .attr('visibility', 'visible');
        markerText
          .attr('x', x(marker.x) + 4)
          .attr('y', 10)
          .text(marker.label);
      } else {
        markerLine.attr('visibility', 'hidden');
        markerText.text('');
      }
    },
    destroy() {
      svg.selectAll('*').remove();
    },
  };
}
