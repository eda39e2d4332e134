/**
 * The stage's d3 view: one row per lane, in one SVG with one canvas on top. The SVG holds what
 * stands still (clients, the limiter's box and caption, the API, gateways and the store) and is
 * rebuilt only when the settings, the theme or the width change. The canvas draws what moves
 * every frame: the limiter's state (bucket level, queue, window counters, log timestamps ageing
 * out, GCRA's TAT) and the request dots: a dot travels to the limiter, then passes on to the API
 * (circle), waits in the queue (square) or bounces back with a 429 (cross).
 *
 * Both layers are laid out in CSS pixels (the viewBox is the element's own size), so text is
 * drawn at its real size on a phone as on a desktop. Dots are batched into one path per shape,
 * colour and opacity step, so a frame of thousands of dots is a few dozen canvas calls.
 * Positions are pure functions of the frame's virtual time, so any speed and any seek are exact.
 */

import { select } from 'd3';
import { observeWidth } from '../../../app/observe-width';
import { currentTheme, seriesColor, themeColor } from '../../../app/palette';
import { DOT_LIFE_MS, DOT_TRAVEL_MS } from '../sim/constants';
import type { LaneView, RateLimiterSnapshot } from '../sim/snapshot';

/** Font sizes in CSS px; the stage is never scaled, so these are what a reader sees. */
export const FONT_PX = { title: 13, label: 12, caption: 11 } as const;
/** Below this width the stage uses its compact layout. */
export const NARROW_PX = 560;
export const STAGE_WIDTH_MIN = 260;
/** The limiter's box is never narrower than this (its figure is drawn to fit inside). */
export const BOX_MIN_PX = 130;
/** The least distance between two clients' rows. */
export const CLIENT_ROW_MIN_PX = 15;

/** Where everything of one lane sits, in CSS px from the lane's top-left corner. */
export interface Geometry {
  width: number;
  narrow: boolean;
  laneHeight: number;
  laneGap: number;
  height: number;
  /** The lane's title baseline. */
  titleY: number;
  /** Client labels end here; the client's dot sits at dotX. */
  labelRight: number;
  dotX: number;
  clientTop: number;
  clientBottom: number;
  /** The limiter's box (local mode). */
  boxX: number;
  boxW: number;
  /** Between the clients and the API: the gateways, the store and their messages (distributed). */
  spanX: number;
  spanW: number;
  boxTop: number;
  boxBottom: number;
  gatewayW: number;
  storeW: number;
  apiX: number;
  apiW: number;
}

export function geometryOf(width: number, clients: number, lanes: number): Geometry {
  const w = Math.max(STAGE_WIDTH_MIN, Math.round(width));
  const narrow = w < NARROW_PX;
  const titleY = 15;
  const clientTop = 34;
  // Client rows at least CLIENT_ROW_MIN_PX apart, so 12 px labels never touch.
  const laneHeight = Math.max(108, clientTop + CLIENT_ROW_MIN_PX * Math.max(0, clients - 1) + 14);
  const clientBottom = laneHeight - 14;
  const labelRight = 70;
  const dotX = 78;
  const apiW = narrow ? 42 : 64;
  const apiX = w - apiW - 4;
  // On a phone the limiter's box keeps at least BOX_MIN_PX; the dots' paths give way.
  const travel = narrow
    ? Math.min(26, Math.max(12, (apiX - dotX - BOX_MIN_PX) / 2))
    : Math.min(150, Math.max(50, w * 0.12));
  const spanStart = dotX + travel;
  const spanEnd = apiX - travel;
  const span = Math.max(100, spanEnd - spanStart);
  const boxW = Math.min(220, span);
  const boxX = spanStart + (span - boxW) / 2;
  const laneGap = 8;
  return {
    width: w,
    narrow,
    laneHeight,
    laneGap,
    height: lanes * laneHeight + Math.max(0, lanes - 1) * laneGap,
    titleY,
    labelRight,
    dotX,
    clientTop,
    clientBottom,
    boxX,
    boxW,
    spanX: spanStart,
    spanW: span,
    boxTop: 22,
    boxBottom: laneHeight - 6,
    gatewayW: narrow ? 36 : 56,
    storeW: narrow ? 40 : 96,
    apiX,
    apiW,
  };
}

export function clientY(g: Geometry, client: number, clients: number): number {
  if (clients <= 1) return (g.boxTop + g.boxBottom) / 2;
  return g.clientTop + ((g.clientBottom - g.clientTop) * client) / (clients - 1);
}

export function gatewayY(g: Geometry, index: number, count: number): number {
  return g.boxTop + 8 + ((g.boxBottom - g.boxTop - 16) * (index + 0.5)) / count;
}

function midY(g: Geometry): number {
  return (g.boxTop + g.boxBottom) / 2;
}

function laneTop(g: Geometry, index: number): number {
  return index * (g.laneHeight + g.laneGap);
}

export interface LanesView {
  update(snapshot: RateLimiterSnapshot, atMs: number, reducedMotion: boolean): void;
  destroy(): void;
}

/** Circle (passed), square (waiting), cross (429), diamond (store message), ring (selected). */
type Shape = 0 | 1 | 2 | 3 | 4;
const SHAPES = 5;
/** Client colours, then the 429 colour, the text colour and the accent. */
const COLOURS = 11;
const DANGER = 8;
const INK = 9;
const ACCENT = 10;

/** Where each dot was drawn this frame, for clicks: lane, request id, position (CSS px). */
interface Placed {
  count: number;
  lane: Uint8Array;
  id: Int32Array;
  x: Float32Array;
  y: Float32Array;
}

function createPlaced(capacity: number): Placed {
  return {
    count: 0,
    lane: new Uint8Array(capacity),
    id: new Int32Array(capacity),
    x: new Float32Array(capacity),
    y: new Float32Array(capacity),
  };
}

export function createLanesView(
  root: HTMLElement,
  handlers: { onSelect(lane: number, id: number): void },
): LanesView {
  const container = select(root);
  container.selectAll('*').remove();
  const box = container.append('div').attr('class', 'rl-stage-box');
  const svg = box
    .append('svg')
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr(
      'aria-label',
      'Lanes: clients on the left, the limiter in the middle, the API on the right',
    );
  // One canvas over the SVG: the limiters' states and labels are drawn on it as vectors, then
  // the dots on top, which are written pixel by pixel into an offscreen image (thousands of tiny
  // paths or image draws cost far more to raster) and drawn over in one go.
  const canvas = box
    .append('canvas')
    .attr('class', 'rl-dots')
    .attr('data-export-layer', 'stage')
    .attr('aria-hidden', 'true')
    .node()!;
  const ctx = canvas.getContext('2d');
  let dotsImage = new OffscreenCanvas(1, 1);
  let dotsCtx = dotsImage.getContext('2d');
  let pixels: PixelLayer | null = null;
  let placed = createPlaced(4_096);
  let width = Math.round(root.clientWidth) || 600;
  let geometry: Geometry | null = null;
  let frameKey = '';
  let fontFamily = 'sans-serif';
  let latest: { snapshot: RateLimiterSnapshot; atMs: number; reducedMotion: boolean } | null = null;

  // The width is read when it changes, never per frame: reading layout after a frame's writes
  // would force a synchronous layout every frame.
  const stopObservingWidth = observeWidth(root, (widthPx) => {
    const next = Math.round(widthPx);
    if (next === width) return;
    width = next;
    if (latest) draw(latest.snapshot, latest.atMs, latest.reducedMotion);
  });

  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    let best = -1;
    let bestDistance = 14 * 14;
    for (let i = 0; i < placed.count; i += 1) {
      const d = (placed.x[i]! - x) ** 2 + (placed.y[i]! - y) ** 2;
      if (d < bestDistance) {
        best = i;
        bestDistance = d;
      }
    }
    if (best >= 0) handlers.onSelect(placed.lane[best]!, placed.id[best]!);
  });

  function layout(snapshot: RateLimiterSnapshot): Geometry {
    const key = `${snapshot.settingsVersion}|${currentTheme()}|${width}|${snapshot.lanes.length}`;
    if (geometry && key === frameKey) return geometry;
    frameKey = key;
    const g = geometryOf(width, snapshot.clients.length, snapshot.lanes.length);
    geometry = g;
    fontFamily = getComputedStyle(root).fontFamily || fontFamily;
    svg
      .attr('viewBox', `0 0 ${g.width} ${g.height}`)
      .attr('width', g.width)
      .attr('height', g.height);
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    // The dots' pixels are whole multiples of CSS pixels (1 or 2), so the masks line up.
    const dotScale = ratio >= 1.5 ? 2 : 1;
    canvas.width = Math.round(g.width * dotScale);
    canvas.height = Math.round(g.height * dotScale);
    canvas.style.width = `${g.width}px`;
    canvas.style.height = `${g.height}px`;
    dotsImage = new OffscreenCanvas(canvas.width, canvas.height);
    dotsCtx = dotsImage.getContext('2d');
    pixels = dotsCtx ? createPixelLayer(dotsCtx, canvas.width, canvas.height, dotScale) : null;
    svg.selectAll('*').remove();
    for (const lane of snapshot.lanes) {
      const group = svg
        .append('g')
        .attr('transform', `translate(0,${laneTop(g, lane.index)})`)
        .attr('data-testid', `lane-stage-${lane.index}`)
        .attr('role', 'img')
        .attr(
          'aria-label',
          `${lane.label}: clients on the left, the ${lane.dist ? 'gateways and counter store' : 'limiter'} in the middle, the API on the right`,
        );
      drawFrame(group.node()!, g, lane, snapshot);
    }
    return g;
  }

  function draw(snapshot: RateLimiterSnapshot, atMs: number, reducedMotion: boolean): void {
    latest = { snapshot, atMs, reducedMotion };
    const g = layout(snapshot);
    if (!ctx || !dotsCtx || !pixels) return;
    let dots = 0;
    for (const lane of snapshot.lanes) dots += lane.dots.count;
    if (dots > placed.id.length) placed = createPlaced(Math.max(dots, placed.id.length * 2));
    placed.count = 0;
    const ratio = canvas.width / g.width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    pixels.data.fill(0);
    const theme = currentTheme();
    const colours = {
      fg: themeColor('--fg', '#1b1e24'),
      accent: themeColor('--accent', '#0a5fa8'),
      danger: themeColor('--danger', '#b3261e'),
      clients: Array.from({ length: 8 }, (_, i) => seriesColor(i, theme)),
    };
    const ink = inkFor(pixels, colours);
    for (const lane of snapshot.lanes) {
      const top = laneTop(g, lane.index);
      ctx.setTransform(ratio, 0, 0, ratio, 0, ratio * top);
      drawPicture(ctx, g, lane, snapshot, colours, fontFamily);
      drawDots(pixels, ink, g, lane, snapshot, atMs, reducedMotion, placed, top);
      if (lane.dist) drawMessages(pixels, ink, g, lane, atMs, reducedMotion, top);
    }
    dotsCtx.putImageData(pixels.image, 0, 0);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.drawImage(dotsImage, 0, 0);
  }

  return {
    update: draw,
    destroy() {
      stopObservingWidth();
      container.selectAll('*').remove();
      latest = null;
    },
  };
}

interface Colours {
  fg: string;
  accent: string;
  danger: string;
  clients: string[];
}

/** The still parts of a lane: title, clients, limiter box, API (and gateways and store). */
function drawFrame(
  node: SVGGElement,
  g: Geometry,
  lane: LaneView,
  snapshot: RateLimiterSnapshot,
): void {
  const root = select(node);
  const theme = currentTheme();
  const fg = themeColor('--fg', '#1b1e24');
  const muted = themeColor('--fg-muted', '#545b66');
  const border = themeColor('--border', '#d3d7de');
  root
    .append('rect')
    .attr('class', 'lane-bg')
    .attr('x', 0)
    .attr('y', 0)
    .attr('width', g.width)
    .attr('height', g.laneHeight)
    .attr('rx', 6)
    .attr('fill', 'none')
    .attr('stroke', border);
  root
    .append('text')
    .attr('class', 'lane-title')
    .attr('x', 8)
    .attr('y', g.titleY)
    .attr('font-size', FONT_PX.title)
    .attr('font-weight', 600)
    .attr('fill', fg)
    .text(lane.label);
  const n = snapshot.clients.length;
  const clients = root.append('g').attr('class', 'clients');
  snapshot.clients.forEach((client, i) => {
    const y = clientY(g, i, n);
    const row = clients.append('g').attr('transform', `translate(${g.dotX},${y})`);
    row.append('circle').attr('r', 4.5).attr('fill', seriesColor(i, theme));
    row
      .append('text')
      .attr('class', 'client-label')
      .attr('x', g.labelRight - g.dotX)
      .attr('y', 4)
      .attr('text-anchor', 'end')
      .attr('font-size', FONT_PX.label)
      .attr('fill', fg)
      .text(client.abusive ? `${client.name} ⚠` : client.name);
  });
  const mid = midY(g);
  if (lane.dist) {
    const gateways = lane.dist.gateways;
    gateways.forEach((gateway, i) => {
      const y = gatewayY(g, i, gateways.length);
      const gw = root.append('g').attr('transform', `translate(${g.spanX},${y})`);
      gw.append('rect')
        .attr('x', 0)
        .attr('y', -8)
        .attr('width', g.gatewayW)
        .attr('height', 16)
        .attr('rx', 4)
        .attr('fill', 'none')
        .attr('stroke', muted);
      gw.append('text')
        .attr('x', g.gatewayW / 2)
        .attr('y', 4)
        .attr('text-anchor', 'middle')
        .attr('font-size', FONT_PX.caption)
        .attr('fill', fg)
        .text(gateway.id);
    });
    const storeX = g.spanX + g.spanW - g.storeW;
    const store = root.append('g').attr('transform', `translate(${storeX},${mid})`);
    store
      .append('rect')
      .attr('x', 0)
      .attr('y', -16)
      .attr('width', g.storeW)
      .attr('height', 32)
      .attr('rx', 6)
      .attr('fill', 'none')
      .attr('stroke', muted)
      .attr('stroke-dasharray', '3 2');
    store
      .append('text')
      .attr('x', g.storeW / 2)
      .attr('y', 4)
      .attr('text-anchor', 'middle')
      .attr('font-size', FONT_PX.caption)
      .attr('fill', fg)
      .text(g.narrow ? 'store' : 'counter store');
  } else {
    root
      .append('rect')
      .attr('class', 'limiter-box')
      .attr('x', g.boxX)
      .attr('y', g.boxTop)
      .attr('width', g.boxW)
      .attr('height', g.boxBottom - g.boxTop)
      .attr('rx', 8)
      .attr('fill', 'none')
      .attr('stroke', border);
    root
      .append('text')
      .attr('class', 'limiter-caption')
      .attr('x', g.boxX + g.boxW / 2)
      .attr('y', g.boxTop + 14)
      .attr('text-anchor', 'middle')
      .attr('font-size', FONT_PX.caption)
      .attr('fill', muted)
      .text(captionOf(lane.algorithm));
  }
  const api = root.append('g').attr('transform', `translate(${g.apiX},${mid})`);
  api
    .append('rect')
    .attr('x', 0)
    .attr('y', -20)
    .attr('width', g.apiW)
    .attr('height', 40)
    .attr('rx', 6)
    .attr('fill', 'none')
    .attr('stroke', muted);
  api
    .append('text')
    .attr('x', g.apiW / 2)
    .attr('y', 4)
    .attr('text-anchor', 'middle')
    .attr('font-size', FONT_PX.label)
    .attr('fill', fg)
    .text('API');
}

function captionOf(kind: string): string {
  switch (kind) {
    case 'token-bucket':
      return 'tokens';
    case 'leaky-meter':
      return 'bucket level';
    case 'leaky-queue':
      return 'queue';
    case 'fixed-window':
      return 'count this window';
    case 'sliding-log':
      return 'log: last window →';
    case 'sliding-counter':
      return 'previous · current';
    default:
      return 'TAT ahead of now';
  }
}

/** The limiter's state, drawn on the canvas each frame: a handful of rectangles and a label. */
function drawPicture(
  ctx: CanvasRenderingContext2D,
  g: Geometry,
  lane: LaneView,
  snapshot: RateLimiterSnapshot,
  colours: Colours,
  fontFamily: string,
): void {
  const picture = lane.picture;
  if (!picture) return;
  const x0 = g.boxX + 10;
  const w = g.boxW - 20;
  const barTop = g.boxTop + 22;
  const barHeight = Math.max(24, g.boxBottom - g.boxTop - 50);
  const fill = Math.min(1, Math.max(0, picture.fill));
  const kind = picture.kind;
  const full = kind === 'token-bucket' || kind === 'gcra' ? fill <= 0.05 : fill >= 0.999;
  const hot = full ? colours.danger : colours.accent;
  const rect = (x: number, y: number, rw: number, rh: number, colour: string, alpha: number) => {
    if (rw <= 0 || rh <= 0) return;
    ctx.globalAlpha = alpha;
    ctx.fillStyle = colour;
    ctx.fillRect(x, y, rw, rh);
  };
  if (kind === 'sliding-log') {
    // A timeline of the last window: each accepted request a tick that slides left and falls off.
    rect(x0, barTop, w, barHeight, colours.fg, 0.06);
    ctx.globalAlpha = 0.9;
    ctx.fillStyle = colours.accent;
    ctx.beginPath();
    for (const age of picture.marks) {
      const x = x0 + w - (age / snapshot.limits.windowMs) * w;
      ctx.rect(x - 1, barTop, 2, barHeight);
    }
    ctx.fill();
  } else if (kind === 'fixed-window' || kind === 'sliding-counter') {
    const limit = snapshot.limits.limit;
    const half = w / 2 - 4;
    const clock = barTop + barHeight + 3;
    if (kind === 'sliding-counter') {
      const weight = 1 - picture.windowElapsed;
      const prevH = (Math.min(limit, picture.previousCount) / limit) * barHeight;
      rect(x0, barTop + barHeight - prevH, half, prevH, colours.accent, 0.25);
      rect(x0, barTop + barHeight - prevH * weight, half, prevH * weight, colours.accent, 0.8);
    }
    const curH = (Math.min(limit, picture.currentCount) / limit) * barHeight;
    const cx = kind === 'sliding-counter' ? x0 + half + 8 : x0;
    const cw = kind === 'sliding-counter' ? half : w;
    rect(cx, barTop, cw, barHeight, colours.fg, 0.06);
    rect(cx, barTop + barHeight - curH, cw, curH, hot, 0.85);
    // The window's clock.
    rect(x0, clock, w * picture.windowElapsed, 3, colours.fg, 0.6);
  } else if (kind === 'leaky-queue') {
    const slots = Math.max(1, snapshot.limits.burst);
    const shownSlots = Math.min(slots, 40);
    const slotW = w / shownSlots;
    const shown = Math.min(shownSlots, Math.round((fill * slots * shownSlots) / slots));
    const y = barTop + barHeight / 2 - 10;
    rect(x0, y, w, 20, colours.fg, 0.06);
    ctx.globalAlpha = 0.85;
    ctx.fillStyle = hot;
    ctx.beginPath();
    for (let i = 0; i < shown; i += 1) ctx.rect(x0 + i * slotW + 1, y, Math.max(1, slotW - 2), 20);
    ctx.fill();
  } else {
    // Token bucket, leaky meter, GCRA: one vessel. Tokens drain as requests take them; water
    // rises as requests pour in; GCRA's TAT runs ahead of now.
    const level = kind === 'gcra' ? 1 - fill : fill;
    const h = level * barHeight;
    const bx = x0 + w / 2 - 22;
    rect(bx, barTop, 44, barHeight, colours.fg, 0.08);
    rect(bx, barTop + barHeight - h, 44, h, hot, 0.85);
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = colours.fg;
  ctx.font = `${FONT_PX.label}px ${fontFamily}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(picture.label, g.boxX + g.boxW / 2, g.boxBottom - 8, g.boxW - 8);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * Math.min(1, Math.max(0, t));
}

/**
 * The dots' layer: an ImageData the dots are written into (source-over, by each shape's coverage
 * mask) and put on the canvas once per frame. `scale` is the device pixels per CSS pixel.
 */
interface PixelLayer {
  image: ImageData;
  data: Uint32Array;
  width: number;
  height: number;
  scale: number;
  /** Per shape: MASK_SIZE² coverages (0–255) at this scale. */
  masks: Uint8Array[];
  /** Per shape: the covered pixels only, as offsets in the layer from the mask's corner. */
  offsets: Int32Array[];
  coverages: Uint8Array[];
  maskSize: number;
  /** Per colour: 0x00BBGGRR, the byte order of ImageData on little-endian machines. */
  rgb: Uint32Array;
  inkKey: string;
}

/** A mask's side in CSS px: the dots are about 7 px across, the selection ring 16. */
const MASK_PX = 17;

function createPixelLayer(
  ctx: OffscreenCanvasRenderingContext2D,
  width: number,
  height: number,
  scale: number,
): PixelLayer {
  const image = ctx.createImageData(Math.max(1, width), Math.max(1, height));
  const maskSize = MASK_PX * scale;
  const masks = Array.from({ length: SHAPES }, (_, shape) => shapeMask(shape as Shape, scale));
  const covered = masks.map((mask) => {
    const at: number[] = [];
    mask.forEach((coverage, k) => {
      if (coverage > 0) at.push(k);
    });
    return at;
  });
  return {
    image,
    data: new Uint32Array(image.data.buffer),
    width: image.width,
    height: image.height,
    scale,
    masks,
    offsets: covered.map((at) =>
      Int32Array.from(at, (k) => Math.floor(k / maskSize) * image.width + (k % maskSize)),
    ),
    coverages: covered.map((at, shape) => Uint8Array.from(at, (k) => masks[shape]![k]!)),
    maskSize,
    rgb: new Uint32Array(COLOURS),
    inkKey: '',
  };
}

/** The colours as packed pixels, refreshed when the theme changes. */
function inkFor(layer: PixelLayer, colours: Colours): Uint32Array {
  const key = `${colours.danger}|${colours.fg}|${colours.accent}|${colours.clients.join(',')}`;
  if (layer.inkKey !== key) {
    layer.inkKey = key;
    for (let c = 0; c < COLOURS; c += 1) {
      const colour =
        c === DANGER
          ? colours.danger
          : c === INK
            ? colours.fg
            : c === ACCENT
              ? colours.accent
              : (colours.clients[c] ?? colours.fg);
      layer.rgb[c] = packRgb(colour);
    }
  }
  return layer.rgb;
}

/** '#rrggbb' (or '#rgb') as 0x00BBGGRR; anything else is drawn grey. */
export function packRgb(colour: string): number {
  let hex = colour.trim().replace('#', '');
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const value = /^[0-9a-f]{6}$/i.test(hex) ? Number.parseInt(hex, 16) : 0x888888;
  const r = (value >> 16) & 0xff;
  const g = (value >> 8) & 0xff;
  const b = value & 0xff;
  return ((b << 16) | (g << 8) | r) >>> 0;
}

/**
 * A shape's coverage of each pixel of a MASK_PX × scale square centred on the dot, 0–255, from
 * 4 × 4 samples per pixel: a circle of radius 3.2, a 6 × 6 square, a cross of two 1.6 px strokes,
 * a diamond 7 px across, or a ring of radius 7 and width 1.5.
 */
export function shapeMask(shape: Shape, scale: number): Uint8Array {
  const size = MASK_PX * scale;
  const mask = new Uint8Array(size * size);
  const centre = MASK_PX / 2;
  const inside = (x: number, y: number): boolean => {
    const dx = x - centre;
    const dy = y - centre;
    if (shape === 0) return dx * dx + dy * dy <= 3.2 * 3.2;
    if (shape === 1) return Math.abs(dx) <= 3 && Math.abs(dy) <= 3;
    if (shape === 3) return Math.abs(dx) + Math.abs(dy) <= 3.5;
    if (shape === 4) return Math.abs(Math.hypot(dx, dy) - 7) <= 0.75;
    // Distance to either diagonal, within the 6 × 6 span of the strokes.
    if (Math.abs(dx) > 3.4 || Math.abs(dy) > 3.4) return false;
    return Math.min(Math.abs(dx - dy), Math.abs(dx + dy)) / Math.SQRT2 <= 0.8;
  };
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy += 1) {
        for (let sx = 0; sx < 4; sx += 1) {
          if (inside((px + (sx + 0.5) / 4) / scale, (py + (sy + 0.5) / 4) / scale)) hits += 1;
        }
      }
      mask[py * size + px] = Math.round((hits / 16) * 255);
    }
  }
  return mask;
}

/** Writes one dot, source-over, centred at (x, y) in CSS px, at opacity `alpha` (0–1). */
function stamp(layer: PixelLayer, shape: Shape, rgb: number, x: number, y: number, alpha: number) {
  const left = Math.round((x - MASK_PX / 2) * layer.scale);
  const top = Math.round((y - MASK_PX / 2) * layer.scale);
  const size = layer.maskSize;
  const a255 = Math.min(1, alpha) * 255;
  if (left < 0 || top < 0 || left + size > layer.width || top + size > layer.height) {
    stampClipped(layer, shape, rgb, left, top, a255);
    return;
  }
  // Inside the layer: walk the mask's covered pixels by their precomputed offsets.
  const data = layer.data;
  const base = top * layer.width + left;
  const offsets = layer.offsets[shape]!;
  const coverages = layer.coverages[shape]!;
  for (let k = 0; k < offsets.length; k += 1) {
    blendPixel(data, base + offsets[k]!, rgb, (coverages[k]! * a255) / 255);
  }
}

function stampClipped(
  layer: PixelLayer,
  shape: Shape,
  rgb: number,
  left: number,
  top: number,
  a255: number,
) {
  const size = layer.maskSize;
  const mask = layer.masks[shape]!;
  for (let my = 0; my < size; my += 1) {
    const py = top + my;
    if (py < 0 || py >= layer.height) continue;
    for (let mx = 0; mx < size; mx += 1) {
      const px = left + mx;
      const coverage = mask[my * size + mx]!;
      if (coverage === 0 || px < 0 || px >= layer.width) continue;
      blendPixel(layer.data, py * layer.width + px, rgb, (coverage * a255) / 255);
    }
  }
}

/** Source-over of colour `rgb` at opacity `sa` (0–255) on straight (not premultiplied) RGBA. */
function blendPixel(data: Uint32Array, index: number, rgb: number, sa: number): void {
  const dst = data[index]!;
  const da = dst >>> 24;
  if (da === 0) {
    data[index] = (((sa + 0.5) << 24) | rgb) >>> 0;
    return;
  }
  const keep = (da * (255 - sa)) / 255;
  const oa = sa + keep;
  if ((dst & 0xffffff) === rgb) {
    // The same colour over itself (a client's stream of dots) only gains opacity.
    data[index] = (((oa + 0.5) << 24) | rgb) >>> 0;
    return;
  }
  const inv = 1 / oa;
  const r = ((rgb & 0xff) * sa + (dst & 0xff) * keep) * inv;
  const g = (((rgb >> 8) & 0xff) * sa + ((dst >> 8) & 0xff) * keep) * inv;
  const b = (((rgb >> 16) & 0xff) * sa + ((dst >> 16) & 0xff) * keep) * inv;
  data[index] = (((oa + 0.5) << 24) | ((b + 0.5) << 16) | ((g + 0.5) << 8) | (r + 0.5)) >>> 0;
}

function drawDots(
  layer: PixelLayer,
  ink: Uint32Array,
  g: Geometry,
  lane: LaneView,
  snapshot: RateLimiterSnapshot,
  atMs: number,
  reducedMotion: boolean,
  placed: Placed,
  top: number,
): void {
  const n = snapshot.clients.length;
  const mid = midY(g);
  const T = DOT_TRAVEL_MS;
  const d = lane.dots;
  const dist = lane.dist;
  // Requests arrive at the gateway's edge, so its name stays readable under the traffic.
  const gateX = dist ? g.spanX - 2 : g.boxX + 10;
  const waitX = dist
    ? g.spanX + g.gatewayW + 8
    : g.boxX + (lane.algorithm === 'leaky-queue' ? 40 : 20);
  // How far left a refused request bounces.
  const bounceX = Math.max(g.dotX + 12, (dist ? g.spanX : g.boxX) - (g.narrow ? 22 : 60));
  const selectedId = snapshot.selected?.lane === lane.index ? snapshot.selected.request.id : -1;
  let selectedX = Number.NaN;
  let selectedY = Number.NaN;
  for (let i = 0; i < d.count; i += 1) {
    const client = d.client[i]!;
    const at = d.atMs[i]!;
    const status = d.status[i]!;
    const decided = d.decidedAtMs[i]!;
    const forward = d.forwardAtMs[i]!;
    const y0 = clientY(g, client, n);
    const gateY = dist ? gatewayY(g, Math.max(0, d.gateway[i]!), dist.gateways.length) : mid;
    let x: number;
    let y: number;
    let alpha = 1;
    let shape: Shape = 0;
    if (reducedMotion) {
      // No movement: each request is drawn where it ended up, fading out.
      const end = status === 429 ? decided : forward >= 0 ? forward : at;
      alpha = Math.max(0.15, 1 - (atMs - end) / (DOT_LIFE_MS + 2 * T));
      if (status === 429) {
        shape = 2;
        x = bounceX;
        y = gateY + ((client * 7) % 30) - 15;
      } else if (status === 0 || (forward >= 0 && forward > atMs)) {
        shape = 1;
        x = waitX;
        y = gateY;
      } else {
        x = g.apiX - 14;
        y = mid + ((client * 7) % 30) - 15;
      }
    } else if (atMs < at + T) {
      const t = (atMs - at) / T;
      x = lerp(g.dotX + 6, gateX, t);
      y = lerp(y0, gateY, t);
    } else if (status === 0 || (status === 200 && atMs < forward + T)) {
      // Pending at the gateway, or waiting in the shaping queue until it leaves.
      shape = status === 0 || forward > decided ? 1 : 0;
      x = waitX;
      y = gateY;
    } else if (status === 200) {
      const t = (atMs - forward - T) / T;
      x = lerp(waitX, g.apiX, t);
      y = lerp(gateY, mid, t);
      alpha = 1 - Math.max(0, atMs - forward - 2 * T) / DOT_LIFE_MS;
    } else {
      const start = Math.max(decided, at + T);
      const t = (atMs - start) / T;
      // Back out, then drift on while fading, so a stream of refusals reads as a stream.
      const fade = Math.max(0, atMs - start - T) / DOT_LIFE_MS;
      shape = 2;
      x = lerp(gateX, bounceX, t) - fade * (g.narrow ? 8 : 40);
      y = lerp(gateY, gateY + 20 * Math.sin(t * Math.PI) + (y0 - gateY) * 0.3, t);
      alpha = 1 - fade;
    }
    if (alpha <= 0) continue;
    // Oldest first, so the newest request is drawn on top.
    stamp(layer, shape, ink[shape === 2 ? DANGER : client % 8]!, x, y + top, alpha);
    if (placed.count < placed.id.length) {
      placed.lane[placed.count] = lane.index;
      placed.id[placed.count] = d.id[i]!;
      placed.x[placed.count] = x;
      placed.y[placed.count] = y + top;
      placed.count += 1;
    }
    if (d.id[i] === selectedId) {
      selectedX = x;
      selectedY = y;
    }
  }
  if (!Number.isNaN(selectedX)) stamp(layer, 4, ink[INK]!, selectedX, selectedY + top, 1);
}

/** Messages between gateways and the store, placed by interpolation. */
function drawMessages(
  layer: PixelLayer,
  ink: Uint32Array,
  g: Geometry,
  lane: LaneView,
  atMs: number,
  reducedMotion: boolean,
  top: number,
): void {
  const dist = lane.dist;
  if (!dist) return;
  const mid = midY(g);
  const storeX = g.spanX + g.spanW - g.storeW;
  const gx = g.spanX + g.gatewayW;
  for (const m of dist.messages) {
    // Writes (set, incr, sync) in the text colour, reads in the accent.
    const isWrite = m.op === 'set' || m.op === 'incr' || m.op === 'sync';
    const t = (atMs - m.sentAtMs) / Math.max(1, m.endAtMs - m.sentAtMs);
    const fromStore = m.from === 'store';
    const gw = Number((fromStore ? m.to : m.from).slice(2)) - 1;
    const gy = gatewayY(g, gw, dist.gateways.length);
    const [xa, ya, xb, yb] = fromStore ? [storeX, mid, gx, gy] : [gx, gy, storeX, mid];
    const px = reducedMotion ? (xa + xb) / 2 : lerp(xa, xb, t);
    const py = reducedMotion ? (ya + yb) / 2 : lerp(ya, yb, t);
    stamp(layer, 3, ink[isWrite ? INK : ACCENT]!, px, py + top, 0.9);
  }
}
