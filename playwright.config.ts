import { defineConfig, devices } from '@playwright/test';
// @ts-expect-error: a plain .mjs helper shared with the scripts, without type declarations.
import { browserLaunchOptions } from './scripts/browser.mjs';

// E2E_PORT, E2E_DIST and E2E_OUTPUT let several engineers test their own builds side by side.
const PORT = Number(process.env.E2E_PORT ?? 4173);
const DIST = process.env.E2E_DIST ?? 'dist';

// End-to-end tests run against the production build (`vite preview`), as users get it.
export default defineConfig({
  testDir: 'e2e',
  testIgnore: ['**/perf.spec.ts'],
  outputDir: process.env.E2E_OUTPUT ?? 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    trace: 'retain-on-failure',
    launchOptions: browserLaunchOptions(),
    ...devices['Desktop Chrome'],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort --outDir ${DIST}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
