import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
// @ts-expect-error: a plain .mjs helper shared with the scripts, without type declarations.
import { browserLaunchOptions } from './scripts/browser.mjs';

const PORT = Number(process.env.PERF_PORT ?? 4174);
// The suite serves a private copy of dist/, taken when it starts: others building into dist/
// while the suite runs would otherwise swap the chunks under the page being measured. The spec
// reads the bundle sizes from the same copy.
const DIST_COPY = process.env.PERF_DIST_DIR ?? join(tmpdir(), 'system-design-lab-perf-dist');
// PERF_BUILD_DIR measures another build than ./dist (for instance one made with --outDir).
const BUILD_DIR = process.env.PERF_BUILD_DIR ?? 'dist';
process.env.PERF_DIST_DIR = DIST_COPY;
const copyDist = [
  "const fs = require('node:fs');",
  `fs.rmSync('${DIST_COPY}', { recursive: true, force: true });`,
  `fs.cpSync('${BUILD_DIR}', '${DIST_COPY}', { recursive: true });`,
].join(' ');

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
    // Measure the app, not the service worker's first-visit precaching (a returning visitor has it).
    serviceWorkers: 'block',
  },
  webServer: {
    command: `node -e "${copyDist}" && npx vite preview --outDir ${DIST_COPY} --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
