/**
 * The ring stage as a d3 view factory: `createRingView(root, callbacks) → { update, destroy }`.
 *
 * Thousands of marks (virtual-node arcs, keys) go on a canvas that is redrawn only when the ring
 * or the key set changes; the servers, the lookup and the requests in flight are SVG, because
 * they are few, interactive and animated every frame.
 */
import { drag, easeCubicInOut, interpolateNumber, pointer, type Selection, select } from 'd3';
// d3 marks itself side-effect free, so the import that adds selection.transition() must be explicit.
import 'd3-transition';
import { currentTheme, seriesColor } from '../../../app/palette';
import { formatHash, REQUEST_FLIGHT_MS } from '../sim/constants';
import type { HashRingSnapshot, KeysPart, RingPart, ServerView } from '../sim/snapshot';

export const STAGE_SIZE = 600;
const CENTER = STAGE_SIZE / 2;
export const RING_RADIUS = 210;
const ARC_WIDTH = 14;
const KEY_BAND_INNER = RING_RADIUS - 72;
const KEY_BAND_OUTER = RING_RADIUS - 14;
const MARKER_RADIUS = RING_RADIUS + 34;
/** Dragging a server this far from the ring and releasing removes it. */
const REMOVE_DISTANCE = 95;
const TWO_POW_32 = 2 ** 32;

export interface RingViewCallbacks {
  onRemoveServer(serverId: string): void;
  onToggleFailed(serverId: string, failed: boolean): void;
  onSelectServer(serverId: string): void;
}

export interface RingView {
  update(snapshot: HashRingSnapshot, atMs: number, reducedMotion: boolean): void;
  /** Remembers where a server was dropped, so its arrival animates from there. */
  expectServerFrom(point: { x: number; y: number }): void;
  /** Converts a client point to stage coordinates and tells whether it lies on the ring band. */
  hitRing(clientX: number, clientY: number): { x: number; y: number; onRing: boolean };
  destroy(): void;
}

export function angleOf(position: number): number {
  return (position / TWO_POW_32) * Math.PI * 2 - Math.PI / 2;
}

export function pointAt(position: number, radius: number): { x: number; y: number } {
  const angle = angleOf(position);
  return { x: CENTER + radius * Math.cos(angle), y: CENTER + radius * Math.sin(angle) };
}

/** For each vnode, the server that really answers there: failed servers pass to the next live. */
export function effectiveOwners(ring: RingPart, failed: readonly boolean[]): Int32Array {
  const n = ring.positions.length;
  const effective = new Int32Array(n).fill(-1);
  let next = -1;
  // Two passes clockwise-from-the-end so the wrap-around is handled.
  for (let pass = 0; pass < 2; pass += 1) {
    for (let i = n - 1; i >= 0; i -= 1) {
      const owner = ring.owners[i]!;
      if (!failed[owner]) next = owner;
      if (pass === 1 || effective[i] === -1) effective[i] = next;
    }
  }
  return effective;
}

function arcPath(fromPosition: number, toPosition: number, radius: number): string {
  const a0 = angleOf(fromPosition);
  let a1 = angleOf(toPosition);
  if (a1 < a0) a1 += Math.PI * 2;
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const x0 = CENTER + radius * Math.cos(a0);
  const y0 = CENTER + radius * Math.sin(a0);
  const x1 = CENTER + radius * Math.cos(a1);
  const y1 = CENTER + radius * Math.sin(a1);
  return `M${x0},${y0}A${radius},${radius} 0 ${large} 1 ${x1},${y1}`;
}

/** A stable pseudo-random radius per key index, so keys spread across the band without jitter. */
function keyRadius(index: number): number {
  const h = Math.imul(index + 1, 2654435761) >>> 0;
  return KEY_BAND_INNER + ((h % 1000) / 1000) * (KEY_BAND_OUTER - KEY_BAND_INNER);
}

export function createRingView(root: HTMLElement, callbacks: RingViewCallbacks): RingView {
  const canvas = document.createElement('canvas');
  canvas.className = 'ring-canvas';
  canvas.dataset.exportLayer = 'ring';
  canvas.setAttribute('aria-hidden', 'true');
  // Requests in flight move every frame: a canvas of their own repaints cheaply, where hundreds
  // of moving SVG circles would restyle and repaint the whole stage each frame.
  const flightCanvas = document.createElement('canvas');
  flightCanvas.className = 'ring-canvas flight-canvas';
  flightCanvas.setAttribute('aria-hidden', 'true');
  root.append(canvas, flightCanvas);
  let flightCount = -1;
  const svg = select(root)
    .append('svg')
    .attr('class', 'ring-svg')
    .attr('viewBox', `0 0 ${STAGE_SIZE} ${STAGE_SIZE}`)
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr('aria-label', 'Hash ring');
  svg.append('title').text('Hash ring with servers, virtual nodes and keys');
  svg
    .append('circle')
    .attr('class', 'ring-base')
    .attr('cx', CENTER)
    .attr('cy', CENTER)
    .attr('r', RING_RADIUS);
  const scale = svg.append('g').attr('class', 'ring-scale');
  for (const [label, position] of [
    ['0', 0],
    ['2³⁰', 2 ** 30],
    ['2³¹', 2 ** 31],
    ['3·2³⁰', 3 * 2 ** 30],
  ] as const) {
    const p = pointAt(position, RING_RADIUS + 8);
    const q = pointAt(position, RING_RADIUS - 8);
    scale.append('line').attr('x1', p.x).attr('y1', p.y).attr('x2', q.x).attr('y2', q.y);
    const t = pointAt(position, RING_RADIUS + 62);
    scale.append('text').attr('x', t.x).attr('y', t.y).attr('text-anchor', 'middle').text(label);
  }
  const centerText = svg.append('g').attr('class', 'center-text');
  const centerTitle = centerText
    .append('text')
    .attr('x', CENTER)
    .attr('y', CENTER - 14)
    .attr('text-anchor', 'middle');
  const centerLine = centerText
    .append('text')
    .attr('x', CENTER)
    .attr('y', CENTER + 8)
    .attr('text-anchor', 'middle');
  const centerLine2 = centerText
    .append('text')
    .attr('x', CENTER)
    .attr('y', CENTER + 28)
    .attr('text-anchor', 'middle');
  const lookupLayer = svg.append('g').attr('class', 'lookup-layer');
  const serverLayer = svg.append('g').attr('class', 'server-layer');

  let ring: RingPart | null = null;
  let keys: KeysPart | null = null;
  let previousKeyOwners: { owners: Int32Array; serverIds: string[] } | null = null;
  let movedKeys = new Uint8Array(0);
  let effective: Int32Array = new Int32Array(0);
  let drawnVersion = '';
  let lastLookupKey: string | null = null;
  let pendingDrop: { x: number; y: number } | null = null;
  let knownServerIds = new Set<string>();
  let latest: HashRingSnapshot | null = null;
  let serversDrawnKey = '';
  let reduced = false;

  const resizeObserver = new ResizeObserver(() => {
    drawnVersion = '';
    if (latest) drawCanvas(latest);
  });
  resizeObserver.observe(root);

  function drawCanvas(snapshot: HashRingSnapshot): void {
    if (!ring || !keys) return;
    const theme = currentTheme();
    const version = `${ring.version}|${keys.version}|${theme}`;
    if (version === drawnVersion) return;
    drawnVersion = version;
    const rect = root.getBoundingClientRect();
    const size = Math.max(1, Math.min(rect.width, rect.height || rect.width));
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    canvas.width = Math.round(size * ratio);
    canvas.height = Math.round(size * ratio);
    canvas.style.width = `${size}px`;
    canvas.style.height = `${size}px`;
    flightCanvas.width = canvas.width;
    flightCanvas.height = canvas.height;
    flightCanvas.style.width = canvas.style.width;
    flightCanvas.style.height = canvas.style.height;
    const context = canvas.getContext('2d');
    if (!context) return;
    const unit = (size * ratio) / STAGE_SIZE;
    context.setTransform(unit, 0, 0, unit, 0, 0);
    context.clearRect(0, 0, STAGE_SIZE, STAGE_SIZE);
    const colors = snapshot.servers.map((_, i) => seriesColor(i, theme));
    const failed = snapshot.servers.map((s) => s.failed);
    effective = effectiveOwners(ring, failed);
    // Arcs: each vnode owns the stretch from its predecessor up to itself.
    const n = ring.positions.length;
    context.lineWidth = ARC_WIDTH;
    context.lineCap = 'butt';
    for (let i = 0; i < n; i += 1) {
      const owner = effective[i]!;
      if (owner < 0) continue;
      const from = ring.positions[(i - 1 + n) % n]!;
      const to = ring.positions[i]!;
      let a0 = angleOf(from);
      let a1 = angleOf(to);
      if (n === 1) {
        a0 = -Math.PI / 2;
        a1 = a0 + Math.PI * 2;
      } else if (a1 <= a0) a1 += Math.PI * 2;
      context.strokeStyle = colors[owner] ?? '#888';
      context.beginPath();
      context.arc(CENTER, CENTER, RING_RADIUS, a0, a1);
      context.stroke();
    }
    // Virtual-node ticks, when few enough to read.
    if (n <= 4_000) {
      context.lineWidth = 1;
      context.strokeStyle = theme === 'dark' ? 'rgba(255,255,255,0.55)' : 'rgba(0,0,0,0.45)';
      context.beginPath();
      for (let i = 0; i < n; i += 1) {
        const a = angleOf(ring.positions[i]!);
        context.moveTo(
          CENTER + (RING_RADIUS - ARC_WIDTH / 2) * Math.cos(a),
          CENTER + (RING_RADIUS - ARC_WIDTH / 2) * Math.sin(a),
        );
        context.lineTo(
          CENTER + (RING_RADIUS + ARC_WIDTH / 2) * Math.cos(a),
          CENTER + (RING_RADIUS + ARC_WIDTH / 2) * Math.sin(a),
        );
      }
      context.stroke();
    }
    // Keys: dots coloured by owner; keys that moved in the last change are ringed.
    const keyCount = keys.positions.length;
    const dot = keyCount > 4_000 ? 1.3 : keyCount > 1_000 ? 1.8 : 2.6;
    for (let i = 0; i < keyCount; i += 1) {
      const owner = keys.owners[i]!;
      const a = angleOf(keys.positions[i]!);
      const r = keyRadius(i);
      context.fillStyle = owner >= 0 ? (colors[owner] ?? '#888') : '#888';
      context.beginPath();
      context.arc(
        CENTER + r * Math.cos(a),
        CENTER + r * Math.sin(a),
        movedKeys[i] ? dot + 1.4 : dot,
        0,
        Math.PI * 2,
      );
      context.fill();
      if (movedKeys[i]) {
        context.lineWidth = 1;
        context.strokeStyle = theme === 'dark' ? '#fff' : '#000';
        context.stroke();
      }
    }
  }

  /** Marks the drawn keys whose owner changed (by server id) since the previous key part. */
  function trackMovedKeys(next: KeysPart, servers: ServerView[]): void {
    const serverIds = servers.map((s) => s.id);
    const previous = previousKeyOwners;
    movedKeys = new Uint8Array(next.positions.length);
    if (previous && previous.owners.length === next.owners.length) {
      for (let i = 0; i < next.owners.length; i += 1) {
        const before = previous.serverIds[previous.owners[i]!] ?? null;
        const after = serverIds[next.owners[i]!] ?? null;
        if (before !== after) movedKeys[i] = 1;
      }
    }
    previousKeyOwners = { owners: next.owners, serverIds };
  }

  function updateServers(snapshot: HashRingSnapshot): void {
    const theme = currentTheme();
    const total = snapshot.servers.length;
    const markers = serverLayer
      .selectAll<SVGGElement, ServerView>('g.server')
      .data(snapshot.servers, (d) => d.id)
      .join(
        (enter) => {
          const g = enter
            .append('g')
            .attr('class', 'server')
            .attr('tabindex', 0)
            .attr('role', 'button')
            .attr('data-server-id', (d) => d.id);
          g.append('line').attr('class', 'server-stem');
          g.append('circle').attr('class', 'server-dot').attr('r', 15);
          g.append('path').attr('class', 'server-failed-mark').attr('d', 'M-7,-7L7,7M7,-7L-7,7');
          g.append('text')
            .attr('class', 'server-label')
            .attr('text-anchor', 'middle')
            .attr('dy', '0.35em');
          g.append('title');
          return g;
        },
        (update) => update,
        (exit) => exit.remove(),
      );
    markers
      .attr('aria-label', (d) => serverLabel(d, snapshot))
      .classed('is-failed', (d) => d.failed)
      .classed('is-preferred', (d) => snapshot.lookup?.preferenceIds.includes(d.id) ?? false);
    markers.select('title').text((d) => serverLabel(d, snapshot));
    markers
      .select('circle.server-dot')
      .attr('fill', (_, i) => seriesColor(i, theme))
      .attr('r', total > 40 ? 9 : 15);
    markers
      .select('text.server-label')
      .text((d) => {
        const rank = snapshot.lookup?.preferenceIds.indexOf(d.id) ?? -1;
        return rank >= 0 ? `${d.id}·${rank + 1}` : d.id;
      })
      .attr('font-size', total > 40 ? 7 : 11);
    markers.each(function (d) {
      const g = select(this);
      const at = pointAt(d.markerPosition, MARKER_RADIUS);
      const base = pointAt(d.markerPosition, RING_RADIUS + ARC_WIDTH / 2);
      g.select('line.server-stem')
        .attr('x1', base.x - at.x)
        .attr('y1', base.y - at.y)
        .attr('x2', 0)
        .attr('y2', 0);
      const isNew = !knownServerIds.has(d.id);
      if (isNew && pendingDrop && !reduced) {
        const from = pendingDrop;
        g.attr('transform', `translate(${from.x},${from.y})`)
          .transition()
          .duration(700)
          .ease(easeCubicInOut)
          .attrTween('transform', () => {
            const x = interpolateNumber(from.x, at.x);
            const y = interpolateNumber(from.y, at.y);
            return (t: number) => `translate(${x(t)},${y(t)})`;
          });
      } else if (!g.classed('is-dragging')) {
        g.attr('transform', `translate(${at.x},${at.y})`);
      }
    });
    if (snapshot.servers.some((s) => !knownServerIds.has(s.id))) pendingDrop = null;
    knownServerIds = new Set(snapshot.servers.map((s) => s.id));
    markers.on('keydown', (event: KeyboardEvent, d) => {
      if (event.key === 'Delete' || event.key === 'Backspace') {
        event.preventDefault();
        callbacks.onRemoveServer(d.id);
      } else if (event.key === 'f' || event.key === 'F') {
        event.preventDefault();
        callbacks.onToggleFailed(d.id, !d.failed);
      } else if (event.key === 'Enter') {
        event.preventDefault();
        callbacks.onSelectServer(d.id);
      }
    });
    markers.call(serverDrag());
  }

  function serverDrag() {
    return drag<SVGGElement, ServerView>()
      .on('start', function () {
        select(this).classed('is-dragging', true).raise();
      })
      .on('drag', function (event) {
        const [x, y] = pointer(event.sourceEvent, svg.node());
        const distance = Math.abs(Math.hypot(x - CENTER, y - CENTER) - RING_RADIUS);
        select(this)
          .attr('transform', `translate(${x},${y})`)
          .classed('will-remove', distance > REMOVE_DISTANCE);
      })
      .on('end', function (event, d) {
        const [x, y] = pointer(event.sourceEvent, svg.node());
        const distance = Math.abs(Math.hypot(x - CENTER, y - CENTER) - RING_RADIUS);
        const g = select(this).classed('is-dragging', false).classed('will-remove', false);
        if (distance > REMOVE_DISTANCE) {
          callbacks.onRemoveServer(d.id);
          return;
        }
        // Servers live at their hash position: a marker dropped elsewhere goes back there.
        const at = pointAt(d.markerPosition, MARKER_RADIUS);
        g.transition()
          .duration(reduced ? 0 : 300)
          .attr('transform', `translate(${at.x},${at.y})`);
        if (Math.hypot(x - at.x, y - at.y) < 4) callbacks.onSelectServer(d.id);
      });
  }

  function updateLookup(snapshot: HashRingSnapshot): void {
    const lookup = snapshot.lookup;
    if (!lookup || !ring || ring.positions.length === 0) {
      lookupLayer.selectAll('*').remove();
      lastLookupKey = null;
      return;
    }
    const walkEnd = lookup.walk.at(-1);
    const ownerPosition = walkEnd !== undefined ? ring.positions[walkEnd] : undefined;
    const keyPoint = pointAt(lookup.keyHash, RING_RADIUS);
    const isNew = lookup.key !== lastLookupKey;
    lastLookupKey = lookup.key;
    if (!isNew) return;
    lookupLayer.selectAll('*').remove();
    lookupLayer
      .append('line')
      .attr('class', 'lookup-hash-line')
      .attr('x1', CENTER)
      .attr('y1', CENTER)
      .attr('x2', keyPoint.x)
      .attr('y2', keyPoint.y);
    if (ownerPosition === undefined) return;
    const path = lookupLayer
      .append('path')
      .attr('class', 'lookup-walk')
      .attr('d', arcPath(lookup.keyHash, ownerPosition, RING_RADIUS + 20));
    const keyDot = lookupLayer
      .append('circle')
      .attr('class', 'lookup-key')
      .attr('r', 6)
      .attr('cx', keyPoint.x)
      .attr('cy', keyPoint.y);
    const pathNode = path.node();
    if (!pathNode || reduced) return;
    const length = pathNode.getTotalLength();
    path
      .attr('stroke-dasharray', `${length} ${length}`)
      .attr('stroke-dashoffset', length)
      .transition()
      .delay(250)
      .duration(900)
      .ease(easeCubicInOut)
      .attr('stroke-dashoffset', 0);
    keyDot
      .attr('cx', CENTER)
      .attr('cy', CENTER)
      .transition()
      .duration(250)
      .attr('cx', keyPoint.x)
      .attr('cy', keyPoint.y)
      .transition()
      .duration(900)
      .ease(easeCubicInOut)
      .attrTween('cx', () => (t: number) => String(pathNode.getPointAtLength(t * length).x))
      .attrTween('cy', () => (t: number) => String(pathNode.getPointAtLength(t * length).y));
  }

  /** Requests travel from their key's position clockwise to the vnode that answers them. */
  function updateRequests(snapshot: HashRingSnapshot, atMs: number): void {
    const positions = ring?.positions;
    const context = flightCanvas.getContext('2d');
    if (!context) return;
    const unit = flightCanvas.width / STAGE_SIZE;
    context.setTransform(unit, 0, 0, unit, 0, 0);
    context.clearRect(0, 0, STAGE_SIZE, STAGE_SIZE);
    const requests = reduced || !positions || positions.length === 0 ? [] : snapshot.requests;
    if (requests.length !== flightCount) {
      flightCount = requests.length;
      flightCanvas.dataset.requestsInFlight = String(flightCount);
    }
    if (!positions || requests.length === 0) return;
    const theme = currentTheme();
    const indexOfServer = new Map(snapshot.servers.map((s, i) => [s.id, i]));
    for (const request of requests) {
      const progress = Math.min(1, Math.max(0, (atMs - request.atMs) / REQUEST_FLIGHT_MS));
      let span = successorPosition(positions, request.keyHash) - request.keyHash;
      if (span < 0) span += TWO_POW_32;
      const at = pointAt((request.keyHash + span * progress) % TWO_POW_32, RING_RADIUS + 20);
      context.globalAlpha = 1 - progress * 0.6;
      context.fillStyle = seriesColor(indexOfServer.get(request.ownerId) ?? 0, theme);
      context.beginPath();
      context.arc(at.x, at.y, 3.2, 0, Math.PI * 2);
      context.fill();
    }
    context.globalAlpha = 1;
  }

  // Called every frame: a text node written with the same text still costs an SVG text layout.
  function setText(selection: { node(): SVGTextElement | null }, text: string): void {
    const node = selection.node();
    if (node && node.textContent !== text) node.textContent = text;
  }

  function updateCenter(snapshot: HashRingSnapshot): void {
    const lookup = snapshot.lookup;
    if (lookup) {
      const [owner, ...replicas] = lookup.preferenceIds;
      setText(centerTitle, `"${truncate(lookup.key, 22)}"`);
      setText(centerLine, `hash ${formatHash(lookup.keyHash)} → ${owner ?? 'no live server'}`);
      setText(centerLine2, replicas.length > 0 ? `replicas: ${replicas.join(', ')}` : '');
      return;
    }
    const live = snapshot.servers.filter((s) => !s.failed).length;
    setText(centerTitle, `${live} live server${live === 1 ? '' : 's'}`);
    setText(
      centerLine,
      `${snapshot.keysTotal.toLocaleString('en-US')} keys · ${snapshot.config.vnodesPerServer} vnodes each`,
    );
    const change = snapshot.lastChange;
    setText(
      centerLine2,
      change && change.keysTotal > 0
        ? `last change moved ${((change.movedOnRing / change.keysTotal) * 100).toFixed(1)}% of keys`
        : '',
    );
  }

  return {
    update(snapshot, atMs, reducedMotion) {
      latest = snapshot;
      reduced = reducedMotion;
      if (snapshot.ring) ring = snapshot.ring;
      if (snapshot.keys) {
        trackMovedKeys(snapshot.keys, snapshot.servers);
        keys = snapshot.keys;
      }
      drawCanvas(snapshot);
      // Servers change rarely; redrawing 100 markers every frame would waste the frame budget.
      const serversKey = `${currentTheme()}|${snapshot.lookup?.preferenceIds.join(',') ?? ''}|${snapshot.keysTotal}|${snapshot.servers
        .map((s) => `${s.id}:${s.weight}:${s.failed ? 1 : 0}:${s.keyCount}:${s.markerPosition}`)
        .join(',')}`;
      if (serversKey !== serversDrawnKey) {
        serversDrawnKey = serversKey;
        updateServers(snapshot);
      }
      updateLookup(snapshot);
      updateRequests(snapshot, atMs);
      updateCenter(snapshot);
    },
    expectServerFrom(point) {
      pendingDrop = point;
    },
    hitRing(clientX, clientY) {
      const node = svg.node();
      const rect = node?.getBoundingClientRect();
      if (!rect || rect.width === 0) return { x: 0, y: 0, onRing: false };
      const x = ((clientX - rect.left) / rect.width) * STAGE_SIZE;
      const y = ((clientY - rect.top) / rect.height) * STAGE_SIZE;
      const distance = Math.abs(Math.hypot(x - CENTER, y - CENTER) - RING_RADIUS);
      return {
        x,
        y,
        onRing:
          x >= 0 && y >= 0 && x <= STAGE_SIZE && y <= STAGE_SIZE && distance < REMOVE_DISTANCE,
      };
    },
    destroy() {
      resizeObserver.disconnect();
      svg.interrupt();
      svg.remove();
      canvas.remove();
      flightCanvas.remove();
    },
  };
}

/** The first ring position at or after `hash`, wrapping around (binary search). */
export function successorPosition(positions: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  return positions[lo === positions.length ? 0 : lo]!;
}

function serverLabel(server: ServerView, snapshot: HashRingSnapshot): string {
  const share =
    snapshot.keysTotal > 0 ? ((server.keyCount / snapshot.keysTotal) * 100).toFixed(1) : '0.0';
  const state = server.failed ? 'failed' : 'live';
  return `Server ${server.id}, ${state}, weight ${server.weight}, ${server.keyCount.toLocaleString('en-US')} keys (${share}%). Delete removes it, F fails or recovers it.`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type SvgSelection = Selection<SVGSVGElement, unknown, null, undefined>;
