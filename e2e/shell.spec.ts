/**
 * The shell around the labs: the home page, routing (hash history, deep links, reloads, unknown
 * addresses), the theme, the shortcut sheet, and a clean console.
 */
import { expect, test } from '@playwright/test';
import {
  collectPageErrors,
  figure,
  focusPageBody,
  LAB_ENTRIES,
  LAB_PATH,
  labsMatching,
  openLab,
  textOf,
  waitForServers,
} from './support';

const LAB_TITLE = 'Consistent hashing';
const LAB_SUMMARY =
  'Drag servers onto a hash ring and watch only a sliver of keys move, where hash mod N moves almost all.';

test.describe('home page', () => {
  test('lists the lab with its title and summary, and the card opens it', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'System Design Lab' })).toBeVisible();
    const cards = page.locator('.lab-cards > li');
    await expect(cards).toHaveCount(LAB_ENTRIES.length);
    // Every lab that exists has a card, in the registry's order.
    await expect(cards.getByRole('heading', { level: 2 })).toHaveText(
      LAB_ENTRIES.map((lab) => lab.title),
    );
    const card = cards.filter({ has: page.getByRole('heading', { level: 2, name: LAB_TITLE }) });
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(LAB_TITLE);
    await expect(card).toContainText(LAB_SUMMARY);
    await expect(card).toContainText('virtual nodes');

    await card.getByRole('link').click();
    await expect(page).toHaveURL(/#\/labs\/hash-ring$/);
    await expect(page.getByRole('heading', { level: 1, name: LAB_TITLE })).toBeVisible();
    await waitForServers(page, 4);

    // The breadcrumb leads back home.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').click();
    await expect(page).toHaveURL(/#\/$/);
    await expect(page.locator('.lab-cards > li')).toHaveCount(LAB_ENTRIES.length);
  });

  test('the search filters labs by title, summary and concept', async ({ page }) => {
    await page.goto('/');
    const search = page.getByRole('searchbox', { name: 'Find a lab or concept' });
    const cards = page.locator('.lab-cards > li');
    for (const query of ['replication', 'virtual nodes', 'HASH']) {
      await search.fill(query);
      const expected = labsMatching(query).map((lab) => lab.title);
      expect(expected.length).toBeGreaterThan(0);
      await expect(cards.getByRole('heading', { level: 2 })).toHaveText(expected);
    }
    await search.fill('paxos-and-friends');
    await expect(cards).toHaveCount(0);
    await expect(page.getByText('No lab matches “paxos-and-friends”.')).toBeVisible();
    await search.fill('');
    await expect(cards).toHaveCount(LAB_ENTRIES.length);
  });

  test('every lab card shows a still of its lab (the image loads)', async ({ page }) => {
    // A missing still is not a console error (vite preview answers it with index.html), so
    // only the decoded image size tells a broken image apart.
    await page.goto('/');
    for (const lab of LAB_ENTRIES) {
      const image = page.getByAltText(`A still of the ${lab.title} lab`);
      await image.scrollIntoViewIfNeeded();
      await expect
        .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
        .toBeGreaterThan(0);
    }
  });
});

test.describe('home page live previews', () => {
  test('pointing at a card plays the lab itself in the card; leaving stops it', async ({
    page,
  }) => {
    await page.goto('/');
    const card = page.locator('.lab-card').filter({ hasText: 'Webhooks vs polling' });
    await card.hover();
    const live = page.getByTestId('live-preview-webhooks');
    await expect(live).toBeVisible();
    expect(await live.getAttribute('src')).toMatch(/#\/labs\/webhooks\?embed=1&play=1$/);
    // The frame runs the real lab: its clock advances, and it shows the stage but no controls.
    const frame = page.frameLocator('[data-testid="live-preview-webhooks"]');
    await expect(frame.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');
    await expect
      .poll(async () => Number.parseFloat((await frame.getByTestId('clock').textContent()) ?? ''))
      .toBeGreaterThan(0.5);
    await expect(frame.getByRole('complementary', { name: 'Controls' })).toHaveCount(0);
    // Only one preview plays at a time, and none once the pointer leaves.
    await page.locator('.lab-card').filter({ hasText: 'Consistent hashing' }).hover();
    await expect(page.getByTestId('live-preview-hash-ring')).toBeVisible();
    await expect(live).toHaveCount(0);
    await page.getByRole('heading', { level: 1, name: 'System Design Lab' }).hover();
    await expect(page.locator('.lab-card-live')).toHaveCount(0);
  });

  test('with reduced motion the cards keep their stills', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await page.locator('.lab-card').first().hover();
    await page.waitForTimeout(800);
    await expect(page.locator('.lab-card-live')).toHaveCount(0);
  });
});

test.describe('phone header', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });
  test('share and export fold into one disclosure that opens by tap', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(LAB_PATH);
    await waitForServers(page, 4);
    await expect(page.getByTestId('copy-link')).toBeHidden();
    await page.getByText('Share & export').tap();
    await page.getByTestId('copy-link').tap();
    await expect(page.getByTestId('share-status')).toContainText('Link copied');
  });
});

test.describe('routing', () => {
  test('an unknown lab id shows a not-found message with a link home', async ({ page }) => {
    await page.goto('/#/labs/no-such-lab');
    await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
    await expect(page.locator('.not-found')).toContainText('lab called "no-such-lab"');
    const home = page.getByRole('link', { name: 'See all labs' });
    await expect(home).toBeVisible();
    await home.click();
    await expect(page).toHaveURL(/#\/$/);
    await expect(page.locator('.lab-cards > li')).toHaveCount(LAB_ENTRIES.length);
  });

  test('an unknown address shows the not-found page too', async ({ page }) => {
    await page.goto('/#/no/such/page');
    await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'See all labs' })).toBeVisible();
  });

  test('a deep link opens that exact setup, and a reload keeps it', async ({ page }) => {
    const query = 'servers=6&vnodesPerServer=50&keys=3000&seed=7';
    await openLab(page, query, 6);
    const centre = page.locator('[data-testid="ring"] .center-text');
    await expect(centre).toContainText('6 live servers');
    await expect(centre).toContainText('3,000 keys · 50 vnodes each');
    await expect(figure(page, 'Keys per live server (mean)')).toHaveText('500');
    await expect(page.getByTestId('vnodes-field').getByRole('textbox')).toHaveValue('50');
    await expect(page.locator('.seed input')).toHaveValue('7');
    const spread = await textOf(page.getByTestId('keys-cv'));
    const counts = await page.locator('[data-testid="server-list"] .server-keys').allTextContents();

    await page.reload();
    await waitForServers(page, 6);
    await expect(page).toHaveURL(/#\/labs\/hash-ring\?.*servers=6/);
    await expect(centre).toContainText('3,000 keys · 50 vnodes each');
    await expect(page.locator('.seed input')).toHaveValue('7');
    // Same seed and setup: the same key placement, figure for figure.
    await expect(page.getByTestId('keys-cv')).toHaveText(spread);
    expect(
      await page.locator('[data-testid="server-list"] .server-keys').allTextContents(),
    ).toEqual(counts);
  });

  // The URL keeps the initial config and seed plus the compressed command log (replacing the
  // history entry), so a reload replays every change the learner made.
  test('a change made with the controls survives a reload', async ({ page }) => {
    await openLab(page);
    const input = page.getByTestId('vnodes-field').getByRole('textbox');
    await input.fill('20');
    await input.press('Enter');
    await expect(page.locator('[data-testid="ring"] .center-text')).toContainText('20 vnodes each');
    await expect(page).toHaveURL(/[?&]run=/);
    const historyLength = await page.evaluate(() => history.length);
    await page.reload();
    await expect(input).toHaveValue('20');
    await expect(page.locator('[data-testid="ring"] .center-text')).toContainText('20 vnodes each');
    // The entry was replaced, not pushed.
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
  });
});

test.describe('theme', () => {
  test('the theme picker switches between light and dark, and is remembered', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/');
    const html = page.locator('html');
    const picker = page.getByRole('combobox', { name: 'Theme' });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await expect(picker).toHaveValue('system');
    await expect(html).toHaveAttribute('data-theme', 'light');
    const light = await background();

    await picker.selectOption('dark');
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await expect.poll(background).not.toBe(light);
    const dark = await background();
    // A dark background: every channel well below the middle.
    const channels = (dark.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    expect(Math.max(...channels)).toBeLessThan(80);

    await page.reload();
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await expect(picker).toHaveValue('dark');

    await picker.selectOption('light');
    await expect(html).toHaveAttribute('data-theme', 'light');
    await expect.poll(background).toBe(light);

    // "System theme" follows the operating system's preference.
    await picker.selectOption('system');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(html).toHaveAttribute('data-theme', 'light');
  });
});

test.describe('shortcut sheet', () => {
  test('? opens the keyboard shortcut sheet and Escape closes it', async ({ page }) => {
    await openLab(page);
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(sheet).toHaveCount(0);

    await focusPageBody(page);
    await page.keyboard.press('?');
    await expect(sheet).toBeVisible();
    await expect(sheet.getByRole('row', { name: /Space.*Play or pause/ })).toBeVisible();
    await expect(sheet).toContainText('Step to the next event');
    await expect(sheet).toContainText('Remove that server');

    await page.keyboard.press('Escape');
    await expect(sheet).toHaveCount(0);
    // The lab is still playable after the sheet closed: nothing was left modal.
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');

    // The header button opens it as well, and Close closes it.
    await page.getByRole('button', { name: 'Keyboard shortcuts (?)' }).click();
    await expect(sheet).toBeVisible();
    await sheet.getByRole('button', { name: 'Close' }).click();
    await expect(sheet).toHaveCount(0);
  });
});

test.describe('console', () => {
  test('no console errors while loading the home page and the lab, and playing', async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await page.goto('/');
    await expect(page.locator('.lab-cards > li')).toHaveCount(LAB_ENTRIES.length);
    await page.goto(LAB_PATH);
    await waitForServers(page, 4);
    await page.getByTestId('play-toggle').click();
    await expect
      .poll(async () => Number((await textOf(figure(page, 'Requests served'))).replace(/,/g, '')))
      .toBeGreaterThan(20);
    await page.getByTestId('play-toggle').click();
    expect(errors).toEqual([]);
  });
});
