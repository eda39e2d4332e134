/**
 * Stage export in every lab (issue 9: one product): the SVG and PNG hold everything the stage
 * draws — its SVG figures and every visible canvas, under, over or beside them — at their places
 * on the screen. Discovered from the labs' lab.ts files.
 */
import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import { collectPageErrors, LAB_ENTRIES } from './support';

interface StageBox {
  width: number;
  height: number;
  canvases: number;
  figures: number;
}

/** What the page shows: the union of the stage's figures and visible canvases, and their counts. */
async function stageBox(page: Page): Promise<StageBox> {
  return page
    .locator('.lab-stage section.stage')
    .first()
    .evaluate((stage) => {
      const visible = (e: Element) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      };
      const figures = [
        ...stage.querySelectorAll('svg[data-export-root], svg[data-export-figure]'),
      ].filter(visible);
      const canvases = [...stage.querySelectorAll('canvas')].filter(visible);
      const rects = [...figures, ...canvases].map((e) => e.getBoundingClientRect());
      return {
        width: Math.max(...rects.map((r) => r.right)) - Math.min(...rects.map((r) => r.left)),
        height: Math.max(...rects.map((r) => r.bottom)) - Math.min(...rects.map((r) => r.top)),
        canvases: canvases.length,
        figures: figures.length,
      };
    });
}

async function download(page: Page, button: 'SVG' | 'PNG'): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  return readFile((await file.path()) ?? '');
}

for (const lab of LAB_ENTRIES) {
  test(`${lab.id}: SVG and PNG export hold every figure and canvas of the stage`, async ({
    page,
  }) => {
    const errors = collectPageErrors(page);
    await page.goto(`/#/labs/${lab.id}`);
    await expect(page.getByRole('heading', { level: 1, name: lab.title })).toBeVisible();
    // Something happens first, so the canvases have marks on them.
    await page.locator(lab.perf.commandSelector).first().click();
    await page.getByTestId('play-toggle').click();
    await page.waitForTimeout(1_500);
    await page.getByTestId('play-toggle').click();
    const box = await stageBox(page);
    expect(box.figures).toBeGreaterThan(0);

    const svgText = (await download(page, 'SVG')).toString('utf8');
    const outer = svgText.match(/^<svg[^>]*>/)?.[0] ?? '';
    expect(Number(outer.match(/ width="(\d+)"/)?.[1])).toBe(Math.round(box.width));
    expect(Number(outer.match(/ height="(\d+)"/)?.[1])).toBe(Math.round(box.height));
    // One nested <svg> per figure (figures have none of their own), one image per canvas.
    expect((svgText.match(/<svg[\s>]/g) ?? []).length).toBe(1 + box.figures);
    expect((svgText.match(/href="data:image\/png;base64,/g) ?? []).length).toBe(box.canvases);
    // It is a well-formed document.
    const parsed = await page.evaluate(
      (text) =>
        new DOMParser().parseFromString(text, 'image/svg+xml').querySelector('parsererror') ===
        null,
      svgText,
    );
    expect(parsed).toBe(true);

    const png = await download(page, 'PNG');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: the image is the stage's size at 1.5× (device pixel ratio 1 here).
    expect(png.readUInt32BE(16)).toBe(Math.round(box.width * 1.5));
    expect(png.readUInt32BE(20)).toBe(Math.round(box.height * 1.5));
    await expect(page.getByText('Stage exported as PNG.')).toBeVisible();
    expect(errors).toEqual([]);
  });
}
