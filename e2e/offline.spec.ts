/**
 * Offline: after one visit the built site works without a network, every lab
 * included, because the service worker precaches every built file.
 */
import { expect, test } from '@playwright/test';
import { clockSeconds, LAB_ENTRIES } from './support';

test('after the first visit, the home page and every lab open and play offline', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.locator('.lab-cards > li')).toHaveCount(LAB_ENTRIES.length);
  // The worker installs (precaching every file) and takes control of the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), {
          once: true,
        }),
      );
    }
  });

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'System Design Lab' })).toBeVisible();
  // Every card's still comes from the cache too.
  const stills = page.locator('.lab-cards img');
  await expect(stills).toHaveCount(LAB_ENTRIES.length);
  for (const still of await stills.all()) {
    await still.scrollIntoViewIfNeeded();
    await expect
      .poll(() => still.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
  }
  // Labs never opened online load offline (their chunks and the worker were precached) and run.
  for (const lab of LAB_ENTRIES) {
    await page.goto(`/#/labs/${lab.id}`);
    await expect(page.getByRole('heading', { level: 1, name: lab.title })).toBeVisible();
    await page.getByTestId('play-toggle').click();
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(0.2);
    await page.getByTestId('play-toggle').click();
  }
  // A deep link opened in a new tab while offline is served from the cache as well.
  const fresh = await context.newPage();
  await fresh.goto('/#/labs/quorum?seed=7');
  await expect(fresh.getByRole('heading', { level: 1, name: 'Quorum replication' })).toBeVisible();
  await context.setOffline(false);
});
