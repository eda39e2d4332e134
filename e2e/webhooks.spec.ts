/**
 * The webhooks-vs-polling lab, done as a user does it: take the consumer down, fire events, bring
 * it back and see each event processed once in every lane; compare the lanes' delays and request
 * counts on screen against what the protocols predict; forge a webhook; keyboard only; axe-core.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import {
  clockSeconds,
  collectPageErrors,
  countIn,
  focusPageBody,
  numberIn,
  textOf,
} from './support';

const LAB = '/#/labs/webhooks';

async function openLab(page: Page, query = ''): Promise<void> {
  await page.goto(`${LAB}${query ? `?${query}` : ''}`);
  await expect(page.getByTestId('lane-table')).toBeVisible();
  await expect(page.getByTestId('timeline-stage').locator('svg.wh-svg')).toBeVisible();
}

function cell(page: Page, lane: string, column: string) {
  return page.getByTestId(`lane-${lane}`).locator(`[data-col="${column}"]`);
}

/** "10/12" → [10, 12]. */
async function known(page: Page, lane: string): Promise<[number, number]> {
  const text = await textOf(cell(page, lane, 'known'));
  const [a, b] = text.split('/').map((part) => countIn(part));
  return [a ?? Number.NaN, b ?? Number.NaN];
}

/** A delay cell in seconds ("74 ms" → 0.074, "2.5 s" → 2.5). */
async function delaySeconds(page: Page, lane: string, column: string): Promise<number> {
  const text = await textOf(cell(page, lane, column));
  const value = numberIn(text);
  return text.includes('ms') ? value / 1000 : value;
}

async function setSpeed(page: Page, speed: number): Promise<void> {
  await page.locator('label.speed input[type="range"]').fill(String(Math.log10(speed)));
  await expect(page.getByTestId('speed')).toHaveText(new RegExp(`^${speed}(\\.0)?×$`));
}

const LANES = ['short', 'long', 'webhook', 'socket'] as const;

test.describe('consumer outage', () => {
  test('fire 10 events while the consumer is down, bring it back: each is processed once', async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    // 20 attempts with backoff capped at 4 s keep retrying for over a minute of virtual time, so
    // no event is dead-lettered however slowly this machine clicks.
    await openLab(page, 'eventsPerMinute=0&backoffCapMs=4000&maxAttempts=20');
    await page.getByTestId('consumer-toggle').click();
    await expect(page.getByTestId('consumer-status')).toHaveText('consumer: down');
    await page.getByTestId('fire-ten').click();
    await expect(page.getByTestId('stage-status')).toContainText('10 events');

    await setSpeed(page, 4);
    await page.getByTestId('play-toggle').click();
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(6);
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    // Nobody has heard yet, and the shop has been retrying the webhooks.
    for (const lane of LANES) expect(await known(page, lane)).toEqual([0, 10]);
    await expect
      .poll(async () => countIn(await textOf(page.getByTestId('wh-retries'))))
      .toBeGreaterThan(0);

    await page.getByTestId('consumer-toggle').click();
    await expect(page.getByTestId('consumer-status')).toHaveText('consumer: up');
    await page.getByTestId('play-toggle').click();
    for (const lane of LANES) {
      await expect.poll(() => known(page, lane), { timeout: 30_000 }).toEqual([10, 10]);
    }
    await expect(page.getByTestId('wh-once')).toHaveText('10 of 10');
    await expect(page.getByTestId('wh-twice')).toHaveText('0');
    await expect(page.getByTestId('wh-dead')).toHaveText('0');
    for (const lane of LANES) await expect(cell(page, lane, 'dupes')).toHaveText('0');
    // The retry schedule shows a failing delivery with its attempts.
    await expect(page.getByTestId('retry-schedule').locator('svg')).toContainText('#1');
    expect(errors).toEqual([]);
  });
});

test.describe('comparing the lanes', () => {
  test('polling every 5 s: delay about half the interval and a request per 5 s; push lanes ≈ one trip', async ({
    page,
  }) => {
    await openLab(page, 'eventsPerMinute=60&pollIntervalMs=5000&latencyMs=80');
    await setSpeed(page, 20);
    await page.getByTestId('play-toggle').click();
    await expect.poll(() => clockSeconds(page), { timeout: 30_000 }).toBeGreaterThan(90);
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    const seconds = await clockSeconds(page);
    const [, events] = await known(page, 'webhook');
    expect(events).toBeGreaterThan(40);

    // Short polling: an event waits for the next poll, uniformly 0–5 s, plus ~80 ms back.
    const shortP50 = await delaySeconds(page, 'short', 'p50');
    expect(shortP50).toBeGreaterThan(1.5);
    expect(shortP50).toBeLessThan(3.6);
    expect(await delaySeconds(page, 'short', 'max')).toBeLessThanOrEqual(5 + 0.2);
    // One poll every 5 s from t = 0.
    const shortRequests = countIn(await textOf(cell(page, 'short', 'requests')));
    expect(Math.abs(shortRequests - (Math.floor(seconds / 5) + 1))).toBeLessThanOrEqual(1);

    // Long polling, webhook and the open stream hear within a trip or so (latency 60–100 ms).
    for (const lane of ['long', 'webhook', 'socket'] as const) {
      expect(await delaySeconds(page, lane, 'p50'), lane).toBeLessThan(0.3);
    }
    // One webhook POST per event (no failures here), one connection for the stream.
    const [webhookKnown, total] = await known(page, 'webhook');
    const webhookRequests = countIn(await textOf(cell(page, 'webhook', 'requests')));
    expect(webhookRequests).toBeGreaterThanOrEqual(webhookKnown);
    expect(webhookRequests).toBeLessThanOrEqual(total);
    await expect(cell(page, 'socket', 'requests')).toHaveText('1');
    await expect(cell(page, 'socket', 'open')).toHaveText('1');
    // Most short polls find one event or none; long polls are never empty at 1 event/s.
    expect(countIn(await textOf(cell(page, 'short', 'empty')))).toBeLessThan(shortRequests);
  });

  test('a forged webhook is rejected by the signature check', async ({ page }) => {
    await openLab(page, 'eventsPerMinute=30');
    await page.getByTestId('play-toggle').click();
    await expect
      .poll(async () => countIn(await textOf(page.getByTestId('wh-verified'))))
      .toBeGreaterThan(0);
    await page.getByTestId('send-forged').click();
    await expect(page.getByTestId('wh-rejected')).toHaveText('1');
    await expect(page.getByTestId('event-log')).toContainText('signature mismatch');
  });

  test('without dedupe, lost acknowledgements are processed twice', async ({ page }) => {
    await openLab(page, 'eventsPerMinute=120&dropPercent=25&dedupe=false');
    await expect(page.getByTestId('dedupe-toggle')).not.toBeChecked();
    await setSpeed(page, 20);
    await page.getByTestId('play-toggle').click();
    await expect
      .poll(async () => countIn(await textOf(page.getByTestId('wh-twice'))), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(countIn(await textOf(cell(page, 'webhook', 'dupes')))).toBeGreaterThan(0);
  });
});

test.describe('keyboard only', () => {
  test('P fires an event, D toggles the consumer, Space plays, an event marker opens by Enter', async ({
    page,
  }) => {
    await openLab(page, 'eventsPerMinute=0');
    await focusPageBody(page);
    await page.keyboard.press('p');
    await expect(page.getByTestId('stage-status')).toContainText('1 event');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');
    await expect.poll(() => known(page, 'socket')).toEqual([1, 1]);
    await page.keyboard.press('d');
    await expect(page.getByTestId('consumer-status')).toHaveText('consumer: down');
    await page.keyboard.press('d');
    await expect(page.getByTestId('consumer-status')).toHaveText('consumer: up');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');

    // Tab until the event marker has focus, then Enter shows its delays per lane.
    const marker = page.locator('g.wh-event[data-seq="1"]');
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      if (await marker.evaluate((el) => el === document.activeElement)) break;
    }
    await expect(marker).toBeFocused();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('selected-event');
    await expect(detail).toContainText('Event #1');
    await expect(detail).toContainText('Webhook');
    await expect(detail).not.toContainText('not yet');
  });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core: no serious or critical violations (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await openLab(page, 'dropPercent=10');
    await page.getByTestId('play-toggle').click();
    await page.getByTestId('fire-event').click();
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(2);
    await page.getByTestId('play-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(results.passes.length).toBeGreaterThan(10);
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(blocking).toEqual([]);
  });
}

test.describe('small touch screen', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });

  test('fits 375 px without horizontal scroll, and Pizza ready works by tap', async ({ page }) => {
    await openLab(page, 'eventsPerMinute=0');
    const fire = page.getByTestId('fire-event');
    await fire.tap();
    await expect(page.getByTestId('stage-status')).toContainText('1 event');
    const scrollWidth = await page.evaluate(
      () => (document.scrollingElement ?? document.documentElement).scrollWidth,
    );
    expect(scrollWidth).toBeLessThanOrEqual(375 + 1);
  });
});
