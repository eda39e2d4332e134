/**
 * The quorum lab as a user drives it: set N = 3, W = 1, R = 1, cut one replica off, write through
 * one client and read through the cut-off one, and see the stale read flagged by the checker;
 * then W = 2, R = 2, where the same read fails instead of lying. Also keyboard only and axe.
 *
 * Expected figures come from the quorum arithmetic, not from the app: with W = 1 the write is
 * done on R1 alone, R3 cannot hear of it, and with R = 1 the read through R3 answers from R3.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { collectPageErrors, focusPageBody, readCount } from './support';

const LAB = '/#/labs/quorum';

async function openQuorum(page: Page, query = 'opsPerSecond=0'): Promise<void> {
  await page.goto(`${LAB}?${query}`);
  await expect(page.locator('[data-testid="cluster"] g.server')).toHaveCount(4);
}

async function setField(page: Page, testId: string, value: number): Promise<void> {
  const input = page.getByTestId(testId).locator('input.number-input');
  await input.fill(String(value));
  await input.press('Enter');
}

async function play(page: Page): Promise<void> {
  const toggle = page.getByTestId('play-toggle');
  if ((await toggle.getAttribute('aria-label'))?.startsWith('Play')) await toggle.click();
  await expect(toggle).toHaveAttribute('aria-label', /Pause/);
}

function figure(page: Page, testId: string) {
  return page.getByTestId('figures').getByTestId(testId);
}

async function isolateR3(page: Page): Promise<void> {
  await page.getByTestId('isolate-select').selectOption('R3');
  await page.getByTestId('isolate').click();
  await expect(page.getByTestId('partition-state')).toHaveText(/\{R3\} \| \{R1, R2, H1\}/);
  await expect(page.locator('[data-node="R3"] .group-badge text')).toHaveText('A');
}

async function clientOp(page: Page, client: string, op: 'write' | 'read'): Promise<void> {
  await page.getByTestId('client-select').selectOption({ label: client });
  await page.getByTestId(`client-${op}`).click();
}

test('N = 3, W = 1, R = 1 with R3 cut off: the read is stale and flagged; W = 2, R = 2 fails it instead', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await page.goto('/');
  await page.getByRole('link', { name: /Quorum replication/ }).click();
  await expect(page.locator('[data-testid="cluster"] g.server')).toHaveCount(4);
  // The user sets the scene: no background workload, N = 3 (the default), W = 1, R = 1.
  await setField(page, 'ops-field', 0);
  await setField(page, 'w-field', 1);
  await setField(page, 'r-field', 1);
  await expect(page.getByTestId('overlap-text')).toHaveText(/W \+ R ≤ N/);
  await expect(page.getByTestId('quorum-caption')).toContainText('W + R − N = 1 + 1 − 3 = -1');
  await isolateR3(page);
  await play(page);
  await page.getByTestId('write-text').fill('Hiking and tea');
  await clientOp(page, 'C1 (via R1)', 'write');
  // R1 stores it; R2 hears of it; R3, cut off, keeps the initial v0.
  await expect(page.locator('[data-node="R1"] .server-value')).toHaveText('v1');
  await expect(page.locator('[data-node="R2"] .server-value')).toHaveText('v1');
  await expect(page.locator('[data-node="R3"] .server-value')).toHaveText('v0');
  await clientOp(page, 'C3 (via R3)', 'read');
  await expect(figure(page, 'stale-reads')).toHaveText('1');
  const violations = page.getByTestId('violations').locator('button');
  await expect(violations).toHaveCount(1);
  await expect(violations.first()).toContainText('C3 read bio = v0');
  await expect(violations.first()).toContainText('after v1 completed');
  // The space-time diagram has both operations; the stale read is marked, and pointing at it
  // (End on the focused diagram: the newest operation) describes it.
  await expect(page.getByTestId('history-summary')).toHaveText(
    'In view: 2 operations, 1 stale read, 0 failed.',
  );
  await page.getByTestId('history-canvas').focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('history-readout')).toContainText(
    /^#2 C3 read bio → v0, .* via R3 STALE: missed v1$/,
  );
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('history-readout')).toContainText(/^#1 C1 write bio = v1, /);
  // The linearizability check agrees: no order of "write v1; then read v0" works.
  await page.getByTestId('run-check').click();
  await expect(page.getByTestId('check-verdict')).toHaveText(
    /Not linearizable \(checked 2 operations/,
  );
  await expect(violations).toHaveCount(2);
  // Clicking a finding seeks there (paused) and outlines the read and the write it missed.
  await violations.first().click();
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-label', /Play/);
  await expect(page.getByTestId('history-summary')).toHaveText(
    'In view: 2 operations, 1 stale read, 0 failed, 2 outlined by the checker.',
  );

  // Now W = 2, R = 2: the same two requests. The write needs R2 as well (reachable); the read
  // through R3 cannot gather 2 answers, so CP mode refuses it: no new stale read.
  await play(page);
  await setField(page, 'w-field', 2);
  await setField(page, 'r-field', 2);
  await expect(page.getByTestId('overlap-text')).toHaveText(/W \+ R > N/);
  const failedBefore = await readCount(figure(page, 'unavailable'));
  await clientOp(page, 'C1 (via R1)', 'write');
  await expect(page.locator('[data-node="R2"] .server-value')).toHaveText('v2');
  await clientOp(page, 'C3 (via R3)', 'read');
  await expect.poll(() => readCount(figure(page, 'unavailable'))).toBe(failedBefore + 1);
  await expect(page.getByTestId('quorum-caption')).toContainText(
    'failed (unavailable: 1 of 3 replicas reachable, R = 2)',
  );
  await expect(figure(page, 'stale-reads')).toHaveText('1');
  expect(errors).toEqual([]);
});

test('W = 2, R = 2 from the start: no stale read and a linearizable history', async ({ page }) => {
  await openQuorum(page);
  await isolateR3(page);
  await play(page);
  await clientOp(page, 'C1 (via R1)', 'write');
  await expect(page.locator('[data-node="R1"] .server-value')).toHaveText('v1');
  await clientOp(page, 'C2 (via R2)', 'read');
  await clientOp(page, 'C3 (via R3)', 'read');
  await expect.poll(() => readCount(figure(page, 'unavailable'))).toBe(1);
  await page.getByTestId('run-check').click();
  await expect(page.getByTestId('check-verdict')).toHaveText(/^Linearizable: all 3 operations/);
  await expect(page.getByTestId('no-violations')).toBeVisible();
  await expect(figure(page, 'stale-reads')).toHaveText('0');
  // Healing lets the replicas converge, and the time it took is shown.
  await page.getByTestId('heal').click();
  await expect(figure(page, 'converge-time')).toHaveText(/^\d+\.\d\d s$/);
  await expect(page.locator('[data-node="R3"] .server-value')).toHaveText('v1');
  // The stage exports as PNG and SVG (the cluster with its message layer).
  for (const [button, extension] of [
    ['PNG', 'png'],
    ['SVG', 'svg'],
  ] as const) {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: button, exact: true }).click();
    expect((await download).suggestedFilename()).toMatch(new RegExp(`^quorum-.*\\.${extension}$`));
  }
});

test('keyboard only: isolate a replica from the stage, write, read and find the stale read', async ({
  page,
}) => {
  await openQuorum(page, 'opsPerSecond=0&writeQuorum=1&readQuorum=1');
  await focusPageBody(page);
  // Tab to R3 on the stage and press I to cut it off.
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('data-node') === 'R3'))
      break;
  }
  await page.keyboard.press('i');
  await expect(page.getByTestId('partition-state')).toHaveText(/\{R3\}/);
  // Space plays (from the focused replica too), W writes through C1.
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-label', /Pause/);
  // W: the first client writes the shown key.
  await page.keyboard.press('w');
  await expect(page.locator('[data-node="R1"] .server-value')).toHaveText('v1');
  // Tab to the client picker, choose C3 with the arrow keys, Tab to Read and press Enter.
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    if (
      await page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') === 'client-select',
      )
    )
      break;
  }
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('client-select')).toHaveValue('2');
  for (let i = 0; i < 10; i += 1) {
    await page.keyboard.press('Tab');
    if (
      await page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') === 'client-read',
      )
    )
      break;
  }
  await page.keyboard.press('Enter');
  await expect(figure(page, 'stale-reads')).toHaveText('1');
  // Tab back to the space-time diagram and step to the stale read with the arrow keys.
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Shift+Tab');
    if (
      await page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') === 'history-canvas',
      )
    )
      break;
  }
  await page.keyboard.press('Home');
  await expect(page.getByTestId('history-readout')).toContainText(/^#1 C1 write bio = v1/);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('history-readout')).toContainText(/^#2 C3 read bio → v0.*STALE/);
  // Heal with H.
  await page.keyboard.press('h');
  await expect(page.getByTestId('partition-state')).toHaveText('The network is whole.');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no serious or critical violations (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await openQuorum(page, 'opsPerSecond=20&replicas=3');
    await isolateR3(page);
    await play(page);
    await page.waitForTimeout(1_500);
    await page.getByTestId('play-toggle').click();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
      );
    expect(blocking).toEqual([]);
  });
}
