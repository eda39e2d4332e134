/**
 * Helpers shared by the end-to-end specs: opening a lab and waiting until the simulation has
 * drawn, reading the visible figures as numbers, and a reference MurmurHash3 so a test can check
 * the app's hashes against an implementation of its own.
 */

import { existsSync, readdirSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import type { LabEntry } from '../src/labs/registry';

export const LAB_PATH = '/#/labs/hash-ring';

/** Every lab that exists, read from each lab folder's lab.ts (as the app's registry does). */
export const LAB_ENTRIES: LabEntry[] = (
  await Promise.all(
    readdirSync('src/labs', { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(`src/labs/${entry.name}/lab.ts`))
      .map(
        async (entry) =>
          ((await import(`../src/labs/${entry.name}/lab.ts`)) as { lab: LabEntry }).lab,
      ),
  )
).sort((a, b) => a.order - b.order);

/** The labs whose title, summary or concepts mention `text`, as the home page's search matches. */
export function labsMatching(text: string): LabEntry[] {
  const needle = text.trim().toLowerCase();
  return LAB_ENTRIES.filter((lab) =>
    [lab.title, lab.summary, ...lab.concepts].some((field) => field.toLowerCase().includes(needle)),
  );
}

/** The ring's drawing space (ring-view.ts): a 600 × 600 viewBox, ring radius 210 at the centre. */
export const STAGE_SIZE = 600;
export const RING_RADIUS = 210;

/** Opens the hash-ring lab with the given search params and waits for `servers` markers. */
export async function openLab(page: Page, query = '', servers = 4): Promise<void> {
  await page.goto(`${LAB_PATH}${query ? `?${query}` : ''}`);
  await waitForServers(page, servers);
}

/** Waits until the server list and the ring both show exactly `count` servers. */
export async function waitForServers(page: Page, count: number): Promise<void> {
  await expect(serverRows(page)).toHaveCount(count);
  await expect(page.locator('[data-testid="ring"] g.server')).toHaveCount(count);
  await expect(page.getByRole('heading', { name: `Servers (${count})` })).toBeVisible();
}

export function serverRows(page: Page): Locator {
  return page.getByTestId('server-list').locator(':scope > li');
}

/** The names of the servers in the list, in order. */
export async function serverIds(page: Page): Promise<string[]> {
  return serverRows(page).locator('.server-name').allInnerTexts();
}

/** The key count shown beside a server in the list ("512 keys"). */
export async function serverKeyCount(page: Page, serverId: string): Promise<number> {
  const text = await textOf(page.locator(`#server-row-${serverId} .server-keys`));
  return countIn(text);
}

/** The key counts of every server in the list. */
export async function allServerKeyCounts(page: Page): Promise<number[]> {
  const texts = await serverRows(page).locator('.server-keys').allInnerTexts();
  return texts.map(countIn);
}

/** The first whole number in a text, with thousands separators ("2,000 keys" → 2000). */
export function countIn(text: string): number {
  const match = /-?\d[\d,]*/.exec(text);
  if (!match) throw new Error(`No count in "${text}"`);
  return Number(match[0].replaceAll(',', ''));
}

/** The percentage in a text, as a fraction ("412 (20.6%)" → 0.206). */
export function fractionIn(text: string): number {
  const match = /(-?\d+(?:\.\d+)?)%/.exec(text);
  if (!match) throw new Error(`No percentage in "${text}"`);
  return Number(match[1]) / 100;
}

/** The first decimal number in a text ("1.08×" → 1.08, "3.25 s" → 3.25). */
export function numberIn(text: string): number {
  const match = /-?\d+(?:\.\d+)?/.exec(text.replaceAll(',', ''));
  if (!match) throw new Error(`No number in "${text}"`);
  return Number(match[0]);
}

/** The text of an element as the page renders it into the DOM (empty when it has none). */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

export async function readCount(locator: Locator): Promise<number> {
  return countIn(await textOf(locator));
}

export async function readFraction(locator: Locator): Promise<number> {
  return fractionIn(await textOf(locator));
}

export async function readNumber(locator: Locator): Promise<number> {
  return numberIn(await textOf(locator));
}

/** The virtual clock in seconds. */
export async function clockSeconds(page: Page): Promise<number> {
  return readNumber(page.getByTestId('clock'));
}

/** A figure of the metrics panel by its label, e.g. "Requests served". */
export function figure(page: Page, label: string): Locator {
  return page
    .getByTestId('figures')
    .locator('.figure')
    .filter({ has: page.locator('dt', { hasText: label }) })
    .locator('dd');
}

/**
 * The client coordinates of a point of the ring SVG given in its viewBox units. The SVG keeps
 * its aspect ratio (xMidYMid meet), so the drawing is centred in its box.
 */
export async function ringClientPoint(
  page: Page,
  stageX: number,
  stageY: number,
): Promise<{ x: number; y: number }> {
  const box = await page.locator('[data-testid="ring"] svg.ring-svg').boundingBox();
  if (!box) throw new Error('The ring SVG is not laid out');
  const scale = Math.min(box.width, box.height) / STAGE_SIZE;
  const left = box.x + (box.width - STAGE_SIZE * scale) / 2;
  const top = box.y + (box.height - STAGE_SIZE * scale) / 2;
  return { x: left + stageX * scale, y: top + stageY * scale };
}

/** A point on the ring circle at `degrees` clockwise from 12 o'clock, in client coordinates. */
export async function pointOnRing(page: Page, degrees: number): Promise<{ x: number; y: number }> {
  const radians = (degrees * Math.PI) / 180;
  const centre = STAGE_SIZE / 2;
  return ringClientPoint(
    page,
    centre + RING_RADIUS * Math.sin(radians),
    centre - RING_RADIUS * Math.cos(radians),
  );
}

/** Drags with real mouse moves from the centre of `from` to a client point. */
export async function dragTo(
  page: Page,
  from: Locator,
  to: { x: number; y: number },
  beforeRelease?: () => Promise<void>,
): Promise<void> {
  const box = await from.boundingBox();
  if (!box) throw new Error('The drag source is not laid out');
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  // A few intermediate moves, as a hand would make, so pointermove handlers run on the way.
  await page.mouse.move(start.x + 8, start.y + 8, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 20 });
  if (beforeRelease) await beforeRelease();
  await page.mouse.up();
}

/** Moves keyboard focus off any control, so keys go to the page itself (document.body). */
export async function focusPageBody(page: Page): Promise<void> {
  await page.evaluate(() => {
    // Focus can sit on an SVG mark (a server marker), which is an Element but not an HTMLElement.
    const active = document.activeElement;
    if (active instanceof HTMLElement || active instanceof SVGElement) active.blur();
  });
  await expect.poll(() => page.evaluate(() => document.activeElement === document.body)).toBe(true);
}

/** Collects console errors and uncaught page errors from the moment it is called. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return errors;
}

/**
 * MurmurHash3 x86_32 (Austin Appleby, SMHasher) of a string's UTF-8 bytes, written here from the
 * reference so the app's lookup can be checked against an independent implementation.
 */
export function murmur3(text: string, seed = 0): number {
  const bytes = new TextEncoder().encode(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  let h = seed >>> 0;
  const blocks = bytes.length >> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < blocks; i += 1) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, c1);
    k = rotl(k, 15);
    k = Math.imul(k, c2);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const tailLength = bytes.length & 3;
  if (tailLength > 0) {
    let k1 = bytes[tail] ?? 0;
    if (tailLength >= 2) k1 ^= (bytes[tail + 1] ?? 0) << 8;
    if (tailLength === 3) k1 ^= (bytes[tail + 2] ?? 0) << 16;
    k1 = Math.imul(k1, c1);
    k1 = rotl(k1, 15);
    k1 = Math.imul(k1, c2);
    h ^= k1;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/**
 * Drags with a finger: touch events through the DevTools protocol (the browser turns them into
 * pointer events, as on a phone), from the centre of `from` to a client point.
 */
export async function touchDrag(
  page: Page,
  from: Locator,
  to: { x: number; y: number },
): Promise<void> {
  const box = await from.boundingBox();
  if (!box) throw new Error('The drag source is not laid out');
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  const touch = async (
    type: 'touchStart' | 'touchMove' | 'touchEnd',
    point: { x: number; y: number } | null,
  ) => {
    await cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: point ? [{ x: Math.round(point.x), y: Math.round(point.y), id: 1 }] : [],
    });
  };
  await touch('touchStart', start);
  const steps = 16;
  for (let step = 1; step <= steps; step += 1) {
    await touch('touchMove', {
      x: start.x + ((to.x - start.x) * step) / steps,
      y: start.y + ((to.y - start.y) * step) / steps,
    });
  }
  await touch('touchEnd', null);
  await cdp.detach();
}
