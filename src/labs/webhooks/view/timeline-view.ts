/**
 * The stage as a d3 view factory: `createTimelineView(root, callbacks) → { update, destroy }`.
 *
 * Lanes share one scrolling time axis (now at the right edge). In each lane the upper line is the
 * shop and the lower line the consumer; every request and response is an arrow from where it was
 * sent to where it lands, placed by interpolating its sentAtMs/deliverAtMs, so it moves smoothly
 * at any speed and sits exactly right after a seek. Arrows, delay bars and the attempt histogram
 * move every frame, so they go on a canvas; the event markers are focusable SVG (keyboard).
 */

import { select } from 'd3';
import { observeWidth } from '../../../app/observe-width';
import { currentTheme, seriesColor, themeColor } from '../../../app/palette';
import { ATTEMPT_BUCKET_MS, LANE_IDS, LANE_LABELS, type LaneId } from '../sim/constants';
import type { ProducedEvent } from '../sim/model';
import {
  MESSAGE_DROPPED,
  MESSAGE_DUPLICATE,
  MESSAGE_EMPTY_POLL,
  MESSAGE_PING,
  MESSAGE_UP,
  type MessageColumns,
  type WebhooksSnapshot,
} from '../sim/snapshot';

export interface TimelineCallbacks {
  onSelectEvent(seq: number): void;
}

export interface TimelineView {
  update(snapshot: WebhooksSnapshot, atMs: number, reducedMotion: boolean): void;
  destroy(): void;
}

const SHOP_ROW = 46;
const LANE_HEIGHT = 66;
const HERD_ROW = 64;
const AXIS_ROW = 22;
export const TIMELINE_HEIGHT = SHOP_ROW + LANE_IDS.length * LANE_HEIGHT + HERD_ROW + AXIS_ROW;

/** The colour of each lane: Okabe–Ito, never red/green alone (labels carry identity too). */
export function laneColor(lane: LaneId, theme: 'light' | 'dark'): string {
  const index: Record<LaneId, number> = { short: 0, long: 4, webhook: 2, socket: 6 };
  return seriesColor(index[lane], theme);
}

function laneTop(index: number): number {
  return SHOP_ROW + index * LANE_HEIGHT;
}

export function laneSubtitle(lane: LaneId, config: WebhooksSnapshot['config']): string {
  switch (lane) {
    case 'short':
      return `asks every ${formatMs(config.pollIntervalMs)}`;
    case 'long':
      return `held up to ${formatMs(config.holdTimeoutMs)}`;
    case 'webhook':
      return `shop POSTs, ${config.jitter} jitter`;
    case 'socket':
      return 'one open stream';
    default: {
      const unknown: never = lane;
      return unknown;
    }
  }
}

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

const CANVAS_FONT = '11px system-ui, sans-serif';
/** The tape's length in view windows: it is redrawn whole once per this many windows played. */
const TAPE_WINDOWS = 3;
/** More than the snapshot ever carries (MESSAGES_KEPT_MAX): when to prune the tape's id set. */
const MESSAGES_IN_VIEW_MAX = 2_000;
/** Room an event number needs on the timeline before the next one may print. */
const MARKER_LABEL_GAP_PX = 34;

export function createTimelineView(root: HTMLElement, callbacks: TimelineCallbacks): TimelineView {
  const canvas = document.createElement('canvas');
  canvas.className = 'wh-canvas';
  canvas.setAttribute('aria-hidden', 'true');
  root.append(canvas);
  const context = canvas.getContext('2d');
  const svg = select(root)
    .append('svg')
    .attr('class', 'wh-svg')
    .attr('data-export-root', '')
    .attr('role', 'group')
    .attr('aria-label', 'Timeline of the four ways to learn of an event');
  svg
    .append('title')
    .text('Shop events, and requests and responses of each lane on a shared timeline');
  const defs = svg.append('defs');
  const clip = defs.append('clipPath').attr('id', 'wh-plot-clip').append('rect');
  const labels = svg.append('g').attr('class', 'wh-labels');
  const axis = svg.append('g').attr('class', 'wh-axis').attr('clip-path', 'url(#wh-plot-clip)');
  // The clip sits on an unmoved parent: a clip on the moving group would move with it.
  const markers = svg
    .append('g')
    .attr('clip-path', 'url(#wh-plot-clip)')
    .append('g')
    .attr('class', 'wh-markers');
  const nowLine = svg.append('line').attr('class', 'wh-now');
  const nowLabel = svg.append('text').attr('class', 'wh-now-label').attr('text-anchor', 'end');

  let width = Math.max(320, root.clientWidth || 800);
  let latest: WebhooksSnapshot | null = null;
  let latestAtMs = 0;
  let markersWidth = -1;
  let labelsKey = '';
  let drawnSecond = -1;
  // The tape: an offscreen canvas, three windows wide, holding in run time what no longer changes
  // (landed messages, lanes' delay bars once the lane knows, event lines). Each frame blits it at
  // its scroll offset and draws only what is still moving, so a frame's canvas work no longer
  // grows with the thousands of messages in view.
  const tape = document.createElement('canvas');
  const tapeContext = tape.getContext('2d');
  let tapeStartMs = Number.NaN;
  let tapeAtMs = Number.NaN;
  let tapeKey = '';
  const tapeMessages = new Set<number>();
  const tapeEvents = new Set<number>();
  /** Lanes' delay bars on the tape, as event seq × lane count + lane. */
  const tapeKnown = new Set<number>();
  let drawnChangeKey = '';

  const geometry = () => {
    const narrow = width < 560;
    const gutter = narrow ? 92 : 168;
    const plotWidth = width - gutter - 14;
    const windowMs = narrow ? 10_000 : 20_000;
    return { narrow, gutter, plotWidth, windowMs, pxPerMs: plotWidth / windowMs };
  };

  function layout(): void {
    const { gutter, plotWidth } = geometry();
    svg.attr('viewBox', `0 0 ${width} ${TIMELINE_HEIGHT}`);
    clip
      .attr('x', gutter)
      .attr('y', 0)
      .attr('width', plotWidth + 6)
      .attr('height', TIMELINE_HEIGHT);
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(TIMELINE_HEIGHT * ratio);
    // Resizing a canvas resets its state. The font is set here, once, and never per frame or per
    // message: every font assignment is parsed and resolved against the page's style.
    if (context) context.font = CANVAS_FONT;
    tapeKey = '';
    labelsKey = '';
  }

  const stopObservingWidth = observeWidth(root, (widthPx) => {
    const next = Math.max(320, Math.round(widthPx));
    if (next === width) return;
    width = next;
    layout();
    if (latest) draw(latest, latestAtMs);
  });
  layout();

  function drawLabels(snapshot: WebhooksSnapshot): void {
    const { narrow, gutter } = geometry();
    const statusLines = [
      snapshot.producerUp ? 'server up' : 'restarting…',
      ...LANE_IDS.map((lane) => {
        const down =
          snapshot.consumerDown || (lane === 'webhook' && snapshot.receiversDown) ? ' · DOWN' : '';
        const socketState = lane === 'socket' ? ` · ${snapshot.socket.phase}` : '';
        return `${narrow ? '' : laneSubtitle(lane, snapshot.config)}${socketState}${down}`;
      }),
      `per ${ATTEMPT_BUCKET_MS} ms, ${snapshot.webhook.receivers} receiver${snapshot.webhook.receivers === 1 ? '' : 's'}`,
    ];
    // The lanes' status lines (down, reconnecting) change often at the large scene; only their
    // text is rewritten then, and the labels are rebuilt only when the layout or settings change.
    const key = `${width}|${currentTheme()}|${JSON.stringify(snapshot.config)}|${snapshot.webhook.receivers}`;
    if (key === labelsKey) {
      labels.selectAll<SVGTextElement, unknown>('text.wh-lane-sub').each(function (_, index) {
        const text = statusLines[index];
        if (text !== undefined && this.textContent !== text) this.textContent = text;
      });
      return;
    }
    labelsKey = key;
    labels.selectAll('*').remove();
    const shop = labels.append('g');
    shop
      .append('text')
      .attr('class', 'wh-lane-name')
      .attr('x', 6)
      .attr('y', 20)
      .text(narrow ? 'Shop' : 'Pizza shop (events)');
    shop
      .append('text')
      .attr('class', 'wh-lane-sub')
      .attr('x', 6)
      .attr('y', 36)
      .text(statusLines[0]!);
    LANE_IDS.forEach((lane, index) => {
      const top = laneTop(index);
      const g = labels.append('g').attr('class', `wh-lane wh-lane-${lane}`);
      g.append('rect')
        .attr('class', 'wh-lane-band')
        .attr('x', 0)
        .attr('y', top + 2)
        .attr('width', width)
        .attr('height', LANE_HEIGHT - 4);
      g.append('rect')
        .attr('x', 2)
        .attr('y', top + 10)
        .attr('width', 5)
        .attr('height', LANE_HEIGHT - 20)
        .attr('fill', laneColor(lane, currentTheme()));
      g.append('text')
        .attr('class', 'wh-lane-name')
        .attr('x', 12)
        .attr('y', top + 24)
        .text(
          narrow ? LANE_LABELS[lane].replace('Persistent connection', 'Stream') : LANE_LABELS[lane],
        );
      g.append('text')
        .attr('class', 'wh-lane-sub')
        .attr('x', 12)
        .attr('y', top + 40)
        .text(statusLines[index + 1]!);
      if (narrow) return;
      g.append('text')
        .attr('class', 'wh-line-label')
        .attr('x', gutter - 4)
        .attr('y', top + 15)
        .attr('text-anchor', 'end')
        .text('shop');
      g.append('text')
        .attr('class', 'wh-line-label')
        .attr('x', gutter - 4)
        .attr('y', top + LANE_HEIGHT - 9)
        .attr('text-anchor', 'end')
        .text('you');
    });
    const herdTop = laneTop(LANE_IDS.length);
    labels
      .append('text')
      .attr('class', 'wh-lane-name')
      .attr('x', 12)
      .attr('y', herdTop + 24)
      .text(narrow ? 'Attempts' : 'Webhook attempts');
    labels
      .append('text')
      .attr('class', 'wh-lane-sub')
      .attr('x', 12)
      .attr('y', herdTop + 40)
      .text(statusLines[LANE_IDS.length + 1]!);
  }

  function describeEvent(event: ProducedEvent): string {
    const parts = LANE_IDS.map((lane, index) => {
      const known = event.knownAtMs[index]!;
      return `${LANE_LABELS[lane]} ${known < 0 ? 'not yet' : `after ${formatMs(known - event.createdAtMs)}`}`;
    });
    return `Event #${event.seq} at ${(event.createdAtMs / 1000).toFixed(2)} s: ${parts.join('; ')}.`;
  }

  function drawMarkers(snapshot: WebhooksSnapshot, atMs: number): void {
    const { gutter, plotWidth, pxPerMs } = geometry();
    // Markers sit at absolute time × px/ms; only the group's transform changes as time runs.
    markers.attr('transform', `translate(${gutter + plotWidth - atMs * pxPerMs},0)`);
    // Events only ever gain lanes that know of them: the join adds and removes markers, and an
    // existing marker's label is written only when its text changes (a write per marker per
    // frame was most of the stage's DOM work at 10 events a second).
    const placedWidth = width;
    const positionsStale = markersWidth !== placedWidth;
    markersWidth = placedWidth;
    let lastLabelX = Number.NEGATIVE_INFINITY;
    markers
      .selectAll<SVGGElement, ProducedEvent>('g.wh-event')
      .data(snapshot.events, (e) => e.seq)
      .join((enter) => {
        const g = enter
          .append('g')
          .attr('class', 'wh-event')
          .classed('is-button', (e) => e.source === 'button')
          .attr('tabindex', 0)
          .attr('role', 'button')
          .attr('data-seq', (e) => e.seq)
          .attr('transform', (e) => `translate(${e.createdAtMs * pxPerMs},26)`)
          .on('click', (_, e) => callbacks.onSelectEvent(e.seq))
          .on('keydown', (event: KeyboardEvent, e) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              event.stopPropagation();
              callbacks.onSelectEvent(e.seq);
            }
          });
        g.append('path').attr('d', 'M0,8 L-7,-6 L7,-6 Z').attr('class', 'wh-pizza');
        g.append('text')
          .attr('class', 'wh-event-label')
          .attr('y', -10)
          .attr('text-anchor', 'middle')
          .text((e) => `#${e.seq}`);
        return g;
      })
      .each(function (e) {
        if (positionsStale)
          this.setAttribute('transform', `translate(${e.createdAtMs * pxPerMs},26)`);
        const label = describeEvent(e);
        if (this.getAttribute('aria-label') !== label) this.setAttribute('aria-label', label);
        // A number only where it has room: in a burst the labels would print over each other
        // (each marker still names its event to a screen reader and on focus).
        const x = e.createdAtMs * pxPerMs;
        const crowded = x - lastLabelX < MARKER_LABEL_GAP_PX;
        if (!crowded) lastLabelX = x;
        const text = this.lastElementChild;
        if (text && text.hasAttribute('visibility') !== crowded) {
          if (crowded) text.setAttribute('visibility', 'hidden');
          else text.removeAttribute('visibility');
        }
      });
  }

  function drawAxis(atMs: number): void {
    const { gutter, plotWidth, windowMs, pxPerMs, narrow } = geometry();
    const stepMs = narrow ? 2_000 : 5_000;
    const ticks: number[] = [];
    for (let t = Math.ceil((atMs - windowMs) / stepMs) * stepMs; t <= atMs; t += stepMs) {
      // A label half past the plot's left edge would be clipped to a fragment ("0 s" of "60 s").
      if (t >= 0 && (atMs - t) * pxPerMs <= plotWidth - 16) ticks.push(t);
    }
    const x = (t: number) => gutter + plotWidth - (atMs - t) * pxPerMs;
    const y = TIMELINE_HEIGHT - 6;
    axis
      .selectAll<SVGTextElement, number>('text')
      .data(ticks, (t) => t)
      .join((enter) =>
        enter
          .append('text')
          .attr('text-anchor', 'middle')
          .text((t) => `${t / 1000} s`),
      )
      .attr('x', x)
      .attr('y', y);
    nowLine
      .attr('x1', gutter + plotWidth)
      .attr('x2', gutter + plotWidth)
      .attr('y1', 4)
      .attr('y2', TIMELINE_HEIGHT - AXIS_ROW);
    nowLabel
      .attr('x', gutter + plotWidth + 2)
      .attr('y', TIMELINE_HEIGHT - 6)
      .text('');
  }

  function messageColors(theme: 'light' | 'dark'): string[] {
    return [...LANE_IDS.map((lane) => laneColor(lane, theme)), themeColor('--danger', '#b3261e')];
  }

  /**
   * Adds to the tape what has stopped changing since the last frame. It starts over when the view
   * scrolls past its end, goes back in time (a seek or a step back), resizes or changes theme.
   */
  function updateTape(snapshot: WebhooksSnapshot, atMs: number, theme: 'light' | 'dark'): void {
    if (!tapeContext) return;
    const { windowMs, pxPerMs } = geometry();
    const ratio = canvas.width / width;
    const key = `${width}|${ratio}|${theme}`;
    if (
      key !== tapeKey ||
      !(atMs >= tapeAtMs) ||
      atMs > tapeStartMs + TAPE_WINDOWS * windowMs ||
      atMs - windowMs < tapeStartMs
    ) {
      tapeKey = key;
      tapeStartMs = atMs - windowMs;
      tape.width = Math.ceil(TAPE_WINDOWS * windowMs * pxPerMs * ratio) + 2;
      tape.height = canvas.height;
      tapeContext.font = CANVAS_FONT;
      tapeMessages.clear();
      tapeEvents.clear();
      tapeKnown.clear();
    }
    tapeAtMs = atMs;
    tapeContext.setTransform(ratio, 0, 0, ratio, 0, 0);
    const x = (t: number) => (t - tapeStartMs) * pxPerMs;
    const eventLines = new Path2D();
    const knownBars = LANE_IDS.map(() => new Path2D());
    const knownDots = LANE_IDS.map(() => new Path2D());
    // Marks that began before the tape are drawn too: their left ends fall off its edge.
    for (const event of snapshot.events) {
      const ex = x(event.createdAtMs);
      if (!tapeEvents.has(event.seq) && event.createdAtMs >= tapeStartMs) {
        tapeEvents.add(event.seq);
        eventLines.moveTo(ex, 34);
        eventLines.lineTo(ex, laneTop(LANE_IDS.length));
      }
      LANE_IDS.forEach((_, index) => {
        const known = event.knownAtMs[index]!;
        const knownKey = event.seq * LANE_IDS.length + index;
        if (known < 0 || known < tapeStartMs || known > atMs || tapeKnown.has(knownKey)) return;
        tapeKnown.add(knownKey);
        const yClient = laneTop(index) + LANE_HEIGHT - 12;
        knownBars[index]!.rect(ex, yClient - 2, Math.max(1, x(known) - ex), 4);
        knownDots[index]!.moveTo(x(known) + 4, yClient);
        knownDots[index]!.arc(x(known), yClient, 4, 0, Math.PI * 2);
      });
    }
    tapeContext.strokeStyle = themeColor('--fg-muted', '#555');
    tapeContext.lineWidth = 1;
    tapeContext.globalAlpha = 0.35;
    tapeContext.setLineDash([2, 4]);
    tapeContext.stroke(eventLines);
    tapeContext.setLineDash([]);
    LANE_IDS.forEach((lane, index) => {
      tapeContext.fillStyle = laneColor(lane, theme);
      tapeContext.globalAlpha = 0.5;
      tapeContext.fill(knownBars[index]!);
      tapeContext.globalAlpha = 1;
      tapeContext.fill(knownDots[index]!);
    });
    const messages = snapshot.messages;
    drawMessages(
      tapeContext,
      messages,
      { x, startMs: tapeStartMs, atMs, colors: messageColors(theme) },
      (i) => {
        if (messages.endAtMs[i]! > atMs) return false;
        if (tapeMessages.has(messages.id[i]!)) return false;
        tapeMessages.add(messages.id[i]!);
        return true;
      },
    );
    // Forget what has scrolled off the tape, so the sets stay as small as the window.
    if (tapeMessages.size > 4 * MESSAGES_IN_VIEW_MAX) {
      const kept = new Set(Array.from(messages.id.subarray(0, messages.count)));
      for (const id of tapeMessages) if (!kept.has(id)) tapeMessages.delete(id);
    }
  }

  function drawCanvas(snapshot: WebhooksSnapshot, atMs: number): void {
    if (!context) return;
    const theme = currentTheme();
    const { gutter, plotWidth, windowMs, pxPerMs } = geometry();
    const ratio = canvas.width / width;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, TIMELINE_HEIGHT);
    const fg = themeColor('--fg-muted', '#555');
    const startMs = atMs - windowMs;
    const x = (t: number) => gutter + plotWidth - (atMs - t) * pxPerMs;
    context.save();
    context.beginPath();
    context.rect(gutter, 0, plotWidth + 2, TIMELINE_HEIGHT);
    context.clip();
    // Lane lines: the shop above, the consumer below.
    context.lineWidth = 1;
    context.strokeStyle = fg;
    context.globalAlpha = 0.35;
    LANE_IDS.forEach((_, index) => {
      const top = laneTop(index);
      for (const y of [top + 12, top + LANE_HEIGHT - 12]) {
        context.beginPath();
        context.moveTo(gutter, y);
        context.lineTo(gutter + plotWidth, y);
        context.stroke();
      }
    });
    context.restore();
    // What no longer changes comes from the tape, at whole device pixels (no resampling).
    updateTape(snapshot, atMs, theme);
    context.save();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.beginPath();
    context.rect(Math.round(gutter * ratio), 0, Math.round((plotWidth + 2) * ratio), canvas.height);
    context.clip();
    context.drawImage(
      tape,
      Math.round((gutter + plotWidth - (atMs - tapeStartMs) * pxPerMs) * ratio),
      0,
    );
    context.restore();
    context.save();
    context.beginPath();
    context.rect(gutter, 0, plotWidth + 2, TIMELINE_HEIGHT);
    context.clip();
    // Each lane's bar from an event to now while the lane does not know of it yet.
    context.globalAlpha = 0.2;
    LANE_IDS.forEach((lane, index) => {
      const yClient = laneTop(index) + LANE_HEIGHT - 12;
      const waiting = new Path2D();
      for (const event of snapshot.events) {
        const known = event.knownAtMs[index]!;
        if (known >= 0 && known <= atMs) continue;
        const left = x(event.createdAtMs);
        waiting.rect(left, yClient - 2, Math.max(1, x(atMs) - left), 4);
      }
      context.fillStyle = laneColor(lane, theme);
      context.fill(waiting);
    });
    context.globalAlpha = 1;
    // Messages in flight, drawn up to where they are now.
    drawMessages(
      context,
      snapshot.messages,
      { x, startMs, atMs, colors: messageColors(theme) },
      (i) => snapshot.messages.endAtMs[i]! > atMs,
    );
    // Webhook attempts per bucket: bunching shows as tall bars (the thundering herd).
    const herdTop = laneTop(LANE_IDS.length);
    const buckets = snapshot.webhook.attemptBuckets;
    const peak = Math.max(1, ...buckets.map(([, count]) => count));
    context.fillStyle = laneColor('webhook', theme);
    for (const [bucketStart, count] of buckets) {
      if (bucketStart + ATTEMPT_BUCKET_MS < startMs || bucketStart > atMs) continue;
      const barHeight = ((HERD_ROW - 14) * count) / peak;
      const left = x(bucketStart);
      context.fillRect(
        left,
        herdTop + HERD_ROW - 6 - barHeight,
        Math.max(1, ATTEMPT_BUCKET_MS * pxPerMs - 1),
        barHeight,
      );
    }
    context.fillStyle = fg;
    context.textAlign = 'left';
    context.fillText(`peak ${snapshot.webhook.attemptPeak.count}`, gutter + 4, herdTop + 12);
    context.restore();
  }

  function draw(snapshot: WebhooksSnapshot, atMs: number): void {
    drawLabels(snapshot);
    drawAxis(atMs);
    drawMarkers(snapshot, atMs);
    drawCanvas(snapshot, atMs);
  }

  return {
    update(snapshot, atMs, reducedMotion) {
      // With reduced motion the timeline does not scroll smoothly: it redraws once per virtual
      // second (and whenever something happens), so nothing glides across the screen.
      const second = Math.floor(atMs / 1000);
      const changeKey = `${snapshot.eventsTotal}|${snapshot.messages.count}|${snapshot.webhook.attemptsTotal}`;
      if (
        reducedMotion &&
        latest !== null &&
        second === drawnSecond &&
        changeKey === drawnChangeKey &&
        atMs >= latestAtMs
      ) {
        return;
      }
      drawnSecond = second;
      drawnChangeKey = changeKey;
      latest = snapshot;
      latestAtMs = atMs;
      draw(snapshot, atMs);
    },
    destroy() {
      stopObservingWidth();
      svg.remove();
      canvas.remove();
    },
  };
}

interface MessagePlot {
  x: (ms: number) => number;
  startMs: number;
  atMs: number;
  /** One colour per lane, then the colour of a dropped message. */
  colors: string[];
}

/**
 * Draws every message as a line from where it was sent to its tip (where it is now, or where it
 * landed), an arrowhead at the tip, and a cross where a dropped one died. Messages are gathered
 * into one path per style (colour × width × dash), so 2,000 messages cost a few dozen canvas
 * calls instead of ten per message.
 */
export function drawMessages(
  ctx: CanvasRenderingContext2D,
  messages: MessageColumns,
  { x, startMs, atMs, colors }: MessagePlot,
  pick: (index: number) => boolean,
): void {
  const droppedColor = colors.length - 1;
  // Index: (colour × 2 + thin) × 2 + dashed.
  const lines = colors.flatMap(() => [new Path2D(), new Path2D(), new Path2D(), new Path2D()]);
  const heads = colors.map(() => new Path2D());
  const crosses = [new Path2D(), new Path2D()];
  const empties: { x: number; y: number; color: number }[] = [];
  for (let i = 0; i < messages.count; i += 1) {
    const sentAtMs = messages.sentAtMs[i]!;
    const endAtMs = messages.endAtMs[i]!;
    if (endAtMs < startMs || sentAtMs > atMs || !pick(i)) continue;
    const flags = messages.flags[i]!;
    const top = laneTop(messages.lane[i]!);
    const yShop = top + 12;
    const yClient = top + LANE_HEIGHT - 12;
    const [y0, y1] = flags & MESSAGE_UP ? [yClient, yShop] : [yShop, yClient];
    const duration = Math.max(1, endAtMs - sentAtMs);
    const progress = Math.min(1, Math.max(0, (atMs - sentAtMs) / duration));
    const tipY = y0 + (y1 - y0) * progress;
    const x0 = x(sentAtMs);
    const tipX = x(sentAtMs + progress * duration);
    const dropped = (flags & MESSAGE_DROPPED) !== 0;
    const color = dropped ? droppedColor : messages.lane[i]!;
    const thin = flags & MESSAGE_PING ? 1 : 0;
    const dashed = dropped || flags & MESSAGE_DUPLICATE ? 1 : 0;
    const line = lines[(color * 2 + thin) * 2 + dashed]!;
    line.moveTo(x0, y0);
    line.lineTo(tipX, tipY);
    if (progress >= 1 && dropped) {
      const cross = crosses[thin]!;
      cross.moveTo(tipX - 4, tipY - 4);
      cross.lineTo(tipX + 4, tipY + 4);
      cross.moveTo(tipX + 4, tipY - 4);
      cross.lineTo(tipX - 4, tipY + 4);
      continue;
    }
    // An arrowhead at the tip, pointing along the message's path.
    const angle = Math.atan2(y1 - y0, x(endAtMs) - x0);
    const head = heads[color]!;
    head.moveTo(tipX, tipY);
    head.lineTo(tipX - 6 * Math.cos(angle - 0.45), tipY - 6 * Math.sin(angle - 0.45));
    head.lineTo(tipX - 6 * Math.cos(angle + 0.45), tipY - 6 * Math.sin(angle + 0.45));
    head.closePath();
    if (flags & MESSAGE_EMPTY_POLL && progress >= 1) empties.push({ x: tipX, y: tipY, color });
  }
  lines.forEach((path, index) => {
    const dashed = index % 2 === 1;
    const thin = Math.floor(index / 2) % 2 === 1;
    ctx.strokeStyle = colors[Math.floor(index / 4)]!;
    ctx.lineWidth = thin ? 1 : 1.6;
    ctx.setLineDash(dashed ? [3, 3] : []);
    ctx.stroke(path);
  });
  ctx.setLineDash([]);
  ctx.strokeStyle = colors[droppedColor]!;
  crosses.forEach((path, thin) => {
    ctx.lineWidth = thin ? 1 : 1.6;
    ctx.stroke(path);
  });
  heads.forEach((path, color) => {
    ctx.fillStyle = colors[color]!;
    ctx.fill(path);
  });
  for (const empty of empties) {
    ctx.fillStyle = colors[empty.color]!;
    ctx.fillText('∅', empty.x + 3, empty.y - 2);
  }
}
