// Captures the stills the app and README show, from the real running lab (never drawn by hand):
// docs/screenshot.png (README) and public/previews/<lab>.jpg (home-page cards).
// Usage: start the app (npm run dev or npm run preview), then: node scripts/capture-stills.mjs [baseUrl]
import { chromium } from '@playwright/test';
import { browserLaunchOptions } from './browser.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:5173/';
const browser = await chromium.launch(browserLaunchOptions());
const page = await browser.newPage({
  viewport: { width: 1440, height: 900 },
  colorScheme: 'light',
});

await page.goto(`${base}#/labs/hash-ring?keys=3000&requestsPerSecond=60`);
await page.getByTestId('add-server').waitFor();
await page.getByTestId('add-server').click();
await page.getByTestId('lookup-input').fill('user:42');
await page.getByTestId('lookup-input').press('Enter');
await page.getByTestId('play-toggle').click();
await page.waitForTimeout(2500);
await page.getByTestId('play-toggle').click();
await page.waitForTimeout(1500);
await page.screenshot({ path: 'docs/screenshot.png' });
const ring = page.getByTestId('ring');
const box = await ring.boundingBox();
if (box) {
  await page.screenshot({
    path: 'public/previews/hash-ring.jpg',
    type: 'jpeg',
    quality: 80,
    clip: { x: box.x, y: box.y + box.height * 0.1, width: box.width, height: box.height * 0.8 },
  });
}
await browser.close();
console.log('Saved docs/screenshot.png and public/previews/hash-ring.jpg');
