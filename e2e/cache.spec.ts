/**
 * The caching lab, as a user does it: run a Zipf workload and read LRU's and LFU's hit ratios
 * (checked against the Zipf popularity mass computed here), run the hit-ratio curve job and watch
 * its progress bar and chart, stampede the database with and without single flight, crash a
 * write-back cache, pick W-TinyLFU and read its segments on the slots, keyboard only, a 375 px
 * touch screen, and axe-core scans in light and dark.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { collectPageErrors, countIn, focusPageBody, fractionIn, textOf } from './support';

const LAB = '/#/labs/cache';

async function openCache(page: Page, query = ''): Promise<void> {
  await page.goto(`${LAB}${query ? `?${query}` : ''}`);
  await expect(page.getByTestId('read-burst')).toBeVisible();
  await expect(page.locator('[data-testid="cache-stage"] g.slot').first()).toBeAttached();
}

/** Plays until the virtual clock passes `seconds`, then pauses. */
async function playUntil(page: Page, seconds: number): Promise<void> {
  await page.getByTestId('play-toggle').click();
  await expect
    .poll(async () => Number((await textOf(page.getByTestId('clock'))).replace(/[^\d.]/g, '')), {
      timeout: 60_000,
    })
    .toBeGreaterThanOrEqual(seconds);
  await page.getByTestId('play-toggle').click();
  await expect(page.getByTestId('play-toggle')).toContainText(/Paused|Play/);
}

/** The share of requests for the `capacity` most popular of `keys` Zipf(s) keys. */
function zipfTopMass(keys: number, s: number, capacity: number): number {
  let top = 0;
  let all = 0;
  for (let k = 1; k <= keys; k += 1) {
    all += k ** -s;
    if (k <= capacity) top += k ** -s;
  }
  return top / all;
}

test('a Zipf workload: LRU and LFU hit ratios on screen, LFU near the popularity mass of the top 16', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await openCache(page, 'requestsPerSecond=2000&writePercent=0&zipfS=1&keys=200&capacity=16');
  // Compare LRU and LFU, picked as a user does.
  await page.getByTestId('compare-lru').check();
  await page.getByTestId('compare-lfu').check();
  await page.getByTestId('compare-apply').click();
  await expect(page.getByTestId('compare-lanes')).toBeVisible();
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('+');
  await expect(page.getByTestId('speed')).toHaveText('8.0×');
  await playUntil(page, 20);
  const lru = fractionIn(await textOf(page.getByTestId('lane-ratio-lru')));
  const lfu = fractionIn(await textOf(page.getByTestId('lane-ratio-lfu')));
  const ideal = zipfTopMass(200, 1, 16);
  expect(lfu).toBeGreaterThan(lru);
  expect(Math.abs(lfu - ideal)).toBeLessThan(0.05);
  expect(lru).toBeGreaterThan(0.2);
  // The cache's own figure agrees with its hit and miss counts.
  const [hits, misses] = (await textOf(page.getByTestId('hits-misses'))).split('/').map(countIn);
  const shown = fractionIn(await textOf(page.getByTestId('hit-ratio')));
  expect(Math.abs(shown - hits! / (hits! + misses!))).toBeLessThan(0.001);
  expect(countIn(await textOf(page.getByTestId('requests')))).toBe(hits! + misses!);
  expect(errors).toEqual([]);
});

test('the hit-ratio curve job: a progress bar, then every policy charted with OPT on top', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openCache(page, 'keys=1000&zipfS=0.9');
  await page.getByTestId('run-curves').click();
  const progress = page.locator('.batch-progress progress');
  await expect(progress).toBeVisible();
  await expect
    .poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('curve-chart')).toBeVisible({ timeout: 200_000 });
  await expect(progress).toHaveCount(0);
  // Nine policies (W-TinyLFU among them) and OPT.
  await expect(page.getByTestId('curve-chart').locator('path[fill="none"]')).toHaveCount(10);
  const legend = await page.getByTestId('curve-legend').locator('li').allInnerTexts();
  expect(legend).toHaveLength(10);
  expect(legend.some((text) => text.startsWith('W-TinyLFU:'))).toBe(true);
  const ratios = legend.map(fractionIn);
  const opt = ratios.at(-1)!;
  expect(legend.at(-1)).toContain('OPT');
  for (const ratio of ratios) expect(opt).toBeGreaterThanOrEqual(ratio);
  await expect(page.getByTestId('curve-summary')).toContainText('1,000,000 requests');
  await expect(page.getByTestId('curve-summary')).toContainText('20 sizes');
  await expect(page.getByTestId('curve-summary')).toContainText(/Computed in \d+\.\d s/);
});

test('a read burst on an uncached key stampedes; single flight sends one query', async ({
  page,
}) => {
  await openCache(page, 'requestsPerSecond=0');
  await page.getByTestId('read-burst').click();
  await expect(page.getByTestId('db-peak')).toHaveText('50 / 50');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('last-burst')).toContainText('50 database queries for 50 requests');
  await page.getByTestId('expire-hot').click();
  // The box is controlled by the simulation's settings, so it turns checked once the worker answers.
  await page.getByTestId('single-flight').click();
  await expect(page.getByTestId('single-flight')).toBeChecked();
  await page.getByTestId('read-burst').click();
  await page.getByTestId('step').click();
  await expect(page.getByTestId('last-burst')).toContainText(
    '1 database query for 50 requests (49 waited',
  );
  await expect(page.getByTestId('coalesced')).toHaveText('49');
});

test('W-TinyLFU: picked like any policy, its slots show segment and estimated frequency', async ({
  page,
}) => {
  await openCache(page, 'requestsPerSecond=400&writePercent=0&capacity=16&keys=200');
  await page.getByTestId('policy-select').selectOption('wtinylfu');
  await expect(page.getByTestId('event-log')).toContainText('policy lru → wtinylfu');
  await expect(page.getByTestId('sketch-note')).toContainText('1-slot LRU window, then 15 main');
  await playUntil(page, 8);
  // Every filled slot names its segment and the sketch's estimate (and the canvas draws them).
  const labels = await page
    .locator('[data-testid="cache-stage"] g.slot[tabindex="0"]')
    .evaluateAll((slots) => slots.map((slot) => slot.getAttribute('aria-label') ?? ''));
  expect(labels).toHaveLength(16);
  for (const label of labels) {
    expect(label).toMatch(/list (window|probation|protected), estimated frequency \d+/);
  }
  expect(labels.filter((label) => label.includes('list window'))).toHaveLength(1);
  expect(labels.filter((label) => label.includes('list protected')).length).toBeGreaterThan(0);
  await expect(page.getByTestId('evictions')).toContainText('W-TinyLFU');
});

test.describe('on a 375 px touch screen', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });

  test('the stage fits without scrolling, stays readable, and a tap reads a slot', async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await openCache(page, 'requestsPerSecond=100');
    await page.getByTestId('play-toggle').tap();
    await page.waitForTimeout(1_500);
    await page.getByTestId('play-toggle').tap();
    const svg = page.locator('[data-testid="cache-stage"] svg');
    // The narrow layout: 320 units wide, drawn at (about) its own size, so text keeps its size.
    await expect(svg).toHaveAttribute('viewBox', /^0 0 320 /);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(375);
    // Drawn at 95% of its size or more: the slots' 14-unit keys stay at 13.3 px or larger.
    expect(box!.width / 320).toBeGreaterThanOrEqual(0.95);
    const slot = page.locator('[data-testid="cache-stage"] g.slot[tabindex="0"]').first();
    const key = await slot.getAttribute('data-key');
    const slotBox = await slot.boundingBox();
    expect(slotBox!.width).toBeGreaterThanOrEqual(40);
    await slot.tap();
    await expect(page.getByTestId('event-log')).toContainText(
      `20 reads of key ${key} arrive at once`,
    );
    expect(errors).toEqual([]);
  });
});

test('write-back: a crash loses exactly the dirty entries shown', async ({ page }) => {
  await openCache(
    page,
    'writePolicy=write-back&flushIntervalMs=60000&writePercent=40&requestsPerSecond=200',
  );
  await playUntil(page, 3);
  const dirty = countIn(await textOf(page.getByTestId('dirty')));
  expect(dirty).toBeGreaterThan(0);
  await page.getByTestId('crash').click();
  await expect(page.getByTestId('lost')).toContainText(`1: ${dirty} /`);
  await expect(page.getByTestId('dirty')).toHaveText('0');
  await expect(page.getByTestId('event-log')).toContainText('The cache crashed');
});

test('keyboard only: change the policy, read a slot, play, crash', async ({ page }) => {
  await openCache(page, 'requestsPerSecond=100');
  await focusPageBody(page);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play-toggle')).toContainText(/Playing|Pause/);
  await page.waitForTimeout(1500);
  await page.keyboard.press('Space');
  // Tab to the policy select and pick LFU with the arrow keys.
  const select = page.getByTestId('policy-select');
  for (
    let i = 0;
    i < 80 && !(await select.evaluate((el) => el === document.activeElement));
    i += 1
  ) {
    await page.keyboard.press('Tab');
  }
  await expect(select).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(select).toHaveValue('lfu');
  await expect(page.getByTestId('event-log')).toContainText('policy lru → lfu');
  // Tab on to leave the select, play a little with the new policy.
  await page.keyboard.press('Tab');
  await focusPageBody(page);
  await page.keyboard.press('Space');
  await page.waitForTimeout(800);
  await page.keyboard.press('Space');
  await expect(
    page.locator('[data-testid="cache-stage"] g.slot[tabindex="0"]').first(),
  ).toBeAttached();
  // Back to the select, then Shift+Tab onto the last filled slot of the stage; Enter reads it.
  for (
    let i = 0;
    i < 80 && !(await select.evaluate((el) => el === document.activeElement));
    i += 1
  ) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Shift+Tab');
  const focusedKey = await page.evaluate(() => document.activeElement?.getAttribute('data-key'));
  expect(focusedKey).toMatch(/^\d+$/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('event-log')).toContainText(
    `20 reads of key ${focusedKey} arrive at once`,
  );
  // X crashes the cache from anywhere outside a text field (here: from the focused slot).
  await page.keyboard.press('x');
  await expect(page.getByTestId('lost')).toContainText('1:');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core: no serious or critical violations (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await openCache(page, 'compare=lru,lfu,arc&requestsPerSecond=200');
    await playUntil(page, 2);
    await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(results.passes.length).toBeGreaterThan(10);
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 5)
            .join(', ')}`,
      );
    expect(blocking).toEqual([]);
  });
}
