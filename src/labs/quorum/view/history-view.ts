/**
 * The history as a space-time diagram: one lane per client, a bar from each operation's
 * invocation to its completion, labelled with what it wrote or read. Failed operations are
 * hatched, stale reads carry a red outline and a warning triangle, and operations the checker
 * picked out are outlined in the foreground colour.
 *
 * Drawn on a canvas: at the large scene hundreds of bars slide left every frame, which as SVG
 * meant thousands of attribute writes per frame. Pointing at a bar (or tapping it) describes it
 * in the readout under the diagram; with the diagram focused, ← and → step through the
 * operations, Home and End jump to the first and last, Escape clears.
 */

import { scaleLinear } from 'd3';
import { observeWidth } from '../../../app/observe-width';
import { currentTheme, seriesColor, themeColor } from '../../../app/palette';
import { formatValue, keyName } from '../sim/constants';
import type { HistoryOp } from '../sim/model';

export const HISTORY_WIDTH = 600;
const LANE_HEIGHT = 26;
const MARGIN = { top: 8, right: 12, bottom: 32, left: 36 };
/** Bars narrower than this carry no label. */
const LABEL_MIN_WIDTH = 34;
/** The figures line under the diagram is rewritten at most this often while it keeps changing. */
const SUMMARY_INTERVAL_MS = 250;

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

/** What the figures line under the diagram says about the operations in view. */
export function summarizeVisible(visible: readonly HistoryOp[], highlight: readonly number[]) {
  const marked = new Set(highlight);
  let stale = 0;
  let failed = 0;
  let outlined = 0;
  for (const op of visible) {
    if (op.stale) stale += 1;
    if (op.status === 'fail') failed += 1;
    if (marked.has(op.id)) outlined += 1;
  }
  return { shown: visible.length, stale, failed, outlined };
}

export function summaryText(summary: ReturnType<typeof summarizeVisible>): string {
  const { shown, stale, failed, outlined } = summary;
  return `In view: ${shown} operation${shown === 1 ? '' : 's'}, ${stale} stale read${stale === 1 ? '' : 's'}, ${failed} failed${outlined > 0 ? `, ${outlined} outlined by the checker` : ''}.`;
}

/** The operations drawn: invoked by `atMs` and overlapping the window [atMs − windowMs, atMs]. */
export function visibleOps(ops: readonly HistoryOp[], atMs: number, windowMs: number): HistoryOp[] {
  const start = Math.max(0, atMs - windowMs);
  const end = Math.max(start + 1, atMs);
  return ops.filter(
    (op) => op.invokeMs <= end && (op.completeMs ?? atMs) >= start && op.invokeMs <= atMs,
  );
}

let viewCounter = 0;

/** The line height of a text sprite, in the diagram's units. */
const TEXT_HEIGHT = 13;
const TEXT_SPRITES_MAX = 400;

interface TextSprite {
  image: OffscreenCanvas | HTMLCanvasElement;
  /** Size in device pixels. */
  width: number;
  height: number;
}

/**
 * Text drawn once into a small offscreen canvas, then copied where it goes. fillText on a canvas
 * in the document makes Chromium bring the document's style up to date first, a forced style
 * recalculation in every frame that draws text; a copied image needs none.
 */
function createTextSprites() {
  const cache = new Map<string, TextSprite>();
  let font = '';
  let scale = 1;
  let size = 10;
  let theme = '';
  const makeCanvas = (width: number, height: number) =>
    typeof OffscreenCanvas === 'undefined'
      ? Object.assign(document.createElement('canvas'), { width, height })
      : new OffscreenCanvas(width, height);
  const measurer = makeCanvas(1, 1).getContext('2d') as
    | OffscreenCanvasRenderingContext2D
    | CanvasRenderingContext2D
    | null;

  function sprite(text: string, color: string): TextSprite | null {
    const key = `${color}|${text}`;
    const found = cache.get(key);
    if (found) return found;
    if (!measurer) return null;
    if (cache.size >= TEXT_SPRITES_MAX) cache.clear();
    const px = `${size * scale}px ${font}`;
    measurer.font = px;
    const width = Math.max(1, Math.ceil(measurer.measureText(text).width) + 1);
    const height = Math.ceil(TEXT_HEIGHT * (size / 10) * scale);
    const image = makeCanvas(width, height);
    const context = image.getContext('2d') as
      | OffscreenCanvasRenderingContext2D
      | CanvasRenderingContext2D
      | null;
    if (!context) return null;
    context.font = px;
    context.fillStyle = color;
    context.textBaseline = 'middle';
    context.fillText(text, 0, height / 2);
    const made = { image, width, height };
    cache.set(key, made);
    return made;
  }

  return {
    /** Starts a frame: a new font, size (diagram units), scale or theme empties the cache. */
    begin(nextFont: string, nextSize: number, nextScale: number, nextTheme: string): void {
      if (nextFont !== font || nextSize !== size || nextScale !== scale || nextTheme !== theme) {
        cache.clear();
        font = nextFont;
        size = nextSize;
        scale = nextScale;
        theme = nextTheme;
      }
    },
    /** Draws `text` with its vertical middle at y (diagram units), cut to maxWidth if given. */
    draw(
      context: CanvasRenderingContext2D,
      text: string,
      color: string,
      x: number,
      y: number,
      align: 'left' | 'center',
      maxWidth = Number.POSITIVE_INFINITY,
    ): void {
      const made = sprite(text, color);
      if (!made) return;
      const width = Math.min(made.width, maxWidth * scale);
      if (width <= 0) return;
      const left = align === 'center' ? x - made.width / scale / 2 : x;
      context.drawImage(
        made.image,
        0,
        0,
        width,
        made.height,
        left,
        y - made.height / scale / 2,
        width / scale,
        made.height / scale,
      );
    },
  };
}

interface Inputs {
  ops: readonly HistoryOp[];
  lanes: number;
  atMs: number;
  windowMs: number;
  highlight: readonly number[];
  keysShown: number;
}

export function createHistoryView(root: HTMLElement): HistoryView {
  const wrap = document.createElement('div');
  wrap.className = 'history-canvas-wrap';
  const canvas = document.createElement('canvas');
  canvas.className = 'history-canvas';
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    'Space-time diagram of client operations: one lane per client, a bar from invocation to completion. Use the left and right arrow keys to step through the operations; the line below describes the one selected.',
  );
  canvas.dataset.testid = 'history-canvas';
  wrap.append(canvas);
  const summary = document.createElement('p');
  summary.className = 'history-summary muted';
  summary.dataset.testid = 'history-summary';
  const readout = document.createElement('p');
  readout.className = 'history-readout';
  readout.dataset.testid = 'history-readout';
  readout.setAttribute('aria-live', 'polite');
  readout.textContent =
    'Point at a bar, or focus the diagram and use ← →, to read an operation here.';
  viewCounter += 1;
  const readoutId = `history-readout-${viewCounter}`;
  readout.id = readoutId;
  canvas.setAttribute('aria-describedby', readoutId);
  root.append(wrap, summary, readout);

  let cssWidth = HISTORY_WIDTH;
  let latest: Inputs | null = null;
  let drawnKey = '';
  let drawnInputs: Inputs | null = null;
  let visible: HistoryOp[] = [];
  /** The operation the readout describes (by id), chosen by pointer or keyboard. */
  let cursor: number | null = null;
  let summaryShown = '';
  let summaryPending = '';
  let summaryAt = 0;
  let summaryTimer: ReturnType<typeof setTimeout> | null = null;
  const text = createTextSprites();
  let context: CanvasRenderingContext2D | null = null;
  let hatch: { theme: string; pattern: CanvasPattern | null } | null = null;

  const stopObservingWidth = observeWidth(wrap, (widthPx) => {
    cssWidth = widthPx;
    drawnKey = '';
    draw();
  });

  function heightOf(lanes: number): number {
    return MARGIN.top + lanes * LANE_HEIGHT + MARGIN.bottom;
  }

  function hatchPattern(context: CanvasRenderingContext2D, theme: string) {
    if (hatch?.theme === theme) return hatch.pattern;
    const tile = document.createElement('canvas');
    tile.width = 6;
    tile.height = 6;
    const t = tile.getContext('2d');
    if (t) {
      t.strokeStyle = themeColor('--fg-muted', '#545b66');
      t.lineWidth = 1.5;
      t.beginPath();
      // Diagonal stripes that continue across tiles.
      t.moveTo(0, 6);
      t.lineTo(6, 0);
      t.moveTo(-3, 3);
      t.lineTo(3, -3);
      t.moveTo(3, 9);
      t.lineTo(9, 3);
      t.stroke();
    }
    hatch = { theme, pattern: context.createPattern(tile, 'repeat') };
    return hatch.pattern;
  }

  function writeSummary(text: string): void {
    summaryPending = text;
    if (text === summaryShown) return;
    const now = performance.now();
    if (now - summaryAt >= SUMMARY_INTERVAL_MS) {
      summaryShown = text;
      summaryAt = now;
      summary.textContent = text;
      return;
    }
    if (summaryTimer === null) {
      summaryTimer = setTimeout(
        () => {
          summaryTimer = null;
          if (summaryPending !== summaryShown) writeSummary(summaryPending);
        },
        SUMMARY_INTERVAL_MS - (now - summaryAt),
      );
    }
  }

  function describeCursor(): void {
    if (cursor === null || !latest) return;
    const op = latest.ops.find((o) => o.id === cursor);
    readout.textContent = op
      ? describeOp(op)
      : 'That operation is no longer in the recorded history.';
  }

  function draw(): void {
    const inputs = latest;
    if (!inputs) return;
    const theme = currentTheme();
    const key = `${theme}|${cssWidth}|${cursor}`;
    const previous = drawnInputs;
    if (
      key === drawnKey &&
      previous !== null &&
      previous.ops === inputs.ops &&
      previous.lanes === inputs.lanes &&
      previous.atMs === inputs.atMs &&
      previous.windowMs === inputs.windowMs &&
      previous.highlight === inputs.highlight &&
      previous.keysShown === inputs.keysShown
    ) {
      return;
    }
    drawnKey = key;
    drawnInputs = inputs;
    const { ops, lanes, atMs, windowMs, highlight, keysShown } = inputs;
    const height = heightOf(lanes);
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    const pixelWidth = Math.max(1, Math.round(cssWidth * ratio));
    const pixelHeight = Math.max(1, Math.round((cssWidth * height * ratio) / HISTORY_WIDTH));
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    // The context once: getContext looks the canvas's style up each time it is called.
    context ??= canvas.getContext('2d');
    if (!context) return;
    const unit = pixelWidth / HISTORY_WIDTH;
    context.setTransform(unit, 0, 0, unit, 0, 0);
    context.clearRect(0, 0, HISTORY_WIDTH, height);

    const fg = themeColor('--fg', theme === 'dark' ? '#e9ecf1' : '#1b1e24');
    const muted = themeColor('--fg-muted', theme === 'dark' ? '#a9b1bd' : '#545b66');
    const border = themeColor('--border', theme === 'dark' ? '#3a404a' : '#d3d7de');
    const danger = themeColor('--danger', theme === 'dark' ? '#ff8a80' : '#b3261e');
    const accent = themeColor('--accent', theme === 'dark' ? '#6cb4f0' : '#0a5fa8');
    const focus = themeColor('--focus', theme === 'dark' ? '#ffb366' : '#b34700');
    // The diagram scales with its width; on a narrow screen its text grows back towards 8 px.
    const textSize = 10 * Math.min(1.6, Math.max(1, (HISTORY_WIDTH / cssWidth) * 0.8));
    text.begin(themeColor('--mono', 'monospace'), textSize, unit, theme);

    const start = Math.max(0, atMs - windowMs);
    const end = Math.max(start + 1, atMs);
    const x = scaleLinear()
      .domain([start, end])
      .range([MARGIN.left, HISTORY_WIDTH - MARGIN.right]);
    const laneY = (lane: number) => MARGIN.top + lane * LANE_HEIGHT;
    const bottom = MARGIN.top + lanes * LANE_HEIGHT;

    // Lanes with their client names.
    context.lineWidth = 1;
    context.strokeStyle = border;
    context.beginPath();
    for (let lane = 0; lane < lanes; lane += 1) {
      const y = Math.round(laneY(lane) + LANE_HEIGHT / 2) + 0.5;
      context.moveTo(MARGIN.left, y);
      context.lineTo(HISTORY_WIDTH - MARGIN.right, y);
    }
    context.stroke();
    for (let lane = 0; lane < lanes; lane += 1) {
      text.draw(context, `C${lane + 1}`, fg, 4, laneY(lane) + LANE_HEIGHT / 2, 'left');
    }

    // The time axis.
    const axisY = bottom + 2.5;
    context.strokeStyle = muted;
    context.beginPath();
    context.moveTo(MARGIN.left, axisY);
    context.lineTo(HISTORY_WIDTH - MARGIN.right, axisY);
    const ticks = x.ticks(6);
    for (const tick of ticks) {
      const tx = Math.round(x(tick)) + 0.5;
      context.moveTo(tx, axisY);
      context.lineTo(tx, axisY + 6);
    }
    context.stroke();
    // As many decimals as the tick step needs (0.5 s steps read 0.5, 1.0, 1.5 …).
    const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : 1_000;
    const decimals = step >= 1_000 ? 0 : step >= 100 ? 1 : 2;
    for (const tick of ticks) {
      const label = `${(tick / 1000).toFixed(decimals)} s`;
      text.draw(
        context,
        label,
        muted,
        x(tick),
        axisY + 8 + (TEXT_HEIGHT * textSize) / 20,
        'center',
      );
    }

    // The bars.
    visible = visibleOps(ops, atMs, windowMs);
    const marked = new Set(highlight);
    const writeColor = seriesColor(4, theme);
    const readColor = seriesColor(0, theme);
    const pattern = hatchPattern(context, theme);
    context.save();
    context.beginPath();
    context.rect(MARGIN.left, 0, HISTORY_WIDTH - MARGIN.left - MARGIN.right, bottom + 2);
    context.clip();
    const barHeight = LANE_HEIGHT - 8;
    for (const op of visible) {
      const x0 = x(Math.max(op.invokeMs, start));
      const x1 = x(Math.min(op.completeMs ?? atMs, atMs));
      const width = Math.max(3, x1 - x0);
      const y = laneY(op.client) + 4;
      context.globalAlpha = op.status === 'pending' ? 0.55 : 1;
      context.fillStyle =
        op.status === 'fail' ? (pattern ?? muted) : op.kind === 'write' ? writeColor : readColor;
      context.fillRect(x0, y, width, barHeight);
      context.globalAlpha = 1;
      let strokeColor = muted;
      let strokeWidth = op.status === 'fail' ? 1 : 0.5;
      if (op.stale) {
        strokeColor = danger;
        strokeWidth = 3;
      }
      if (marked.has(op.id)) {
        strokeColor = fg;
        strokeWidth = 3.5;
      }
      context.strokeStyle = strokeColor;
      context.lineWidth = strokeWidth;
      context.strokeRect(x0, y, width, barHeight);
      if (op.stale) {
        // A warning triangle above the bar: the stale read is marked by shape, not colour only.
        context.fillStyle = danger;
        context.beginPath();
        context.moveTo(x0 - 1, y - 4);
        context.lineTo(x0 + 7, y - 4);
        context.lineTo(x0 + 3, y + 3);
        context.closePath();
        context.fill();
      }
      if (op.id === cursor) {
        context.strokeStyle = focus;
        context.lineWidth = 2;
        context.setLineDash([3, 2]);
        context.strokeRect(x0 - 3, y - 3, width + 6, barHeight + 6);
        context.setLineDash([]);
      }
      if (x1 - x0 > LABEL_MIN_WIDTH) {
        const color = op.status === 'ok' ? '#000' : fg;
        text.draw(
          context,
          opLabel(op, keysShown > 1),
          color,
          x0 + 3,
          y + barHeight / 2,
          'left',
          x1 - x0 - 5,
        );
      }
    }
    context.restore();

    // Now.
    context.strokeStyle = accent;
    context.lineWidth = 1.5;
    context.beginPath();
    context.moveTo(x(atMs), MARGIN.top);
    context.lineTo(x(atMs), bottom);
    context.stroke();

    writeSummary(summaryText(summarizeVisible(visible, highlight)));
  }

  /** The operation under a point of the canvas (CSS px from its top left), if any. */
  function opAt(offsetX: number, offsetY: number): HistoryOp | null {
    const inputs = latest;
    if (!inputs) return null;
    const scale = HISTORY_WIDTH / Math.max(1, cssWidth);
    const px = offsetX * scale;
    const py = offsetY * scale;
    const lane = Math.floor((py - MARGIN.top) / LANE_HEIGHT);
    if (lane < 0 || lane >= inputs.lanes) return null;
    const start = Math.max(0, inputs.atMs - inputs.windowMs);
    const end = Math.max(start + 1, inputs.atMs);
    const x = scaleLinear()
      .domain([start, end])
      .range([MARGIN.left, HISTORY_WIDTH - MARGIN.right]);
    let best: HistoryOp | null = null;
    // About 10 CSS px either side, so a finger can pick a thin bar.
    let bestDistance = Math.max(4, 10 * scale);
    for (const op of visible) {
      if (op.client !== lane) continue;
      const x0 = x(Math.max(op.invokeMs, start));
      const x1 = x0 + Math.max(3, x(Math.min(op.completeMs ?? inputs.atMs, inputs.atMs)) - x0);
      const distance = px < x0 ? x0 - px : px > x1 ? px - x1 : 0;
      if (distance < bestDistance) {
        best = op;
        bestDistance = distance;
      }
    }
    return best;
  }

  const select = (op: HistoryOp | null) => {
    if (op === null) return;
    cursor = op.id;
    describeCursor();
    draw();
  };
  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerType === 'mouse') select(opAt(event.offsetX, event.offsetY));
  });
  canvas.addEventListener('pointerdown', (event) => {
    select(opAt(event.offsetX, event.offsetY));
  });
  canvas.addEventListener('keydown', (event) => {
    const ops = latest?.ops ?? [];
    if (ops.length === 0) return;
    const index = cursor === null ? -1 : ops.findIndex((op) => op.id === cursor);
    let next: number | null = null;
    if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') {
      next = index < 0 ? lastVisibleIndex(ops) : Math.max(0, index - 1);
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowDown') {
      next = index < 0 ? lastVisibleIndex(ops) : Math.min(ops.length - 1, index + 1);
    } else if (event.key === 'Home') {
      next = 0;
    } else if (event.key === 'End') {
      next = ops.length - 1;
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cursor = null;
      drawnKey = '';
      draw();
      return;
    } else {
      return;
    }
    event.preventDefault();
    select(ops[next] ?? null);
  });

  function lastVisibleIndex(ops: readonly HistoryOp[]): number {
    const last = visible.at(-1);
    const index = last ? ops.indexOf(last) : -1;
    return index >= 0 ? index : ops.length - 1;
  }

  return {
    update(ops, lanes, atMs, windowMs, highlight, keysShown) {
      const previous = latest;
      latest = { ops, lanes, atMs, windowMs, highlight, keysShown };
      // Keep the readout in step when the selected operation itself changed (it completed).
      if (cursor !== null && previous !== null && previous.ops !== ops) {
        const before = previous.ops.find((o) => o.id === cursor);
        const after = ops.find((o) => o.id === cursor);
        if (before !== after) describeCursor();
      }
      draw();
    },
    destroy() {
      stopObservingWidth();
      if (summaryTimer !== null) clearTimeout(summaryTimer);
      wrap.remove();
      summary.remove();
      readout.remove();
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
