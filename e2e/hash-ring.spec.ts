/**
 * The consistent-hashing lab's headline interactions, done as a user does them (drag, click,
 * keyboard, touch), with assertions on the figures the page shows, checked against what the
 * theory predicts and against each other.
 *
 * Default scene (seed 42): 4 servers × 100 virtual nodes, 2,000 generated keys, MurmurHash3.
 */
import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import {
  allServerKeyCounts,
  clockSeconds,
  collectPageErrors,
  countIn,
  dragTo,
  figure,
  focusPageBody,
  fractionIn,
  hex32,
  murmur3,
  openLab,
  pointOnRing,
  readCount,
  readFraction,
  readNumber,
  ringClientPoint,
  STAGE_SIZE,
  serverIds,
  serverKeyCount,
  textOf,
  waitForServers,
} from './support';

const KEYS = 2_000;

/** The ring's summary in the middle of the stage, e.g. "2,000 keys · 100 vnodes each". */
function ringCentre(page: Page) {
  return page.locator('[data-testid="ring"] .center-text');
}

/** The exact virtual time in ms, from the timeline scrubber. */
async function timelineMs(page: Page): Promise<number> {
  return Number(await page.getByTestId('timeline').inputValue());
}

function latestEvent(page: Page) {
  return page.getByTestId('event-log').locator('li').first();
}

/** Checks the invariant every key placement must keep: each key has exactly one owner. */
async function expectKeysConserved(page: Page, keysTotal = KEYS): Promise<void> {
  const counts = await allServerKeyCounts(page);
  expect(counts.reduce((sum, n) => sum + n, 0)).toBe(keysTotal);
}

/**
 * The drop animation and the lookup walk are d3 transitions; with reduced motion they are
 * skipped. Both modes run, so a fault in the animated path is told apart from one in the figures.
 */
const MOTION_MODES = ['no-preference', 'reduce'] as const;

for (const motion of MOTION_MODES) {
  test.describe(`adding a server (reduced motion: ${motion})`, () => {
    test.use({ reducedMotion: motion });

    test('drag the palette chip onto the ring: a 5th server takes about 1/5 of the keys', async ({
      page,
    }) => {
      const errors = collectPageErrors(page);
      await page.goto('/');
      await page.getByRole('link', { name: /Consistent hashing/ }).click();
      await expect(page).toHaveURL(/#\/labs\/hash-ring/);
      await waitForServers(page, 4);
      await expectKeysConserved(page);
      await expect(page.getByTestId('compare')).toContainText('Add, remove or fail a server');

      const chip = page.getByTestId('palette-server');
      // Dropped far from the ring (in the page header), the chip adds nothing.
      const header = await page.locator('.lab-header h1').boundingBox();
      if (!header) throw new Error('The lab header is not laid out');
      await dragTo(page, chip, { x: header.x + 10, y: header.y + 10 });
      await expect(page.locator('.palette-ghost')).toHaveCount(0);
      await waitForServers(page, 4);

      // Dropped on the ring circle (upper right, 60° from 12 o'clock), it adds server S5.
      const target = await pointOnRing(page, 60);
      await dragTo(page, chip, target, async () => {
        await expect(page.locator('.palette-ghost')).toHaveText('drop to add');
      });
      await waitForServers(page, 5);
      expect(await serverIds(page)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
      await expect(ringCentre(page)).toContainText('5 live servers');

      const movedRing = page.getByTestId('moved-ring');
      const movedModulo = page.getByTestId('moved-modulo');
      await expect(page.getByTestId('keys-moved')).toContainText('Added S5');
      await expect(page.getByTestId('moved-ideal')).toHaveText('1/5 = 20.0%');

      // On the ring a new server only takes keys, so every key that moved went to S5: the moved
      // count is exactly S5's key count, and no other server gained any.
      const movedCount = await readCount(movedRing);
      expect(movedCount).toBe(await serverKeyCount(page, 'S5'));
      await expectKeysConserved(page);

      // With 100 virtual nodes a server's share is within about ±10% (relative) of 1/N, so the
      // moved share lies well inside 10%–30% around the ideal 20%.
      const ringShare = await readFraction(movedRing);
      expect(ringShare).toBeGreaterThan(0.1);
      expect(ringShare).toBeLessThan(0.3);
      // The percentage is the count over 2,000 keys, shown to 0.1%.
      expect(Math.abs(ringShare - movedCount / KEYS)).toBeLessThanOrEqual(0.0005 + 1e-9);

      // Under hash mod N, going from 4 to 5 servers keeps a key only when h mod 4 = h mod 5, i.e.
      // h mod 20 < 4: 1/5 of keys stay and 4/5 move. 2,000 keys give a standard error of ~0.9%.
      const moduloShare = await readFraction(movedModulo);
      expect(moduloShare).toBeGreaterThan(0.74);
      expect(moduloShare).toBeLessThan(0.86);
      expect(moduloShare).toBeGreaterThan(3 * ringShare);

      // The change is narrated in the event log with the same figures.
      await expect(latestEvent(page)).toContainText(
        `Added S5: ring moved ${movedCount.toLocaleString('en-US')} keys`,
      );
      expect(errors).toEqual([]);
    });
  });
}

test.describe('removing a server', () => {
  test('by keyboard (Delete on the focused marker), the list’s Remove button, and a drag', async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await openLab(page);
    const before = await serverKeyCount(page, 'S2');

    const marker = page.locator('[data-testid="ring"] g.server[data-server-id="S2"]');
    await expect(marker).toHaveAttribute('aria-label', /Server S2, live/);
    await marker.focus();
    await expect(marker).toBeFocused();
    await page.keyboard.press('Delete');

    await waitForServers(page, 3);
    expect(await serverIds(page)).toEqual(['S1', 'S3', 'S4']);
    await expect(page.getByTestId('keys-moved')).toContainText('Removed S2');
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/4 = 25.0%');
    // Only S2's keys move on the ring, to its clockwise neighbours.
    expect(await readCount(page.getByTestId('moved-ring'))).toBe(before);
    const share = await readFraction(page.getByTestId('moved-ring'));
    expect(Math.abs(share - 1 / 4)).toBeLessThan(0.08);
    // Under mod N (4 → 3 live servers, S2 gone), a key keeps its server only for h mod 12 in
    // {0, 10, 11}: 3/12 stay, 3/4 move.
    const modulo = await readFraction(page.getByTestId('moved-modulo'));
    expect(modulo).toBeGreaterThan(0.68);
    expect(modulo).toBeLessThan(0.82);
    await expectKeysConserved(page);

    const s3Before = await serverKeyCount(page, 'S3');
    await page.getByRole('button', { name: 'Remove S3', exact: true }).click();
    await waitForServers(page, 2);
    expect(await serverIds(page)).toEqual(['S1', 'S4']);
    await expect(page.getByTestId('keys-moved')).toContainText('Removed S3');
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/3 = 33.3%');
    expect(await readCount(page.getByTestId('moved-ring'))).toBe(s3Before);
    const secondShare = await readFraction(page.getByTestId('moved-ring'));
    expect(Math.abs(secondShare - 1 / 3)).toBeLessThan(0.08);
    await expectKeysConserved(page);
    await expect(ringCentre(page)).toContainText('2 live servers');

    // Dragging a marker off the ring (into the middle) removes it as well.
    const s4Before = await serverKeyCount(page, 'S4');
    await dragTo(
      page,
      page.locator('[data-testid="ring"] g.server[data-server-id="S4"] circle.server-dot'),
      await ringClientPoint(page, STAGE_SIZE / 2, STAGE_SIZE / 2),
    );
    await waitForServers(page, 1);
    expect(await serverIds(page)).toEqual(['S1']);
    await expect(page.getByTestId('keys-moved')).toContainText('Removed S4');
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/2 = 50.0%');
    expect(await readCount(page.getByTestId('moved-ring'))).toBe(s4Before);
    // The last server owns every key.
    expect(await serverKeyCount(page, 'S1')).toBe(KEYS);
    expect(errors).toEqual([]);
  });
});

test.describe('failing a server', () => {
  test('F on a focused marker fails it (its keys move on) and F again recovers it', async ({
    page,
  }) => {
    await openLab(page);
    const s2Keys = await serverKeyCount(page, 'S2');
    const marker = page.locator('[data-testid="ring"] g.server[data-server-id="S2"]');
    await marker.focus();
    await page.keyboard.press('f');

    await expect(marker).toHaveAttribute('aria-label', /Server S2, failed/);
    await expect(page.getByRole('button', { name: 'Recover S2', exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(page.getByTestId('keys-moved')).toContainText('S2 failed');
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/4 = 25.0%');
    // A failed server keeps its place but serves nothing: exactly its keys move to the others.
    expect(await readCount(page.getByTestId('moved-ring'))).toBe(s2Keys);
    expect(await serverKeyCount(page, 'S2')).toBe(0);
    await expectKeysConserved(page);
    await expect(ringCentre(page)).toContainText('3 live servers');

    await marker.focus();
    await page.keyboard.press('f');
    await expect(marker).toHaveAttribute('aria-label', /Server S2, live/);
    await expect(page.getByTestId('keys-moved')).toContainText('S2 recovered');
    // Recovery brings back exactly the same keys.
    expect(await readCount(page.getByTestId('moved-ring'))).toBe(s2Keys);
    expect(await serverKeyCount(page, 'S2')).toBe(s2Keys);
    await expect(ringCentre(page)).toContainText('4 live servers');
  });
});

test.describe('dragging a server marker', () => {
  test('a marker dropped back on the ring band stays and returns to its hash position', async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await openLab(page);
    const marker = page.locator('[data-testid="ring"] g.server[data-server-id="S1"]');
    const translation = async () => {
      const match = /translate\(\s*(-?[\d.]+)[ ,]+(-?[\d.]+)\s*\)/.exec(
        (await marker.getAttribute('transform')) ?? '',
      );
      if (!match) throw new Error('The marker has no translate() transform');
      return { x: Number(match[1]), y: Number(match[2]) };
    };
    const home = await translation();
    const dot = await marker.locator('circle.server-dot').boundingBox();
    if (!dot) throw new Error('The S1 marker is not laid out');
    // A short drag (about 15 viewBox units) keeps it well within the ring band: not a removal.
    await dragTo(
      page,
      marker.locator('circle.server-dot'),
      {
        x: dot.x + dot.width / 2 + 12,
        y: dot.y + dot.height / 2 + 6,
      },
      async () => {
        // While held, the marker follows the pointer.
        const at = await translation();
        expect(Math.hypot(at.x - home.x, at.y - home.y)).toBeGreaterThan(5);
      },
    );
    await waitForServers(page, 4);
    // It glides back to where its hash puts it (to within a hundredth of a viewBox unit).
    await expect
      .poll(async () => {
        const at = await translation();
        return Math.hypot(at.x - home.x, at.y - home.y);
      })
      .toBeLessThan(0.01);
    await expect(page.getByTestId('compare')).toContainText('Add, remove or fail a server');
    expect(errors).toEqual([]);
  });
});

test.describe('virtual nodes', () => {
  test('one virtual node per server makes the busiest server far busier', async ({ page }) => {
    await openLab(page);
    const maxOverMean = page.getByTestId('keys-max-over-mean');
    const spread = page.getByTestId('keys-cv');
    const at100 = await readNumber(maxOverMean);
    const spreadAt100 = await readFraction(spread);
    // 100 points per server: arcs average out, each server's share is within ~10% of the mean.
    expect(at100).toBeGreaterThanOrEqual(1);
    expect(at100).toBeLessThan(1.25);
    expect(spreadAt100).toBeLessThan(0.15);

    const input = page.getByTestId('vnodes-field').getByRole('textbox');
    await expect(input).toHaveValue('100');
    await input.click();
    await input.fill('');
    await input.pressSequentially('1');
    await input.press('Enter');

    await expect(ringCentre(page)).toContainText('2,000 keys · 1 vnodes each');
    await expect(latestEvent(page)).toContainText('Virtual nodes 100 → 1 per server');
    // With one point per server the 4 arcs are the spacings of 4 uniform points: the largest
    // is 0.52 of the ring on average (max/mean ≈ 2.1), and below 0.33 (max/mean 1.3) with
    // probability ~3%. The spread (std dev / mean) is around 75%.
    await expect.poll(() => readNumber(maxOverMean)).toBeGreaterThan(Math.max(1.3, at100 + 0.2));
    expect(await readFraction(spread)).toBeGreaterThan(0.25);
    await expectKeysConserved(page);
  });

  test('an out-of-range value is refused with a message and the previous value stays', async ({
    page,
  }) => {
    await openLab(page);
    const field = page.getByTestId('vnodes-field');
    const input = field.getByRole('textbox');
    const maxOverMean = await textOf(page.getByTestId('keys-max-over-mean'));

    await input.fill('9999');
    await input.press('Enter');
    const error = field.getByRole('alert');
    await expect(error).toHaveText('Virtual nodes per server: 9,999 is outside 1 to 500.');
    await expect(input).toHaveValue('100');
    await expect(input).toHaveAttribute('aria-invalid', 'true');

    await input.fill('abc');
    await input.press('Enter');
    await expect(error).toHaveText('Virtual nodes per server: enter a number from 1 to 500.');
    await expect(input).toHaveValue('100');

    // Nothing reached the simulation: the ring and its figures are as they were.
    await expect(ringCentre(page)).toContainText('100 vnodes each');
    await expect(page.getByTestId('keys-max-over-mean')).toHaveText(maxOverMean);
    await expect(page.getByTestId('event-log')).not.toContainText('Virtual nodes');

    // A good value clears the message.
    await input.fill('50');
    await input.press('Enter');
    await expect(field.getByRole('alert')).toHaveCount(0);
    await expect(ringCentre(page)).toContainText('50 vnodes each');
  });
});

test.describe('share and export', () => {
  test('a copied link opens the same run at the same moment', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openLab(page);
    const toggle = page.getByTestId('play-toggle');

    // Play, add a server while time runs, play on, then pause: the link must replay the
    // command at its time and land on the same moment.
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-state', 'playing');
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(0.5);
    await page.getByTestId('add-server').click();
    await waitForServers(page, 5);
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(1.5);
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-state', 'paused');
    const clock = await textOf(page.getByTestId('clock'));
    const movedRing = await textOf(page.getByTestId('moved-ring'));
    const movedModulo = await textOf(page.getByTestId('moved-modulo'));
    const keyCounts = await allServerKeyCounts(page);
    const requestsServed = await textOf(figure(page, 'Requests served'));
    expect(countIn(requestsServed)).toBeGreaterThan(0);

    await page.getByTestId('copy-link').click();
    await expect(page.getByTestId('share-status')).toContainText(
      'Link copied: it replays 1 actions',
    );
    const link = await page.getByTestId('share-link').inputValue();
    expect(link).toMatch(/#\/labs\/hash-ring\?.*servers=4.*seed=42.*run=.+&t=\d+/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

    const shared = await context.newPage();
    await shared.goto(link);
    await waitForServers(shared, 5);
    await expect(shared.getByTestId('clock')).toHaveText(clock);
    await expect(shared.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    await expect(shared.getByTestId('moved-ring')).toHaveText(movedRing);
    await expect(shared.getByTestId('moved-modulo')).toHaveText(movedModulo);
    await expect(figure(shared, 'Requests served')).toHaveText(requestsServed);
    expect(await allServerKeyCounts(shared)).toEqual(keyCounts);
    await shared.close();
  });

  test('a corrupt file or another lab’s run is refused and the current run is kept', async ({
    page,
  }) => {
    await openLab(page);
    await page.getByTestId('add-server').click();
    await waitForServers(page, 5);
    const url = page.url();
    const importInput = page.getByTestId('import-run');
    const status = page.getByTestId('share-status');

    await importInput.setInputFiles({
      name: 'garbage.json',
      mimeType: 'application/json',
      buffer: Buffer.from([0x00, 0xff, 0x7b, 0x22, 0x01, 0x9c, 0x6e, 0x6f, 0x74, 0x20, 0x6a]),
    });
    await expect(status).toBeVisible();
    await expect(status).toHaveAttribute('role', 'alert');
    await expect(status).toContainText('Could not import "garbage.json"');
    await expect(status).toContainText('not JSON');
    await expect(status).toContainText('Your current run is unchanged.');
    await waitForServers(page, 5);
    expect(page.url()).toBe(url);

    const otherLab = {
      format: 'system-design-lab/run',
      version: 1,
      exportedFrom: 'System Design Lab',
      labId: 'rate-limiter',
      seed: 1,
      config: {},
      commands: [],
      atMs: 0,
    };
    await importInput.setInputFiles({
      name: 'limiter.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(otherLab)),
    });
    await expect(status).toContainText('Could not import "limiter.json"');
    await expect(status).toContainText('"rate-limiter" lab');
    await waitForServers(page, 5);
    expect(page.url()).toBe(url);
  });

  test('an exported run imports back to the same state', async ({ page }, testInfo) => {
    await openLab(page);
    await page.getByTestId('add-server').click();
    await waitForServers(page, 5);
    const movedRing = await textOf(page.getByTestId('moved-ring'));
    const keyCounts = await allServerKeyCounts(page);

    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-run').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^hash-ring-run-.*\.json$/);
    const file = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(file);
    await expect(page.getByTestId('share-status')).toContainText('Run exported (1 actions).');

    const run = JSON.parse(await readFile(file, 'utf8')) as {
      format: string;
      labId: string;
      seed: number;
      config: { servers: number; vnodesPerServer: number; keys: number };
      commands: { atMs: number; command: { type: string } }[];
    };
    expect(run.format).toBe('system-design-lab/run');
    expect(run.labId).toBe('hash-ring');
    expect(run.seed).toBe(42);
    expect(run.config).toMatchObject({ servers: 4, vnodesPerServer: 100, keys: KEYS });
    expect(run.commands.map((c) => c.command.type)).toEqual(['addServer']);

    // A different run first (3 servers, another seed), then the import brings the export back.
    await openLab(page, 'servers=3&seed=7', 3);
    await page.getByTestId('import-run').setInputFiles(file);
    await expect(page.getByTestId('share-status')).toContainText('Imported');
    await waitForServers(page, 5);
    await expect(page.getByTestId('moved-ring')).toHaveText(movedRing);
    expect(await allServerKeyCounts(page)).toEqual(keyCounts);
    await expect(page).toHaveURL(/seed=42/);
  });
});

test.describe('keyboard', () => {
  test('Space plays and pauses, ArrowRight steps, without touching the mouse', async ({ page }) => {
    await openLab(page);
    const toggle = page.getByTestId('play-toggle');
    await expect(toggle).toHaveAttribute('data-state', 'paused');
    await expect(page.getByTestId('clock')).toHaveText('0.00 s');

    await focusPageBody(page);
    await page.keyboard.press('Space');
    await expect(toggle).toHaveAttribute('data-state', 'playing');
    await expect(toggle).toHaveAccessibleName('Pause (space)');
    await expect(toggle).toContainText('Playing');
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(0.3);
    // Requests flow while playing.
    await expect
      .poll(async () => countIn(await textOf(figure(page, 'Requests served'))))
      .toBeGreaterThan(0);

    await page.keyboard.press('Space');
    await expect(toggle).toHaveAttribute('data-state', 'paused');
    await expect(toggle).toContainText('Paused');
    const paused = await textOf(page.getByTestId('clock'));
    const pausedMs = await timelineMs(page);
    // Time must pass to show that the clock stands still.
    await page.waitForTimeout(600);
    await expect(page.getByTestId('clock')).toHaveText(paused);
    expect(await timelineMs(page)).toBe(pausedMs);

    // A step goes to the next scheduled event: here the next request, so exactly the requests
    // due at that moment are served. (The clock and the timeline show 10 ms steps, and the next
    // Poisson arrival can be closer than that, so the served count is what is checked.)
    const servedBefore = countIn(await textOf(figure(page, 'Requests served')));
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(async () => countIn(await textOf(figure(page, 'Requests served'))))
      .toBeGreaterThan(servedBefore);
    await expect(toggle).toHaveAttribute('data-state', 'paused');
    const served = countIn(await textOf(figure(page, 'Requests served')));
    expect(served - servedBefore).toBeLessThanOrEqual(2);
    // Arrivals at 40/s: the next one is well under a second away.
    const stepped = await timelineMs(page);
    expect(stepped).toBeGreaterThanOrEqual(pausedMs);
    expect(stepped - pausedMs).toBeLessThan(1_000);
  });

  test('the A key adds a server', async ({ page }) => {
    await openLab(page);
    await focusPageBody(page);
    await page.keyboard.press('a');
    await waitForServers(page, 5);
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/5 = 20.0%');
  });
});

test.describe('URL state', () => {
  test('an invalid parameter is named in a notice; the valid ones are kept', async ({ page }) => {
    await openLab(page, 'vnodesPerServer=abc&servers=7', 7);
    const notices = page.getByTestId('notices');
    await expect(notices).toBeVisible();
    await expect(notices).toContainText('vnodesPerServer');
    await expect(notices).toContainText('"abc"');
    await expect(notices).toContainText('using 100');
    await expect(notices).not.toContainText('servers"');
    await expect(ringCentre(page)).toContainText('7 live servers');
    await expect(ringCentre(page)).toContainText('100 vnodes each');
    await expectKeysConserved(page);

    await notices.getByRole('button', { name: 'Dismiss' }).click();
    await expect(notices).toHaveCount(0);
    await waitForServers(page, 7);
  });
});

test.describe('vnode curve batch', () => {
  test('computes the spread against virtual nodes for each hash function', async ({ page }) => {
    await openLab(page);
    const button = page.getByTestId('run-curve');
    const chart = page.getByTestId('vnode-chart');
    await expect(button).toHaveText('Compute');
    await expect(chart).toBeHidden();

    await button.click();
    // The job shows its progress while it runs (it may finish before we look).
    await expect(
      page.locator('.vnode-curve .batch-progress progress').or(chart.locator('path').first()),
    ).toBeVisible();
    await expect(chart).toBeVisible();
    await expect(button).toHaveText('Recompute');
    await expect(page.locator('.vnode-curve')).toContainText('lines: murmur3, fnv1a, xxhash32');

    const lines = chart.locator('path[stroke-width="2"]');
    await expect(lines).toHaveCount(3);
    // Each line runs from 1 to 500 virtual nodes; the spread falls roughly as 1/√v, so every
    // line ends far lower (a larger SVG y) than it starts.
    for (const d of await lines.evaluateAll((paths) => paths.map((p) => p.getAttribute('d')))) {
      const points = [...(d ?? '').matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({
        x: Number(m[1]),
        y: Number(m[2]),
      }));
      expect(points.length).toBeGreaterThan(3);
      const first = points[0]!;
      const last = points.at(-1)!;
      expect(last.x).toBeGreaterThan(first.x);
      expect(last.y).toBeGreaterThan(first.y + 50);
    }
  });
});

for (const motion of MOTION_MODES) {
  test.describe(`lookup (reduced motion: ${motion})`, () => {
    test.use({ reducedMotion: motion });

    test('looking up a key names its owner in the event log and on the ring', async ({ page }) => {
      const errors = collectPageErrors(page);
      await openLab(page);
      const key = 'user:42';
      const expectedHash = hex32(murmur3(key));
      await page.getByTestId('lookup-input').fill(key);
      await page.getByTestId('lookup-input').press('Enter');

      const entry = latestEvent(page);
      await expect(entry).toContainText(`"${key}" hashes to ${expectedHash} → S`);
      const text = await textOf(entry);
      const match = /→ (S\d+) \(replicas (S\d+), (S\d+)\); hash mod 4 → (S\d+)/.exec(text);
      expect(match, text).not.toBeNull();
      const [, owner, replicaA, replicaB] = match!;
      // Replication factor 3: the owner and two distinct other servers.
      expect(new Set([owner, replicaA, replicaB]).size).toBe(3);
      // hash mod N with the live servers in order S1..S4.
      const moduloOwner = `S${(murmur3(key) % 4) + 1}`;
      expect(text).toContain(`hash mod 4 → ${moduloOwner}`);
      // The ring marks the owner as first in the preference list.
      await expect(
        page.locator(`[data-testid="ring"] g.server[data-server-id="${owner}"] text.server-label`),
      ).toHaveText(`${owner}·1`);
      // The middle of the ring names the key, its hash and its owner.
      await expect(ringCentre(page)).toContainText(`"${key}"`);
      await expect(ringCentre(page)).toContainText(`${expectedHash} → ${owner}`);
      expect(errors).toEqual([]);
    });
  });
}

test.describe('small touch screen', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });

  test('fits 375 px without horizontal scroll, and Add server works by tap', async ({ page }) => {
    await openLab(page);
    const overflow = await page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
    });
    expect(overflow.scrollWidth).toBeLessThanOrEqual(375 + 1);

    const add = page.getByTestId('add-server');
    await add.scrollIntoViewIfNeeded();
    await add.tap();
    await waitForServers(page, 5);
    await expect(page.getByTestId('moved-ideal')).toHaveText('1/5 = 20.0%');
    const scrollWidth = await page.evaluate(
      () => (document.scrollingElement ?? document.documentElement).scrollWidth,
    );
    expect(scrollWidth).toBeLessThanOrEqual(375 + 1);
    expect(fractionIn(await textOf(page.getByTestId('moved-ring')))).toBeGreaterThan(0.1);
  });
});

test.describe('lesson', () => {
  test('an experiment asks for a prediction, runs, and reveals the measured answer', async ({
    page,
  }) => {
    await openLab(page);
    // Change the live run first, so the experiment has to replace it with its own run.
    await page.getByTestId('add-server').click();
    await waitForServers(page, 5);
    const card = page.getByTestId('experiment-modulo-fifth');
    const run = card.getByRole('button', { name: /prediction|run it/i });
    await expect(run).toBeDisabled();
    await card.getByLabel('about 80%').check();
    await card.getByRole('button', { name: 'Run it' }).click();
    const answer = card.getByRole('status');
    await expect(answer).toContainText('measured:');
    // 4 → 5 servers under mod N: a key stays only when h mod 4 = h mod 5, about 1 in 5.
    const measured = fractionIn((await answer.innerText()).split('measured:')[1] ?? '');
    expect(measured).toBeGreaterThan(0.74);
    expect(measured).toBeLessThan(0.86);
    await expect(answer).toContainText('Your prediction held.');
    // The experiment's own run is on the stage: 4 servers + the one it added, 10,000 keys.
    await waitForServers(page, 5);
    await expect(page.getByTestId('moved-modulo')).toContainText('%');
    expect(await readCount(page.getByTestId('moved-modulo'))).toBeGreaterThan(7_400);
  });
});

test.describe('stage export', () => {
  test('PNG and SVG exports download the stage, with the canvas layers flattened in', async ({
    page,
  }) => {
    await openLab(page);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'PNG', exact: true }).click(),
    ]);
    expect(png.suggestedFilename()).toMatch(/^hash-ring-.*\.png$/);
    const pngBytes = await readFile((await png.path()) ?? '');
    // The PNG signature, and a real image rather than an empty one.
    expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngBytes.length).toBeGreaterThan(20_000);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'SVG', exact: true }).click(),
    ]);
    const svgText = await readFile((await svg.path()) ?? '', 'utf8');
    expect(svgText.startsWith('<svg')).toBe(true);
    // The keys and arcs live on a canvas: the export embeds it as an image.
    expect(svgText).toContain('data:image/png;base64,');
    // Every server marker is in the export with its label.
    for (const id of ['S1', 'S2', 'S3', 'S4']) expect(svgText).toContain(`data-server-id="${id}"`);
    // No server is failed, so no failure cross may show (it is hidden by a stylesheet on the page).
    const crosses = svgText.match(/class="server-failed-mark"[^>]*>/g) ?? [];
    expect(crosses).toHaveLength(4);
    for (const cross of crosses) expect(cross).toContain('visibility="hidden"');
  });
});
