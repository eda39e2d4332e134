/**
 * Full-page screenshots of the home page and every lab, at desktop (1440 × 900) and phone
 * (375 × 667) sizes, in light and dark, saved to artifacts/screenshots/ so a person can look.
 * Also a still of the ring stage, sized for the home page's lab card.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { clockSeconds, LAB_ENTRIES, LAB_PATH, waitForServers } from './support';

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 375, height: 667 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** artifacts/screenshots/ at the project root (beside e2e/), created when missing. */
async function screenshotDir(testDir: string): Promise<string> {
  const dir = path.resolve(testDir, '..', 'artifacts', 'screenshots');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The width and height recorded in a PNG's IHDR chunk. */
async function pngSize(file: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A lab scene worth looking at: a change made (the comparison filled) and the curve computed. */
async function prepareLab(page: Page): Promise<void> {
  await page.goto(LAB_PATH);
  await waitForServers(page, 4);
  await page.getByTestId('add-server').click();
  await waitForServers(page, 5);
  await expect(page.getByTestId('moved-ring')).toBeVisible();
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('vnode-chart').locator('path[stroke-width="2"]')).toHaveCount(3);
}

test.describe('screenshots', () => {
  for (const viewport of VIEWPORTS) {
    for (const colorScheme of SCHEMES) {
      const size = `${viewport.width}x${viewport.height}`;

      test(`home and lab at ${size}, ${colorScheme}`, async ({ page }, testInfo) => {
        const dir = await screenshotDir(testInfo.project.testDir);
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });

        await page.goto('/');
        await expect(page.locator('.lab-cards > li')).toHaveCount(LAB_ENTRIES.length);
        await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
        const home = path.join(dir, `home-${size}-${colorScheme}.png`);
        await page.screenshot({ path: home, fullPage: true });

        await prepareLab(page);
        await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
        const lab = path.join(dir, `lab-hash-ring-${size}-${colorScheme}.png`);
        await page.screenshot({ path: lab, fullPage: true, animations: 'disabled' });

        // A full-page shot is as wide as the viewport (nothing overflows sideways) and at least
        // as tall as it.
        for (const file of [home, lab]) {
          const shot = await pngSize(file);
          expect(shot.width).toBe(viewport.width);
          expect(shot.height).toBeGreaterThanOrEqual(viewport.height);
        }
      });
    }
  }

  // Every other lab, playing for a moment from its default scene, at both sizes and in both themes.
  for (const lab of LAB_ENTRIES.filter((entry) => entry.id !== 'hash-ring')) {
    for (const viewport of VIEWPORTS) {
      test(`${lab.id} at ${viewport.width}x${viewport.height}, light and dark`, async ({
        page,
      }, testInfo) => {
        const dir = await screenshotDir(testInfo.project.testDir);
        await page.setViewportSize(viewport);
        for (const colorScheme of SCHEMES) {
          await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
          await page.goto(`/#/labs/${lab.id}`);
          await expect(page.getByRole('heading', { level: 1, name: lab.title })).toBeVisible();
          await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
          const toggle = page.getByTestId('play-toggle');
          await toggle.click();
          await expect.poll(() => clockSeconds(page)).toBeGreaterThan(1.5);
          await toggle.click();
          await expect(toggle).toHaveAttribute('data-state', 'paused');
          const file = path.join(
            dir,
            `lab-${lab.id}-${viewport.width}x${viewport.height}-${colorScheme}.png`,
          );
          await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
          // Nothing overflows the page sideways; a stage too wide for a phone scrolls inside.
          const shot = await pngSize(file);
          expect(shot.width).toBe(viewport.width);
          expect(shot.height).toBeGreaterThanOrEqual(viewport.height);
        }
      });
    }
  }

  test('a still of the ring for the home page card', async ({ page }, testInfo) => {
    // The lab card expects public/previews/hash-ring.png (480 × 300); this still is written to
    // artifacts/ for a person to copy there, as the e2e suite must not edit public/.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await prepareLab(page);
    const file = path.join(await screenshotDir(testInfo.project.testDir), 'preview-hash-ring.png');
    await page.locator('.stage').screenshot({ path: file, animations: 'disabled' });
    const shot = await pngSize(file);
    expect(shot.width).toBeGreaterThan(300);
  });
});
