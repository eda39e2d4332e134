// Finds the Chromium that Playwright drives: CHROMIUM_PATH, then Playwright's own browser, then
// Debian's /usr/bin/chromium. Shared by playwright.config.ts and the helper scripts.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
export const SYSTEM_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** @returns {{ path: string, system: boolean } | null} */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return { path: fromEnv, system: true };
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return { path: own, system: false };
  } catch {
    // Playwright has no browser of its own here; fall through to the system one.
  }
  for (const path of SYSTEM_CHROMIUM) if (existsSync(path)) return { path, system: true };
  return null;
}

export function browserLaunchOptions() {
  const found = findChromium();
  if (!found) throw new Error('No Chromium found. Run: node scripts/ensure-browser.mjs');
  return found.system ? { executablePath: found.path, args: SYSTEM_CHROMIUM_ARGS } : {};
}
