/**
 * The rate-limiting lab as a user drives it: a burst at a token bucket, the boundary attack in
 * compare mode, a response's headers, distributed limiting, the million-request comparison,
 * keyboard only, and an axe-core scan in light and dark.
 */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { countIn } from './support';

const LAB = '/#/labs/rate-limiter';

async function open(page: Page, query: string): Promise<void> {
  await page.goto(`${LAB}?${query}`);
  await expect(page.getByTestId('lane-table')).toBeVisible();
}

async function laneFigure(page: Page, lane: number, what: string): Promise<number> {
  return countIn((await page.getByTestId(`lane-${lane}-${what}`).textContent()) ?? '');
}

test('a burst of 20 at a token bucket of capacity 10: 10 accepted, 10 answered 429', async ({
  page,
}) => {
  await open(page, 'lanes=token-bucket&pattern=none&limit=10&burst=10&clients=1&abuseFactor=1');
  await page.getByTestId('burst-count').getByRole('textbox').fill('20');
  await page.getByTestId('burst-count').getByRole('textbox').press('Enter');
  await page.getByTestId('fire-burst').click();
  await expect(page.getByTestId('lane-0-accepted')).toHaveText('10');
  await expect(page.getByTestId('lane-0-rejected')).toHaveText('10');
  // The newest response is a 429; its headers say when to come back.
  const last = page
    .getByRole('list', { name: /Latest responses from Token bucket/ })
    .getByRole('button')
    .last();
  await expect(last).toContainText('429');
  await last.click();
  const headers = page.getByTestId('response-headers');
  await expect(headers).toContainText('HTTP/1.1 429 Too Many Requests');
  await expect(headers).toContainText('Retry-After: 1');
  await expect(headers).toContainText('RateLimit-Limit: 10');
  await expect(headers).toContainText('RateLimit-Remaining: 0');
  await expect(page.getByTestId('selected-response')).toContainText('exact wait is 100 ms');
});

test('the boundary attack in compare mode: fixed window reaches twice the limit, the log holds it', async ({
  page,
}) => {
  await open(
    page,
    'lanes=fixed-window,sliding-log,sliding-counter&pattern=boundary&clients=1&abuseFactor=1&limit=10',
  );
  // The first attack straddles the 1 s boundary.
  await page.getByRole('button', { name: /^play/i }).first().click();
  await expect.poll(async () => laneFigure(page, 0, 'max-window'), { timeout: 20_000 }).toBe(20);
  await expect(page.getByTestId('lane-0')).toHaveAttribute('data-algorithm', 'fixed-window');
  expect(await laneFigure(page, 1, 'max-window')).toBe(10);
  expect(await laneFigure(page, 2, 'max-window')).toBeLessThan(20);
  await expect(page.getByTestId('lane-0-max-window')).toContainText('2.0×');
});

test('distributed: the atomic increment never accepts over the limit', async ({ page }) => {
  await open(page, 'mode=distributed&ratePerSecond=150&clients=2&abuseFactor=3&gateways=4');
  await page.getByRole('button', { name: /^play/i }).first().click();
  await expect
    .poll(async () => laneFigure(page, 0, 'overshoot'), { timeout: 30_000 })
    .toBeGreaterThan(0);
  expect(await laneFigure(page, 1, 'overshoot')).toBe(0);
  await expect(page.getByTestId('lane-2-overshoot')).toContainText('bound 30/window');
});

test('the 1,000,000-request comparison runs with progress and fills the table', async ({
  page,
}) => {
  await open(page, 'pattern=boundary&clients=2');
  await page.getByTestId('run-million').click();
  const table = page.getByTestId('million-table');
  await expect(table).toBeVisible({ timeout: 30_000 });
  await expect(table.locator('tbody tr')).toHaveCount(7);
  await expect(table).toContainText('1,000,000 requests');
  const fixed = table.locator('tr', { hasText: 'Fixed window' }).locator('td').nth(3);
  expect(countIn((await fixed.textContent()) ?? '')).toBe(20);
});

test('keyboard only: fire a burst with B, pick a response, read its headers', async ({ page }) => {
  await open(page, 'lanes=gcra&pattern=none&clients=1&abuseFactor=1');
  await page.keyboard.press('b');
  await expect(page.getByTestId('lane-0-accepted')).toHaveText('10');
  const last = page
    .getByRole('list', { name: /Latest responses from GCRA/ })
    .getByRole('button')
    .last();
  await last.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('response-headers')).toContainText('429 Too Many Requests');
  // The retry behaviour is a select: arrow keys change it, and the event log says so.
  const retry = page.getByTestId('retry');
  await retry.focus();
  await page.keyboard.press('ArrowDown');
  await expect(retry).toHaveValue('honour');
  await expect(page.getByRole('log').or(page.locator('body'))).toContainText(
    'retry when retry-after says',
  );
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core: no serious or critical violations (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await open(page, 'lanes=token-bucket,leaky-queue&clients=3');
    await page.getByTestId('fire-burst').click();
    await page
      .getByRole('list', { name: /Latest responses from Token bucket/ })
      .getByRole('button')
      .last()
      .click();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
      [],
    );
  });
}

test.describe('on a phone (375 × 667)', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true });

  for (const query of [
    'lanes=token-bucket,leaky-queue,sliding-counter&clients=8',
    'mode=distributed&gateways=4&clients=8',
  ]) {
    test(`the stage is readable: unscaled text of 11 px or more, nothing overlapping, no overflow (${query})`, async ({
      page,
    }) => {
      await open(page, query);
      const stage = page.getByTestId('lanes');
      await expect(stage.locator('svg[data-export-root] text').first()).toBeVisible();
      const report = await stage.evaluate((root) => {
        const svg = root.querySelector('svg[data-export-root]') as SVGSVGElement;
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        const texts = Array.from(svg.querySelectorAll('text')).map((t) => {
          const r = t.getBoundingClientRect();
          return {
            text: t.textContent ?? '',
            lane: t.closest('[data-testid^=lane-stage-]')?.getAttribute('data-testid') ?? '',
            px: Number.parseFloat(getComputedStyle(t).fontSize) * scale,
            left: r.left,
            right: r.right,
            top: r.top,
            bottom: r.bottom,
          };
        });
        return { scale, right: box.right, pageWidth: document.documentElement.clientWidth, texts };
      });
      expect(report.scale).toBeCloseTo(1, 2);
      expect(report.right).toBeLessThanOrEqual(report.pageWidth);
      expect(report.texts.length).toBeGreaterThan(3 * 8);
      for (const t of report.texts) expect(t.px, t.text).toBeGreaterThanOrEqual(11);
      const overlaps: string[] = [];
      report.texts.forEach((a, i) => {
        for (const b of report.texts.slice(i + 1)) {
          const apart =
            a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
          if (!apart) overlaps.push(`${a.lane} "${a.text}" × "${b.text}"`);
        }
      });
      expect(overlaps).toEqual([]);
    });
  }

  test('a tap on a request dot shows its response', async ({ page }) => {
    await open(page, 'lanes=token-bucket&pattern=none&limit=10&burst=10&clients=1&abuseFactor=1');
    await page.getByTestId('fire-burst').click();
    await expect(page.getByTestId('lane-0-rejected')).toHaveText('10');
    // Paused at 0 s, the burst's dots sit just right of the client's dot, on the lane's middle row.
    const dot = await page.getByTestId('lane-stage-0').locator('.clients circle').boundingBox();
    await page.touchscreen.tap(dot!.x + dot!.width / 2 + 6, dot!.y + dot!.height / 2);
    await expect(page.getByTestId('selected-response')).toContainText('Request #');
    await expect(page.getByTestId('response-headers')).toContainText('RateLimit-Limit: 10');
  });
});

test('the stage exports as SVG and PNG, dots included', async ({ page }) => {
  await open(page, 'lanes=token-bucket,fixed-window&clients=2');
  await page.getByTestId('fire-burst').click();
  const svgDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'SVG', exact: true }).click();
  const svgFile = await svgDownload;
  expect(svgFile.suggestedFilename()).toMatch(/^rate-limiter-.*\.svg$/);
  const svgText = readFileSync((await svgFile.path())!, 'utf8');
  // Both lanes' still parts, and the canvas of dots and limiter states as an embedded image.
  expect(svgText).toContain('Token bucket');
  expect(svgText).toContain('Fixed window');
  expect(svgText).toContain('<image');
  const pngDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'PNG', exact: true }).click();
  expect((await pngDownload).suggestedFilename()).toMatch(/^rate-limiter-.*\.png$/);
  await expect(page.getByText('Stage exported as PNG.')).toBeVisible();
});
