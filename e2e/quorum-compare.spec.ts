/**
 * Compare mode of the quorum lab, as a user drives it: N = 3, cut R3 off, let the clients write and
 * read for a while, then compare W = 1, R = 1 against W = 2, R = 2 on this very run.
 *
 * Expected figures come from the quorum arithmetic, not from the app: with R3 cut off, a client of
 * R3 reading with R = 1 answers from R3 alone and misses every write made on the other side, so
 * W = 1, R = 1 has stale reads; W + R > N in CP mode never returns one (it refuses instead).
 * The row with the live settings replays the live run, so it shows the live figures exactly.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { collectPageErrors, readCount } from './support';

async function setField(page: Page, testId: string, value: number): Promise<void> {
  const input = page.getByTestId(testId).locator('input.number-input');
  await input.fill(String(value));
  await input.press('Enter');
}

function liveFigure(page: Page, label: string) {
  return page.getByTestId('figures').locator('.figure', { hasText: label }).locator('dd');
}

/** Sets a compare checkbox with the keyboard (focus, then Space when it must change). */
async function pick(page: Page, key: string, on: boolean): Promise<void> {
  const box = page.getByTestId(`compare-pick-${key}`);
  if ((await box.isChecked()) !== on) {
    await box.focus();
    await page.keyboard.press('Space');
  }
  await expect(box).toBeChecked({ checked: on });
}

test('N = 3 with R3 cut off: W=1,R=1 has stale reads and W=2,R=2 none, on the same run', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await page.goto('/#/labs/quorum');
  await expect(page.locator('[data-testid="cluster"] g.server')).toHaveCount(4);
  // The scene: N = 3 (W = R = 2, CP by default), a busy workload, R3 cut off.
  await setField(page, 'replicas-field', 3);
  await setField(page, 'ops-field', 40);
  await page.getByTestId('isolate-select').selectOption('R3');
  await page.getByTestId('isolate').click();
  await expect(page.getByTestId('partition-state')).toHaveText(/\{R3\} \| \{R1, R2, H1\}/);
  const toggle = page.getByTestId('play-toggle');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-label', /Pause/);
  // Writes and reads for a while: until 80 operations have been invoked.
  await expect
    .poll(() => readCount(liveFigure(page, 'Operations invoked')), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(80);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-label', /Play/);
  const liveStale = await readCount(page.getByTestId('figures').getByTestId('stale-reads'));
  const liveFailed = await readCount(page.getByTestId('figures').getByTestId('unavailable'));
  const liveOps = await readCount(liveFigure(page, 'Operations invoked'));
  expect(liveStale).toBe(0);
  expect(liveFailed).toBeGreaterThan(0);

  // Compare exactly W=1,R=1 and W=2,R=2 (CP), chosen with the keyboard.
  const panel = page.getByTestId('compare');
  await panel.scrollIntoViewIfNeeded();
  await expect(panel.getByTestId('compare-pick-2-2-cp')).toBeVisible();
  await pick(page, '1-1-cp', true);
  await pick(page, '2-2-cp', true);
  for (const other of ['3-1-cp', '1-3-cp', '2-2-ap', '1-1-ap', '3-1-ap', '1-3-ap'])
    await pick(page, other, false);
  await expect(panel.getByText('2 chosen.')).toBeVisible();
  await panel.getByTestId('compare-run').focus();
  await page.keyboard.press('Enter');
  const result = panel.getByTestId('compare-result');
  await expect(result).toBeVisible();
  await expect(panel.getByTestId('compare-table').locator('tbody tr')).toHaveCount(2);
  expect(await readCount(panel.getByTestId('compare-stale-count-1-1-cp'))).toBeGreaterThan(0);
  await expect(panel.getByTestId('compare-stale-count-2-2-cp')).toHaveText('(0)');
  await expect(panel.getByTestId('compare-stale-2-2-cp')).toContainText('0.0%');
  // The current settings' row is the live run replayed: the same figures as the live panel.
  const currentRow = panel.getByTestId('compare-row-2-2-cp');
  await expect(currentRow).toContainText('(current)');
  await expect(currentRow.locator('td').nth(1)).toHaveText(String(liveOps));
  expect(await readCount(panel.getByTestId('compare-unavailable-2-2-cp').locator('.muted'))).toBe(
    liveFailed,
  );
  await expect(panel.getByTestId('compare-skipped')).toHaveText('0, 0');
  await expect(panel.getByTestId('compare-stale-chart').locator('rect')).toHaveCount(2);
  await expect(panel.getByTestId('compare-unavailable-chart').locator('rect')).toHaveCount(2);

  // A longer comparison (ten virtual minutes each) shows its progress, then the same verdict.
  await panel.getByTestId('compare-until-length').check();
  await setField(page, 'compare-length', 600);
  await panel.getByTestId('compare-run').click();
  await expect(panel.locator('.batch-progress progress')).toBeVisible();
  await expect(panel.locator('.batch-progress')).toContainText(/Variant \d of 2/);
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(panel.locator('.batch-progress')).toHaveCount(0);
  await expect(panel.getByText('600.0 s of virtual time')).toBeVisible();
  expect(await readCount(panel.getByTestId('compare-stale-count-1-1-cp'))).toBeGreaterThan(0);
  await expect(panel.getByTestId('compare-stale-count-2-2-cp')).toHaveText('(0)');
  expect(errors).toEqual([]);
});

test('refuses fewer than 2 settings, fits a 375 px screen, and passes axe', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 667 });
  await page.goto('/#/labs/quorum?opsPerSecond=20');
  const panel = page.getByTestId('compare');
  await expect(panel.getByTestId('compare-pick-2-2-cp')).toBeChecked();
  await pick(page, '1-1-cp', false);
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-problem')).toHaveText(
    'Choose 2 to 5 settings (1 chosen).',
  );
  // At 0 s there is nothing to compare "up to now"; a fixed length works at once.
  await pick(page, '1-1-ap', true);
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-problem')).toContainText('The run is at 0 s');
  await panel.getByTestId('compare-until-length').check();
  await setField(page, 'compare-length', 20);
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-result')).toBeVisible();
  await expect(panel.getByTestId('compare-table').locator('tbody tr')).toHaveCount(2);
  const overflow = await panel.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const table = panel.locator('.compare-scroll');
  expect(await table.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    const results = await new AxeBuilder({ page })
      .include('[data-testid="compare"]')
      .withTags(['wcag2a', 'wcag2aa'])
      .analyze();
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${theme} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(blocking).toEqual([]);
  }
});
