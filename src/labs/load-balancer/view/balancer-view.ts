/**
 * The load-balancer stage as a d3 view factory: `createBalancerView(root, callbacks) →
 * { update, destroy }`.
 *
 * Clients on the left, the balancer in the middle, up to 20 servers on the right. The structure
 * (servers, their health and labels) is SVG, focusable and draggable; everything that moves every
 * frame (requests on the wire, busy slots, queues) is drawn on a canvas underneath.
 */
import { select } from 'd3';
import { themeColor } from '../../../app/palette';
import { ALGORITHM_SHORT, CLIENT_LATENCY_MS } from '../sim/constants';
import type { LaneServerView, LaneView, LoadBalancerSnapshot, ServerView } from '../sim/snapshot';

/** Where everything sits, in view units; a narrow screen gets a taller, tighter layout. */
export interface StageLayout {
  width: number;
  height: number;
  clientsX: number;
  clientsWidth: number;
  lbX: number;
  lbWidth: number;
  lbHeight: number;
  serversX: number;
  serversWidth: number;
  serversTop: number;
  /** Releasing a dragged server left of this line (in view units) removes it. */
  removeLineX: number;
  compact: boolean;
}

export const WIDE_LAYOUT: StageLayout = {
  width: 900,
  height: 600,
  clientsX: 24,
  clientsWidth: 110,
  lbX: 320,
  lbWidth: 140,
  lbHeight: 150,
  serversX: 580,
  serversWidth: 310,
  serversTop: 14,
  removeLineX: 520,
  compact: false,
};

export const NARROW_LAYOUT: StageLayout = {
  width: 460,
  height: 600,
  clientsX: 6,
  clientsWidth: 50,
  lbX: 110,
  lbWidth: 104,
  lbHeight: 130,
  serversX: 262,
  serversWidth: 194,
  serversTop: 10,
  removeLineX: 238,
  compact: true,
};

/** Containers narrower than this (CSS px) get the narrow layout. */
export const NARROW_BELOW_PX = 620;
const CLIENT_DOTS = 12;

export interface BalancerViewCallbacks {
  onRemove(serverId: string): void;
  onToggleCrash(serverId: string, crashed: boolean): void;
  onToggleSlow(serverId: string, slow: boolean): void;
  onToggleFlap(serverId: string, flapping: boolean): void;
  onSelect(serverId: string): void;
}

export interface BalancerView {
  update(snapshot: LoadBalancerSnapshot, laneIndex: number, reducedMotion: boolean): void;
  /** Converts a client point to view units and tells whether it lies over the server column. */
  hitServers(clientX: number, clientY: number): { x: number; y: number; over: boolean };
  destroy(): void;
}

interface Colours {
  link: string;
  request: string;
  ok: string;
  bad: string;
  warn: string;
  slot: string;
}

interface Row {
  spec: ServerView;
  lane: LaneServerView | undefined;
  index: number;
  y: number;
  height: number;
}

export function rowLayout(
  layout: StageLayout,
  count: number,
): { height: number; yOf: (index: number) => number } {
  const available = layout.height - 2 * layout.serversTop;
  const height = Math.min(64, available / Math.max(1, count));
  const used = height * count;
  const top = layout.serversTop + (available - used) / 2;
  return { height, yOf: (index) => top + index * height };
}

/** The state a learner should read first, as a word: what the balancer thinks and why. */
export function serverStatus(spec: ServerView, lane: LaneServerView | undefined): string {
  if (spec.removing) return 'draining';
  if (spec.health === 'unhealthy') return spec.crashed ? 'down · unhealthy' : 'unhealthy';
  if (lane?.ejected) return spec.crashed ? 'down · ejected' : 'ejected';
  if (spec.crashed) return 'down (undetected)';
  if (spec.slowness > 1) return `slow ×${spec.slowness}`;
  return 'healthy';
}

function clientY(layout: StageLayout, clientId: number): number {
  const h = Math.imul(clientId + 1, 2654435761) >>> 0;
  return 90 + (h % (layout.height - 180));
}

export function createBalancerView(
  root: HTMLElement,
  callbacks: BalancerViewCallbacks,
): BalancerView {
  const canvas = document.createElement('canvas');
  canvas.className = 'lb-canvas';
  canvas.setAttribute('aria-hidden', 'true');
  const svg = select(root)
    .append('svg')
    .attr('class', 'lb-svg')
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr('aria-label', 'Clients, the load balancer and its servers');
  const context = canvas.getContext('2d');

  // Static structure: clients and the balancer, placed by applyLayout.
  const clients = svg.append('g').attr('class', 'lb-clients');
  const clientsBox = clients.append('rect').attr('rx', 10);
  const clientsTitle = clients
    .append('text')
    .attr('class', 'lb-title')
    .attr('text-anchor', 'middle')
    .text('Clients');
  const usersText = clients.append('text').attr('class', 'lb-small').attr('text-anchor', 'middle');
  const clientDots = Array.from({ length: CLIENT_DOTS }, () =>
    clients.append('circle').attr('class', 'lb-client-dot').attr('r', 6),
  );
  const balancer = svg.append('g').attr('class', 'lb-balancer');
  const balancerBox = balancer.append('rect').attr('rx', 12);
  const balancerTitle = balancer
    .append('text')
    .attr('class', 'lb-title')
    .attr('text-anchor', 'middle');
  const algorithmText = balancer
    .append('text')
    .attr('class', 'lb-small')
    .attr('text-anchor', 'middle');
  const layerText = balancer.append('text').attr('class', 'lb-small').attr('text-anchor', 'middle');
  const pendingText = balancer
    .append('text')
    .attr('class', 'lb-small')
    .attr('text-anchor', 'middle');
  const sessionText = balancer
    .append('text')
    .attr('class', 'lb-small')
    .attr('text-anchor', 'middle');
  const removeLine = svg.append('line').attr('class', 'lb-remove-line');
  const serversLayer = svg.append('g').attr('class', 'lb-servers');
  // The canvas lies over the SVG (it draws inside the server boxes) and lets pointers through.
  root.appendChild(canvas);

  const size = { width: root.clientWidth, height: root.clientHeight };
  const resizeObserver =
    typeof ResizeObserver === 'undefined'
      ? null
      : new ResizeObserver(() => {
          size.width = root.clientWidth;
          size.height = root.clientHeight;
        });
  resizeObserver?.observe(root);
  let cachedColours: { theme: string; value: Colours } | null = null;
  const coloursNow = (): Colours => {
    const theme = document.documentElement.dataset.theme ?? '';
    if (cachedColours?.theme !== theme) {
      cachedColours = {
        theme,
        value: {
          link: themeColor('--border', '#ccc'),
          request: themeColor('--accent', '#0a5fa8'),
          ok: themeColor('--ok', '#0b6b4f'),
          bad: themeColor('--danger', '#b3261e'),
          warn: '#D55E00',
          slot: themeColor('--fg-muted', '#555'),
        },
      };
    }
    return cachedColours.value;
  };
  let L: StageLayout = WIDE_LAYOUT;
  let lastSignature = '';
  let lastTextMs = 0;
  function applyLayout(next: StageLayout): void {
    L = next;
    root.style.aspectRatio = `${L.width} / ${L.height}`;
    svg.attr('viewBox', `0 0 ${L.width} ${L.height}`);
    const lbY = (L.height - L.lbHeight) / 2;
    const lbCentre = L.lbX + L.lbWidth / 2;
    const clientsCentre = L.clientsX + L.clientsWidth / 2;
    clientsBox
      .attr('x', L.clientsX)
      .attr('y', 60)
      .attr('width', L.clientsWidth)
      .attr('height', L.height - 120);
    clientsTitle.attr('x', clientsCentre).attr('y', 50);
    usersText.attr('x', clientsCentre).attr('y', L.height - 40);
    clientDots.forEach((dot, i) => {
      dot.attr('cx', clientsCentre).attr('cy', 80 + (i * (L.height - 160)) / (CLIENT_DOTS - 1));
    });
    balancerBox.attr('x', L.lbX).attr('y', lbY).attr('width', L.lbWidth).attr('height', L.lbHeight);
    balancerTitle
      .attr('x', lbCentre)
      .attr('y', lbY + 26)
      .text(L.compact ? 'Balancer' : 'Load balancer');
    algorithmText.attr('x', lbCentre).attr('y', lbY + 48);
    layerText.attr('x', lbCentre).attr('y', lbY + 68);
    pendingText.attr('x', lbCentre).attr('y', lbY + 92);
    sessionText.attr('x', lbCentre).attr('y', lbY + 112);
    removeLine
      .attr('x1', L.removeLineX)
      .attr('x2', L.removeLineX)
      .attr('y1', 10)
      .attr('y2', L.height - 10);
    serversLayer.selectAll('*').remove();
    lastSignature = '';
  }
  applyLayout(WIDE_LAYOUT);

  let last: { snapshot: LoadBalancerSnapshot; laneIndex: number; reducedMotion: boolean } | null =
    null;
  let dragging: { id: string; startX: number; dx: number } | null = null;

  const toView = (clientX: number, clientY: number) => {
    const box = (svg.node() as SVGSVGElement).getBoundingClientRect();
    const scale = Math.min(box.width / L.width, box.height / L.height) || 1;
    const left = box.left + (box.width - L.width * scale) / 2;
    const top = box.top + (box.height - L.height * scale) / 2;
    return { x: (clientX - left) / scale, y: (clientY - top) / scale, scale };
  };

  function drawServers(rows: Row[]): void {
    const groups = serversLayer
      .selectAll<SVGGElement, Row>('g.lb-server')
      .data(rows, (row) => row.spec.id)
      .join((enter) => {
        const g = enter
          .append('g')
          .attr('class', 'lb-server')
          .attr('tabindex', 0)
          .attr('role', 'button')
          .attr('data-server', (row) => row.spec.id);
        g.append('rect').attr('class', 'lb-server-box');
        g.append('path').attr('class', 'lb-health-mark');
        g.append('text').attr('class', 'lb-server-name');
        g.append('text').attr('class', 'lb-server-status');
        g.append('text').attr('class', 'lb-server-figures');
        g.on('keydown', (event: KeyboardEvent, row) => onServerKey(event, row));
        g.on('click', (_event, row) => callbacks.onSelect(row.spec.id));
        g.on('pointerdown', (event: PointerEvent, row) => {
          if (event.button !== 0) return;
          (event.currentTarget as Element).setPointerCapture(event.pointerId);
          dragging = { id: row.spec.id, startX: toView(event.clientX, event.clientY).x, dx: 0 };
        });
        g.on('pointermove', (event: PointerEvent, row) => {
          if (!dragging || dragging.id !== row.spec.id) return;
          dragging.dx = Math.min(0, toView(event.clientX, event.clientY).x - dragging.startX);
          select(event.currentTarget as SVGGElement)
            .attr('transform', `translate(${dragging.dx},0)`)
            .classed('is-dragged', true);
        });
        const endDrag = (event: PointerEvent, row: Row, cancelled: boolean) => {
          if (!dragging || dragging.id !== row.spec.id) return;
          const x = toView(event.clientX, event.clientY).x;
          const moved = Math.abs(dragging.dx) > 4;
          dragging = null;
          select(event.currentTarget as SVGGElement)
            .attr('transform', null)
            .classed('is-dragged', false);
          if (!cancelled && moved && x < L.removeLineX) callbacks.onRemove(row.spec.id);
        };
        g.on('pointerup', (event: PointerEvent, row) => endDrag(event, row, false));
        g.on('pointercancel', (event: PointerEvent, row) => endDrag(event, row, true));
        return g;
      });
    groups
      .attr('aria-label', (row) => serverLabel(row))
      .classed('is-down', (row) => row.spec.crashed)
      .classed('is-unhealthy', (row) => row.spec.health === 'unhealthy')
      .classed('is-ejected', (row) => row.lane?.ejected ?? false)
      .classed('is-draining', (row) => row.spec.removing)
      .classed('is-slow', (row) => row.spec.slowness > 1);
    groups
      .select('rect.lb-server-box')
      .attr('x', L.serversX)
      .attr('y', (row) => row.y + 2)
      .attr('width', L.serversWidth)
      .attr('height', (row) => row.height - 4)
      .attr('rx', 6);
    const tall = (row: Row) => row.height >= 40;
    const lineY = (row: Row) => (tall(row) ? row.y + 19 : row.y + row.height / 2 + 4);
    // Health as a shape as well as a colour: ● healthy, ✕ down or unhealthy, ◆ ejected, ▼ draining.
    groups
      .select('path.lb-health-mark')
      .attr('transform', (row) => `translate(${L.serversX + 12},${lineY(row) - 4})`)
      .attr('d', (row) => healthShape(row));
    groups
      .select('text.lb-server-name')
      .attr('x', L.serversX + 24)
      .attr('y', lineY)
      .text((row) => `${row.spec.id}${row.spec.weight > 1 ? ` ×${row.spec.weight}` : ''}`);
    groups
      .select('text.lb-server-status')
      .attr('x', L.serversX + (L.compact ? 58 : 64))
      .attr('y', lineY)
      .attr('display', (row) => (L.compact && !tall(row) ? 'none' : null))
      .text(
        (row) =>
          `${serverStatus(row.spec, row.lane)}${row.spec.pool === 'static' && last?.snapshot.config.pools ? ' · static' : ''}`,
      );
    groups
      .select('text.lb-server-figures')
      .attr('x', L.serversX + L.serversWidth - 8)
      .attr('y', lineY)
      .attr('text-anchor', 'end')
      .attr('display', (row) => (L.compact || !tall(row) ? 'none' : null))
      .text((row) =>
        row.lane
          ? `${row.lane.active}/${row.spec.concurrency} busy · q ${row.lane.queued} · ${Math.round(row.lane.utilisation * 100)}%`
          : '',
      );
  }

  function serverLabel(row: Row): string {
    const lane = row.lane;
    const figures = lane
      ? `, ${lane.inFlight} in flight, ${lane.active} of ${row.spec.concurrency} slots busy, ${lane.queued} queued, ${Math.round(lane.utilisation * 100)}% utilised, ${lane.served} served`
      : '';
    return `${row.spec.id}: ${serverStatus(row.spec, lane)}${figures}. Delete drains it, K ${row.spec.crashed ? 'recovers' : 'crashes'} it, S ${row.spec.slowness > 1 ? 'restores its speed' : 'slows it'}, F ${row.spec.flapping ? 'stops' : 'starts'} flapping.`;
  }

  function onServerKey(event: KeyboardEvent, row: Row): void {
    const key = event.key.toLowerCase();
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (key === 'delete' || key === 'backspace') callbacks.onRemove(row.spec.id);
    else if (key === 'k') callbacks.onToggleCrash(row.spec.id, !row.spec.crashed);
    else if (key === 's') callbacks.onToggleSlow(row.spec.id, row.spec.slowness <= 1);
    else if (key === 'f') callbacks.onToggleFlap(row.spec.id, !row.spec.flapping);
    else if (key === 'enter' || key === ' ') callbacks.onSelect(row.spec.id);
    else return;
    event.preventDefault();
    event.stopPropagation();
  }

  function drawCanvas(
    snapshot: LoadBalancerSnapshot,
    lane: LaneView,
    rows: Row[],
    reducedMotion: boolean,
  ): void {
    if (!context) return;
    // Size and colours are cached: reading layout or computed style every frame forces the
    // browser to recompute both, which costs more than drawing.
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(size.width * ratio));
    const height = Math.max(1, Math.round(size.height * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const scale = Math.min(width / L.width, height / L.height);
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, width, height);
    context.setTransform(
      scale,
      0,
      0,
      scale,
      (width - L.width * scale) / 2,
      (height - L.height * scale) / 2,
    );
    const colours = coloursNow();
    const now = snapshot.atMs;
    const lbIn = { x: L.lbX, y: L.height / 2 };
    const lbOut = { x: L.lbX + L.lbWidth, y: L.height / 2 };
    // Links to every server, thicker with more requests in flight on them.
    for (const row of rows) {
      const inFlight = row.lane?.inFlight ?? 0;
      context.strokeStyle = colours.link;
      context.lineWidth = 1 + Math.min(6, inFlight / 4);
      context.setLineDash(row.spec.health === 'unhealthy' || row.spec.removing ? [4, 4] : []);
      context.beginPath();
      context.moveTo(lbOut.x, lbOut.y);
      context.lineTo(L.serversX, row.y + row.height / 2);
      context.stroke();
    }
    context.setLineDash([]);
    context.strokeStyle = colours.link;
    context.lineWidth = 1.5;
    context.beginPath();
    context.moveTo(L.clientsX + L.clientsWidth, L.height / 2);
    context.lineTo(lbIn.x, lbIn.y);
    context.stroke();
    // Busy slots (filled squares) and the queue (dots) inside each server.
    for (const row of rows) {
      const server = row.lane;
      if (!server) continue;
      const slots = row.spec.concurrency;
      const tall = row.height >= 40;
      // Tall rows put the slots on a second line; short rows put them after the name.
      const x0 = L.serversX + (tall ? 24 : L.compact ? 58 : 190);
      const room = L.serversX + L.serversWidth - 40 - x0;
      const cell = tall
        ? Math.min(8, (row.height - 30) / 2)
        : Math.max(3, Math.min(7, row.height - 12));
      const perLine = Math.max(1, Math.min(slots, Math.floor(room / (cell + 1.5))));
      const top = tall ? row.y + 26 : row.y + (row.height - cell) / 2;
      for (let i = 0; i < slots; i += 1) {
        const line = Math.floor(i / perLine);
        const column = i % perLine;
        const x = x0 + column * (cell + 1.5);
        const y = top + line * (cell + 2);
        if (y + cell > row.y + row.height - 2) break;
        if (i < server.active) {
          context.fillStyle = row.spec.slowness > 1 ? colours.warn : colours.request;
          context.fillRect(x, y, cell, cell);
        } else {
          context.strokeStyle = colours.slot;
          context.lineWidth = 0.6;
          context.strokeRect(x + 0.3, y + 0.3, cell - 0.6, cell - 0.6);
        }
      }
      // The queue: one dot per waiting request, in a column at the right edge of the box.
      const queueX = L.serversX + L.serversWidth - 34;
      const queueTop = tall ? row.y + 26 : row.y + 5;
      const perColumn = Math.max(1, Math.floor((row.y + row.height - 5 - queueTop) / 3.4));
      const shown = Math.min(server.queued, perColumn * 9);
      context.fillStyle = colours.warn;
      for (let i = 0; i < shown; i += 1) {
        context.beginPath();
        context.arc(
          queueX + Math.floor(i / perColumn) * 3.4,
          queueTop + (i % perColumn) * 3.4,
          1.4,
          0,
          Math.PI * 2,
        );
        context.fill();
      }
    }
    if (reducedMotion) {
      // No movement: the counts on the links say what the dots would show.
      context.fillStyle = colours.slot;
      context.font = '11px system-ui, sans-serif';
      for (const row of rows) {
        const inFlight = row.lane?.inFlight ?? 0;
        if (inFlight === 0) continue;
        context.fillText(
          String(inFlight),
          (lbOut.x + L.serversX) / 2,
          (lbOut.y + row.y + row.height / 2) / 2 - 3,
        );
      }
      return;
    }
    // Requests on the wire, placed exactly by their send and delivery times.
    for (const flight of lane.flights) {
      const row = rows[flight.server];
      if (!row) continue;
      const span = Math.max(1, flight.deliverAtMs - flight.sentAtMs);
      const progress = Math.min(1, Math.max(0, (now - flight.sentAtMs) / span));
      const t = flight.towardServer ? progress : 1 - progress;
      const x = lbOut.x + (L.serversX - lbOut.x) * t;
      const y = lbOut.y + (row.y + row.height / 2 - lbOut.y) * t;
      drawMark(context, flight.kind, x, y, flight.abandoned, colours);
    }
    for (const wire of snapshot.wire) {
      const progress = Math.min(1, Math.max(0, (now - wire.sentAtMs) / CLIENT_LATENCY_MS));
      const y0 = clientY(L, wire.clientId);
      drawMark(
        context,
        'request',
        L.clientsX + L.clientsWidth + (lbIn.x - L.clientsX - L.clientsWidth) * progress,
        y0 + (lbIn.y - y0) * progress,
        false,
        colours,
      );
    }
    for (const hop of lane.hops) {
      const progress = Math.min(1, Math.max(0, (now - hop.atMs) / CLIENT_LATENCY_MS));
      const y1 = clientY(L, hop.clientId);
      const kind = hop.outcome === 'ok' ? 'ok' : hop.outcome === 'dropped' ? 'rejected' : 'reset';
      drawMark(
        context,
        kind,
        lbIn.x - (lbIn.x - L.clientsX - L.clientsWidth) * progress,
        lbIn.y + (y1 - lbIn.y) * progress,
        false,
        colours,
      );
    }
  }

  return {
    update(snapshot, laneIndex, reducedMotion) {
      last = { snapshot, laneIndex, reducedMotion };
      const lane = snapshot.lanes[laneIndex] ?? snapshot.lanes[0];
      if (!lane) return;
      const wanted =
        root.clientWidth > 0 && root.clientWidth < NARROW_BELOW_PX ? NARROW_LAYOUT : WIDE_LAYOUT;
      if (wanted !== L) applyLayout(wanted);
      const layout = rowLayout(L, snapshot.servers.length);
      const rows: Row[] = snapshot.servers.map((spec, index) => ({
        spec,
        lane: lane.servers[index],
        index,
        y: layout.yOf(index),
        height: layout.height,
      }));
      usersText.text(`${snapshot.config.users.toLocaleString('en-US')} users`);
      algorithmText.text(ALGORITHM_SHORT[lane.algorithm]);
      layerText.text(
        snapshot.config.layer === 'l4'
          ? 'L4 · connections'
          : snapshot.config.pools
            ? 'L7 · /api, /static pools'
            : 'L7 · requests',
      );
      pendingText.text(`${lane.pending} waiting`);
      sessionText.text(
        snapshot.config.sessions === 'stateless'
          ? 'stateless'
          : L.compact
            ? `${lane.loggedIn} logged in`
            : `${lane.loggedIn} logged in (${snapshot.config.sessions})`,
      );
      // The SVG (labels, health, figures) follows the state at most four times a second, or at
      // once when a server's settings or health change; the canvas follows every frame.
      const signature = `${laneIndex}|${L.width}|${rows.map((r) => `${r.spec.id}:${serverStatus(r.spec, r.lane)}:${r.spec.weight}:${r.spec.pool}:${r.spec.flapping}`).join(',')}`;
      const wallNow = performance.now();
      if (signature !== lastSignature || wallNow - lastTextMs >= 250) {
        lastSignature = signature;
        lastTextMs = wallNow;
        drawServers(rows);
      }
      drawCanvas(snapshot, lane, rows, reducedMotion);
    },
    hitServers(clientX, clientY) {
      const point = toView(clientX, clientY);
      return {
        x: point.x,
        y: point.y,
        over: point.x >= L.removeLineX && point.x <= L.width && point.y >= 0 && point.y <= L.height,
      };
    },
    destroy() {
      resizeObserver?.disconnect();
      svg.remove();
      canvas.remove();
    },
  };
}

function healthShape(row: Row): string {
  const r = 5;
  if (row.spec.removing) return `M${-r},${-r}L${r},${-r}L0,${r}Z`;
  if (row.spec.crashed || row.spec.health === 'unhealthy')
    return `M${-r},${-r}L${r},${r}M${r},${-r}L${-r},${r}`;
  if (row.lane?.ejected) return `M0,${-r}L${r},0L0,${r}L${-r},0Z`;
  return `M${r},0A${r},${r} 0 1 1 ${-r},0A${r},${r} 0 1 1 ${r},0Z`;
}

/** Request ●, success ● (green), 503 ■ (orange), refused or reset ✕ (red); hollow if abandoned. */
function drawMark(
  context: CanvasRenderingContext2D,
  kind: 'request' | 'ok' | 'rejected' | 'refused' | 'reset',
  x: number,
  y: number,
  abandoned: boolean,
  colours: { request: string; ok: string; bad: string; warn: string },
): void {
  const colour =
    kind === 'request'
      ? colours.request
      : kind === 'ok'
        ? colours.ok
        : kind === 'rejected'
          ? colours.warn
          : colours.bad;
  context.fillStyle = colour;
  context.strokeStyle = colour;
  context.lineWidth = 1.6;
  if (kind === 'refused' || kind === 'reset') {
    context.beginPath();
    context.moveTo(x - 3.5, y - 3.5);
    context.lineTo(x + 3.5, y + 3.5);
    context.moveTo(x + 3.5, y - 3.5);
    context.lineTo(x - 3.5, y + 3.5);
    context.stroke();
    return;
  }
  if (kind === 'rejected') {
    context.fillRect(x - 3, y - 3, 6, 6);
    return;
  }
  context.beginPath();
  context.arc(x, y, 3, 0, Math.PI * 2);
  if (abandoned) context.stroke();
  else context.fill();
}
