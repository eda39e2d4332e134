/**
 * One product, not seven pages (issue 9): every lab page has the anatomy of DESIGN.md §5, built
 * from the shared components, discovered from the labs' lab.ts files so a new lab is held to it
 * without touching this file.
 */
import { expect, test } from '@playwright/test';
import { clockSeconds, collectPageErrors, LAB_ENTRIES, readNumber } from './support';

for (const lab of LAB_ENTRIES) {
  test(`${lab.id}: stage, controls, metrics, event log, playback, lesson, share`, async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await page.goto(`/#/labs/${lab.id}`);
    await expect(page.getByRole('heading', { level: 1, name: lab.title })).toBeVisible();

    // 1. Stage: drawn with SVG and/or canvas.
    await expect(page.locator('.lab-stage').locator('svg, canvas').first()).toBeVisible();
    // 2. Controls: sliders with numeric inputs beside them, and actions.
    const controls = page.getByRole('complementary', { name: 'Controls' });
    await expect(controls.locator('input[type=range]').first()).toBeAttached();
    await expect(controls.locator('input.number-input').first()).toBeAttached();
    await expect(controls.getByRole('button').first()).toBeAttached();
    // 3. Metrics: labelled figures and at least one d3 chart.
    await expect(page.locator('.lab-metrics dl.figures .figure').first()).toBeVisible();
    await expect(page.locator('.lab-metrics svg').first()).toBeAttached();
    // 5. Playback: play/pause with its state, step, speed, timeline, reset and seed.
    const playback = page.getByRole('region', { name: 'Playback' });
    await expect(playback.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    await expect(playback.getByTestId('step')).toBeVisible();
    await expect(playback.getByTestId('timeline')).toBeVisible();
    await expect(playback.getByTestId('speed')).toHaveText('1.0×');
    await expect(playback.getByRole('button', { name: 'Reset' })).toBeVisible();
    await expect(playback.getByLabel('Seed', { exact: true })).toHaveValue('42');
    // 6. Lesson: the concept, then experiments that ask for a prediction first.
    const lesson = page.locator('.lab-lesson .lesson');
    await expect(lesson.getByRole('heading', { level: 2 })).toBeVisible();
    await expect(lesson.locator('input[type=radio]').first()).toBeAttached();
    expect(await lesson.locator('[data-testid^="experiment-"]').count()).toBeGreaterThanOrEqual(4);
    // 7. Share and export.
    const share = page.getByRole('region', { name: 'Share and export' });
    for (const name of ['Copy link', 'Embed', 'PNG', 'SVG', 'Export run']) {
      await expect(share.getByRole('button', { name, exact: true })).toBeVisible();
    }
    await expect(share.getByText('Import run')).toBeVisible();

    // 4. Event log: events appear as the run plays, and clicking one seeks there.
    await page.locator(lab.perf.commandSelector).first().click();
    await playback.getByTestId('play-toggle').click();
    const entries = page.getByTestId('event-log').locator('li button');
    await expect.poll(() => entries.count(), { timeout: 15_000 }).toBeGreaterThan(1);
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(1);
    await playback.getByTestId('play-toggle').click();
    await expect(playback.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    const oldest = entries.last();
    const at = await readNumber(oldest.locator('time'));
    await oldest.click();
    await expect.poll(() => clockSeconds(page)).toBeCloseTo(at, 1);
    expect(errors).toEqual([]);
  });
}
