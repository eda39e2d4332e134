/**
 * Phones (issue 9): on a 375 × 667 touch screen the drags work with a finger. Taps are covered
 * by each lab's own spec; dragging is what touch screens most often break.
 */
import { expect, test } from '@playwright/test';
import { openLab, pointOnRing, touchDrag, waitForServers } from './support';

test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });

test('hash ring: a finger drags a server from the palette onto the ring', async ({ page }) => {
  await openLab(page);
  const palette = page.getByTestId('palette-server');
  await palette.scrollIntoViewIfNeeded();
  await touchDrag(page, palette, await pointOnRing(page, 90));
  await waitForServers(page, 5);
  // The page did not scroll sideways on the way.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
});

test('load balancer: a finger drags a server from the palette onto the server column', async ({
  page,
}) => {
  await page.goto('/#/labs/load-balancer');
  const servers = page.locator('[data-testid=lb-stage] g.lb-server');
  await expect(servers).toHaveCount(4);
  const palette = page.getByTestId('palette-server');
  await palette.scrollIntoViewIfNeeded();
  const target = await servers.nth(1).locator('rect').first().boundingBox();
  if (!target) throw new Error('no server laid out');
  await touchDrag(page, palette, { x: target.x + target.width / 2, y: target.y + target.height });
  await expect(servers).toHaveCount(5);
});
