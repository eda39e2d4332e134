/**
 * The leader-election lab's headline interactions, done as a user does them (click, type,
 * keyboard, touch), with the figures the page shows checked against what the theory predicts:
 * LCR's exact counts, a crash that stalls it for good, HS within its bound, Bully electing the
 * highest live ID, and the batch chart of messages against n. Plus axe-core scans in light and
 * dark, and the whole lab by keyboard alone.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import {
  clockSeconds,
  collectPageErrors,
  countIn,
  focusPageBody,
  numberIn,
  readCount,
  textOf,
} from './support';

const LAB = '/#/labs/leader-election';

async function openLab(page: Page, query = ''): Promise<void> {
  await page.goto(`${LAB}${query ? `?${query}` : ''}`);
  await expect(page.getByTestId('node-table')).toBeVisible();
  await expect(page.locator('[data-testid^="stage-"] g.election-node').first()).toBeVisible();
}

/** Nodes on the stage of one election ('lcr', 'hs' or 'bully'). */
function stageNodes(page: Page, kind: string) {
  return page.getByTestId(`stage-${kind}`).locator('g.election-node');
}

/** Speeds playback up by doubling it with the "+" key (1× → 2^times ×), one press at a time. */
async function speedUp(page: Page, times: number): Promise<void> {
  for (let i = 1; i <= times; i += 1) {
    await focusPageBody(page);
    await page.keyboard.press('+');
    await expect.poll(async () => numberIn(await textOf(page.getByTestId('speed')))).toBe(2 ** i);
  }
}

async function play(page: Page): Promise<void> {
  const toggle = page.getByTestId('play-toggle');
  if ((await toggle.getAttribute('data-state')) !== 'playing') await toggle.click();
  await expect(toggle).toHaveAttribute('data-state', 'playing');
}

/** n(n + 1)/2, LCR's worst case, computed here independently of the app. */
function triangular(n: number): number {
  let sum = 0;
  for (let k = 1; k <= n; k += 1) sum += k;
  return sum;
}

test.describe('LCR', () => {
  test('8 nodes in the worst arrangement: 36 election messages, then 8 announcements', async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await page.goto('/');
    await page.getByRole('link', { name: /Leader election/ }).click();
    await expect(page).toHaveURL(/#\/labs\/leader-election/);
    await expect(page.getByTestId('node-table')).toBeVisible();

    // Set 8 nodes (type it) and the worst arrangement, as a user would.
    const nodes = page.getByTestId('nodes-field').getByRole('textbox');
    await nodes.fill('9');
    await nodes.press('Enter');
    await expect(stageNodes(page, 'lcr')).toHaveCount(9);
    await nodes.fill('8');
    await nodes.press('Enter');
    await page.getByLabel('Descending clockwise (worst case)').check();
    await expect(page).toHaveURL(/arrangement=descending/);
    await expect(stageNodes(page, 'lcr')).toHaveCount(8);
    // Descending clockwise from node 0: UIDs 8, 7, … 1.
    const uids = await page
      .getByTestId('node-table')
      .locator('tbody tr td:nth-child(2)')
      .allInnerTexts();
    expect(uids.map(Number)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    await expect(page.getByTestId('lcr-election-messages')).toHaveText('8');

    await speedUp(page, 3);
    await play(page);
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'finished', {
      timeout: 20_000,
    });
    expect(await readCount(page.getByTestId('lcr-election-messages'))).toBe(triangular(8));
    await expect(page.getByTestId('lcr-election-messages')).toHaveText('36');
    expect(await readCount(page.getByTestId('lcr-termination-messages'))).toBe(8);
    await expect(page.getByTestId('lcr-status')).toContainText('leader UID 8');
    await expect(page.getByTestId('formula-worst')).toHaveText('36');
    // Every node knows the leader; node 0 (UID 8) leads.
    await expect(page.getByTestId('node-state-0')).toHaveText('leader');
    for (let i = 1; i < 8; i += 1)
      await expect(page.getByTestId(`node-state-${i}`)).toHaveText('follower');
    await expect(page.getByTestId('event-log')).toContainText(
      '36 election messages + 8 announcement messages',
    );
    expect(errors).toEqual([]);
  });

  test('messages move between neighbours while playing and stand still when paused', async ({
    page,
  }) => {
    await openLab(page, 'nodes=12&arrangement=descending&delayMs=2000');
    const canvas = page.getByTestId('stage-lcr').locator('canvas');
    // At time 0 every node has sent its UID: 12 messages in flight.
    await expect(page.getByTestId('lcr-in-flight')).toHaveText('12');
    await expect(canvas).toHaveAttribute('data-in-flight', '12');
    await play(page);
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(0.5);
    const before = await canvas.screenshot();
    await page.waitForTimeout(400);
    const after = await canvas.screenshot();
    expect(before.equals(after)).toBe(false);
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    const still = await canvas.screenshot();
    await page.waitForTimeout(400);
    expect(still.equals(await canvas.screenshot())).toBe(true);
  });

  test('crash a node mid-election: LCR stalls and never finishes', async ({ page }) => {
    await openLab(page, 'nodes=8&arrangement=random');
    // Step into round 2 (each step goes to the next delivery).
    await page.getByTestId('step').click();
    await page.getByTestId('step').click();
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'electing');
    await page.getByTestId('crash-3').click();
    await expect(page.getByTestId('node-state-3')).toHaveText('crashed');
    await expect(stageNodes(page, 'lcr').nth(3)).toHaveAttribute('data-state', 'crashed');
    await speedUp(page, 4);
    await play(page);
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'stalled', {
      timeout: 20_000,
    });
    await expect(page.getByTestId('lcr-status')).toContainText('never finish');
    await expect(page.getByTestId('event-log')).toContainText('waits forever');
    // A clean run finishes after 2n = 16 rounds of 0.6 s; wait well past that.
    await expect.poll(() => clockSeconds(page), { timeout: 20_000 }).toBeGreaterThan(2 * 16 * 0.6);
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'stalled');
    expect(await readCount(page.getByTestId('lcr-termination-messages'))).toBeLessThan(8);
    await expect(page.getByTestId('lcr-in-flight')).toHaveText('0');
  });

  test('typed UIDs: a duplicate is refused with a message; distinct ones are used', async ({
    page,
  }) => {
    await openLab(page);
    const input = page.getByTestId('uids-input');
    await input.fill('5, 3, 5');
    await page.getByTestId('uids-apply').click();
    await expect(page.getByTestId('uids-error')).toHaveText(
      'Duplicate UID 5 refused: every node needs its own UID.',
    );
    await expect(stageNodes(page, 'lcr')).toHaveCount(8);
    await input.fill('12, 5, 40, 7');
    await page.getByTestId('uids-apply').click();
    await expect(stageNodes(page, 'lcr')).toHaveCount(4);
    await expect(page.getByLabel('Typed in')).toBeChecked();
    const uids = await page
      .getByTestId('node-table')
      .locator('tbody tr td:nth-child(2)')
      .allInnerTexts();
    expect(uids).toEqual(['12', '5', '40', '7']);
    // Each UID travels to the next larger one: 12→40 (2 hops), 5→40 (1), 40 (4), 7→12 (1).
    await speedUp(page, 3);
    await play(page);
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'finished');
    await expect(page.getByTestId('lcr-election-messages')).toHaveText(String(2 + 1 + 4 + 1));
    // A duplicate in the address bar is refused with a notice too.
    await page.goto(`${LAB}?arrangement=typed&uids=1,2,2`);
    await expect(page.getByTestId('notices')).toContainText('Duplicate UID 2 refused');
  });
});

test.describe('Hirschberg–Sinclair beside LCR', () => {
  test('64 nodes, worst LCR arrangement: HS stays within 8n(1 + ⌈log₂ n⌉), far below LCR', async ({
    page,
  }) => {
    await openLab(page);
    await page.getByTestId('mode-compare').click();
    await expect(page.getByTestId('panel-hs')).toBeVisible();
    await page.goto(`${LAB}?mode=compare&nodes=64&arrangement=descending&delayMs=50`);
    await expect(stageNodes(page, 'hs')).toHaveCount(64);
    await expect(stageNodes(page, 'lcr')).toHaveCount(64);
    await speedUp(page, 4);
    await play(page);
    await expect(page.getByTestId('hs-status')).toHaveAttribute('data-status', 'finished', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'finished');
    const n = 64;
    const lcr = await readCount(page.getByTestId('lcr-election-messages'));
    const hs = await readCount(page.getByTestId('hs-election-messages'));
    expect(lcr).toBe(triangular(n));
    expect(hs).toBeLessThanOrEqual(8 * n * (1 + Math.ceil(Math.log2(n))));
    expect(hs).toBeLessThan(lcr / 2);
    expect(await readCount(page.getByTestId('hs-termination-messages'))).toBe(n);
    // Both elected the same node: the maximum UID.
    await expect(page.getByTestId('hs-status')).toContainText('leader UID 64');
    await expect(page.getByTestId('lcr-status')).toContainText('leader UID 64');
  });
});

test.describe('Bully', () => {
  test('crash the leader: the next highest ID takes over; it recovers and bullies back', async ({
    page,
  }) => {
    await openLab(page, 'mode=bully&nodes=6&arrangement=ascending&timing=async&delayMs=200');
    await speedUp(page, 4);
    await play(page);
    const leader = page.getByTestId('bully-leader');
    await expect(leader).toHaveAttribute('data-settled', 'true', { timeout: 20_000 });
    await expect(leader).toContainText('ID 6 (node 5)');
    await page.getByTestId('crash-leader').click();
    await expect(page.getByTestId('node-state-5')).toHaveText('crashed');
    await expect(leader).toContainText('ID 5 (node 4)', { timeout: 30_000 });
    await expect(leader).toHaveAttribute('data-settled', 'true');
    await page.getByTestId('node-table').getByRole('button', { name: 'Recover node 5' }).click();
    await expect(leader).toContainText('ID 6 (node 5)', { timeout: 30_000 });
    await expect(page.getByTestId('event-log')).toContainText('recovered and starts an election');
    expect(await readCount(page.getByTestId('bully-election-messages'))).toBeGreaterThan(0);
    expect(await readCount(page.getByTestId('bully-heartbeat-messages'))).toBeGreaterThan(0);
  });
});

test.describe('batch chart', () => {
  test('messages against n up to 1,024 nodes: measured best and worst equal the formulas', async ({
    page,
  }) => {
    await openLab(page);
    await page.getByTestId('run-batch').click();
    await expect(page.getByRole('status').filter({ has: page.locator('progress') })).toBeVisible();
    await expect(page.getByTestId('messages-chart')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('batch-summary')).toContainText('elections run to the end');
    await page.getByText('The measured numbers').click();
    const rows = page.getByTestId('batch-table').locator('tbody tr');
    await expect(rows.first().locator('th')).toHaveText('3');
    await expect(rows.last().locator('th')).toHaveText('1024');
    for (const n of [8, 64, 1024]) {
      const cells = await rows
        .filter({ has: page.locator('th', { hasText: new RegExp(`^${n}$`) }) })
        .locator('td')
        .allInnerTexts();
      expect(countIn(cells[0]!)).toBe(2 * n - 1);
      expect(countIn(cells[2]!)).toBe(triangular(n));
      let harmonic = 0;
      for (let k = 1; k <= n; k += 1) harmonic += 1 / k;
      expect(Math.abs(Number(cells[4]) / (n * harmonic) - 1)).toBeLessThan(0.15);
    }
    // The formulas are drawn beside the measured marks, each labelled.
    const labels = await page
      .getByTestId('messages-chart')
      .locator('text.formula-label')
      .allTextContents();
    expect(labels.sort()).toEqual(['2n−1', '8n(1+⌈log₂n⌉)', 'n(n+1)/2', 'n·Hₙ'].sort());
    expect(await page.getByTestId('messages-chart').locator('g.series-dots path').count()).toBe(
      4 * 26,
    );
  });
});

test.describe('lesson', () => {
  test('an experiment asks for a prediction, runs, and reveals the measured answer', async ({
    page,
  }) => {
    await openLab(page);
    const card = page.getByTestId('experiment-worst-eight');
    await card.getByLabel('36').check();
    await card.getByRole('button', { name: 'Run it' }).click();
    const answer = card.getByRole('status');
    await expect(answer).toContainText('measured:');
    await expect(answer).toContainText('36 election messages');
    await expect(answer).toContainText('Your prediction held.');
  });
});

test.describe('keyboard only', () => {
  test('Tab to a node and crash it with C, play with Space, restart with R', async ({ page }) => {
    await openLab(page, 'nodes=6&arrangement=ascending');
    await focusPageBody(page);
    // Tab until a node of the ring has focus.
    let focusedNode: string | null = null;
    for (let i = 0; i < 60 && focusedNode === null; i += 1) {
      await page.keyboard.press('Tab');
      focusedNode = await page.evaluate(() => {
        const el = document.activeElement;
        return el?.classList.contains('election-node') ? el.getAttribute('data-node') : null;
      });
    }
    expect(focusedNode).toBe('0');
    await expect(page.locator('g.election-node[data-node="0"]')).toHaveAttribute(
      'aria-label',
      /UID 1, candidate/,
    );
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('node-detail')).toContainText('Node 0 (UID 1)');
    await page.keyboard.press('Tab');
    await page.keyboard.press('c');
    await expect(page.getByTestId('node-state-1')).toHaveText('crashed');
    // The focused node is an SVG element, which support's focusPageBody does not blur.
    await page.evaluate(() => (document.activeElement as SVGElement | null)?.blur());
    await focusPageBody(page);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'stalled', {
      timeout: 15_000,
    });
    await page.keyboard.press('Space');
    await page.keyboard.press('r');
    await expect(page.getByTestId('node-state-1')).toHaveText('candidate');
    await expect(page.getByTestId('event-log')).toContainText('every node sends its UID');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('lcr-status')).toHaveAttribute('data-status', 'finished', {
      timeout: 15_000,
    });
    await expect(page.getByTestId('lcr-election-messages')).toHaveText(String(2 * 6 - 1));
  });
});

test.describe('small touch screen', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });

  test('fits 375 px without horizontal scroll; crash by tap works', async ({ page }) => {
    await openLab(page, 'mode=compare&nodes=16');
    const width = await page.evaluate(
      () => (document.scrollingElement ?? document.documentElement).scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(376);
    const crash = page.getByTestId('crash-2');
    await crash.scrollIntoViewIfNeeded();
    await crash.tap();
    await expect(page.getByTestId('node-state-2')).toHaveText('crashed');
    expect(await textOf(page.getByTestId('hs-status'))).not.toBe('');
  });
});

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;

function blocking(results: AxeResults): string[] {
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 5)
          .join(', ')}`,
    );
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`axe, ${colorScheme}`, () => {
    test('no serious or critical violations in each mode', async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      for (const mode of ['lcr', 'compare', 'bully']) {
        await openLab(page, `mode=${mode}&nodes=12`);
        await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
        await page.getByTestId('step').click();
        await page.locator('g.election-node').first().click();
        await expect(page.getByTestId('node-detail')).toBeVisible();
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
        expect(results.passes.length).toBeGreaterThan(10);
        expect(blocking(results)).toEqual([]);
      }
    });
  });
}
