/**
 * The cluster as a d3 view: replicas on a circle (each with its value and version for the shown
 * key), spare nodes below, each client beside its coordinator, links that a partition cuts, the
 * messages in flight placed exactly by interpolation, and the latest request's quorums with their
 * overlap. Drawing a line across the stage cuts the network in two along it.
 *
 * Messages move every frame, so they are drawn on a canvas over the SVG; the SVG parts (links,
 * servers, clients, quorum rings) are rewritten only when what they show changed, so a frame
 * that only moves messages writes nothing to the DOM.
 */

import { select } from 'd3';
import { observeWidth } from '../../../app/observe-width';
import { currentTheme, seriesColor } from '../../../app/palette';
import { formatValue } from '../sim/constants';
import type { MessageKind } from '../sim/model';
import type { QuorumSnapshot, RequestView, ServerView } from '../sim/snapshot';
import type { Version } from '../sim/versions';

export const STAGE_WIDTH = 600;
export const STAGE_HEIGHT = 500;
const CENTRE = { x: 300, y: 225 };
const RING_RADIUS = 140;
const NODE_RADIUS = 31;

export interface ClusterHandlers {
  onPartition(groups: string[][]): void;
  onIsolate(nodeId: string): void;
  onCycleGroup(nodeId: string): void;
  onHeal(): void;
}

export interface ClusterView {
  update(snapshot: QuorumSnapshot, atMs: number, shownKey: number): void;
  destroy(): void;
}

type Point = { x: number; y: number };

export function layoutOf(
  snapshot: Pick<QuorumSnapshot, 'servers' | 'clients'>,
): Map<string, Point> {
  const positions = new Map<string, Point>();
  const replicas = snapshot.servers.filter((s) => s.kind === 'replica');
  const spares = snapshot.servers.filter((s) => s.kind === 'spare');
  const angleOf = (i: number) => (2 * Math.PI * i) / replicas.length - Math.PI / 2;
  replicas.forEach((server, i) => {
    positions.set(server.id, {
      x: CENTRE.x + RING_RADIUS * Math.cos(angleOf(i)),
      y: CENTRE.y + RING_RADIUS * Math.sin(angleOf(i)),
    });
  });
  spares.forEach((server, i) => {
    positions.set(server.id, { x: 40 + i * 62, y: STAGE_HEIGHT - 34 });
  });
  const perCoordinator = new Map<string, number>();
  for (const client of snapshot.clients) {
    const index = replicas.findIndex((r) => r.id === client.coordinator);
    const slot = perCoordinator.get(client.coordinator) ?? 0;
    perCoordinator.set(client.coordinator, slot + 1);
    const angle = angleOf(index) + (slot % 2 === 0 ? 1 : -1) * Math.ceil(slot / 2) * 0.2;
    const radius = RING_RADIUS + 56;
    positions.set(client.id, {
      x: CENTRE.x + radius * Math.cos(angle),
      y: CENTRE.y + radius * Math.sin(angle),
    });
  }
  return positions;
}

export function messageColor(kind: MessageKind, theme: 'light' | 'dark'): string {
  switch (kind) {
    case 'write':
    case 'writeAck':
      return seriesColor(4, theme);
    case 'read':
    case 'readReply':
      return seriesColor(0, theme);
    case 'aeFull':
    case 'merkle':
    case 'aeKeys':
      return seriesColor(2, theme);
    case 'hint':
    case 'hintAck':
      return seriesColor(6, theme);
    default:
      return theme === 'dark' ? '#c8ccd4' : '#545b66';
  }
}

export function groupColor(side: number, theme: 'light' | 'dark'): string {
  return side < 0
    ? 'var(--fg-muted)'
    : seriesColor(side === 0 ? 5 : side === 1 ? 1 : side + 2, theme);
}

export function groupLetter(side: number): string {
  return side < 0 ? '' : String.fromCharCode(65 + side);
}

export function describeVersions(
  versions: readonly Version[],
  conflict: 'lww' | 'vclock',
): {
  value: string;
  version: string;
} {
  if (versions.length === 0) return { value: '—', version: 'no hint' };
  const value = versions.map((v) => formatValue(v.value)).join(' | ');
  if (conflict === 'lww') {
    const newest = versions[0] as Version;
    return { value, version: newest.node < 0 ? 'initial' : `t ${(newest.ts / 1000).toFixed(2)} s` };
  }
  return { value, version: versions.map((v) => `[${v.clock.join(',')}]`).join(' ') };
}

/** The most recent finished request on the shown key, whose quorums the stage outlines. */
export function latestRequest(snapshot: QuorumSnapshot, key: number): RequestView | null {
  for (let i = snapshot.requests.length - 1; i >= 0; i -= 1) {
    const request = snapshot.requests[i] as RequestView;
    if (request.key === key && request.respondedAtMs !== null) return request;
  }
  return null;
}

export function createClusterView(root: HTMLElement, handlers: ClusterHandlers): ClusterView {
  const svg = select(root)
    .append('svg')
    .attr('class', 'cluster-svg')
    .attr('viewBox', `0 0 ${STAGE_WIDTH} ${STAGE_HEIGHT}`)
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr('aria-label', 'The cluster: replicas, spare nodes, clients and messages in flight');
  const background = svg
    .append('rect')
    .attr('class', 'cluster-bg')
    .attr('width', STAGE_WIDTH)
    .attr('height', STAGE_HEIGHT);
  const linksLayer = svg.append('g').attr('class', 'links');
  const quorumLayer = svg.append('g').attr('class', 'quorums');
  const clientsLayer = svg.append('g').attr('class', 'clients');
  const nodesLayer = svg.append('g').attr('class', 'nodes');
  const cutLine = svg.append('line').attr('class', 'cut-line').style('display', 'none');
  const messageCanvas = document.createElement('canvas');
  messageCanvas.className = 'message-canvas';
  messageCanvas.setAttribute('aria-hidden', 'true');
  // The PNG / SVG export flattens this layer into the cluster drawing (same 600 × 500 frame).
  messageCanvas.dataset.exportLayer = 'messages';
  root.append(messageCanvas);
  let layout = new Map<string, Point>();
  let servers: ServerView[] = [];
  let structureKey = '';
  let clientsKey = '';
  const nodeKeys = new Map<string, string>();
  /** Quorum marks per `${kind}-${server}`, made when the layout changes and shown or hidden. */
  const quorumMarks = new Map<string, { element: SVGElement; shown: boolean }>();
  let quorumKey = '';
  let messagesInFlight = -1;
  let cssWidth = 0;
  let messageContext: CanvasRenderingContext2D | null = null;
  let latest: { snapshot: QuorumSnapshot; atMs: number } | null = null;
  const stopObservingWidth = observeWidth(root, (widthPx) => {
    cssWidth = widthPx;
    if (latest) drawMessages(latest.snapshot, latest.atMs);
  });

  function drawMessages(snapshot: QuorumSnapshot, atMs: number): void {
    const width = cssWidth > 0 ? cssWidth : STAGE_WIDTH;
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    const pixelWidth = Math.max(1, Math.round(width * ratio));
    const pixelHeight = Math.max(1, Math.round((width * STAGE_HEIGHT * ratio) / STAGE_WIDTH));
    if (messageCanvas.width !== pixelWidth) messageCanvas.width = pixelWidth;
    if (messageCanvas.height !== pixelHeight) messageCanvas.height = pixelHeight;
    // The context once: getContext looks the canvas's style up each time it is called.
    messageContext ??= messageCanvas.getContext('2d');
    const context = messageContext;
    if (!context) return;
    const unit = pixelWidth / STAGE_WIDTH;
    context.setTransform(unit, 0, 0, unit, 0, 0);
    context.clearRect(0, 0, STAGE_WIDTH, STAGE_HEIGHT);
    const theme = currentTheme();
    const at = (id: string) => layout.get(id) ?? CENTRE;
    let shown = 0;
    for (const m of snapshot.messages) {
      if (m.sentAtMs > atMs || atMs >= m.endAtMs) continue;
      shown += 1;
      const t = progress(m, atMs);
      const from = at(m.from);
      const to = at(m.to);
      const color = messageColor(m.kind, theme);
      context.beginPath();
      context.arc(
        lerp(from.x, to.x, t),
        lerp(from.y, to.y, t),
        m.kind === 'req' || m.kind === 'resp' ? 4 : 5,
        0,
        Math.PI * 2,
      );
      if (m.dropped) {
        // Dropped: a hollow ring, so it reads by shape as well as colour.
        context.globalAlpha = 0.8;
        context.lineWidth = 2;
        context.strokeStyle = color;
        context.stroke();
        context.globalAlpha = 1;
      } else {
        context.fillStyle = color;
        context.fill();
        context.lineWidth = 1.5;
        context.strokeStyle = color;
        context.stroke();
      }
    }
    if (shown !== messagesInFlight) {
      messagesInFlight = shown;
      messageCanvas.dataset.messagesDrawn = String(shown);
    }
  }

  // Drawing a cut: a line dragged across the stage splits the servers by side of that line.
  let cutStart: Point | null = null;
  const toStage = (event: PointerEvent): Point => {
    const matrix = (svg.node() as SVGSVGElement).getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  };
  background
    .on('pointerdown', (event: PointerEvent) => {
      cutStart = toStage(event);
      (event.target as Element).setPointerCapture?.(event.pointerId);
      cutLine
        .style('display', null)
        .attr('x1', cutStart.x)
        .attr('y1', cutStart.y)
        .attr('x2', cutStart.x)
        .attr('y2', cutStart.y);
    })
    .on('pointermove', (event: PointerEvent) => {
      if (!cutStart) return;
      const p = toStage(event);
      cutLine.attr('x2', p.x).attr('y2', p.y);
    })
    .on('pointerup', (event: PointerEvent) => {
      if (!cutStart) return;
      const end = toStage(event);
      const start = cutStart;
      cutStart = null;
      cutLine.style('display', 'none');
      if (Math.hypot(end.x - start.x, end.y - start.y) < 40) return;
      const groups = splitByLine(servers, layout, start, end);
      if (groups) handlers.onPartition(groups);
    })
    .on('pointercancel', () => {
      cutStart = null;
      cutLine.style('display', 'none');
    });

  return {
    update(snapshot, atMs, shownKey) {
      const theme = currentTheme();
      latest = { snapshot, atMs };
      const slow = snapshot.slowLink;
      const nextStructure = `${theme}|${snapshot.servers.map((s) => `${s.id}:${s.side}`).join(',')}|${snapshot.clients.map((c) => `${c.id}>${c.coordinator}`).join(',')}|${slow ? `${slow.a}-${slow.b}` : ''}`;
      const structureChanged = nextStructure !== structureKey;
      if (structureChanged) {
        structureKey = nextStructure;
        layout = layoutOf(snapshot);
        servers = snapshot.servers;
        drawLinks(snapshot);
        drawClientPlaces(snapshot);
        buildQuorumMarks(snapshot, theme);
        nodeKeys.clear();
        quorumKey = '';
      }
      const nextClients = snapshot.clients.map((c) => (c.busy === null ? '-' : 'b')).join('');
      if (nextClients !== clientsKey || structureChanged) {
        clientsKey = nextClients;
        clientsLayer
          .selectAll<SVGGElement, QuorumSnapshot['clients'][number]>('g.client')
          .data(snapshot.clients, (d) => d.id)
          .classed('is-busy', (d) => d.busy !== null);
      }
      const describe = (d: ServerView) =>
        describeVersions(d.keys[shownKey] ?? [], snapshot.config.conflict);
      // Only the servers whose text changed are rewritten.
      const changed = new Set<string>();
      for (const d of snapshot.servers) {
        const text = describe(d);
        const key = `${d.hintCount}/${text.value}/${text.version}`;
        if (nodeKeys.get(d.id) !== key) {
          nodeKeys.set(d.id, key);
          changed.add(d.id);
        }
      }
      if (changed.size > 0 || structureChanged)
        drawNodes(snapshot, theme, describe, changed, structureChanged);
      const request = latestRequest(snapshot, shownKey);
      const nextQuorum = request
        ? `${request.id}|${request.outcome}|${request.acks.join(',')}|${request.repliedBy.join(',')}|${request.overlap?.writeNodes.join(',') ?? ''}|${request.overlap?.common.join(',') ?? ''}`
        : '';
      if (nextQuorum !== quorumKey) {
        quorumKey = nextQuorum;
        showQuorums(request);
      }
      drawMessages(snapshot, atMs);
    },
    destroy() {
      stopObservingWidth();
      svg.remove();
      messageCanvas.remove();
    },
  };

  function buildQuorumMarks(snapshot: QuorumSnapshot, theme: 'light' | 'dark'): void {
    quorumLayer.selectAll('*').remove();
    quorumMarks.clear();
    const at = (id: string) => layout.get(id) ?? CENTRE;
    for (const server of snapshot.servers) {
      const p = at(server.id);
      for (const kind of ['write', 'read', 'overlap'] as const) {
        const element = quorumLayer
          .append<SVGElement>(kind === 'overlap' ? 'path' : 'circle')
          .attr('class', `quorum-mark quorum-${kind}`)
          .attr('data-mark', `${kind}-${server.id}`)
          .style('display', 'none');
        if (kind === 'overlap') {
          // A diamond above the node marks a replica in both quorums.
          element
            .attr('d', `M${p.x},${p.y - NODE_RADIUS - 20} l8,8 l-8,8 l-8,-8 z`)
            .attr('fill', seriesColor(5, theme));
        } else {
          element
            .attr('cx', p.x)
            .attr('cy', p.y)
            .attr('r', NODE_RADIUS + (kind === 'write' ? 6 : 11))
            .attr('stroke', kind === 'write' ? seriesColor(4, theme) : seriesColor(0, theme));
        }
        const node = element.node();
        if (node) quorumMarks.set(`${kind}-${server.id}`, { element: node, shown: false });
      }
    }
  }

  /** Rings for the request's quorums: write (acks), read (repliers) and their overlap. */
  function showQuorums(request: RequestView | null): void {
    const shown = new Set<string>();
    if (request) {
      if (request.kind === 'write') {
        for (const id of request.acks) shown.add(`write-${id}`);
      } else {
        for (const id of request.repliedBy) shown.add(`read-${id}`);
        for (const id of request.overlap?.writeNodes ?? []) shown.add(`write-${id}`);
        for (const id of request.overlap?.common ?? []) shown.add(`overlap-${id}`);
      }
    }
    for (const [key, mark] of quorumMarks) {
      const show = shown.has(key);
      if (show !== mark.shown) {
        mark.shown = show;
        mark.element.style.display = show ? '' : 'none';
      }
    }
  }

  function drawLinks(snapshot: QuorumSnapshot): void {
    const at = (id: string) => layout.get(id) ?? CENTRE;
    const sideOf = new Map(snapshot.servers.map((s) => [s.id, s.side]));
    const replicas = snapshot.servers.filter((s) => s.kind === 'replica');
    const slow = snapshot.slowLink;
    const links: { a: string; b: string; cut: boolean; slow: boolean }[] = [];
    for (let i = 0; i < replicas.length; i += 1) {
      for (let j = i + 1; j < replicas.length; j += 1) {
        const a = (replicas[i] as ServerView).id;
        const b = (replicas[j] as ServerView).id;
        links.push({
          a,
          b,
          cut: sideOf.get(a) !== sideOf.get(b),
          slow: slow !== null && ((slow.a === a && slow.b === b) || (slow.a === b && slow.b === a)),
        });
      }
    }
    if (slow && !links.some((l) => l.slow))
      links.push({ a: slow.a, b: slow.b, cut: false, slow: true });
    linksLayer
      .selectAll<SVGLineElement, (typeof links)[number]>('line')
      .data(links, (d) => `${d.a}-${d.b}`)
      .join('line')
      .attr('class', (d) => `link${d.cut ? ' is-cut' : ''}${d.slow ? ' is-slow' : ''}`)
      .attr('x1', (d) => at(d.a).x)
      .attr('y1', (d) => at(d.a).y)
      .attr('x2', (d) => at(d.b).x)
      .attr('y2', (d) => at(d.b).y);
  }

  function drawClientPlaces(snapshot: QuorumSnapshot): void {
    const at = (id: string) => layout.get(id) ?? CENTRE;
    clientsLayer
      .selectAll<SVGGElement, QuorumSnapshot['clients'][number]>('g.client')
      .data(snapshot.clients, (d) => d.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'client');
        g.append('line').attr('class', 'client-link');
        g.append('rect')
          .attr('width', 30)
          .attr('height', 22)
          .attr('x', -15)
          .attr('y', -11)
          .attr('rx', 4);
        g.append('text')
          .attr('class', 'client-label')
          .attr('text-anchor', 'middle')
          .attr('dy', '0.35em');
        return g;
      })
      .attr('transform', (d) => `translate(${at(d.id).x},${at(d.id).y})`)
      .call((g) =>
        g
          .select('line')
          .attr('x1', 0)
          .attr('y1', 0)
          .attr('x2', (d) => at(d.coordinator).x - at(d.id).x)
          .attr('y2', (d) => at(d.coordinator).y - at(d.id).y),
      )
      .call((g) => g.select('text').text((d) => d.id));
  }

  function drawNodes(
    snapshot: QuorumSnapshot,
    theme: 'light' | 'dark',
    describe: (d: ServerView) => { value: string; version: string },
    changed: ReadonlySet<string>,
    place: boolean,
  ): void {
    const at = (id: string) => layout.get(id) ?? CENTRE;
    const all = nodesLayer
      .selectAll<SVGGElement, ServerView>('g.server')
      .data(snapshot.servers, (d) => d.id)
      .join((enter) => {
        const g = enter
          .append('g')
          .attr('class', 'server')
          .attr('tabindex', 0)
          .attr('role', 'button')
          .on('keydown', (event: KeyboardEvent, d) => {
            const key = event.key.toLowerCase();
            if (key === 'i' || key === 'enter') {
              event.preventDefault();
              handlers.onIsolate(d.id);
            } else if (key === 'g') {
              event.preventDefault();
              handlers.onCycleGroup(d.id);
            } else if (key === 'h') {
              event.preventDefault();
              handlers.onHeal();
            }
          })
          .on('dblclick', (_event, d) => handlers.onIsolate(d.id));
        g.append('circle').attr('class', 'server-body');
        g.append('text').attr('class', 'server-id').attr('text-anchor', 'middle');
        g.append('text').attr('class', 'server-value').attr('text-anchor', 'middle');
        g.append('text').attr('class', 'server-version').attr('text-anchor', 'middle');
        const badge = g.append('g').attr('class', 'group-badge');
        badge.append('circle').attr('r', 9);
        badge.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em');
        return g;
      });
    const radius = (d: ServerView) => (d.kind === 'spare' ? NODE_RADIUS - 7 : NODE_RADIUS);
    if (place) {
      // Where each server sits and its partition group: only when the layout or groups change.
      all
        .attr('transform', (d) => `translate(${at(d.id).x},${at(d.id).y})`)
        .classed('is-spare', (d) => d.kind === 'spare')
        .attr('data-node', (d) => d.id);
      all
        .select<SVGCircleElement>('circle.server-body')
        .attr('r', radius)
        .attr('stroke', (d) => groupColor(d.side, theme));
      all
        .select('text.server-id')
        .attr('y', (d) => -radius(d) + 14)
        .text((d) => d.id);
      all.select('text.server-value').attr('y', 5);
      all.select('text.server-version').attr('y', (d) => radius(d) - 7);
      all
        .select('g.group-badge')
        .style('display', (d) => (d.side >= 0 ? null : 'none'))
        .attr('transform', (d) => `translate(${radius(d) - 4},${-radius(d) + 4})`)
        .call((g) => g.select('circle').attr('fill', (d) => groupColor(d.side, theme)))
        .call((g) => g.select('text').text((d) => groupLetter(d.side)));
    }
    // What each server holds: only the servers whose texts changed.
    const nodes = all.filter((d) => changed.has(d.id));
    nodes.attr('aria-label', (d) => {
      const text = describe(d);
      const group = d.side >= 0 ? `, partition group ${groupLetter(d.side)}` : '';
      return d.kind === 'replica'
        ? `${d.id}: ${text.value} (${text.version})${group}. I or Enter isolates it, G moves it to the next group, H heals.`
        : `Spare ${d.id}: ${d.hintCount} hints${group}. I isolates it, G moves it, H heals.`;
    });
    nodes
      .select('text.server-value')
      .text((d) =>
        d.kind === 'spare'
          ? `${d.hintCount} hint${d.hintCount === 1 ? '' : 's'}`
          : describe(d).value,
      );
    nodes
      .select('text.server-version')
      .text((d) => (d.kind === 'spare' ? 'spare' : describe(d).version));
  }
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

function progress(message: { sentAtMs: number; endAtMs: number; dropped: boolean }, atMs: number) {
  const duration = message.endAtMs - message.sentAtMs;
  const t = duration <= 0 ? 1 : Math.min(1, Math.max(0, (atMs - message.sentAtMs) / duration));
  // A dropped message travels until it dies halfway (at the cut or where the link lost it).
  return message.dropped ? t * 0.5 : t;
}

/** The two groups of servers on either side of the line from a to b, or null if one is empty. */
export function splitByLine(
  servers: readonly ServerView[],
  layout: Map<string, Point>,
  a: Point,
  b: Point,
): string[][] | null {
  const left: string[] = [];
  const right: string[] = [];
  for (const server of servers) {
    const p = layout.get(server.id);
    if (!p) continue;
    const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    (cross < 0 ? left : right).push(server.id);
  }
  return left.length > 0 && right.length > 0 ? [left, right] : null;
}
