/**
 * Shared d3 chart factories for every lab's metrics: a bar chart and a multi-series line chart
 * (linear or log axes, optional formula curves and shaped point marks).
 * Each is `create…(svg, options) → { update(data), destroy() }`; `useChart` (use-chart.ts) makes,
 * redraws and destroys one from a React component.
 */
import { axisBottom, axisLeft, line, max, scaleBand, scaleLinear, scaleLog, select } from 'd3';

export interface ChartSize {
  width: number;
  height: number;
}

export interface ChartMargin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

const MARGIN: ChartMargin = { top: 12, right: 14, bottom: 34, left: 52 };

/** The frame every chart shares: a titled SVG, a plot area inside margins, axes and labels. */
function createPlotFrame(
  element: SVGSVGElement,
  options: {
    size: ChartSize;
    title: string;
    xLabel?: string;
    yLabel: string;
    margin?: Partial<ChartMargin>;
  },
) {
  const { width, height } = options.size;
  const margin = { ...MARGIN, ...options.margin };
  const svg = select(element).attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img');
  svg.selectAll('*').remove();
  svg.append('title').text(options.title);
  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const xAxis = plot
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${innerHeight})`);
  const yAxis = plot.append('g').attr('class', 'axis');
  // The axis titles sit just inside the outer edges, so a wider margin moves them out with it.
  if (options.xLabel) {
    plot
      .append('text')
      .attr('class', 'axis-label')
      .attr('x', innerWidth / 2)
      .attr('y', innerHeight + margin.bottom - 4)
      .attr('text-anchor', 'middle')
      .text(options.xLabel);
  }
  plot
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(${12 - margin.left},${innerHeight / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(options.yLabel);
  return { svg, plot, innerWidth, innerHeight, xAxis, yAxis };
}

/**
 * The domain of a log axis over `values`: from the smallest positive value to the largest, at
 * least one decade wide (a log scale cannot reach 0, and a single value still needs a span).
 */
export function logExtent(values: readonly number[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!(value > 0) || !Number.isFinite(value)) continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (low === Number.POSITIVE_INFINITY) return [1, 10];
  return [low, Math.max(high, low * 10)];
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

export type PointShape = 'circle' | 'square' | 'triangle' | 'diamond';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /**
   * A closed-form curve drawn beside measured ones: thin, dashed, no point marks, and its name
   * written at its right end (leave room with a wider right margin).
   */
  formula?: boolean;
  /**
   * Marks every point with this symbol (and a tooltip), so series differ by more than colour; the
   * line between the marks is drawn faint, as a guide for the eye.
   */
  shape?: PointShape;
}

export interface LineChart {
  update(series: Series[], marker?: { x: number; label: string } | null): void;
  destroy(): void;
}

const SYMBOL_PATHS: Record<PointShape, string> = {
  circle: 'M3.2,0A3.2,3.2 0 1 1 -3.2,0A3.2,3.2 0 1 1 3.2,0Z',
  square: 'M-3,-3H3V3H-3Z',
  triangle: 'M0,-3.8L3.6,2.6H-3.6Z',
  diamond: 'M0,-4L4,0L0,4L-4,0Z',
};

/** Plain series with few points show a dot per point; beyond this the line says enough. */
const DOTS_POINTS_MAX = 40;

function describePointDefault(series: Series, point: [number, number]): string {
  return `${series.name}: ${point[1].toLocaleString('en-US')} at ${point[0].toLocaleString('en-US')}`;
}

export function createLineChart(
  element: SVGSVGElement,
  options: {
    size: ChartSize;
    xLabel: string;
    yLabel: string;
    title: string;
    xLog?: boolean;
    /** A log y axis, for counts that span several orders of magnitude (values ≤ 0 sit on its floor). */
    yLog?: boolean;
    yFormat?: string;
    margin?: Partial<ChartMargin>;
    /** The tooltip of a shaped point mark. */
    describePoint?: (series: Series, point: [number, number]) => string;
  },
): LineChart {
  const { svg, plot, innerWidth, innerHeight, xAxis, yAxis } = createPlotFrame(element, options);
  const describePoint = options.describePoint ?? describePointDefault;
  const linesLayer = plot.append('g');
  const dotsLayer = plot.append('g');
  const labelsLayer = plot.append('g');
  const markerLine = plot.append('line').attr('class', 'reference-line');
  const markerText = plot.append('text').attr('class', 'reference-label');
  return {
    update(series, marker) {
      const xs = series.flatMap((s) => s.points.map((p) => p[0]));
      const ys = series.flatMap((s) => s.points.map((p) => p[1]));
      const xMin = xs.length > 0 ? Math.min(...xs) : 0;
      const xMax = xs.length > 0 ? Math.max(...xs) : 1;
      const x = options.xLog
        ? scaleLog().domain(logExtent(xs)).range([0, innerWidth])
        : scaleLinear()
            .domain([xMin, xMax === xMin ? xMin + 1 : xMax])
            .range([0, innerWidth]);
      const y = options.yLog
        ? scaleLog().domain(logExtent(ys)).nice().range([innerHeight, 0])
        : scaleLinear()
            .domain([0, (max(ys) ?? 0) > 0 ? (max(ys) as number) : 1])
            .nice()
            .range([innerHeight, 0]);
      const yFloor = options.yLog ? (y.domain()[0] ?? 1) : Number.NEGATIVE_INFINITY;
      const px = (p: [number, number]) => x(p[0]);
      const py = (p: [number, number]) => y(Math.max(yFloor, p[1]));
      xAxis.call(axisBottom(x).ticks(6, options.xLog ? '~s' : undefined));
      yAxis.call(
        options.yLog
          ? axisLeft(y).ticks(6, options.yFormat ?? '~s')
          : axisLeft(y).ticks(5, options.yFormat),
      );
      const path = line<[number, number]>().x(px).y(py);
      linesLayer
        .selectAll<SVGPathElement, Series>('path')
        .data(series, (s) => s.name)
        .join('path')
        .attr('fill', 'none')
        .attr('stroke', (s) => s.color)
        .attr('stroke-width', (s) => (s.formula ? 1.5 : s.shape ? 1 : 2))
        .attr('stroke-opacity', (s) => (s.shape && !s.formula ? 0.5 : null))
        .attr('stroke-dasharray', (s) => (s.dashed || s.formula ? '5 4' : null))
        .attr('d', (s) => path(s.points) ?? '');
      const plain = (s: Series) => !s.formula && !s.shape;
      dotsLayer
        .selectAll<SVGGElement, Series>('g.points')
        .data(series.filter(plain), (s) => s.name)
        .join('g')
        .attr('class', 'points')
        .selectAll('circle')
        .data((s) =>
          s.points.length <= DOTS_POINTS_MAX ? s.points.map((p) => ({ p, color: s.color })) : [],
        )
        .join('circle')
        .attr('r', 2.5)
        .attr('cx', (d) => px(d.p))
        .attr('cy', (d) => py(d.p))
        .attr('fill', (d) => d.color);
      dotsLayer
        .selectAll<SVGGElement, Series>('g.series-dots')
        .data(
          series.filter((s) => s.shape && !s.formula),
          (s) => s.name,
        )
        .join('g')
        .attr('class', 'series-dots')
        .selectAll('path')
        .data((s) => s.points.map((p) => ({ p, s })))
        .join('path')
        .attr('d', (d) => SYMBOL_PATHS[d.s.shape ?? 'circle'])
        .attr('transform', (d) => `translate(${px(d.p)},${py(d.p)})`)
        .attr('fill', (d) => d.s.color)
        .selectAll('title')
        .data((d) => [d])
        .join('title')
        .text((d) => describePoint(d.s, d.p));
      labelsLayer
        .selectAll<SVGTextElement, Series>('text')
        .data(
          series.filter((s) => s.formula && s.points.length > 0),
          (s) => s.name,
        )
        .join('text')
        .attr('class', 'formula-label')
        .attr('x', (s) => px(s.points.at(-1)!) + 4)
        .attr('y', (s) => py(s.points.at(-1)!))
        .attr('dy', '0.35em')
        .attr('fill', (s) => s.color)
        .text((s) => s.name);
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
