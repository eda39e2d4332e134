/**
 * One election drawn as a d3 view factory: `createElectionView(root, options) → { update,
 * destroy }`. Nodes are SVG (at most 64, focusable, with keys); messages in flight are painted on
 * a canvas every frame at the position their send and arrival times give for this moment, so the
 * animation is smooth at any speed and exact after a seek. Counters under the drawing are plain
 * DOM updated here, so React does not re-render every frame.
 *
 * A node is rewritten only when what it shows changed: its colour and marks as soon as its state
 * does; its description (title and accessible name, which count the messages it received and so
 * change almost every frame on a busy ring) at most four times a second.
 */
import { select } from 'd3';
import { formatCount } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import type { BullyView, FlightView, LeaderElectionSnapshot, RingRunView } from '../sim/snapshot';

export const VIEW_SIZE = 400;
const CENTER = VIEW_SIZE / 2;
const RADIUS = 140;

export type ElectionKind = 'lcr' | 'hs' | 'bully';

export interface ElectionViewCallbacks {
  onToggleCrash(index: number, crashed: boolean): void;
  onSelect(index: number): void;
}

export interface ElectionView {
  update(snapshot: LeaderElectionSnapshot, atMs: number, reducedMotion: boolean): void;
  select(index: number | null): void;
  destroy(): void;
}

/** Node states, each with a colour index (Okabe–Ito) and a word, never colour alone. */
export const STATE_STYLE: Record<string, { color: number; label: string }> = {
  candidate: { color: 4, label: 'candidate' },
  relay: { color: 7, label: 'relay' },
  leader: { color: 0, label: 'leader' },
  follower: { color: 2, label: 'follower' },
  electing: { color: 5, label: 'electing' },
  waiting: { color: 6, label: 'waiting' },
  crashed: { color: 7, label: 'crashed' },
};

/** Message kinds, coloured by role. */
export const FLIGHT_COLOR: Record<FlightView['kind'], number> = {
  uid: 4,
  probe: 4,
  reply: 1,
  elected: 0,
  election: 5,
  answer: 1,
  coordinator: 0,
  heartbeat: 7,
};

interface NodeDatum {
  index: number;
  uid: number;
  state: string;
  detail: string;
}

/** Node descriptions (title, accessible name) are rewritten at most this often. */
const TEXT_INTERVAL_MS = 250;

export function angleOfNode(index: number, n: number): number {
  return (index / n) * Math.PI * 2 - Math.PI / 2;
}

function pointOf(angle: number, radius: number): { x: number; y: number } {
  return { x: CENTER + radius * Math.cos(angle), y: CENTER + radius * Math.sin(angle) };
}

function nodeRadius(n: number): number {
  return n <= 12 ? 15 : n <= 24 ? 11 : n <= 40 ? 8 : 6;
}

function runOf(
  snapshot: LeaderElectionSnapshot,
  kind: ElectionKind,
): RingRunView | BullyView | null {
  return kind === 'lcr' ? snapshot.lcr : kind === 'hs' ? snapshot.hs : snapshot.bully;
}

function nodesOf(snapshot: LeaderElectionSnapshot, kind: ElectionKind): NodeDatum[] {
  if (kind === 'bully') {
    return (snapshot.bully?.nodes ?? []).map((node) => ({
      index: node.index,
      uid: node.id,
      state: node.state,
      detail: `follows ${node.leaderId ?? 'nobody'}, received ${node.received}, sent ${node.sent}, started ${node.electionsStarted} elections`,
    }));
  }
  const run = kind === 'lcr' ? snapshot.lcr : snapshot.hs;
  return (run?.nodes ?? []).map((node) => ({
    index: node.index,
    uid: node.uid,
    state: node.state,
    detail: `largest UID seen ${node.maxSeen}, received ${node.received}, passed on ${node.forwarded}${
      kind === 'hs' ? `, phase ${node.phase}` : ''
    }${node.knownLeaderUid === null ? '' : `, knows leader ${node.knownLeaderUid}`}`,
  }));
}

export function createElectionView(
  root: HTMLElement,
  kind: ElectionKind,
  callbacks: ElectionViewCallbacks,
): ElectionView {
  const drawing = select(root).append('div').attr('class', 'election-drawing');
  const canvas = drawing
    .append('canvas')
    .attr('class', 'election-canvas')
    .attr('aria-hidden', 'true')
    .attr('data-export-layer', 'messages')
    .node()!;
  const svg = drawing
    .append('svg')
    .attr('class', 'election-svg')
    .attr('viewBox', `0 0 ${VIEW_SIZE} ${VIEW_SIZE}`)
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr(
      'aria-label',
      kind === 'bully' ? 'Bully: fully connected group' : `${kind === 'lcr' ? 'LCR' : 'HS'} ring`,
    );
  svg
    .append('title')
    .text(
      kind === 'bully'
        ? 'Fully connected group running Bully'
        : kind === 'lcr'
          ? 'Unidirectional ring running LCR: messages travel clockwise'
          : 'Bidirectional ring running Hirschberg–Sinclair',
    );
  const base = svg.append('g').attr('class', 'election-base');
  const nodeLayer = svg.append('g').attr('class', 'election-nodes');
  const center = svg.append('g').attr('class', 'election-center');
  const centerTitle = center
    .append('text')
    .attr('x', CENTER)
    .attr('y', CENTER - 8)
    .attr('text-anchor', 'middle');
  const centerLine = center
    .append('text')
    .attr('x', CENTER)
    .attr('y', CENTER + 12)
    .attr('text-anchor', 'middle');
  const centerLine2 = center
    .append('text')
    .attr('x', CENTER)
    .attr('y', CENTER + 30)
    .attr('text-anchor', 'middle');

  let drawnKey = '';
  /** Per node index: what its look and its description were last written from. */
  const lookKeys = new Map<number, string>();
  const textKeys = new Map<number, string>();
  let layoutKey = '';
  let textWrittenAt = Number.NEGATIVE_INFINITY;
  let textTimer: ReturnType<typeof setTimeout> | null = null;
  let countsWrittenAt = Number.NEGATIVE_INFINITY;
  let countsTimer: ReturnType<typeof setTimeout> | null = null;
  let pendingCounts: [string, string] | null = null;
  let context: CanvasRenderingContext2D | null = null;
  let fontSet = false;
  let inFlightShown = '';
  let selected: number | null = null;
  let latest: { snapshot: LeaderElectionSnapshot; atMs: number; reduced: boolean } | null = null;
  let canvasSize = 0;
  // The stage's width is read when it changes, never per frame: reading layout after the frame's
  // SVG writes would force a synchronous layout every frame.
  let rootWidth = root.getBoundingClientRect().width;

  const resizeObserver = new ResizeObserver((entries) => {
    rootWidth = entries[0]?.contentRect.width ?? root.getBoundingClientRect().width;
    canvasSize = 0;
    if (latest) drawFlights(latest.snapshot, latest.atMs, latest.reduced);
  });
  resizeObserver.observe(root);

  function drawBase(n: number): void {
    const key = `${n}|${kind}`;
    if (key === drawnKey) return;
    drawnKey = key;
    base.selectAll('*').remove();
    if (kind === 'bully') {
      // Every pair is linked; the faint chords show the full mesh.
      if (n <= 24) {
        for (let i = 0; i < n; i += 1) {
          for (let j = i + 1; j < n; j += 1) {
            const a = pointOf(angleOfNode(i, n), RADIUS);
            const b = pointOf(angleOfNode(j, n), RADIUS);
            base
              .append('line')
              .attr('class', 'mesh-link')
              .attr('x1', a.x)
              .attr('y1', a.y)
              .attr('x2', b.x)
              .attr('y2', b.y);
          }
        }
      }
      return;
    }
    base
      .append('circle')
      .attr('class', 'ring-line')
      .attr('cx', CENTER)
      .attr('cy', CENTER)
      .attr('r', RADIUS);
    // Arrowheads between neighbours show the direction messages travel.
    for (let i = 0; i < n; i += 1) {
      const middle = angleOfNode(i + 0.5, n);
      const at = pointOf(middle, RADIUS);
      const tangent = (middle * 180) / Math.PI + 90;
      const arrow = kind === 'lcr' ? 'M-4,-4L3,0L-4,4' : 'M-6,-3.5L-1,0L-6,3.5M6,-3.5L1,0L6,3.5';
      base
        .append('path')
        .attr('class', 'ring-arrow')
        .attr('d', arrow)
        .attr('transform', `translate(${at.x},${at.y}) rotate(${tangent})`);
    }
  }

  function updateNodes(snapshot: LeaderElectionSnapshot): void {
    const nodes = nodesOf(snapshot, kind);
    const n = nodes.length;
    const theme = currentTheme();
    const r = nodeRadius(n);
    const labelRadius = RADIUS + r + (n > 40 ? 9 : 12);
    const groups = nodeLayer
      .selectAll<SVGGElement, NodeDatum>('g.election-node')
      .data(nodes, (d) => String(d.index))
      .join((enter) => {
        const g = enter
          .append('g')
          .attr('class', 'election-node')
          .attr('tabindex', 0)
          .attr('role', 'button')
          .attr('data-node', (d) => d.index);
        g.append('circle').attr('class', 'node-halo');
        g.append('circle').attr('class', 'node-dot');
        g.append('path').attr('class', 'node-cross');
        g.append('text')
          .attr('class', 'node-uid')
          .attr('text-anchor', 'middle')
          .attr('dy', '0.35em');
        g.append('title');
        g.on('click', (_, d) => callbacks.onSelect(d.index)).on(
          'keydown',
          (event: KeyboardEvent, d) => {
            if (event.key === 'c' || event.key === 'C') {
              event.preventDefault();
              callbacks.onToggleCrash(d.index, d.state === 'crashed');
            } else if (event.key === 'Enter') {
              event.preventDefault();
              callbacks.onSelect(d.index);
            }
          },
        );
        return g;
      });
    // The ring's geometry: only when the node count changes.
    const nextLayout = `${n}`;
    if (nextLayout !== layoutKey) {
      layoutKey = nextLayout;
      lookKeys.clear();
      textKeys.clear();
      groups.attr('transform', (d) => {
        const p = pointOf(angleOfNode(d.index, n), RADIUS);
        return `translate(${p.x},${p.y})`;
      });
      groups.select('circle.node-dot').attr('r', r);
      groups.select('circle.node-halo').attr('r', r + 5);
      groups
        .select('path.node-cross')
        .attr(
          'd',
          `M${-r * 0.6},${-r * 0.6}L${r * 0.6},${r * 0.6}M${r * 0.6},${-r * 0.6}L${-r * 0.6},${r * 0.6}`,
        );
      groups
        .select('text.node-uid')
        .attr('font-size', n > 40 ? 8 : n > 24 ? 10 : 12)
        .attr(
          'x',
          (d) =>
            pointOf(angleOfNode(d.index, n), labelRadius).x -
            pointOf(angleOfNode(d.index, n), RADIUS).x,
        )
        .attr(
          'y',
          (d) =>
            pointOf(angleOfNode(d.index, n), labelRadius).y -
            pointOf(angleOfNode(d.index, n), RADIUS).y,
        );
    }
    // The look: state, UID, selection and theme, at once.
    const looks = groups.filter((d) => {
      const key = `${theme}|${d.uid}|${d.state}|${d.index === selected}`;
      if (lookKeys.get(d.index) === key) return false;
      lookKeys.set(d.index, key);
      return true;
    });
    if (!looks.empty()) {
      looks
        .attr('data-state', (d) => d.state)
        .classed('is-selected', (d) => d.index === selected)
        .attr('aria-pressed', (d) => (d.index === selected ? 'true' : 'false'));
      looks
        .select('circle.node-dot')
        .attr('fill', (d) =>
          d.state === 'crashed'
            ? 'var(--bg-raised)'
            : seriesColor(STATE_STYLE[d.state]?.color ?? 7, theme),
        );
      looks
        .select('circle.node-halo')
        .attr('visibility', (d) => (d.state === 'leader' ? 'visible' : 'hidden'));
      looks
        .select('path.node-cross')
        .attr('visibility', (d) => (d.state === 'crashed' ? 'visible' : 'hidden'));
      looks.select('text.node-uid').text((d) => String(d.uid));
    }
    writeTexts();
  }

  /** Title and accessible name of every node whose description changed, at most 4 times a second. */
  function writeTexts(): void {
    const now = performance.now();
    if (now - textWrittenAt < TEXT_INTERVAL_MS) {
      textTimer ??= setTimeout(
        () => {
          textTimer = null;
          writeTexts();
        },
        TEXT_INTERVAL_MS - (now - textWrittenAt),
      );
      return;
    }
    textWrittenAt = now;
    if (!latest) return;
    const nodes = nodesOf(latest.snapshot, kind);
    nodeLayer
      .selectAll<SVGGElement, NodeDatum>('g.election-node')
      .data(nodes, (d) => String(d.index))
      .filter((d) => {
        const key = `${d.uid}|${d.state}|${d.detail}`;
        if (textKeys.get(d.index) === key) return false;
        textKeys.set(d.index, key);
        return true;
      })
      .attr(
        'aria-label',
        (d) =>
          `Node ${d.index}, UID ${d.uid}, ${STATE_STYLE[d.state]?.label ?? d.state}; ${d.detail}. ${
            d.state === 'crashed'
              ? kind === 'bully'
                ? 'Press C to recover it.'
                : ''
              : 'Press C to crash it.'
          }`,
      )
      .select('title')
      .text((d) => `Node ${d.index} · UID ${d.uid} · ${d.state}\n${d.detail}`);
  }

  /** Writes a text only when it changed (a write costs a layout even when equal). */
  /** Writes a text only when it changed, into the existing text node (no node swap). */
  function setText(target: typeof centerTitle, text: string): void {
    const node = target.node();
    if (!node || node.textContent === text) return;
    const only = node.firstChild;
    if (only && only === node.lastChild && only.nodeType === Node.TEXT_NODE) only.nodeValue = text;
    else node.textContent = text;
  }

  /**
   * The centre's running figures (messages, in flight) change with almost every message: like the
   * counters under the drawing they are rewritten at most four times a second (and exactly once
   * things stop), which spares a relayout and repaint of the drawing every frame.
   */
  function setCounts(line: string, line2: string): void {
    pendingCounts = [line, line2];
    const now = performance.now();
    if (now - countsWrittenAt < TEXT_INTERVAL_MS) {
      countsTimer ??= setTimeout(
        () => {
          countsTimer = null;
          if (pendingCounts) setCounts(pendingCounts[0], pendingCounts[1]);
        },
        TEXT_INTERVAL_MS - (now - countsWrittenAt),
      );
      return;
    }
    countsWrittenAt = now;
    setText(centerLine, line);
    setText(centerLine2, line2);
    pendingCounts = null;
  }

  function updateCenter(snapshot: LeaderElectionSnapshot): void {
    const run = runOf(snapshot, kind);
    if (!run) return;
    if (kind === 'bully') {
      const bully = run as BullyView;
      const leader = bully.leaderIndex === null ? null : bully.nodes[bully.leaderIndex];
      setText(centerTitle, leader ? `leader: ID ${leader.id}` : 'no leader');
      setCounts(
        bully.settled ? `highest live ID ${bully.highestLiveId ?? '—'} leads` : 'electing…',
        `${bully.coordinatorsDeclared} coordinator claims`,
      );
      return;
    }
    const ring = run as RingRunView;
    const leader = ring.leaderIndex === null ? null : ring.nodes[ring.leaderIndex];
    setText(
      centerTitle,
      ring.status === 'finished'
        ? `leader: UID ${leader?.uid ?? '—'}`
        : ring.status === 'stalled'
          ? 'stuck forever'
          : ring.status === 'announcing'
            ? `announcing UID ${leader?.uid ?? '—'}`
            : 'electing…',
    );
    setCounts(
      `${formatCount(ring.electionMessages)} election messages`,
      kind === 'hs'
        ? `phase ${ring.phaseMax}`
        : snapshot.round !== null
          ? `round ${snapshot.round}`
          : `${ring.flightsTotal} in flight`,
    );
  }

  function flightPoint(flight: FlightView, n: number, atMs: number): { x: number; y: number } {
    const span = flight.endAtMs - flight.sentAtMs;
    const t = span <= 0 ? 1 : Math.min(1, Math.max(0, (atMs - flight.sentAtMs) / span));
    if (kind === 'bully') {
      const a = pointOf(angleOfNode(flight.from, n), RADIUS);
      const b = pointOf(angleOfNode(flight.to, n), RADIUS);
      return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
    }
    // Ring neighbours: move along the arc, clockwise or anticlockwise by the shorter way.
    let step = flight.to - flight.from;
    if (step > n / 2) step -= n;
    if (step < -n / 2) step += n;
    const angle = angleOfNode(flight.from + step * t, n);
    const lane = kind === 'hs' ? (step > 0 ? 9 : -9) : 0;
    return pointOf(angle, RADIUS + lane);
  }

  function drawFlights(snapshot: LeaderElectionSnapshot, atMs: number, reduced: boolean): void {
    const run = runOf(snapshot, kind);
    const size = Math.max(1, Math.min(rootWidth, VIEW_SIZE * 2));
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    if (canvasSize !== size) {
      canvasSize = size;
      canvas.width = Math.round(size * ratio);
      canvas.height = Math.round(size * ratio);
      // Resizing resets the context's state.
      fontSet = false;
    }
    // The context once, and its font set once: getContext and the font setter both look the
    // canvas's style up (a forced style recalculation when the frame has changed the DOM).
    context ??= canvas.getContext('2d');
    if (!context || !run) return;
    if (!fontSet) {
      context.font = '10px sans-serif';
      context.direction = 'ltr';
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      fontSet = true;
    }
    const unit = canvas.width / VIEW_SIZE;
    context.setTransform(unit, 0, 0, unit, 0, 0);
    context.clearRect(0, 0, VIEW_SIZE, VIEW_SIZE);
    const n = snapshot.uids.length;
    const theme = currentTheme();
    const flights = run.flights;
    const inFlight = String(run.flightsTotal);
    if (inFlight !== inFlightShown) {
      inFlightShown = inFlight;
      canvas.dataset.inFlight = inFlight;
    }
    const labelled = flights.length <= 24 && n <= 24;
    for (const flight of flights) {
      // Reduced motion: each message waits, still, at its sender until it arrives.
      const p = flightPoint(flight, n, reduced ? flight.sentAtMs : atMs);
      const color = seriesColor(FLIGHT_COLOR[flight.kind], theme);
      context.fillStyle = color;
      context.strokeStyle = theme === 'dark' ? '#000' : '#fff';
      context.lineWidth = 1.5;
      context.beginPath();
      if (flight.kind === 'elected' || flight.kind === 'coordinator') {
        context.moveTo(p.x, p.y - 6);
        context.lineTo(p.x + 6, p.y);
        context.lineTo(p.x, p.y + 6);
        context.lineTo(p.x - 6, p.y);
        context.closePath();
      } else if (flight.kind === 'reply' || flight.kind === 'answer') {
        context.rect(p.x - 4, p.y - 4, 8, 8);
      } else {
        context.arc(p.x, p.y, flight.kind === 'heartbeat' ? 2.5 : 4.5, 0, Math.PI * 2);
      }
      context.fill();
      context.stroke();
      if (labelled) {
        context.fillStyle = theme === 'dark' ? '#fff' : '#000';
        context.fillText(String(flight.uid), p.x, p.y - 11);
      }
    }
  }

  return {
    update(snapshot, atMs, reducedMotion) {
      latest = { snapshot, atMs, reduced: reducedMotion };
      const n = snapshot.uids.length;
      drawBase(n);
      updateNodes(snapshot);
      updateCenter(snapshot);
      drawFlights(snapshot, atMs, reducedMotion);
    },
    select(index) {
      selected = index;
      if (latest) updateNodes(latest.snapshot);
    },
    destroy() {
      resizeObserver.disconnect();
      if (textTimer !== null) clearTimeout(textTimer);
      if (countsTimer !== null) clearTimeout(countsTimer);
      drawing.remove();
    },
  };
}
