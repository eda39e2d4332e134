/**
 * The retry schedule of one failing webhook delivery on its own time axis: each attempt (✓ or ✕
 * with its outcome), the backoff delay before each retry, the range the next retries may fall in
 * (from the backoff formula and the jitter choice), and the dead-letter queue after the last.
 */

import { scaleLinear, select } from 'd3';
import { observeWidth } from '../../../app/observe-width';
import { currentTheme, seriesColor } from '../../../app/palette';
import { delayRangeMs } from '../sim/backoff';
import type { FocusDelivery, WebhooksSnapshot } from '../sim/snapshot';
import { formatMs } from './timeline-view';

export interface RetryView {
  update(delivery: FocusDelivery | null, config: WebhooksSnapshot['config'], atMs: number): void;
  destroy(): void;
}

const HEIGHT = 140;
const AXIS_Y = 64;

interface Planned {
  attempt: number;
  fromMs: number;
  toMs: number;
}

/**
 * Where the remaining attempts can fall if each one times out: attempt k+1 comes timeout + delay
 * after attempt k, with the delay anywhere in its jitter range (decorrelated: from the last delay).
 */
export function plannedAttempts(
  delivery: FocusDelivery,
  config: WebhooksSnapshot['config'],
): Planned[] {
  if (delivery.result !== 'active') return [];
  const planned: Planned[] = [];
  const last = delivery.attempts.at(-1);
  if (!last) return planned;
  let fromMs: number;
  let toMs: number;
  let attempt = delivery.attempts.length;
  let previousMin = delivery.lastDelayMs;
  let previousMax = delivery.lastDelayMs;
  if (delivery.phase === 'scheduled' && delivery.nextAttemptAtMs !== null) {
    fromMs = delivery.nextAttemptAtMs;
    toMs = delivery.nextAttemptAtMs;
    attempt += 1;
    planned.push({ attempt, fromMs, toMs });
  } else {
    fromMs = last.atMs;
    toMs = last.atMs;
  }
  const policy = {
    baseMs: config.backoffBaseMs,
    factor: config.backoffFactor,
    capMs: config.backoffCapMs,
    jitter: config.jitter,
  };
  while (attempt < config.maxAttempts) {
    const low = delayRangeMs(policy, attempt, previousMin);
    const high = delayRangeMs(policy, attempt, previousMax);
    fromMs += config.webhookTimeoutMs + low.minMs;
    toMs += config.webhookTimeoutMs + high.maxMs;
    previousMin = Math.max(1, low.minMs);
    previousMax = Math.max(1, high.maxMs);
    attempt += 1;
    planned.push({ attempt, fromMs, toMs });
  }
  return planned;
}

export function createRetryView(svgElement: SVGSVGElement): RetryView {
  const svg = select(svgElement).attr('role', 'img');
  svg.selectAll('*').remove();
  const title = svg.append('title');
  const content = svg.append('g');
  let width = 800;
  let drawn: Parameters<RetryView['update']> | null = null;
  // The width comes from a resize observer: reading clientWidth in update would force a layout
  // after every other view's writes, which cost more than the drawing itself at 10×.
  const stopObservingWidth = svgElement.parentElement
    ? observeWidth(svgElement.parentElement, (widthPx) => {
        const next = Math.max(320, Math.round(widthPx));
        if (next === width) return;
        width = next;
        if (drawn) draw(...drawn);
      })
    : () => {};

  return {
    update(delivery, config, atMs) {
      drawn = [delivery, config, atMs];
      draw(delivery, config, atMs);
    },
    destroy() {
      stopObservingWidth();
      svg.selectAll('*').remove();
    },
  };

  function draw(
    delivery: FocusDelivery | null,
    config: WebhooksSnapshot['config'],
    atMs: number,
  ): void {
    svg.attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    content.selectAll('*').remove();
    const theme = currentTheme();
    if (!delivery) {
      title.text('No failing delivery yet');
      content
        .append('text')
        .attr('class', 'wh-retry-empty')
        .attr('x', 12)
        .attr('y', AXIS_Y)
        .text(
          'No webhook has failed yet. Take the consumer down or drop packets, then fire an event.',
        );
      return;
    }
    const planned = plannedAttempts(delivery, config);
    const start = delivery.firstAttemptAtMs;
    const lastAttempt = delivery.attempts.at(-1);
    // The axis reaches the next planned attempt or two, not the whole worst case, so the
    // attempts made so far stay readable; later ones are summarised in the caption.
    const shown = planned.slice(0, 2);
    const lastPlanned = planned.at(-1);
    const visibleCandidates = [
      atMs + 1_000,
      ...(lastAttempt ? [lastAttempt.endedAtMs ?? lastAttempt.atMs + config.webhookTimeoutMs] : []),
      ...shown.map((p) => p.toMs + 500),
    ];
    const end = Math.max(start + 4_000, ...visibleCandidates);
    const x = scaleLinear()
      .domain([start, end])
      .range([48, width - 74]);
    const ok = seriesColor(2, theme);
    const fail = seriesColor(5, theme);
    const band = seriesColor(4, theme);
    title.text(
      `Retry schedule of the webhook for event #${delivery.eventSeq}: ${delivery.attempts.length} attempts so far, ${delivery.result}`,
    );
    content
      .append('line')
      .attr('class', 'wh-retry-axis')
      .attr('x1', x(start))
      .attr('x2', x(end))
      .attr('y1', AXIS_Y)
      .attr('y2', AXIS_Y);
    // Planned ranges for attempts still to come.
    for (const p of shown) {
      const left = x(p.fromMs);
      const right = Math.max(left + 2, x(p.toMs));
      content
        .append('rect')
        .attr('class', 'wh-retry-band')
        .attr('x', left)
        .attr('y', AXIS_Y - 9)
        .attr('width', right - left)
        .attr('height', 18)
        .attr('fill', band);
      content
        .append('text')
        .attr('class', 'wh-retry-label')
        .attr('x', (left + right) / 2)
        .attr('y', AXIS_Y + 24)
        .attr('text-anchor', 'middle')
        .text(`try ${p.attempt}?`);
    }
    delivery.attempts.forEach((attempt, index) => {
      const ax = x(attempt.atMs);
      const g = content.append('g').attr('transform', `translate(${ax},${AXIS_Y})`);
      if (index > 0 && attempt.delayBeforeMs > 0) {
        // The backoff delay ends at this attempt.
        const from = x(attempt.atMs - attempt.delayBeforeMs);
        content
          .append('path')
          .attr('class', 'wh-retry-delay')
          .attr(
            'd',
            `M${from},${AXIS_Y - 14} Q${(from + ax) / 2},${AXIS_Y - 40} ${ax},${AXIS_Y - 14}`,
          );
        content
          .append('text')
          .attr('class', 'wh-retry-label')
          .attr('x', (from + ax) / 2)
          .attr('y', index % 2 === 0 ? AXIS_Y - 34 : AXIS_Y - 46)
          .attr('text-anchor', 'middle')
          .text(`+${formatMs(attempt.delayBeforeMs)}`);
      }
      const failed = attempt.outcome !== 'ok' && attempt.outcome !== 'pending';
      g.append('circle')
        .attr('r', 8)
        .attr('class', attempt.outcome === 'pending' ? 'wh-retry-pending' : '')
        .attr('fill', attempt.outcome === 'ok' ? ok : failed ? fail : 'none')
        .attr('stroke', attempt.outcome === 'pending' ? band : 'none');
      g.append('text')
        .attr('class', 'wh-retry-mark')
        .attr('y', 4)
        .attr('text-anchor', 'middle')
        .text(attempt.outcome === 'ok' ? '✓' : failed ? '✕' : '…');
      g.append('text')
        .attr('class', 'wh-retry-label')
        .attr('y', index % 2 === 0 ? 24 : 50)
        .attr('text-anchor', 'middle')
        .text(`#${attempt.attempt} ${attempt.outcome === 'pending' ? '' : attempt.outcome}`);
      g.append('text')
        .attr('class', 'wh-retry-label')
        .attr('y', index % 2 === 0 ? 37 : 63)
        .attr('text-anchor', 'middle')
        .text(`${((attempt.atMs - start) / 1000).toFixed(1)} s`);
    });
    const dlqX = width - 62;
    const dead = delivery.result === 'dead';
    content
      .append('rect')
      .attr('class', dead ? 'wh-dlq is-dead' : 'wh-dlq')
      .attr('x', dlqX)
      .attr('y', AXIS_Y - 14)
      .attr('width', 56)
      .attr('height', 28)
      .attr('rx', 4);
    content
      .append('text')
      .attr('class', 'wh-retry-label')
      .attr('x', dlqX + 28)
      .attr('y', AXIS_Y + 4)
      .attr('text-anchor', 'middle')
      .text(dead ? 'DLQ ✕' : 'DLQ');
    if (atMs >= start && atMs <= end) {
      content
        .append('line')
        .attr('class', 'wh-now')
        .attr('x1', x(atMs))
        .attr('x2', x(atMs))
        .attr('y1', 12)
        .attr('y2', HEIGHT - 8);
    }
    content
      .append('text')
      .attr('class', 'wh-retry-label')
      .attr('x', 24)
      .attr('y', 12)
      .text(
        `event #${delivery.eventSeq}: ${delivery.result === 'delivered' ? 'delivered' : dead ? 'dead-lettered' : 'retrying'} · ${config.maxAttempts} attempts max, backoff ${formatMs(config.backoffBaseMs)} × ${config.backoffFactor}ⁿ ≤ ${formatMs(config.backoffCapMs)}, ${config.jitter} jitter${lastPlanned ? ` · if all fail: attempt ${lastPlanned.attempt} by ${((lastPlanned.toMs - start) / 1000).toFixed(0)} s, then DLQ` : ''}`,
      );
  }
}
