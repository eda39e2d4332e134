/**
 * Accessibility across every lab (issue 9), discovered from the labs' lab.ts files so a new lab
 * is covered without touching this file: axe-core on the embedded view in both themes, a visible
 * focus indicator on everything the Tab key reaches, narration of what happens, and reduced
 * motion turning animation into instant updates (a paused stage holds still after a change).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { LAB_ENTRIES } from './support';

async function open(page: Page, id: string, query = ''): Promise<void> {
  await page.goto(`/#/labs/${id}${query ? `?${query}` : ''}`);
  await expect(page.getByTestId('clock')).toHaveText('0.00 s');
}

/** Serious and critical axe violations (WCAG 2 A and AA). */
async function blocking(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(results.passes.length).toBeGreaterThan(10);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const lab of LAB_ENTRIES) {
  test.describe(lab.id, () => {
    test('the embedded view has no serious or critical axe violation, light and dark', async ({
      page,
    }) => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await open(page, lab.id, 'embed=1');
        expect(await blocking(page), colorScheme).toEqual([]);
      }
    });

    test('every element the Tab key reaches shows where the focus is', async ({ page }) => {
      await open(page, lab.id);
      await page.locator('body').click({ position: { x: 1, y: 1 } });
      const missing: string[] = [];
      const seen = new Set<string>();
      for (let press = 0; press < 60; press += 1) {
        await page.keyboard.press('Tab');
        const focus = await page.evaluate(() => {
          const element = document.activeElement;
          if (!element || element === document.body) return null;
          const label =
            element.getAttribute('aria-label') ??
            element.getAttribute('data-testid') ??
            element.textContent?.trim().slice(0, 30) ??
            '';
          const key = `${element.tagName.toLowerCase()} ${label}`;
          const style = getComputedStyle(element);
          if (
            (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) ||
            style.boxShadow !== 'none'
          ) {
            return { key, visible: true };
          }
          // SVG marks draw their own focus ring (a stroke, a halo): the element or one of its
          // parts must look different focused than not.
          const look = () =>
            [element, ...element.querySelectorAll('*')]
              .map((part) => {
                const s = getComputedStyle(part);
                return [
                  s.outlineStyle,
                  s.outlineWidth,
                  s.boxShadow,
                  s.stroke,
                  s.strokeWidth,
                  s.fill,
                  s.filter,
                  s.opacity,
                  s.display,
                  s.visibility,
                ].join();
              })
              .join('|');
          const focused = look();
          (element as HTMLElement).blur();
          const unfocused = look();
          (element as HTMLElement).focus();
          return { key, visible: focused !== unfocused };
        });
        if (!focus) continue;
        if (seen.has(focus.key)) continue;
        seen.add(focus.key);
        if (!focus.visible) missing.push(focus.key);
      }
      expect(seen.size).toBeGreaterThan(10);
      expect(missing).toEqual([]);
    });

    test('what happens is narrated', async ({ page }) => {
      await open(page, lab.id);
      const live = page.getByTestId('narration');
      await expect(live).toHaveAttribute('aria-live', 'polite');
      await page.locator(lab.perf.commandSelector).first().click();
      await page.getByTestId('play-toggle').click();
      await expect(live).not.toHaveText('', { timeout: 15_000 });
      // The narration reads events the log shows.
      const said = (await live.textContent()) ?? '';
      const log = (await page.locator('.lab-log').textContent()) ?? '';
      const sentence = said.replace(/^\d+ earlier events, then: /, '').split(/(?<=\.) /)[0] ?? '';
      expect(sentence.length).toBeGreaterThan(5);
      expect(log).toContain(sentence.slice(0, 40));
    });

    test('with reduced motion a change shows at once and then holds still', async ({ page }) => {
      // Paused, nothing moves but what a change animates. Without reduced motion some stages
      // ease a change in or keep a mark pulsing; with it, the change lands in one frame and the
      // stage then holds still, pixel for pixel.
      await page.emulateMedia({ reducedMotion: 'reduce' });
      // Tall enough that the whole stage is on screen: a taller one is captured in parts.
      await page.setViewportSize({ width: 1440, height: 1800 });
      await open(page, lab.id);
      const stage = page.locator('.lab-stage');
      await page.locator(lab.perf.commandSelector).first().click();
      await page.waitForTimeout(500);
      const settled = await stage.screenshot({ animations: 'allow' });
      await page.waitForTimeout(400);
      const later = await stage.screenshot({ animations: 'allow' });
      expect(later.equals(settled)).toBe(true);
      await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    });
  });
}
