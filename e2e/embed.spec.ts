/**
 * Embedding (`?embed=1`): a teacher puts a lab in an iframe and sees only its stage and playback
 * bar; the run is the same as the full page's, and a link opens the full lab at the same run.
 */
import { expect, test } from '@playwright/test';
import { clockSeconds, collectPageErrors, LAB_ENTRIES, textOf } from './support';

test.describe('embedding', () => {
  for (const lab of LAB_ENTRIES) {
    test(`${lab.id}: embed=1 shows the stage and the playback bar only`, async ({ page }) => {
      const errors = collectPageErrors(page);
      await page.goto(`/#/labs/${lab.id}?embed=1`);
      await expect(page.getByTestId('play-toggle')).toBeVisible();
      await expect(page.locator('.lab-stage')).toBeVisible();
      // The lab's title links to the full lab; no site chrome, controls, metrics, log or lesson.
      await expect(page.getByRole('heading', { level: 1 })).toContainText(lab.title);
      await expect(page.locator('.topbar')).toHaveCount(0);
      await expect(page.getByRole('complementary', { name: 'Controls' })).toHaveCount(0);
      await expect(page.locator('.lab-metrics, .lab-log, .lab-lesson')).toHaveCount(0);
      await expect(page.getByRole('region', { name: 'Share and export' })).toHaveCount(0);
      expect(errors).toEqual([]);
    });
  }

  test('play=1 starts playing; the embed survives the page’s own URL updates', async ({ page }) => {
    await page.goto('/#/labs/hash-ring?servers=5&embed=1&play=1');
    await expect(page.locator('[data-testid="ring"] g.server')).toHaveCount(5);
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(0.5);
    // Keyboard shortcuts work in the embed: Space pauses, ArrowRight steps.
    await page.locator('body').press('Space');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    const before = await textOf(page.getByTestId('clock'));
    // A step goes to the next event, which can be under the clock's 10 ms resolution away: step
    // until the clock shows the move.
    await expect
      .poll(async () => {
        await page.locator('body').press('ArrowRight');
        return textOf(page.getByTestId('clock'));
      })
      .not.toBe(before);
    // A ring server is focusable on the stage; F fails it, which is a command the URL records.
    await page.locator('[data-testid="ring"] g.server').first().focus();
    await page.keyboard.press('f');
    await expect(page).toHaveURL(/run=/);
    await expect(page).toHaveURL(/embed=1/);
    await expect(page.locator('.topbar')).toHaveCount(0);

    // The title link opens the full lab at the same setup, without the embedding options.
    const href = await page
      .getByRole('heading', { level: 1 })
      .getByRole('link')
      .getAttribute('href');
    expect(href).toMatch(/#\/labs\/hash-ring\?/);
    expect(href).toContain('servers=5');
    expect(href).not.toMatch(/embed=|play=/);
  });

  test('a bad embed value is refused with a message and the full page shows', async ({ page }) => {
    await page.goto('/#/labs/hash-ring?embed=yes');
    await expect(page.getByTestId('notices')).toContainText('"embed" = "yes" is not 0 or 1');
    await expect(page.locator('.topbar')).toBeVisible();
    await expect(page.getByRole('complementary', { name: 'Controls' })).toBeVisible();
  });

  test('the Embed button gives iframe code for this run that opens the embedded view', async ({
    page,
    context,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/#/labs/hash-ring?servers=3');
    await expect(page.locator('[data-testid="ring"] g.server')).toHaveCount(3);
    await page.getByTestId('copy-embed').click();
    await expect(page.getByTestId('share-status')).toContainText('Embed code copied');
    const code = await page.getByTestId('share-link').inputValue();
    expect(code).toMatch(
      /^<iframe src="[^"]+#\/labs\/hash-ring\?[^"]*servers=3[^"]*&amp;embed=1" /,
    );
    expect(code).toContain('title="Consistent hashing (System Design Lab)"');
    const src = code.match(/src="([^"]+)"/)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const embedded = await context.newPage();
    await embedded.goto(src);
    await expect(embedded.locator('[data-testid="ring"] g.server')).toHaveCount(3);
    await expect(embedded.locator('.topbar')).toHaveCount(0);
    await embedded.close();
  });
});
