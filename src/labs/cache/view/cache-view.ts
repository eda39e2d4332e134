/**
 * The stage's d3 view: the topology (app → cache → database, latencies on the links, database
 * queries in flight placed by interpolation between their send and answer times, and the load
 * gauge) above the cache's slots, each showing its key and the policy's metadata.
 */
import { select } from 'd3';
import { currentTheme, seriesColor } from '../../../app/palette';
import type { CacheSnapshot, SlotView } from '../sim/snapshot';

export interface CacheViewHandlers {
  onExpireKey(key: number): void;
  onReadBurst(key: number): void;
}

export interface CacheView {
  update(snapshot: CacheSnapshot, atMs: number, reducedMotion: boolean): void;
  destroy(): void;
}

const WIDTH = 800;
const TOPOLOGY_HEIGHT = 170;
const CELL_W = 48;
const CELL_H = 58;
const GAP = 2;
const NODE_W = 120;
const NODE_H = 56;
const APP_X = 70;
const CACHE_X = 400;
const DB_X = 690;
const NODE_Y = 58;

export const OUTCOME_COLOR_INDEX = {
  hit: 2,
  miss: 5,
  stale: 6,
  coalesced: 1,
  write: 4,
  refresh: 0,
} as const;

function colorOf(outcome: keyof typeof OUTCOME_COLOR_INDEX): string {
  return seriesColor(OUTCOME_COLOR_INDEX[outcome], currentTheme());
}

function ageText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

export function columnsFor(capacity: number): number {
  return Math.max(1, Math.min(16, capacity));
}

export function slotLabel(slot: SlotView, atMs: number): string {
  const parts = [`Slot ${slot.slot}: key ${slot.key}`, `${slot.hits} hits`];
  parts.push(`last read ${ageText(atMs - slot.lastAccessMs)} ago`);
  if (slot.expiresAtMs >= 0) parts.push(`expires in ${ageText(slot.expiresAtMs - atMs)}`);
  if (slot.count !== null) parts.push(`count ${slot.count}`);
  if (slot.bit !== null) parts.push(`bit ${slot.bit}`);
  if (slot.list) parts.push(`list ${slot.list}`);
  if (slot.rank === 0) parts.push('next to be evicted');
  if (slot.dirty) parts.push('dirty');
  if (slot.stale) parts.push('stale');
  return `${parts.join(', ')}. Enter: 20 reads of this key; E: expire it.`;
}

export function createCacheView(root: HTMLElement, handlers: CacheViewHandlers): CacheView {
  const svg = select(root)
    .append('svg')
    .attr('class', 'cache-svg')
    .attr('role', 'group')
    .attr('aria-label', 'App, cache and database, and the cache slots');
  const defs = svg.append('defs');
  defs
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
  const topology = svg.append('g').attr('class', 'topology');
  const links = topology.append('g');
  const appCache = links.append('line').attr('class', 'cache-link');
  const cacheDb = links.append('path').attr('class', 'cache-link');
  const appDb = links.append('path').attr('class', 'cache-link');
  const appCacheLabel = topology.append('text').attr('class', 'link-label');
  const dbLabel = topology.append('text').attr('class', 'link-label');
  const nodes = topology.append('g');
  const node = (x: number, title: string) => {
    const g = nodes
      .append('g')
      .attr('transform', `translate(${x - NODE_W / 2},${NODE_Y - NODE_H / 2})`);
    g.append('rect')
      .attr('class', 'cache-node')
      .attr('width', NODE_W)
      .attr('height', NODE_H)
      .attr('rx', 8);
    g.append('text')
      .attr('class', 'node-title')
      .attr('x', NODE_W / 2)
      .attr('y', 22)
      .attr('text-anchor', 'middle')
      .text(title);
    return g
      .append('text')
      .attr('class', 'node-sub')
      .attr('x', NODE_W / 2)
      .attr('y', 42)
      .attr('text-anchor', 'middle');
  };
  const appSub = node(APP_X, 'App');
  const cacheSub = node(CACHE_X, 'Cache');
  const dbSub = node(DB_X, 'Database');
  const gauge = topology
    .append('g')
    .attr('transform', `translate(${DB_X + NODE_W / 2 + 12},${NODE_Y - NODE_H / 2})`);
  gauge.append('rect').attr('class', 'gauge-frame').attr('width', 14).attr('height', NODE_H);
  const gaugeFill = gauge.append('rect').attr('class', 'gauge-fill').attr('width', 14);
  const gaugePeak = gauge.append('line').attr('class', 'gauge-peak').attr('x1', -3).attr('x2', 17);
  const gaugeText = topology
    .append('text')
    .attr('class', 'node-sub')
    .attr('x', DB_X)
    .attr('y', NODE_Y + NODE_H / 2 + 18)
    .attr('text-anchor', 'middle');
  const flights = topology.append('g');
  const pulses = topology.append('g');
  const legend = topology.append('g').attr('transform', `translate(10,${TOPOLOGY_HEIGHT - 14})`);
  const legendItems: [keyof typeof OUTCOME_COLOR_INDEX, string][] = [
    ['hit', 'hit'],
    ['miss', 'miss'],
    ['stale', 'stale hit'],
    ['coalesced', 'waited (single flight)'],
    ['write', 'write'],
    ['refresh', 'early refresh'],
  ];
  const slotsLayer = svg.append('g').attr('transform', `translate(0,${TOPOLOGY_HEIGHT})`);
  const more = svg.append('text').attr('class', 'node-sub');

  const keyOf = (event: KeyboardEvent, slot: SlotView) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      handlers.onReadBurst(slot.key);
    } else if (event.key === 'e' || event.key === 'E') {
      event.preventDefault();
      event.stopPropagation();
      handlers.onExpireKey(slot.key);
    }
  };

  return {
    update(snapshot, atMs, reducedMotion) {
      const theme = currentTheme();
      const s = snapshot.settings;
      const readThrough = s.readStrategy === 'read-through';
      const cols = columnsFor(s.capacity);
      const drawn = Math.min(s.capacity, 256);
      const rows = Math.ceil(drawn / cols);
      const gridW = cols * (CELL_W + GAP);
      const scale = Math.min(1, WIDTH / gridW);
      const gridH = rows * (CELL_H + GAP) * scale;
      const height = TOPOLOGY_HEIGHT + gridH + (s.capacity > 256 ? 24 : 6);
      svg.attr('viewBox', `0 0 ${WIDTH} ${height}`);

      appCache
        .attr('x1', APP_X + NODE_W / 2)
        .attr('y1', NODE_Y)
        .attr('x2', CACHE_X - NODE_W / 2)
        .attr('y2', NODE_Y)
        .attr('marker-end', 'url(#cache-arrow)');
      cacheDb
        .attr('d', `M${CACHE_X + NODE_W / 2},${NODE_Y} L${DB_X - NODE_W / 2},${NODE_Y}`)
        .attr('marker-end', 'url(#cache-arrow)')
        .attr('opacity', readThrough ? 1 : 0.25);
      const arc = `M${APP_X},${NODE_Y + NODE_H / 2} C${APP_X},${NODE_Y + 80} ${DB_X},${NODE_Y + 80} ${DB_X},${NODE_Y + NODE_H / 2}`;
      appDb
        .attr('d', arc)
        .attr('marker-end', 'url(#cache-arrow)')
        .attr('opacity', readThrough ? 0.2 : 1);
      appCacheLabel
        .attr('x', (APP_X + CACHE_X) / 2)
        .attr('y', NODE_Y - 34)
        .attr('text-anchor', 'middle')
        .text(`cache ${s.cacheLatencyMs} ms`);
      dbLabel
        .attr('x', readThrough ? (CACHE_X + DB_X) / 2 : (APP_X + DB_X) / 2)
        .attr('y', readThrough ? NODE_Y - 34 : NODE_Y + 84)
        .attr('text-anchor', 'middle')
        .text(
          `database ${s.dbLatencyMs} ms · ${readThrough ? 'read-through' : 'cache-aside: the app fills the cache'}`,
        );

      appSub.text(`${Math.round(snapshot.counters.requests).toLocaleString('en-US')} requests`);
      cacheSub.text(
        `${snapshot.resident}/${s.capacity} · ${(snapshot.hitRatio * 100).toFixed(1)}% hits`,
      );
      dbSub.text(`${snapshot.dbInFlight} in flight`);
      const peak = Math.max(1, snapshot.dbInFlightPeak);
      const fillH = (Math.min(snapshot.dbInFlight, peak) / peak) * NODE_H;
      gaugeFill
        .attr('y', NODE_H - fillH)
        .attr('height', fillH)
        .attr('fill', seriesColor(OUTCOME_COLOR_INDEX.miss, theme));
      gaugePeak.attr('y1', 0).attr('y2', 0);
      gaugeText.text(
        `load: ${Math.round(snapshot.dbQueriesPerSecond)} q/s · peak ${snapshot.dbInFlightPeak} at once`,
      );

      // Database queries in flight: placed along their link by how far through their latency.
      const path = (readThrough ? cacheDb : appDb).node();
      const length = path?.getTotalLength() ?? 0;
      const inFlight = snapshot.fetches.filter((f) => f.doneAtMs > atMs);
      flights
        .selectAll<SVGCircleElement, (typeof inFlight)[number]>('circle')
        .data(inFlight, (f) => String(f.id))
        .join('circle')
        .attr('r', (f) => (f.waiters > 0 ? 7 : 5))
        .attr('fill', (f) => colorOf(f.kind === 'refresh' ? 'refresh' : 'miss'))
        .attr('stroke', 'var(--fg)')
        .attr('stroke-width', (f) => (f.waiters > 0 ? 2 : 0.5))
        .each(function place(f, index) {
          const t = reducedMotion
            ? 1
            : Math.max(
                0,
                Math.min(1, (atMs - f.startedAtMs) / Math.max(1, f.doneAtMs - f.startedAtMs)),
              );
          const point =
            path && length > 0 ? path.getPointAtLength(t * length) : { x: DB_X, y: NODE_Y };
          const offset = reducedMotion ? (index % 10) * 6 - 27 : 0;
          select(this)
            .attr('cx', point.x + offset)
            .attr('cy', point.y - (reducedMotion ? 34 + Math.floor(index / 10) * 6 : 0));
        })
        .selectAll('title')
        .data((f) => [f])
        .join('title')
        .text(
          (f) =>
            `Database query for key ${f.key}${f.waiters > 0 ? `, ${f.waiters} requests waiting on it` : ''}`,
        );

      // Requests as pulses on the app → cache link, coloured (and labelled) by outcome.
      const recent = snapshot.recentRequests.slice(-16);
      pulses
        .selectAll<SVGGElement, (typeof recent)[number]>('g')
        .data(recent, (r) => `${r.atMs}-${r.key}-${r.outcome}`)
        .join((enter) => {
          const g = enter.append('g');
          g.append('circle').attr('r', 6);
          g.append('text').attr('class', 'pulse-label').attr('y', -9).attr('text-anchor', 'middle');
          return g;
        })
        .each(function pulse(r, index) {
          const age = Math.max(0, atMs - r.atMs);
          const t = reducedMotion ? 1 : Math.min(1, age / 400);
          const x = APP_X + NODE_W / 2 + t * (CACHE_X - APP_X - NODE_W);
          const g = select(this)
            .attr(
              'transform',
              `translate(${reducedMotion ? APP_X + NODE_W / 2 + 16 + index * 14 : x},${NODE_Y + (reducedMotion ? 30 : 0)})`,
            )
            .attr('opacity', reducedMotion ? 1 : Math.max(0.15, 1 - t * 0.7));
          g.select('circle').attr('fill', colorOf(r.outcome));
          g.select('text').text(reducedMotion ? '' : String(r.key));
        });

      legend
        .selectAll<SVGGElement, (typeof legendItems)[number]>('g')
        .data(legendItems)
        .join((enter) => {
          const g = enter.append('g');
          g.append('circle').attr('r', 5).attr('cy', -4);
          g.append('text').attr('class', 'legend-label').attr('x', 8);
          return g;
        })
        .attr('transform', (_, i) => `translate(${i * 128},0)`)
        .each(function item([outcome, label]) {
          const g = select(this);
          g.select('circle').attr('fill', colorOf(outcome));
          g.select('text').text(label);
        });

      // Slots.
      slotsLayer.attr(
        'transform',
        `translate(${(WIDTH - gridW * scale) / 2},${TOPOLOGY_HEIGHT}) scale(${scale})`,
      );
      const bySlot = new Map(snapshot.slots.map((slot) => [slot.slot, slot]));
      const cells = Array.from({ length: drawn }, (_, i) => ({
        index: i,
        slot: bySlot.get(i) ?? null,
      }));
      const cellSel = slotsLayer
        .selectAll<SVGGElement, (typeof cells)[number]>('g.slot')
        .data(cells, (c) => String(c.index))
        .join((enter) => {
          const g = enter.append('g').attr('class', 'slot');
          g.append('rect')
            .attr('class', 'slot-box')
            .attr('width', CELL_W)
            .attr('height', CELL_H)
            .attr('rx', 5);
          g.append('rect')
            .attr('class', 'slot-ttl')
            .attr('x', 3)
            .attr('y', CELL_H - 7)
            .attr('height', 4);
          g.append('rect')
            .attr('class', 'slot-recency')
            .attr('x', 3)
            .attr('y', CELL_H - 13)
            .attr('height', 4);
          g.append('text')
            .attr('class', 'slot-key')
            .attr('x', CELL_W / 2)
            .attr('y', 20)
            .attr('text-anchor', 'middle');
          g.append('text')
            .attr('class', 'slot-meta')
            .attr('x', CELL_W / 2)
            .attr('y', 33)
            .attr('text-anchor', 'middle');
          g.append('text')
            .attr('class', 'slot-badge')
            .attr('x', CELL_W / 2)
            .attr('y', 44)
            .attr('text-anchor', 'middle');
          g.append('title');
          return g;
        })
        .attr(
          'transform',
          (c) =>
            `translate(${(c.index % cols) * (CELL_W + GAP)},${Math.floor(c.index / cols) * (CELL_H + GAP)})`,
        )
        .attr('tabindex', (c) => (c.slot ? 0 : null))
        .attr('role', (c) => (c.slot ? 'button' : null))
        .attr('aria-label', (c) => (c.slot ? slotLabel(c.slot, atMs) : null))
        .attr('data-key', (c) => (c.slot ? c.slot.key : null))
        .classed('is-next', (c) => c.slot?.rank === 0)
        .classed('is-empty', (c) => !c.slot)
        .on('keydown', (event: KeyboardEvent, c) => {
          if (c.slot) keyOf(event, c.slot);
        })
        .on('click', (_event, c) => {
          if (c.slot) handlers.onReadBurst(c.slot.key);
        });
      const flashOf = (slot: SlotView | null) => {
        if (!slot) return null;
        const age = atMs - slot.lastAccessMs;
        if (slot.hits > 0 && age >= 0 && age < 300 && slot.lastAccessMs > slot.insertedAtMs)
          return 'hit';
        if (atMs - slot.insertedAtMs < 300) return 'fill';
        return null;
      };
      cellSel
        .select<SVGRectElement>('rect.slot-box')
        .attr('stroke', (c) => {
          const flash = flashOf(c.slot);
          if (flash === 'hit') return colorOf(c.slot?.stale ? 'stale' : 'hit');
          if (flash === 'fill') return colorOf('miss');
          return null;
        })
        .attr('stroke-width', (c) => (flashOf(c.slot) ? 3 : null));
      const ttlMax = Math.max(1, s.ttlMs);
      cellSel
        .select('rect.slot-ttl')
        .attr('width', (c) => {
          if (!c.slot || c.slot.expiresAtMs < 0) return 0;
          return Math.max(0, Math.min(1, (c.slot.expiresAtMs - atMs) / ttlMax)) * (CELL_W - 6);
        })
        .attr('fill', seriesColor(4, theme));
      cellSel
        .select('rect.slot-recency')
        .attr('width', (c) => {
          if (!c.slot) return 0;
          // Recency: full just after a read, fading over ten seconds.
          return Math.max(0.05, 1 - (atMs - c.slot.lastAccessMs) / 10_000) * (CELL_W - 6);
        })
        .attr('fill', seriesColor(2, theme));
      cellSel.select('text.slot-key').text((c) => (c.slot ? String(c.slot.key) : ''));
      cellSel.select('text.slot-meta').text((c) => {
        if (!c.slot) return '';
        if (c.slot.count !== null) return `n=${c.slot.count}`;
        if (c.slot.list) return c.slot.list;
        if (c.slot.bit !== null) return `bit ${c.slot.bit}`;
        return `${c.slot.hits} hit${c.slot.hits === 1 ? '' : 's'}`;
      });
      cellSel.select('text.slot-badge').text((c) => {
        if (!c.slot) return 'empty';
        const badges: string[] = [];
        if (c.slot.rank === 0) badges.push('next');
        if (c.slot.dirty) badges.push('D');
        if (c.slot.stale) badges.push('S');
        return badges.join(' ');
      });
      cellSel
        .select('title')
        .text((c) => (c.slot ? slotLabel(c.slot, atMs) : `Slot ${c.index}: empty`));
      more
        .attr('x', WIDTH / 2)
        .attr('y', height - 6)
        .attr('text-anchor', 'middle')
        .text(
          s.capacity > 256 ? `Showing 256 of ${s.capacity.toLocaleString('en-US')} slots.` : '',
        );
    },
    destroy() {
      svg.remove();
    },
  };
}
