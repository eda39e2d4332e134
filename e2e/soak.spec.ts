/**
 * Soak (issue 9, robustness): every lab plays its default scene at 100× for 10 virtual minutes,
 * with a command applied now and then, and must end with no page error, no worker error, and no
 * growth of the JavaScript heap past a stated bound. Heaps are measured after a forced garbage
 * collection, through the DevTools protocol, for the page and for the simulation worker.
 *
 * Bounds: the page heap may grow by at most PAGE_GROWTH_MAX_MB from the first virtual minute to
 * the tenth (the page keeps only the latest frame and bounded logs); the worker may hold at most
 * WORKER_HEAP_MAX_MB in all (its checkpoints for seeking grow with the run's length by design,
 * bounded by the runner's limits).
 */
import { type CDPSession, expect, test } from '@playwright/test';
import { collectPageErrors, LAB_ENTRIES, readNumber } from './support';

const RUN_S = 600;
const BASELINE_S = 60;
const WALL_MAX_MS = 240_000;
const PAGE_GROWTH_MAX_MB = 4;
const WORKER_HEAP_MAX_MB = 64;
const MB = 1024 * 1024;

/** Used heap bytes of the page and of its dedicated worker, each after a garbage collection. */
async function heaps(cdp: CDPSession): Promise<{ page: number; worker: number | null }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { page: usedSize, worker: await workerHeap(cdp) };
}

/**
 * The worker's heap, through the page's DevTools session: attach to the dedicated worker as a
 * child target (non-flat) and send it protocol messages by hand.
 */
async function workerHeap(cdp: CDPSession): Promise<number | null> {
  const attached = new Promise<string>((resolve) => {
    cdp.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type === 'worker') resolve(event.sessionId);
    });
  });
  await cdp.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: false,
    flatten: false,
  });
  const sessionId = await Promise.race([
    attached,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000)),
  ]);
  if (!sessionId) return null;
  let nextId = 1;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = nextId++;
      const onMessage = (event: { sessionId?: string; message: string }) => {
        const reply = JSON.parse(event.message) as {
          id?: number;
          result?: Record<string, unknown>;
        };
        if (event.sessionId === sessionId && reply.id === id) {
          cdp.off('Target.receivedMessageFromTarget', onMessage);
          resolve(reply.result ?? {});
        }
      };
      cdp.on('Target.receivedMessageFromTarget', onMessage);
      void cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method }),
      });
    });
  await call('HeapProfiler.collectGarbage');
  const usage = await call('Runtime.getHeapUsage');
  await cdp.send('Target.detachFromTarget', { sessionId });
  await cdp.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false });
  return typeof usage.usedSize === 'number' ? usage.usedSize : null;
}

for (const lab of LAB_ENTRIES) {
  test(`${lab.id}: 10 virtual minutes at 100× without errors or heap growth`, async ({ page }) => {
    test.setTimeout(WALL_MAX_MS + 60_000);
    const errors = collectPageErrors(page);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`/#/labs/${lab.id}`);
    await expect(page.getByTestId('clock')).toHaveText('0.00 s');
    // 100× the way a user gets there: + doubles the speed (1, 2, 4 … 64, then the 100× cap).
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    for (let press = 0; press < 7; press += 1) await page.keyboard.press('+');
    await expect(page.getByTestId('speed')).toHaveText('100×');
    const cdp = await page.context().newCDPSession(page);
    await page.getByTestId('play-toggle').click();

    const started = Date.now();
    let baseline: { page: number; worker: number | null } | null = null;
    let nextCommandS = 30;
    for (;;) {
      const seconds = await readNumber(page.getByTestId('clock'));
      if (seconds >= RUN_S) break;
      expect(Date.now() - started, `reached ${seconds} s`).toBeLessThan(WALL_MAX_MS);
      if (!baseline && seconds >= BASELINE_S) baseline = await heaps(cdp);
      if (lab.perf.commandSelector && seconds >= nextCommandS) {
        await page.locator(lab.perf.commandSelector).first().click();
        nextCommandS = seconds + 60;
      }
      await page.waitForTimeout(200);
    }
    await page.getByTestId('play-toggle').click();
    const end = await heaps(cdp);
    expect(baseline).not.toBeNull();
    const growthMb = (end.page - (baseline?.page ?? 0)) / MB;
    console.log(
      `${lab.id}: page heap ${((baseline?.page ?? 0) / MB).toFixed(1)} → ${(end.page / MB).toFixed(1)} MB` +
        `, worker heap ${baseline?.worker === null || baseline?.worker === undefined ? '—' : (baseline.worker / MB).toFixed(1)} → ${end.worker === null ? '—' : (end.worker / MB).toFixed(1)} MB` +
        `, ${((Date.now() - started) / 1000).toFixed(0)} s wall`,
    );
    expect(growthMb, 'page heap growth (MB)').toBeLessThan(PAGE_GROWTH_MAX_MB);
    expect(end.worker, 'the worker heap was measured').not.toBeNull();
    expect((end.worker ?? 0) / MB, 'worker heap (MB)').toBeLessThan(WORKER_HEAP_MAX_MB);
    await expect(page.getByTestId('worker-error')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
}
