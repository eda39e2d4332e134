// Takes a screenshot of a page of the running app: node scripts/screenshot.mjs URL OUT.png [width] [height] [theme]
import { chromium } from '@playwright/test';
import { browserLaunchOptions } from './browser.mjs';

const [url, out, width = '1440', height = '900', theme = 'light'] = process.argv.slice(2);
const browser = await chromium.launch(browserLaunchOptions());
const page = await browser.newPage({
  viewport: { width: Number(width), height: Number(height) },
  colorScheme: theme,
});
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => {
  if (m.type() === 'error') errors.push(m.text());
});
await page.goto(url);
await page.waitForTimeout(Number(process.env.WAIT_MS ?? 2500));
await page.screenshot({ path: out, fullPage: process.env.FULL === '1' });
if (errors.length) console.log(`page errors:\n${errors.join('\n')}`);
await browser.close();
