import { defineConfig, devices } from '@playwright/test';
// @ts-expect-error: a plain .mjs helper shared with the scripts, without type declarations.
import { browserLaunchOptions } from './scripts/browser.mjs';

const PORT = 4174;

// The performance suite (DESIGN.md §8): `npm run perf` builds, then measures the production
// build (`vite preview`) in headless Chromium. It reports budgets as a table; it fails only when
// the page errors. One worker, so measurements never compete with each other for the 2 cores.
export default defineConfig({
  testDir: 'e2e',
  testMatch: ['perf.spec.ts'],
  outputDir: 'test-results/perf',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    trace: 'off',
    video: 'off',
    screenshot: 'off',
    launchOptions: browserLaunchOptions(),
    ...devices['Desktop Chrome'],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
