/**
 * The stage's view: the topology (app → cache → database, latencies on the links, database
 * queries in flight placed by interpolation between their send and answer times, and the load
 * gauge) above the cache's slots, each showing its key and the policy's metadata.
 *
 * It is redrawn on every frame, so it is built for that. The slots' faces (box, key, metadata,
 * badges, bars, flashes) are painted on a canvas beneath the SVG, a slot only when what it shows
 * changed, and while playing at most every 100 ms (200 ms past 64 slots): a changed canvas is
 * handed to the compositor whole, which costs by its size, not by what changed. The SVG holds
 * the topology, the few marks that move every frame (queries in flight, request pulses, from
 * fixed pools) and, for each slot, a transparent target that takes focus, clicks and taps and
 * carries the slot's description. SVG attributes are written only when their value changes,
 * descriptions a few per frame while playing. Nothing reads layout per frame: positions on the links come from a table
 * worked out here, sizes from a ResizeObserver. Two layouts: wide (800 units) and narrow (320
 * units, for phones: a 375 px screen shows it at about its own size).
 */
import { select } from 'd3';
import { currentTheme, seriesColor, themeColor } from '../../../app/palette';
import { type SlotColumns, type SlotView, slotViewAt } from '../sim/slot-columns';
import type { CacheSnapshot, FetchView } from '../sim/snapshot';

export interface CacheViewHandlers {
  onExpireKey(key: number): void;
  onReadBurst(key: number): void;
}

export interface CacheView {
  /** `playing` false (paused, stepping): every slot's description is brought up to date at once. */
  update(snapshot: CacheSnapshot, atMs: number, reducedMotion: boolean, playing?: boolean): void;
  destroy(): void;
}

export interface StageLayout {
  width: number;
  topologyHeight: number;
  nodeW: number;
  nodeH: number;
  appX: number;
  cacheX: number;
  dbX: number;
  nodeY: number;
  gaugeW: number;
  /** Slot columns at most, and slots drawn at most. */
  columnsMax: number;
  slotsMax: number;
  legendColumns: number;
  legendRowH: number;
  narrow: boolean;
}

export const WIDE: StageLayout = {
  width: 800,
  topologyHeight: 170,
  nodeW: 120,
  nodeH: 56,
  appX: 70,
  cacheX: 400,
  dbX: 690,
  nodeY: 58,
  gaugeW: 14,
  columnsMax: 16,
  slotsMax: 256,
  legendColumns: 6,
  legendRowH: 0,
  narrow: false,
};

export const NARROW: StageLayout = {
  width: 320,
  topologyHeight: 214,
  nodeW: 88,
  nodeH: 56,
  appX: 44,
  cacheX: 160,
  dbX: 264,
  nodeY: 58,
  gaugeW: 8,
  columnsMax: 6,
  slotsMax: 48,
  legendColumns: 3,
  legendRowH: 16,
  narrow: true,
};

/** Below this container width (CSS px) the stage uses the narrow layout. */
export const NARROW_BELOW_PX = 560;

const CELL_W = 48;
const CELL_H = 58;
const GAP = 2;
const BAR_W = CELL_W - 6;
const PULSES_MAX = 16;
const FLIGHTS_MAX = 48;
/** While playing, the slots' canvas is repainted at most this often (wall ms). */
const SLOT_PAINT_INTERVAL_MS = 100;
/** … and past 64 slots, at most this often. */
const SLOT_PAINT_INTERVAL_MANY_MS = 200;
/** Slot descriptions (aria-label and tooltip) checked per frame, round robin. */
const LABELS_PER_FRAME = 8;

export const OUTCOME_COLOR_INDEX = {
  hit: 2,
  miss: 5,
  stale: 6,
  coalesced: 1,
  write: 4,
  refresh: 0,
} as const;

type Outcome = keyof typeof OUTCOME_COLOR_INDEX;

const LEGEND: [Outcome, string][] = [
  ['hit', 'hit'],
  ['miss', 'miss'],
  ['stale', 'stale hit'],
  ['coalesced', 'waited (single flight)'],
  ['write', 'write'],
  ['refresh', 'early refresh'],
];

function colorOf(outcome: Outcome, theme: 'light' | 'dark'): string {
  return seriesColor(OUTCOME_COLOR_INDEX[outcome], theme);
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function columnsFor(capacity: number, layout: StageLayout = WIDE): number {
  return Math.max(1, Math.min(layout.columnsMax, capacity));
}

/** The policy's metadata line of a slot: LFU's count, a list (with W-TinyLFU's estimate), a bit. */
export function slotMeta(slot: SlotView): string {
  if (slot.count !== null) return `n=${slot.count}`;
  if (slot.estimate !== null && slot.list) {
    const short = slot.list === 'window' ? 'win' : slot.list === 'probation' ? 'prob' : 'prot';
    return `${short} f${slot.estimate}`;
  }
  if (slot.list) return slot.list;
  if (slot.bit !== null) return `bit ${slot.bit}`;
  return `${slot.hits} hit${slot.hits === 1 ? '' : 's'}`;
}

/**
 * A slot's description for screen readers and the tooltip. Times are virtual clock readings (not
 * "… ago"), so it changes only when the entry does.
 */
export function slotLabel(slot: SlotView): string {
  const parts = [`Slot ${slot.slot}: key ${slot.key}`, `${slot.hits} hits`];
  parts.push(`last read at ${secondsText(slot.lastAccessMs)}`);
  if (slot.expiresAtMs >= 0) parts.push(`expires at ${secondsText(slot.expiresAtMs)}`);
  if (slot.count !== null) parts.push(`count ${slot.count}`);
  if (slot.bit !== null) parts.push(`bit ${slot.bit}`);
  if (slot.list) parts.push(`list ${slot.list}`);
  if (slot.estimate !== null) parts.push(`estimated frequency ${slot.estimate}`);
  if (slot.rank === 0) parts.push('next to be evicted');
  if (slot.dirty) parts.push('dirty');
  if (slot.stale) parts.push('stale');
  return `${parts.join(', ')}. Enter: 20 reads of this key; E: expire it.`;
}

/** An element with the values last written to it, so unchanged values are never written again. */
class Mark<E extends Element = SVGElement> {
  private readonly last = new Map<string, string | null>();
  private lastText: string | null = null;
  constructor(readonly el: E) {}
  attr(name: string, value: string | number | null): this {
    const text = value === null ? null : String(value);
    if (this.last.get(name) === text && this.last.has(name)) return this;
    this.last.set(name, text);
    if (text === null) this.el.removeAttribute(name);
    else this.el.setAttribute(name, text);
    return this;
  }
  text(value: string): this {
    if (this.lastText !== value) {
      this.lastText = value;
      this.el.textContent = value;
    }
    return this;
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function make<K extends keyof SVGElementTagNameMap>(
  parent: Element,
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  parent.appendChild(el);
  return el;
}

/** Points along a path, with the distance covered at each, for placing marks by arc length. */
interface PathTable {
  xs: Float64Array;
  ys: Float64Array;
  lengths: Float64Array;
}

function cubicTable(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  x3: number,
  y3: number,
): PathTable {
  const samples = 64;
  const xs = new Float64Array(samples + 1);
  const ys = new Float64Array(samples + 1);
  const lengths = new Float64Array(samples + 1);
  for (let i = 0; i <= samples; i += 1) {
    const t = i / samples;
    const u = 1 - t;
    xs[i] = u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3;
    ys[i] = u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3;
    if (i > 0) {
      lengths[i] = lengths[i - 1]! + Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
    }
  }
  return { xs, ys, lengths };
}

function lineTable(x0: number, y0: number, x1: number, y1: number): PathTable {
  return {
    xs: Float64Array.of(x0, x1),
    ys: Float64Array.of(y0, y1),
    lengths: Float64Array.of(0, Math.hypot(x1 - x0, y1 - y0)),
  };
}

/** The point a fraction t of the way along a path, by distance. */
export function pointAlong(table: PathTable, t: number): { x: number; y: number } {
  const { xs, ys, lengths } = table;
  const last = lengths.length - 1;
  const target = Math.max(0, Math.min(1, t)) * lengths[last]!;
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (lengths[middle]! < target) low = middle;
    else high = middle;
  }
  const span = lengths[high]! - lengths[low]! || 1;
  const f = (target - lengths[low]!) / span;
  return { x: xs[low]! + (xs[high]! - xs[low]!) * f, y: ys[low]! + (ys[high]! - ys[low]!) * f };
}

interface Pulse {
  g: Mark<SVGGElement>;
  circle: Mark;
  label: Mark;
}

interface Flight {
  circle: Mark;
  title: Mark;
}

interface Cell {
  index: number;
  key: number | null;
  /** The transparent target in the SVG: focus, clicks, taps, description. */
  g: Mark<SVGGElement>;
  title: Mark;
  label: string | null;
  /** What the canvas last painted for this slot's face and bars; repainted only on change. */
  painted: string;
  paintedBars: string;
}

/** Canvas colours and fonts, read once per theme (never per frame). */
interface Paints {
  theme: 'light' | 'dark';
  fg: string;
  muted: string;
  raised: string;
  border: string;
  danger: string;
  bg: string;
  font: string;
}

function readPaints(root: HTMLElement, theme: 'light' | 'dark'): Paints {
  return {
    theme,
    fg: themeColor('--fg', '#1b1e24'),
    muted: themeColor('--fg-muted', '#545b66'),
    raised: themeColor('--bg-raised', '#ffffff'),
    border: themeColor('--border', '#d3d7de'),
    danger: themeColor('--danger', '#b3261e'),
    bg: themeColor('--bg', '#f6f7f9'),
    font: getComputedStyle(root).fontFamily || 'system-ui, sans-serif',
  };
}

export function createCacheView(root: HTMLElement, handlers: CacheViewHandlers): CacheView {
  // The width is read when the stage is made and when it is resized, never per frame.
  let widthPx = root.getBoundingClientRect().width;
  let layout: StageLayout = widthPx > 0 && widthPx < NARROW_BELOW_PX ? NARROW : WIDE;
  let lastDraw: {
    snapshot: CacheSnapshot;
    atMs: number;
    reducedMotion: boolean;
    playing: boolean;
  } | null = null;

  const drawing = select(root).append('div').attr('class', 'cache-drawing');
  const canvas = drawing
    .append('canvas')
    .attr('class', 'cache-canvas')
    .attr('aria-hidden', 'true')
    .attr('data-export-layer', 'moving')
    .node()!;
  const svg = drawing
    .append('svg')
    .attr('class', 'cache-svg')
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr('aria-label', 'App, cache and database, and the cache slots');
  const svgMark = new Mark(svg.node()!);
  svg
    .append('defs')
    .append('marker')
    .attr('id', 'cache-arrow')
    .attr('viewBox', '0 0 10 10')
    .attr('refX', 9)
    .attr('refY', 5)
    .attr('markerWidth', 7)
    .attr('markerHeight', 7)
    .attr('orient', 'auto')
    .append('path')
    .attr('d', 'M0,0 L10,5 L0,10 z')
    .attr('class', 'cache-arrowhead');
  // The topology's fixed parts are rebuilt only when the layout, read strategy or theme changes.
  const topology = svg.append('g').attr('class', 'topology').node()!;
  let topologyKey = '';
  let appSub: Mark | null = null;
  let cacheSub: Mark | null = null;
  let dbSub: Mark | null = null;
  let gaugeFill: Mark | null = null;
  let gaugeText: Mark | null = null;
  let linkLabels: Mark[] = [];
  let flightPath: PathTable = lineTable(0, 0, 1, 0);
  const flightsLayer = svg.append('g').attr('class', 'flights').node()!;
  const pulsesLayer = svg.append('g').attr('class', 'pulses').node()!;
  const slotsLayer = new Mark(svg.append('g').attr('class', 'slots').node()!);
  const more = new Mark(svg.append('text').attr('class', 'node-sub').node()!);
  const flights: Flight[] = [];
  for (let i = 0; i < FLIGHTS_MAX; i += 1) {
    const circle = make(flightsLayer, 'circle', { r: 5, display: 'none', stroke: 'var(--fg)' });
    flights.push({ circle: new Mark(circle), title: new Mark(make(circle, 'title')) });
  }
  const pulses: Pulse[] = [];
  for (let i = 0; i < PULSES_MAX; i += 1) {
    const g = make(pulsesLayer, 'g', { display: 'none' });
    pulses.push({
      g: new Mark(g),
      circle: new Mark(make(g, 'circle', { r: 6 })),
      label: new Mark(make(g, 'text', { class: 'pulse-label', y: -9, 'text-anchor': 'middle' })),
    });
  }
  let slotsPaintedAt = Number.NEGATIVE_INFINITY;

  let cells: Cell[] = [];
  let cellsKey = '';
  let labelCursor = 0;
  /** The slot band of the canvas is wiped when the grid changes shape. */
  let slotsWiped = false;

  let context: CanvasRenderingContext2D | null = null;
  let canvasKey = '';
  let paints: Paints | null = null;
  /** Canvas pixels per viewBox unit. */
  let pixelsPerUnit = 1;

  const keyOf = (event: KeyboardEvent, cell: Cell) => {
    if (cell.key === null) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      handlers.onReadBurst(cell.key);
    } else if (event.key === 'e' || event.key === 'E') {
      event.preventDefault();
      event.stopPropagation();
      handlers.onExpireKey(cell.key);
    }
  };

  function buildTopology(readThrough: boolean, theme: 'light' | 'dark'): void {
    const key = `${layout.width}|${readThrough}|${theme}`;
    if (key === topologyKey) return;
    topologyKey = key;
    topology.replaceChildren();
    const L = layout;
    const half = L.nodeW / 2;
    const top = L.nodeY - L.nodeH / 2;
    const bottom = L.nodeY + L.nodeH / 2;
    const links = make(topology, 'g');
    make(links, 'line', {
      class: 'cache-link',
      x1: L.appX + half,
      y1: L.nodeY,
      x2: L.cacheX - half,
      y2: L.nodeY,
      'marker-end': 'url(#cache-arrow)',
    });
    make(links, 'path', {
      class: 'cache-link',
      d: `M${L.cacheX + half},${L.nodeY} L${L.dbX - half},${L.nodeY}`,
      'marker-end': 'url(#cache-arrow)',
      opacity: readThrough ? 1 : 0.25,
    });
    const bend = L.nodeY + 80;
    make(links, 'path', {
      class: 'cache-link',
      d: `M${L.appX},${bottom} C${L.appX},${bend} ${L.dbX},${bend} ${L.dbX},${bottom}`,
      'marker-end': 'url(#cache-arrow)',
      opacity: readThrough ? 0.2 : 1,
    });
    flightPath = readThrough
      ? lineTable(L.cacheX + half, L.nodeY, L.dbX - half, L.nodeY)
      : cubicTable(L.appX, bottom, L.appX, bend, L.dbX, bend, L.dbX, bottom);
    const label = (x: number, y: number) =>
      new Mark(make(topology, 'text', { class: 'link-label', x, y, 'text-anchor': 'middle' }));
    linkLabels = [label((L.appX + L.cacheX) / 2, top - 8)];
    if (readThrough) {
      linkLabels.push(label((L.cacheX + L.dbX) / 2, L.narrow ? bottom + 14 : top - 8));
    } else if (L.narrow) {
      linkLabels.push(label(L.width / 2, bend + 12), label(L.width / 2, bend + 26));
    } else {
      linkLabels.push(label((L.appX + L.dbX) / 2, bend + 4));
    }
    const node = (x: number, title: string) => {
      const g = make(topology, 'g', { transform: `translate(${x - half},${top})` });
      make(g, 'rect', { class: 'cache-node', width: L.nodeW, height: L.nodeH, rx: 8 });
      make(g, 'text', {
        class: 'node-title',
        x: half,
        y: 22,
        'text-anchor': 'middle',
      }).textContent = title;
      return new Mark(
        make(g, 'text', { class: 'node-sub', x: half, y: 42, 'text-anchor': 'middle' }),
      );
    };
    appSub = node(L.appX, 'App');
    cacheSub = node(L.cacheX, 'Cache');
    dbSub = node(L.dbX, 'Database');
    const gauge = make(topology, 'g', {
      transform: `translate(${L.dbX + half + (L.narrow ? 2 : 12)},${top})`,
    });
    make(gauge, 'rect', { class: 'gauge-frame', width: L.gaugeW, height: L.nodeH });
    gaugeFill = new Mark(make(gauge, 'rect', { class: 'gauge-fill', width: L.gaugeW }));
    // Above the database, clear of the links and of the arrow that ends under it.
    gaugeText = new Mark(
      make(topology, 'text', {
        class: 'node-sub',
        x: L.width - 2,
        y: top - 8,
        'text-anchor': 'end',
      }),
    );
    const legendTop = L.topologyHeight - 14 - (L.narrow ? L.legendRowH : 0);
    const legend = make(topology, 'g', { transform: `translate(10,${legendTop})` });
    const columnW = (L.width - 10) / L.legendColumns;
    LEGEND.forEach(([outcome, text], i) => {
      const column = i % L.legendColumns;
      const row = Math.floor(i / L.legendColumns);
      const g = make(legend, 'g', {
        transform: `translate(${column * columnW},${row * L.legendRowH})`,
      });
      make(g, 'circle', { r: 5, cy: -4, fill: colorOf(outcome, theme) });
      make(g, 'text', { class: 'legend-label', x: 8 }).textContent =
        L.narrow && outcome === 'coalesced' ? 'waited (1 flight)' : text;
    });
  }

  function buildCells(drawn: number, cols: number): void {
    const key = `${drawn}|${cols}`;
    if (key === cellsKey) return;
    cellsKey = key;
    slotsLayer.el.replaceChildren();
    cells = [];
    labelCursor = 0;
    slotsWiped = true;
    for (let index = 0; index < drawn; index += 1) {
      const g = make(slotsLayer.el, 'g', {
        class: 'slot is-empty',
        transform: `translate(${(index % cols) * (CELL_W + GAP)},${Math.floor(index / cols) * (CELL_H + GAP)})`,
      });
      make(g, 'rect', { class: 'slot-hit', width: CELL_W, height: CELL_H, rx: 5 });
      const cell: Cell = {
        index,
        key: null,
        g: new Mark(g),
        title: new Mark(make(g, 'title')),
        label: null,
        painted: '',
        paintedBars: '',
      };
      g.addEventListener('keydown', (event) => keyOf(event, cell));
      g.addEventListener('click', () => {
        if (cell.key !== null) handlers.onReadBurst(cell.key);
      });
      cells.push(cell);
    }
  }

  function describe(cell: Cell, slot: SlotView | null): void {
    const label = slot ? slotLabel(slot) : `Slot ${cell.index}: empty`;
    if (label === cell.label) return;
    cell.label = label;
    cell.title.text(label);
    cell.g.attr('aria-label', slot ? label : null);
  }

  /** Sizes the canvas to the drawing (units → pixels); a new size repaints everything. */
  function prepareCanvas(height: number, theme: 'light' | 'dark'): CanvasRenderingContext2D | null {
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = Math.max(1, widthPx);
    const key = `${layout.width}|${height}|${cssWidth}|${ratio}|${theme}`;
    if (key !== canvasKey || !context) {
      canvasKey = key;
      pixelsPerUnit = (cssWidth / layout.width) * ratio;
      canvas.width = Math.max(1, Math.round(layout.width * pixelsPerUnit));
      canvas.height = Math.max(1, Math.round(height * pixelsPerUnit));
      context = canvas.getContext('2d');
      paints = readPaints(root, theme);
      for (const cell of cells) {
        cell.painted = '';
        cell.paintedBars = '';
      }
      slotsWiped = true;
    }
    context?.setTransform(pixelsPerUnit, 0, 0, pixelsPerUnit, 0, 0);
    return context;
  }

  function draw(
    snapshot: CacheSnapshot,
    atMs: number,
    reducedMotion: boolean,
    playing: boolean,
  ): void {
    const theme = currentTheme();
    const s = snapshot.settings;
    const L = layout;
    const readThrough = s.readStrategy === 'read-through';
    buildTopology(readThrough, theme);
    const cols = columnsFor(s.capacity, L);
    const drawn = Math.min(s.capacity, L.slotsMax);
    const rows = Math.ceil(drawn / cols);
    const gridW = cols * (CELL_W + GAP);
    const scale = Math.min(1, L.width / gridW);
    const gridX = (L.width - gridW * scale) / 2;
    const gridH = rows * (CELL_H + GAP) * scale;
    const height = Math.round(L.topologyHeight + gridH + (s.capacity > drawn ? 24 : 6));
    svgMark.attr('viewBox', `0 0 ${L.width} ${height}`);

    const requests = Math.round(snapshot.counters.requests).toLocaleString('en-US');
    appSub?.text(L.narrow ? `${requests} req` : `${requests} requests`);
    // "hits" only while it fits the box (up to 99/99 slots wide, never narrow).
    const fill = `${snapshot.resident}/${s.capacity}`;
    const hitsWord = !L.narrow && fill.length <= 5 ? ' hits' : '';
    cacheSub?.text(`${fill} · ${(snapshot.hitRatio * 100).toFixed(1)}%${hitsWord}`);
    dbSub?.text(`${snapshot.dbInFlight} in flight`);
    const peak = Math.max(1, snapshot.dbInFlightPeak);
    const fillH = Math.round((Math.min(snapshot.dbInFlight, peak) / peak) * L.nodeH);
    gaugeFill
      ?.attr('y', L.nodeH - fillH)
      .attr('height', fillH)
      .attr('fill', colorOf('miss', theme));
    const qps = Math.round(snapshot.dbQueriesPerSecond);
    gaugeText?.text(
      L.narrow
        ? `${qps} q/s · peak ${snapshot.dbInFlightPeak}`
        : `load ${qps} q/s · peak ${snapshot.dbInFlightPeak} at once`,
    );
    const [cacheLabel, dbLabel, dbLabel2] = linkLabels;
    cacheLabel?.text(`cache ${s.cacheLatencyMs} ms`);
    if (readThrough) dbLabel?.text(`database ${s.dbLatencyMs} ms · read-through`);
    else if (dbLabel2) {
      dbLabel?.text(`database ${s.dbLatencyMs} ms`);
      dbLabel2.text('cache-aside: the app fills the cache');
    } else dbLabel?.text(`database ${s.dbLatencyMs} ms · cache-aside: the app fills the cache`);

    buildCells(drawn, cols);
    slotsLayer.attr('transform', `translate(${gridX},${L.topologyHeight}) scale(${scale})`);
    more
      .attr('x', L.width / 2)
      .attr('y', height - 6)
      .attr('text-anchor', 'middle')
      .text(
        s.capacity > drawn
          ? `Showing ${drawn} of ${s.capacity.toLocaleString('en-US')} slots.`
          : '',
      );
    const ctx = prepareCanvas(height, theme);
    // Which row of the snapshot's slot columns each drawn slot is (−1: empty); a SlotView is made
    // only for the slots described or painted this frame.
    const columns = snapshot.slots;
    const rowOf = new Int32Array(drawn).fill(-1);
    for (let i = 0; i < columns.length; i += 1) {
      const at = columns.slot[i]!;
      if (at < drawn) rowOf[at] = i;
    }
    const slotAt = (index: number): SlotView | null => {
      const row = rowOf[index]!;
      return row < 0 ? null : slotViewAt(columns, row);
    };
    updateTargets(columns, rowOf, slotAt, playing);
    drawFlights(snapshot.fetches, atMs, reducedMotion, theme);
    drawPulses(snapshot, atMs, reducedMotion, theme);
    if (!ctx || !paints) return;
    const now = performance.now();
    const interval = cells.length > 64 ? SLOT_PAINT_INTERVAL_MANY_MS : SLOT_PAINT_INTERVAL_MS;
    if (playing && !slotsWiped && now - slotsPaintedAt < interval) return;
    slotsPaintedAt = now;
    const bySlot = cells.map((cell) => slotAt(cell.index));
    paintSlots(ctx, snapshot, bySlot, atMs, { x: gridX, y: L.topologyHeight, scale, cols }, paints);
  }

  /** The slots' targets in the SVG: which are filled, which is next, their descriptions. */
  function updateTargets(
    columns: SlotColumns,
    rowOf: Int32Array,
    slotAt: (index: number) => SlotView | null,
    playing: boolean,
  ): void {
    const focused = document.activeElement;
    for (const cell of cells) {
      const row = rowOf[cell.index]!;
      const filled = row >= 0;
      const key = filled ? columns.key[row]! : null;
      const keyChanged = key !== cell.key;
      cell.key = key;
      cell.g
        .attr(
          'class',
          `slot${filled ? '' : ' is-empty'}${filled && columns.rank[row] === 0 ? ' is-next' : ''}`,
        )
        .attr('tabindex', filled ? 0 : null)
        .attr('role', filled ? 'button' : null)
        .attr('data-key', key);
      // A new key, or the focused slot, is described at once; the rest a few per frame.
      if (keyChanged || cell.g.el === focused || !playing) describe(cell, slotAt(cell.index));
    }
    for (let n = 0; n < Math.min(LABELS_PER_FRAME, cells.length); n += 1) {
      labelCursor = (labelCursor + 1) % cells.length;
      const cell = cells[labelCursor]!;
      describe(cell, slotAt(cell.index));
    }
  }

  /** Database queries in flight, placed along their link by how far through their latency. */
  function drawFlights(
    fetches: FetchView[],
    atMs: number,
    reducedMotion: boolean,
    theme: 'light' | 'dark',
  ): void {
    let used = 0;
    for (let i = 0; i < fetches.length && used < FLIGHTS_MAX; i += 1) {
      const f = fetches[i]!;
      if (f.doneAtMs <= atMs) continue;
      const flight = flights[used]!;
      const index = used;
      used += 1;
      const t = reducedMotion
        ? 1
        : Math.max(
            0,
            Math.min(1, (atMs - f.startedAtMs) / Math.max(1, f.doneAtMs - f.startedAtMs)),
          );
      // Reduced motion: no travel; the queries in flight wait in rows under the database.
      const perRow = layout.narrow ? 8 : 10;
      const point = reducedMotion
        ? {
            x: layout.dbX + 10 + (index % perRow) * 6,
            y: layout.nodeY + layout.nodeH / 2 + 12 + Math.floor(index / perRow) * 6,
          }
        : pointAlong(flightPath, t);
      const waiting = f.waiters > 0;
      flight.circle
        .attr('display', null)
        .attr('cx', point.x.toFixed(1))
        .attr('cy', point.y.toFixed(1))
        .attr('r', waiting ? 7 : 5)
        .attr('stroke-width', waiting ? 2 : 0.5)
        .attr('fill', colorOf(f.kind === 'refresh' ? 'refresh' : 'miss', theme));
      flight.title.text(
        `Database query for key ${f.key}${waiting ? `, ${f.waiters} requests waiting on it` : ''}`,
      );
    }
    for (let i = used; i < FLIGHTS_MAX; i += 1) flights[i]!.circle.attr('display', 'none');
  }

  /** The latest requests as pulses on the app → cache link, coloured and labelled by outcome. */
  function drawPulses(
    snapshot: CacheSnapshot,
    atMs: number,
    reducedMotion: boolean,
    theme: 'light' | 'dark',
  ): void {
    const L = layout;
    const recent = snapshot.recentRequests;
    const first = Math.max(0, recent.length - PULSES_MAX);
    const start = L.appX + L.nodeW / 2;
    const travel = L.cacheX - L.appX - L.nodeW;
    // Newest first: a pulse is labelled with its key only when clear of the last labelled one.
    let lastLabelledX = Number.POSITIVE_INFINITY;
    for (let i = PULSES_MAX - 1; i >= 0; i -= 1) {
      const pulse = pulses[i]!;
      const r = recent[first + i];
      if (!r) {
        pulse.g.attr('display', 'none');
        continue;
      }
      const age = Math.max(0, atMs - r.atMs);
      const t = reducedMotion ? 1 : Math.min(1, age / 400);
      const x = reducedMotion ? start + 16 + i * (L.narrow ? 8 : 14) : start + t * travel;
      const y = L.nodeY + (reducedMotion ? 30 : 0);
      pulse.g
        .attr('display', null)
        .attr('transform', `translate(${x.toFixed(1)},${y})`)
        .attr('opacity', reducedMotion ? 1 : Math.max(0.15, 1 - t * 0.7).toFixed(2));
      pulse.circle.attr('fill', colorOf(r.outcome, theme));
      const clear = lastLabelledX === Number.POSITIVE_INFINITY || x - lastLabelledX >= 26;
      if (clear && !reducedMotion && !L.narrow) {
        lastLabelledX = x;
        pulse.label.text(String(r.key));
      } else pulse.label.text('');
    }
  }

  /** Each slot's box, key, metadata, badges and bars; a slot is repainted only when they change. */
  function paintSlots(
    ctx: CanvasRenderingContext2D,
    snapshot: CacheSnapshot,
    bySlot: (SlotView | null)[],
    atMs: number,
    grid: { x: number; y: number; scale: number; cols: number },
    p: Paints,
  ): void {
    if (slotsWiped) {
      slotsWiped = false;
      ctx.clearRect(0, layout.topologyHeight, layout.width, canvas.height / pixelsPerUnit);
    }
    const ttlMax = Math.max(1, snapshot.settings.ttlMs);
    const ttlColor = seriesColor(4, p.theme);
    const recencyColor = seriesColor(2, p.theme);
    // Many slots: bars move in steps of 2 units, so fewer slots change between paints.
    const barStep = cells.length > 64 ? 2 : 1;
    for (const cell of cells) {
      const slot = bySlot[cell.index] ?? null;
      let face: string;
      let flash: string | null = null;
      let ttlW = 0;
      let recencyW = 0;
      let meta = '';
      let badge = 'empty';
      if (slot) {
        const sinceRead = atMs - slot.lastAccessMs;
        flash =
          slot.hits > 0 &&
          sinceRead >= 0 &&
          sinceRead < 300 &&
          slot.lastAccessMs > slot.insertedAtMs
            ? colorOf(slot.stale ? 'stale' : 'hit', p.theme)
            : atMs - slot.insertedAtMs < 300
              ? colorOf('miss', p.theme)
              : null;
        const ttlLeft =
          slot.expiresAtMs < 0 ? 0 : Math.max(0, Math.min(1, (slot.expiresAtMs - atMs) / ttlMax));
        ttlW = Math.round((ttlLeft * BAR_W) / barStep) * barStep;
        // Recency: full just after a read, fading over ten seconds.
        recencyW = Math.round((Math.max(0.05, 1 - sinceRead / 10_000) * BAR_W) / barStep) * barStep;
        meta = slotMeta(slot);
        badge =
          `${slot.rank === 0 ? 'next' : ''}${slot.dirty ? ' D' : ''}${slot.stale ? ' S' : ''}`.trim();
        face = `${slot.key}|${meta}|${badge}|${flash}|${slot.rank === 0}`;
      } else face = 'empty';
      const bars = `${ttlW}|${recencyW}`;
      const faceChanged = face !== cell.painted;
      if (!faceChanged && bars === cell.paintedBars) continue;
      cell.painted = face;
      cell.paintedBars = bars;
      const col = cell.index % grid.cols;
      const row = Math.floor(cell.index / grid.cols);
      ctx.save();
      ctx.translate(
        grid.x + col * (CELL_W + GAP) * grid.scale,
        grid.y + row * (CELL_H + GAP) * grid.scale,
      );
      ctx.scale(grid.scale, grid.scale);
      const look = { flash, ttlW, recencyW, meta, badge, ttlColor, recencyColor };
      if (faceChanged) {
        ctx.clearRect(-GAP / 2, -GAP / 2, CELL_W + GAP, CELL_H + GAP);
        paintCell(ctx, slot, look, p);
      } else if (slot) {
        // Only the bars moved: repaint their strip on the slot's own background.
        ctx.fillStyle = p.raised;
        ctx.fillRect(3, CELL_H - 13, BAR_W, 10);
        paintBars(ctx, look);
      }
      ctx.restore();
    }
  }

  function paintBars(
    ctx: CanvasRenderingContext2D,
    look: { ttlW: number; recencyW: number; ttlColor: string; recencyColor: string },
  ): void {
    ctx.fillStyle = look.recencyColor;
    ctx.fillRect(3, CELL_H - 13, look.recencyW, 4);
    ctx.fillStyle = look.ttlColor;
    ctx.fillRect(3, CELL_H - 7, look.ttlW, 4);
  }

  function paintCell(
    ctx: CanvasRenderingContext2D,
    slot: SlotView | null,
    look: {
      flash: string | null;
      ttlW: number;
      recencyW: number;
      meta: string;
      badge: string;
      ttlColor: string;
      recencyColor: string;
    },
    p: Paints,
  ): void {
    const inset = 1;
    ctx.beginPath();
    ctx.roundRect(inset, inset, CELL_W - 2 * inset, CELL_H - 2 * inset, 5);
    if (!slot) {
      ctx.setLineDash([3, 3]);
      ctx.lineWidth = 1;
      ctx.strokeStyle = p.border;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `9px ${p.font}`;
      ctx.textAlign = 'center';
      ctx.fillStyle = p.muted;
      ctx.fillText('empty', CELL_W / 2, 44);
      return;
    }
    const next = slot.rank === 0;
    ctx.fillStyle = p.raised;
    ctx.fill();
    ctx.lineWidth = look.flash ? 3 : next ? 2.5 : 1;
    ctx.strokeStyle = look.flash ?? (next ? p.danger : p.border);
    ctx.stroke();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.font = `700 14px ${p.font}`;
    ctx.fillStyle = p.fg;
    ctx.fillText(String(slot.key), CELL_W / 2, 20);
    ctx.font = `10px ${p.font}`;
    ctx.fillStyle = p.muted;
    ctx.fillText(look.meta, CELL_W / 2, 33);
    if (look.badge) {
      ctx.font = `${next ? '700 ' : ''}10px ${p.font}`;
      ctx.fillStyle = next ? p.danger : p.muted;
      ctx.fillText(look.badge, CELL_W / 2, 44);
    }
    paintBars(ctx, look);
  }

  const resize = new ResizeObserver((entries) => {
    const width = entries[0]?.contentRect.width ?? 0;
    if (width <= 0) return;
    widthPx = width;
    const next = width < NARROW_BELOW_PX ? NARROW : WIDE;
    if (next !== layout) {
      layout = next;
      topologyKey = '';
      cellsKey = '';
    }
    if (lastDraw) draw(lastDraw.snapshot, lastDraw.atMs, lastDraw.reducedMotion, lastDraw.playing);
  });
  resize.observe(root);

  return {
    update(snapshot, atMs, reducedMotion, playing = false) {
      lastDraw = { snapshot, atMs, reducedMotion, playing };
      draw(snapshot, atMs, reducedMotion, playing);
    },
    destroy() {
      resize.disconnect();
      drawing.remove();
    },
  };
}
