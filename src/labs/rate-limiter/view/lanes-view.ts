/**
 * The stage's d3 view: one row per lane. SVG draws the clients, the limiter's state (bucket
 * level, queue, window counters, log timestamps ageing out, GCRA's TAT) and the API; a canvas on
 * top draws the request dots, which move every frame: a dot travels to the limiter, then passes
 * on to the API (circle), waits in the queue (square) or bounces back with a 429 (cross).
 * Positions are pure functions of the frame's virtual time, so any speed and any seek are exact.
 */
import { select } from 'd3';
import { currentTheme, seriesColor, themeColor } from '../../../app/palette';
import { DOT_LIFE_MS, DOT_TRAVEL_MS } from '../sim/constants';
import type { LaneView, RateLimiterSnapshot } from '../sim/snapshot';

export const LANE_WIDTH = 600;
export const LANE_HEIGHT = 104;
const CLIENT_X = 70;
const LIMITER_X = 230;
const LIMITER_W = 150;
const API_X = 530;
const STORE_X = 440;

export interface LanesView {
  update(snapshot: RateLimiterSnapshot, atMs: number, reducedMotion: boolean): void;
  destroy(): void;
}

interface DotPlace {
  lane: number;
  id: number;
  x: number;
  y: number;
}

function clientY(client: number, clients: number): number {
  const top = 18;
  const bottom = LANE_HEIGHT - 14;
  return clients <= 1 ? (top + bottom) / 2 : top + ((bottom - top) * client) / (clients - 1);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * Math.min(1, Math.max(0, t));
}

export function createLanesView(
  root: HTMLElement,
  handlers: { onSelect(lane: number, id: number): void },
): LanesView {
  const container = select(root);
  container.selectAll('*').remove();
  let places: DotPlace[] = [];
  const rows = new Map<number, { svg: SVGSVGElement; canvas: HTMLCanvasElement; key: string }>();
  // Canvas sizes are read when they change, never per frame: reading layout after the frame's SVG
  // writes would force a synchronous layout for every lane, every frame.
  const canvasSizes = new WeakMap<Element, { width: number; height: number }>();
  const resizeObserver = new ResizeObserver((entries) => {
    for (const entry of entries) {
      canvasSizes.set(entry.target, {
        width: entry.contentRect.width,
        height: entry.contentRect.height,
      });
    }
  });

  const onClick = (laneIndex: number, canvas: HTMLCanvasElement, event: MouseEvent) => {
    const rect = canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * LANE_WIDTH;
    const y = ((event.clientY - rect.top) / rect.height) * LANE_HEIGHT;
    let best: DotPlace | null = null;
    let bestDistance = 14 * 14;
    for (const place of places) {
      if (place.lane !== laneIndex) continue;
      const d = (place.x - x) ** 2 + (place.y - y) ** 2;
      if (d < bestDistance) {
        best = place;
        bestDistance = d;
      }
    }
    if (best) handlers.onSelect(best.lane, best.id);
  };

  function ensureRow(lane: LaneView, snapshot: RateLimiterSnapshot) {
    const key = `${snapshot.settingsVersion}|${currentTheme()}`;
    const existing = rows.get(lane.index);
    if (existing && existing.key === key) return existing;
    existing?.svg.parentElement?.remove();
    const row = container
      .append('div')
      .attr('class', 'lane-row')
      .attr('data-testid', `lane-stage-${lane.index}`)
      .style('order', lane.index);
    const svg = row
      .append('svg')
      .attr('viewBox', `0 0 ${LANE_WIDTH} ${LANE_HEIGHT}`)
      .attr('role', 'img')
      .attr(
        'aria-label',
        `${lane.label}: clients on the left, the limiter in the middle, the API on the right`,
      );
    drawFrame(svg.node()!, lane, snapshot);
    const canvas = row.append('canvas').attr('class', 'lane-dots').attr('aria-hidden', 'true');
    const canvasNode = canvas.node()!;
    canvasNode.addEventListener('click', (event) => onClick(lane.index, canvasNode, event));
    canvasSizes.set(canvasNode, { width: canvasNode.clientWidth, height: canvasNode.clientHeight });
    resizeObserver.observe(canvasNode);
    const made = { svg: svg.node()!, canvas: canvasNode, key };
    rows.set(lane.index, made);
    return made;
  }

  return {
    update(snapshot, atMs, reducedMotion) {
      for (const [index, row] of rows) {
        if (index >= snapshot.lanes.length) {
          row.svg.parentElement?.remove();
          rows.delete(index);
        }
      }
      places = [];
      for (const lane of snapshot.lanes) {
        const row = ensureRow(lane, snapshot);
        drawPicture(row.svg, lane, snapshot, atMs);
        drawDots(
          row.canvas,
          canvasSizes.get(row.canvas),
          lane,
          snapshot,
          atMs,
          reducedMotion,
          places,
        );
      }
    },
    destroy() {
      resizeObserver.disconnect();
      container.selectAll('*').remove();
      rows.clear();
    },
  };
}

/** The still parts of a lane: clients, limiter box, API (and gateways and store when distributed). */
function drawFrame(svgNode: SVGSVGElement, lane: LaneView, snapshot: RateLimiterSnapshot) {
  const svg = select(svgNode);
  const theme = currentTheme();
  const fg = themeColor('--fg', '#1b1e24');
  const muted = themeColor('--fg-muted', '#545b66');
  const border = themeColor('--border', '#d3d7de');
  const n = snapshot.clients.length;
  const clients = svg.append('g').attr('class', 'clients');
  snapshot.clients.forEach((client, i) => {
    const y = clientY(i, n);
    const g = clients.append('g').attr('transform', `translate(${CLIENT_X},${y})`);
    g.append('circle').attr('r', 5).attr('fill', seriesColor(i, theme));
    g.append('text')
      .attr('x', -9)
      .attr('y', 4)
      .attr('text-anchor', 'end')
      .attr('font-size', 11)
      .attr('fill', fg)
      .text(client.abusive ? `${client.name} ⚠` : client.name);
  });
  if (lane.dist) {
    lane.dist.gateways.forEach((gateway, i) => {
      const y = gatewayY(i, lane.dist!.gateways.length);
      const g = svg.append('g').attr('transform', `translate(${LIMITER_X},${y})`);
      g.append('rect')
        .attr('x', 0)
        .attr('y', -10)
        .attr('width', 56)
        .attr('height', 20)
        .attr('rx', 4)
        .attr('fill', 'none')
        .attr('stroke', muted);
      g.append('text')
        .attr('x', 28)
        .attr('y', 4)
        .attr('text-anchor', 'middle')
        .attr('font-size', 11)
        .attr('fill', fg)
        .text(gateway.id);
    });
    const store = svg.append('g').attr('transform', `translate(${STORE_X},${LANE_HEIGHT / 2})`);
    store
      .append('rect')
      .attr('x', -30)
      .attr('y', -16)
      .attr('width', 60)
      .attr('height', 32)
      .attr('rx', 6)
      .attr('fill', 'none')
      .attr('stroke', muted)
      .attr('stroke-dasharray', '3 2');
    store
      .append('text')
      .attr('y', 4)
      .attr('text-anchor', 'middle')
      .attr('font-size', 11)
      .attr('fill', fg)
      .text('counter store');
  } else {
    svg
      .append('rect')
      .attr('class', 'limiter-box')
      .attr('x', LIMITER_X)
      .attr('y', 8)
      .attr('width', LIMITER_W)
      .attr('height', LANE_HEIGHT - 16)
      .attr('rx', 8)
      .attr('fill', 'none')
      .attr('stroke', border);
    svg.append('g').attr('class', 'picture');
  }
  svg
    .append('text')
    .attr('x', LANE_WIDTH - 4)
    .attr('y', 12)
    .attr('text-anchor', 'end')
    .attr('font-size', 11)
    .attr('font-weight', 600)
    .attr('fill', fg)
    .text(lane.label);
  const api = svg.append('g').attr('transform', `translate(${API_X},${LANE_HEIGHT / 2})`);
  api
    .append('rect')
    .attr('x', 0)
    .attr('y', -22)
    .attr('width', 60)
    .attr('height', 44)
    .attr('rx', 6)
    .attr('fill', 'none')
    .attr('stroke', muted);
  api
    .append('text')
    .attr('x', 30)
    .attr('y', 4)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .attr('fill', fg)
    .text('API');
}

function gatewayY(index: number, count: number): number {
  return 20 + ((LANE_HEIGHT - 40) * (index + 0.5)) / count;
}

/** The limiter's state, redrawn each frame (a handful of marks). */
function drawPicture(
  svgNode: SVGSVGElement,
  lane: LaneView,
  snapshot: RateLimiterSnapshot,
  atMs: number,
) {
  const picture = lane.picture;
  const g = select(svgNode).select<SVGGElement>('g.picture');
  if (!picture || g.empty()) return;
  const fg = themeColor('--fg', '#1b1e24');
  const accent = themeColor('--accent', '#0a5fa8');
  const danger = themeColor('--danger', '#b3261e');
  const x0 = LIMITER_X + 10;
  const w = LIMITER_W - 20;
  const barTop = 24;
  const barHeight = 36;
  const fill = Math.min(1, Math.max(0, picture.fill));
  const full =
    picture.kind === 'token-bucket' || picture.kind === 'gcra' ? fill <= 0.05 : fill >= 0.999;
  const marks: { x: number; y: number; w: number; h: number; color: string; opacity: number }[] =
    [];
  const kind = picture.kind;
  if (kind === 'sliding-log') {
    // A timeline of the last window: each accepted request a tick that slides left and falls off.
    for (const age of picture.marks) {
      const x = x0 + w - (age / snapshot.limits.windowMs) * w;
      marks.push({ x: x - 1, y: barTop, w: 2, h: barHeight, color: accent, opacity: 0.9 });
    }
  } else if (kind === 'fixed-window' || kind === 'sliding-counter') {
    const limit = snapshot.limits.limit;
    const half = w / 2 - 4;
    if (kind === 'sliding-counter') {
      const weight = 1 - picture.windowElapsed;
      const prevH = (Math.min(limit, picture.previousCount) / limit) * barHeight;
      marks.push({
        x: x0,
        y: barTop + barHeight - prevH,
        w: half,
        h: prevH,
        color: accent,
        opacity: 0.25,
      });
      marks.push({
        x: x0,
        y: barTop + barHeight - prevH * weight,
        w: half,
        h: prevH * weight,
        color: accent,
        opacity: 0.8,
      });
    }
    const curH = (Math.min(limit, picture.currentCount) / limit) * barHeight;
    const cx = kind === 'sliding-counter' ? x0 + half + 8 : x0;
    const cw = kind === 'sliding-counter' ? half : w;
    marks.push({
      x: cx,
      y: barTop + barHeight - curH,
      w: cw,
      h: curH,
      color: full ? danger : accent,
      opacity: 0.85,
    });
    // The window's clock.
    marks.push({
      x: x0,
      y: barTop + barHeight + 4,
      w: w * picture.windowElapsed,
      h: 3,
      color: fg,
      opacity: 0.6,
    });
  } else if (kind === 'leaky-queue') {
    const slots = Math.max(1, snapshot.limits.burst);
    const slotW = w / Math.min(slots, 40);
    const shown = Math.min(40, Math.round(fill * slots));
    for (let i = 0; i < shown; i += 1) {
      marks.push({
        x: x0 + i * slotW + 1,
        y: barTop + 16,
        w: Math.max(1, slotW - 2),
        h: 20,
        color: full ? danger : accent,
        opacity: 0.85,
      });
    }
  } else {
    // Token bucket, leaky meter, GCRA: one vessel. Tokens drain as requests take them; water
    // rises as requests pour in; GCRA's TAT runs ahead of now.
    const level = kind === 'gcra' ? 1 - fill : fill;
    const h = level * barHeight;
    const bx = x0 + w / 2 - 22;
    marks.push({ x: bx, y: barTop, w: 44, h: barHeight, color: fg, opacity: 0.08 });
    marks.push({
      x: bx,
      y: barTop + barHeight - h,
      w: 44,
      h,
      color: full ? danger : accent,
      opacity: 0.85,
    });
  }
  g.selectAll<SVGRectElement, (typeof marks)[number]>('rect')
    .data(marks)
    .join('rect')
    .attr('x', (m) => m.x)
    .attr('y', (m) => m.y)
    .attr('width', (m) => Math.max(0, m.w))
    .attr('height', (m) => Math.max(0, m.h))
    .attr('fill', (m) => m.color)
    .attr('opacity', (m) => m.opacity);
  g.selectAll<SVGTextElement, string>('text')
    .data([picture.label, captionOf(kind)])
    .join('text')
    .attr('x', LIMITER_X + LIMITER_W / 2)
    .attr('y', (_, i) => (i === 0 ? barTop + barHeight + 22 : 20))
    .attr('text-anchor', 'middle')
    .attr('font-size', (_, i) => (i === 0 ? 11 : 10))
    .attr('fill', fg)
    .text((t) => t);
  void atMs;
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

function drawDots(
  canvas: HTMLCanvasElement,
  cssSize: { width: number; height: number } | undefined,
  lane: LaneView,
  snapshot: RateLimiterSnapshot,
  atMs: number,
  reducedMotion: boolean,
  places: DotPlace[],
) {
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = cssSize?.width || LANE_WIDTH;
  const cssHeight = cssSize?.height || LANE_HEIGHT;
  if (canvas.width !== Math.round(cssWidth * ratio)) canvas.width = Math.round(cssWidth * ratio);
  if (canvas.height !== Math.round(cssHeight * ratio))
    canvas.height = Math.round(cssHeight * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(canvas.width / LANE_WIDTH, 0, 0, canvas.height / LANE_HEIGHT, 0, 0);
  ctx.clearRect(0, 0, LANE_WIDTH, LANE_HEIGHT);
  const theme = currentTheme();
  const danger = themeColor('--danger', '#b3261e');
  const fg = themeColor('--fg', '#1b1e24');
  const n = snapshot.clients.length;
  const midY = LANE_HEIGHT / 2;
  const T = DOT_TRAVEL_MS;
  const selectedId = snapshot.selected?.lane === lane.index ? snapshot.selected.request.id : -1;
  const d = lane.dots;
  const dist = lane.dist;
  for (let i = 0; i < d.count; i += 1) {
    const client = d.client[i]!;
    const at = d.atMs[i]!;
    const status = d.status[i]!;
    const decided = d.decidedAtMs[i]!;
    const forward = d.forwardAtMs[i]!;
    const y0 = clientY(client, n);
    const gateway = d.gateway[i]!;
    const gateX = dist ? LIMITER_X + 28 : LIMITER_X + 10;
    const gateY = dist ? gatewayY(Math.max(0, gateway), dist.gateways.length) : midY;
    let x: number;
    let y: number;
    let alpha = 1;
    let shape: 'circle' | 'square' | 'cross' = 'circle';
    if (reducedMotion) {
      // No movement: each request is drawn where it ended up, fading out.
      const end = status === 429 ? decided : forward >= 0 ? forward : at;
      alpha = Math.max(0.15, 1 - (atMs - end) / (DOT_LIFE_MS + 2 * T));
      if (status === 429) {
        shape = 'cross';
        x = LIMITER_X - 30;
        y = gateY + ((client * 7) % 30) - 15;
      } else if (status === 0 || (forward >= 0 && forward > atMs)) {
        shape = 'square';
        x = gateX + 40;
        y = gateY;
      } else {
        x = API_X - 20;
        y = midY + ((client * 7) % 30) - 15;
      }
    } else if (atMs < at + T) {
      const t = (atMs - at) / T;
      x = lerp(CLIENT_X + 8, gateX, t);
      y = lerp(y0, gateY, t);
    } else if (status === 0 || (status === 200 && atMs < forward + T)) {
      // Pending at the gateway, or waiting in the shaping queue until it leaves.
      shape = status === 0 || forward > decided ? 'square' : 'circle';
      x = gateX + (lane.picture?.kind === 'leaky-queue' ? 60 : 20);
      y = gateY;
    } else if (status === 200) {
      const t = (atMs - forward - T) / T;
      x = lerp(gateX + 20, API_X, t);
      y = lerp(gateY, midY, t);
      alpha = 1 - Math.max(0, atMs - forward - 2 * T) / DOT_LIFE_MS;
    } else {
      const start = Math.max(decided, at + T);
      const t = (atMs - start) / T;
      shape = 'cross';
      x = lerp(gateX, LIMITER_X - 60, t);
      y = lerp(gateY, gateY + 26 * Math.sin(t * Math.PI) + (y0 - gateY) * 0.3, t);
      alpha = 1 - Math.max(0, atMs - start - T) / DOT_LIFE_MS;
    }
    if (alpha <= 0) continue;
    places.push({ lane: lane.index, id: d.id[i]!, x, y });
    ctx.globalAlpha = Math.max(0, Math.min(1, alpha));
    const color = shape === 'cross' ? danger : seriesColor(client, theme);
    ctx.fillStyle = color;
    ctx.strokeStyle = color;
    if (shape === 'circle') {
      ctx.beginPath();
      ctx.arc(x, y, 3.2, 0, Math.PI * 2);
      ctx.fill();
    } else if (shape === 'square') {
      ctx.fillRect(x - 3, y - 3, 6, 6);
    } else {
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      ctx.moveTo(x - 3, y - 3);
      ctx.lineTo(x + 3, y + 3);
      ctx.moveTo(x + 3, y - 3);
      ctx.lineTo(x - 3, y + 3);
      ctx.stroke();
    }
    if (d.id[i] === selectedId) {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = fg;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(x, y, 7, 0, Math.PI * 2);
      ctx.stroke();
    }
  }
  if (dist) {
    const accent = themeColor('--accent', '#0a5fa8');
    // Messages between gateways and the store, placed by interpolation.
    for (const m of dist.messages) {
      const t = (atMs - m.sentAtMs) / Math.max(1, m.endAtMs - m.sentAtMs);
      const gwIndex = (name: string) => Number(name.slice(2)) - 1;
      const fromStore = m.from === 'store';
      const gw = gwIndex(fromStore ? m.to : m.from);
      const gx = LIMITER_X + 56;
      const gy = gatewayY(gw, dist.gateways.length);
      const [xa, ya, xb, yb] = fromStore
        ? [STORE_X - 30, midY, gx, gy]
        : [gx, gy, STORE_X - 30, midY];
      const px = reducedMotion ? (xa + xb) / 2 : lerp(xa, xb, t);
      const py = reducedMotion ? (ya + yb) / 2 : lerp(ya, yb, t);
      ctx.globalAlpha = 0.9;
      ctx.fillStyle = m.op === 'set' || m.op === 'incr' || m.op === 'sync' ? fg : accent;
      ctx.beginPath();
      ctx.moveTo(px, py - 3.5);
      ctx.lineTo(px + 3.5, py);
      ctx.lineTo(px, py + 3.5);
      ctx.lineTo(px - 3.5, py);
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
}
