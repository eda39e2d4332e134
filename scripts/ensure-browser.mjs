// Makes sure a Chromium is there for the end-to-end tests. Order: CHROMIUM_PATH, Playwright's own
// browser, Debian's /usr/bin/chromium. When none is found and we are root on Debian, install
// Debian's chromium with apt-get; otherwise stop with the exact command to run.
import { execSync } from 'node:child_process';
import { findChromium } from './browser.mjs';

const found = findChromium();
if (found) {
  console.log(`Chromium: ${found.path}`);
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = (() => {
  try {
    execSync('command -v apt-get', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const command = 'apt-get update && apt-get install -y chromium';
if (isRoot && hasApt) {
  console.log(`No Chromium found; installing Debian's: ${command}`);
  execSync(command, { stdio: 'inherit', shell: '/bin/bash' });
  if (findChromium()) process.exit(0);
}
console.error(
  `No Chromium found for the end-to-end tests. Install one with:\n  sudo ${command}\nor point CHROMIUM_PATH at a Chromium or Chrome binary.`,
);
process.exit(1);
