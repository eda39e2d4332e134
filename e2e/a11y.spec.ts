/**
 * Accessibility: axe-core (WCAG 2 A and AA rules) finds no serious or critical violation on the
 * home page or the lab, in light and dark colour schemes; and with reduced motion the lab works
 * without animating requests.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import {
  collectPageErrors,
  countIn,
  figure,
  LAB_ENTRIES,
  LAB_PATH,
  textOf,
  waitForServers,
} from './support';

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;

/** The serious and critical violations, each with the elements it was found on. */
function blockingViolations(results: AxeResults): string[] {
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const where = v.nodes
        .slice(0, 8)
        .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ') ?? ''}`)
        .join('\n');
      const more = v.nodes.length > 8 ? `\n    …and ${v.nodes.length - 8} more` : '';
      return `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${where}${more}`;
    });
}

async function scan(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  // The scan really ran over the page: many rules checked and passed.
  expect(results.passes.length).toBeGreaterThan(10);
  const blocking = blockingViolations(results);
  if (blocking.length > 0) console.log(blocking.join('\n\n'));
  return blocking;
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`axe, ${colorScheme} colour scheme`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme });
    });

    test('home page has no serious or critical violations', async ({ page }) => {
      await page.goto('/');
      await expect(page.locator('.lab-cards > li')).toHaveCount(LAB_ENTRIES.length);
      await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
      expect(await scan(page)).toEqual([]);
    });

    test('lab page has no serious or critical violations', async ({ page }) => {
      await page.goto(LAB_PATH);
      await waitForServers(page, 4);
      await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
      // A change fills the comparison panel, so its figures are scanned too.
      await page.getByTestId('add-server').click();
      await waitForServers(page, 5);
      await expect(page.getByTestId('moved-ring')).toBeVisible();
      expect(await scan(page)).toEqual([]);
    });

    test('the open shortcut sheet has no serious or critical violations', async ({ page }) => {
      await page.goto(LAB_PATH);
      await waitForServers(page, 4);
      await page.getByRole('button', { name: 'Keyboard shortcuts (?)' }).click();
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
      expect(await scan(page)).toEqual([]);
    });
  });
}

test.describe('reduced motion', () => {
  test.use({ reducedMotion: 'reduce' });

  test('the lab works and no request dots animate while playing', async ({ page }) => {
    const errors = collectPageErrors(page);
    await page.goto(LAB_PATH);
    await waitForServers(page, 4);
    expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(
      true,
    );
    const toggle = page.getByTestId('play-toggle');
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-state', 'playing');
    // Sample the request layer while requests are being served.
    const dots: number[] = [];
    await expect
      .poll(async () => {
        dots.push(await requestsInFlight(page));
        return countIn(await textOf(figure(page, 'Requests served')));
      })
      .toBeGreaterThan(40);
    dots.push(await requestsInFlight(page));
    expect(dots.every((n) => n === 0)).toBe(true);

    // The rest of the lab works as usual.
    await page.getByTestId('add-server').click();
    await waitForServers(page, 5);
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/5 = 20.0%');
    await page.getByTestId('lookup-input').fill('photo:7');
    await page.getByTestId('lookup-input').press('Enter');
    await expect(page.getByTestId('event-log').locator('li').first()).toContainText(
      '"photo:7" hashes to',
    );
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-state', 'paused');
    expect(errors).toEqual([]);
  });

  test.describe('without reduced motion', () => {
    test.use({ reducedMotion: 'no-preference' });

    // The control for the test above: the same sampling does see request dots in flight, so
    // a count of 0 under reduced motion means something.
    test('request dots do animate while playing', async ({ page }) => {
      await page.goto(LAB_PATH);
      await waitForServers(page, 4);
      await page.getByTestId('play-toggle').click();
      await expect.poll(() => requestsInFlight(page)).toBeGreaterThan(0);
      await page.getByTestId('play-toggle').click();
    });
  });
});

/** How many request dots the stage's flight layer drew in its last frame. */
async function requestsInFlight(page: Page): Promise<number> {
  const value = await page.locator('canvas.flight-canvas').getAttribute('data-requests-in-flight');
  return Number(value ?? 0);
}

test.describe('narration', () => {
  test('the aria-live region reads what just happened', async ({ page }) => {
    await page.goto(`${LAB_PATH}?servers=4&keys=2000`);
    await waitForServers(page, 4);
    const live = page.getByTestId('narration');
    await expect(live).toHaveAttribute('aria-live', 'polite');
    await page.getByTestId('add-server').click();
    // The rebalance is narrated with both figures, so a screen-reader user hears the comparison.
    await expect(live).toContainText('Added S5');
    await expect(live).toContainText('hash mod N moved');
  });
});
