/**
 * The performance suite (DESIGN.md §8), run by `npm run perf` against the production build in
 * headless Chromium. For each lab, scene and speed it plays for 5 s and measures, in the page,
 * the interval between animation frames and the main thread's long tasks; for each lab it also
 * plays a 10-minute virtual run and times seeks from the timeline's input event to the clock
 * showing the new time. It prints one table (and the bundle-size table) and writes
 * artifacts/perf.json and artifacts/perf.md.
 *
 * Budget misses are reported, never failed: the suite fails only when a page errors (an uncaught
 * exception, a console error, a crashed page or the lab's worker-error panel) or the harness
 * cannot drive the page. Every measurement test records its outcome instead of throwing, so all
 * of them run in one worker and the last test prints one table and fails if anything errored.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { median, percentile, seededRandom } from '../bench/stats';
// @ts-expect-error: a plain .mjs script shared with the command line, without type declarations.
import * as bundleSizesModule from '../scripts/bundle-sizes.mjs';
import type { LabEntry } from '../src/labs/registry';

/** One lab under test. Adding a lab is one line here. */
interface PerfLab {
  id: string;
  /** Query string of the lab's "large" preset. */
  large: string;
  /** A button that applies a command, pressed now and then during the 10-minute run. */
  commandButton?: string;
}

/** PERF_LABS=quorum,cache measures only those labs (the bundle table is always complete). */
const ONLY = process.env.PERF_LABS?.split(',')
  .map((id) => id.trim())
  .filter(Boolean);

/** Every lab folder's `lab.ts` names its large scene and a command to issue during long runs. */
const ALL_LABS: PerfLab[] = await Promise.all(
  readdirSync('src/labs', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`src/labs/${entry.name}/lab.ts`))
    .map(async (entry) => {
      const { lab } = (await import(`../src/labs/${entry.name}/lab.ts`)) as { lab: LabEntry };
      return { id: lab.id, large: lab.perf.largeQuery, commandButton: lab.perf.commandSelector };
    }),
);
const LABS = ONLY ? ALL_LABS.filter((lab) => ONLY.includes(lab.id)) : ALL_LABS;

const SPEEDS = [1, 10] as const;
const MEASURE_MS = 5_000;
/** Time to let the page settle (chunks, first snapshot, first drawing) before playing. */
const SETTLE_MS = 1_000;
const FRAME_P95_BUDGET_MS = { default: 17, large: 33 } as const;
const LONG_TASK_BUDGET_MS = 50;
const SEEK_BUDGET_MS = 100;
const LONG_RUN_MS = 600_000;
const LONG_RUN_SPEED = 100;
const SEEK_COUNT = 12;
/** Wall time one seek may take before it counts as lost. */
const SEEK_TIMEOUT_MS = 10_000;
/** Wall time allowed to play the 10-minute run (60 s at an ideal 100×). */
const LONG_RUN_WALL_MAX_MS = 150_000;
const ARTIFACTS_DIR = process.env.PERF_ARTIFACTS ?? 'artifacts';
/** The copy of dist/ the config serves (see playwright.perf.config.ts). */
const DIST_DIR = process.env.PERF_DIST_DIR ?? 'dist';
/** PERF_REPEATS=3 plays each scene three times and reports the run with the median p95. */
const REPEATS = Math.max(1, Math.floor(Number(process.env.PERF_REPEATS ?? 1)) || 1);

type SceneName = keyof typeof FRAME_P95_BUDGET_MS;

interface Row {
  lab: string;
  scene: string;
  speed: string;
  kind: 'frames' | 'seek';
  /** Frame intervals (kind "frames") or seek latencies (kind "seek"), in ms. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  samples: number;
  longTasks: number | null;
  longestTaskMs: number | null;
  /** Virtual seconds the run advanced per wall second while measured (frames rows). */
  simSpeed: number | null;
  /** The machine's 1-minute load average when the measurement ended (other processes count). */
  load: number | null;
  budget: string;
  pass: boolean | null;
  errors: string[];
  notes: string[];
}

interface BundleRow {
  chunk: string;
  kind: string;
  rawBytes: number;
  gzipBytes: number;
  budget: string;
  budgetBytes: number | null;
  pass: boolean | null;
}

interface BundleReport {
  distDir: string;
  entries: string[];
  rows: BundleRow[];
  initialGzipBytes: number;
  pass: boolean;
}

const bundleSizes = bundleSizesModule as {
  measureBundles(distDir?: string): BundleReport;
  formatBundleTable(report: BundleReport): string;
};

const rows: Row[] = [];

function sceneUrl(lab: PerfLab, scene: SceneName): string {
  return scene === 'default' ? `#/labs/${lab.id}` : `#/labs/${lab.id}?${lab.large}`;
}

function speedLabel(speed: number): string {
  // The app's own formatSpeed, so the label can be checked against [data-testid=speed].
  if (speed >= 10) return `${speed.toFixed(0)}×`;
  if (speed >= 1) return `${speed.toFixed(1)}×`;
  return `${speed.toFixed(2)}×`;
}

/** Collects everything that counts as the page erroring. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('crash', () => errors.push('the page crashed'));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  return errors;
}

async function workerErrorText(page: Page): Promise<string | null> {
  const panel = page.getByTestId('worker-error');
  if ((await panel.count()) === 0) return null;
  return ((await panel.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function openScene(page: Page, url: string): Promise<void> {
  // A fresh document every time: going to the same hash URL would not reload the lab.
  await page.goto('about:blank');
  await page.goto(url);
  await expect(page.getByTestId('play-toggle')).toBeVisible();
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
  // The first frame has arrived once the clock reads 0.
  await expect(page.getByTestId('clock')).toHaveText('0.00 s');
  const notices = page.getByTestId('notices');
  if ((await notices.count()) > 0) {
    throw new Error(`the scene's URL was not accepted: ${await notices.textContent()}`);
  }
}

/**
 * Sets a React-controlled range input the way a user's drag does: the native value setter (so
 * React's value tracker sees a change) and a bubbling input event.
 */
async function setRange(page: Page, selector: string, value: number): Promise<void> {
  await page.locator(selector).evaluate((element, next) => {
    const input = element as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(input, String(next));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

async function setSpeed(page: Page, speed: number): Promise<void> {
  await setRange(page, '.speed input[type=range]', Math.log10(speed));
  await expect(page.getByTestId('speed')).toHaveText(speedLabel(speed));
}

function clockSeconds(text: string | null): number {
  const value = Number.parseFloat(text ?? '');
  if (!Number.isFinite(value)) throw new Error(`the clock shows "${text}", not a time`);
  return value;
}

/** Starts recording animation-frame times and long tasks in the page. */
async function startRecording(page: Page): Promise<void> {
  await page.evaluate(() => {
    const recording = {
      frames: [] as number[],
      longTasks: [] as { startTime: number; duration: number }[],
      stopped: false,
      longTaskSupported: PerformanceObserver.supportedEntryTypes.includes('longtask'),
      observer: null as PerformanceObserver | null,
    };
    if (recording.longTaskSupported) {
      recording.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          recording.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
        }
      });
      recording.observer.observe({ type: 'longtask', buffered: false });
    }
    const onFrame = (now: number) => {
      if (recording.stopped) return;
      recording.frames.push(now);
      requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
    (window as unknown as { __perfRecording: typeof recording }).__perfRecording = recording;
  });
}

interface Recording {
  frameIntervals: number[];
  longTasks: number[];
  longTaskSupported: boolean;
  windowMs: number;
}

/** Stops recording and returns the frame intervals and long-task durations since `fromMs`. */
async function stopRecording(page: Page, fromMs: number | null): Promise<Recording> {
  return page.evaluate(async (from) => {
    const recording = (
      window as unknown as {
        __perfRecording: {
          frames: number[];
          longTasks: { startTime: number; duration: number }[];
          stopped: boolean;
          longTaskSupported: boolean;
          observer: PerformanceObserver | null;
        };
      }
    ).__perfRecording;
    // Long-task entries are delivered after the task ends; give the observer a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    recording.stopped = true;
    if (recording.observer) {
      for (const entry of recording.observer.takeRecords()) {
        recording.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
      }
      recording.observer.disconnect();
    }
    const start = from ?? recording.frames[0] ?? 0;
    const frames = recording.frames.filter((t) => t >= start);
    const frameIntervals = frames.slice(1).map((t, i) => t - frames[i]!);
    return {
      frameIntervals,
      longTasks: recording.longTasks.filter((t) => t.startTime >= start).map((t) => t.duration),
      longTaskSupported: recording.longTaskSupported,
      windowMs: (frames.at(-1) ?? start) - start,
    };
  }, fromMs);
}

async function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

async function measurePlayback(
  page: Page,
  errors: string[],
  lab: PerfLab,
  scene: SceneName,
  speed: number,
): Promise<Row> {
  const budgetMs = FRAME_P95_BUDGET_MS[scene];
  const row: Row = {
    lab: lab.id,
    scene,
    speed: speedLabel(speed),
    kind: 'frames',
    p50Ms: null,
    p95Ms: null,
    maxMs: null,
    samples: 0,
    longTasks: null,
    longestTaskMs: null,
    simSpeed: null,
    load: null,
    budget: `frame p95 ≤ ${budgetMs} ms, no task > ${LONG_TASK_BUDGET_MS} ms`,
    pass: null,
    errors,
    notes: [],
  };
  try {
    await openScene(page, sceneUrl(lab, scene));
    await setSpeed(page, speed);
    await page.waitForTimeout(SETTLE_MS);
    await startRecording(page);
    const clockBefore = clockSeconds(await page.getByTestId('clock').textContent());
    const startedMs = await pageNow(page);
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');
    await page.waitForTimeout(Math.max(0, MEASURE_MS - ((await pageNow(page)) - startedMs)));
    const recording = await stopRecording(page, startedMs);
    const clockAfter = clockSeconds(await page.getByTestId('clock').textContent());
    const behind = page.locator('.playback .behind');
    if ((await behind.count()) > 0) row.notes.push(`UI showed "${await behind.textContent()}"`);
    row.samples = recording.frameIntervals.length;
    row.p50Ms = percentile(recording.frameIntervals, 0.5);
    row.p95Ms = percentile(recording.frameIntervals, 0.95);
    row.maxMs = percentile(recording.frameIntervals, 1);
    row.simSpeed = (clockAfter - clockBefore) / (recording.windowMs / 1000);
    if (recording.longTaskSupported) {
      row.longTasks = recording.longTasks.length;
      row.longestTaskMs = recording.longTasks.length > 0 ? Math.max(...recording.longTasks) : 0;
    } else {
      row.notes.push('this browser reports no long tasks');
    }
    row.pass =
      row.p95Ms !== null &&
      row.p95Ms <= budgetMs &&
      (row.longestTaskMs ?? 0) <= LONG_TASK_BUDGET_MS &&
      row.samples > 0;
  } catch (error) {
    row.errors.push(`harness: ${errorText(error)}`);
  }
  row.load = loadavg()[0] ?? null;
  const panel = await workerErrorText(page).catch(() => null);
  if (panel) row.errors.push(`worker-error panel: ${panel}`);
  return row;
}

/** Seeks with the timeline input and returns the ms until the clock shows the target time. */
async function timeSeek(page: Page, targetMs: number): Promise<number | null> {
  return page.evaluate(
    ({ target, timeoutMs }) =>
      new Promise<number | null>((resolve) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid=timeline]')!;
        const clock = document.querySelector<HTMLElement>('[data-testid=clock]')!;
        // The app's formatSeconds.
        const expected = `${(target / 1000).toFixed(target < 10_000 ? 2 : 1)} s`;
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
        let done = false;
        const finish = (value: number | null) => {
          if (done) return;
          done = true;
          observer.disconnect();
          clearTimeout(timer);
          resolve(value);
        };
        const observer = new MutationObserver(() => {
          if (clock.textContent === expected) finish(performance.now() - startedMs);
        });
        observer.observe(clock, { childList: true, characterData: true, subtree: true });
        const timer = setTimeout(() => finish(null), timeoutMs);
        const startedMs = performance.now();
        setter.call(input, String(target));
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }),
    { target: targetMs, timeoutMs: SEEK_TIMEOUT_MS },
  );
}

async function measureSeeks(page: Page, lab: PerfLab): Promise<Row> {
  const row: Row = {
    lab: lab.id,
    scene: `default, ${LONG_RUN_MS / 60_000}-min run`,
    speed: 'seek',
    kind: 'seek',
    p50Ms: null,
    p95Ms: null,
    maxMs: null,
    samples: 0,
    longTasks: null,
    longestTaskMs: null,
    simSpeed: null,
    load: null,
    budget: `every seek ≤ ${SEEK_BUDGET_MS} ms, no task > ${LONG_TASK_BUDGET_MS} ms`,
    pass: null,
    errors: watchErrors(page),
    notes: [],
  };
  try {
    await openScene(page, sceneUrl(lab, 'default'));
    await setSpeed(page, LONG_RUN_SPEED);
    const clock = page.getByTestId('clock');
    const playStartedAt = Date.now();
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'playing');
    // Play to 10 virtual minutes, applying a command every ~30 virtual seconds on the way, so
    // seeks have commands to replay.
    let commands = 0;
    let nextCommandS = 30;
    for (;;) {
      const seconds = clockSeconds(await clock.textContent());
      if (seconds * 1000 >= LONG_RUN_MS) break;
      if (Date.now() - playStartedAt > LONG_RUN_WALL_MAX_MS) {
        throw new Error(`the run reached only ${seconds} s in ${LONG_RUN_WALL_MAX_MS / 1000} s`);
      }
      if (lab.commandButton && seconds >= nextCommandS && commands < 8) {
        await page.locator(lab.commandButton).click();
        commands += 1;
        nextCommandS = seconds + 60;
      }
      await page.waitForTimeout(100);
    }
    const playWallS = (Date.now() - playStartedAt) / 1000;
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-state', 'paused');
    const horizonMs = Number(await page.getByTestId('timeline').getAttribute('max'));
    row.simSpeed = horizonMs / 1000 / playWallS;
    row.notes.push(
      `reached ${(horizonMs / 1000).toFixed(0)} s in ${playWallS.toFixed(1)} s wall with ${commands} commands`,
    );
    await page.waitForTimeout(SETTLE_MS);

    const random = seededRandom(20_240_601);
    const targets: number[] = [];
    let currentMs = clockSeconds(await clock.textContent()) * 1000;
    while (targets.length < SEEK_COUNT) {
      // Multiples of the timeline's 10 ms step, at least 1 s away from where the run is.
      const target = Math.floor((random() * horizonMs) / 10) * 10;
      if (Math.abs(target - currentMs) < 1_000) continue;
      targets.push(target);
      currentMs = target;
    }
    await startRecording(page);
    const startedMs = await pageNow(page);
    const latencies: number[] = [];
    for (const target of targets) {
      const latency = await timeSeek(page, target);
      if (latency === null) row.notes.push(`seek to ${target / 1000} s: no update`);
      else latencies.push(latency);
      await page.waitForTimeout(250);
    }
    const recording = await stopRecording(page, startedMs);
    row.samples = latencies.length;
    row.p50Ms = median(latencies);
    row.p95Ms = percentile(latencies, 0.95);
    row.maxMs = latencies.length > 0 ? Math.max(...latencies) : null;
    if (recording.longTaskSupported) {
      row.longTasks = recording.longTasks.length;
      row.longestTaskMs = recording.longTasks.length > 0 ? Math.max(...recording.longTasks) : 0;
    }
    row.pass =
      latencies.length === targets.length &&
      (row.maxMs ?? Number.POSITIVE_INFINITY) <= SEEK_BUDGET_MS &&
      (row.longestTaskMs ?? 0) <= LONG_TASK_BUDGET_MS;
  } catch (error) {
    row.errors.push(`harness: ${errorText(error)}`);
  }
  row.load = loadavg()[0] ?? null;
  const panel = await workerErrorText(page).catch(() => null);
  if (panel) row.errors.push(`worker-error panel: ${panel}`);
  return row;
}

/** The run whose frame p95 is the median of the runs, noting the others' p95. */
function medianRun(runs: Row[]): Row {
  if (runs.length === 1) return runs[0]!;
  const sorted = [...runs].sort(
    (a, b) => (a.p95Ms ?? Number.POSITIVE_INFINITY) - (b.p95Ms ?? Number.POSITIVE_INFINITY),
  );
  const chosen = sorted[(sorted.length - 1) >> 1]!;
  chosen.notes.push(
    `median of ${runs.length} runs by p95 (p95s: ${runs.map((run) => ms(run.p95Ms)).join(', ')} ms)`,
  );
  return chosen;
}

function ms(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

function result(row: Row): string {
  if (row.errors.length > 0) return 'ERROR';
  if (row.pass === null) return '—';
  return row.pass ? 'pass' : 'FAIL';
}

function formatPerfTable(all: Row[]): string {
  const lines = [
    '| lab | scene | speed | p50 ms | p95 ms | max ms | long tasks | longest task ms | sim speed | load | budget | result |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const row of all) {
    const simSpeed =
      row.simSpeed === null ? '—' : `${row.simSpeed.toFixed(row.simSpeed < 10 ? 2 : 0)}×`;
    lines.push(
      `| ${row.lab} | ${row.scene} | ${row.speed} | ${ms(row.p50Ms)} | ${ms(row.p95Ms)} | ${ms(row.maxMs)} | ${row.longTasks ?? '—'} | ${ms(row.longestTaskMs)} | ${simSpeed} | ${row.load === null ? '—' : row.load.toFixed(1)} | ${row.budget} | ${result(row)} |`,
    );
  }
  return lines.join('\n');
}

const LEGEND = [
  `Playback rows: intervals between requestAnimationFrame callbacks over ${MEASURE_MS / 1000} s of playing (from the click on Play), and main-thread long tasks (PerformanceObserver "longtask") in that window; "sim speed" is virtual seconds per wall second reached.`,
  `Seek rows: ${SEEK_COUNT} seeks to seeded random times of a ${LONG_RUN_MS / 60_000}-minute run, each timed from the timeline's input event to the clock showing the new time (p50 = median); "sim speed" is how fast the run was played to ${LONG_RUN_MS / 60_000} minutes at ${LONG_RUN_SPEED}×.`,
  REPEATS > 1
    ? `Each playback row is the run with the median p95 of ${REPEATS} runs (PERF_REPEATS).`
    : 'Each playback row is one run; PERF_REPEATS=3 reports the median of three on a noisy machine.',
  `"load" is the machine's 1-minute load average (${cpus().length} CPUs) as each measurement ended: anything else running (builds, other test suites) competes with the browser and inflates frame times, so rows measured under load > ${cpus().length} are not a verdict on the app.`,
];

for (const lab of LABS) {
  for (const scene of Object.keys(FRAME_P95_BUDGET_MS) as SceneName[]) {
    for (const speed of SPEEDS) {
      test(`${lab.id} · ${scene} scene · ${speedLabel(speed)}: frames and long tasks`, async ({
        page,
      }) => {
        test.setTimeout(REPEATS * 60_000);
        const errors = watchErrors(page);
        const runs: Row[] = [];
        for (let run = 0; run < REPEATS; run += 1) {
          runs.push(await measurePlayback(page, errors, lab, scene, speed));
        }
        const row = medianRun(runs);
        rows.push(row);
        console.log(
          `${lab.id} ${scene} ${row.speed}: frame p50 ${ms(row.p50Ms)} ms, p95 ${ms(row.p95Ms)} ms, ` +
            `long tasks ${row.longTasks ?? '—'} (longest ${ms(row.longestTaskMs)} ms) → ${result(row)}`,
        );
      });
    }
  }
  test(`${lab.id}: seeks in a ${LONG_RUN_MS / 60_000}-minute run`, async ({ page }) => {
    test.setTimeout(LONG_RUN_WALL_MAX_MS + 120_000);
    const row = await measureSeeks(page, lab);
    rows.push(row);
    console.log(
      `${lab.id} seeks: median ${ms(row.p50Ms)} ms, max ${ms(row.maxMs)} ms → ${result(row)}`,
    );
  });
}

test('report: performance and bundle tables (fails only on page errors)', async () => {
  const lines: string[] = [];
  lines.push('## Runtime performance', '', formatPerfTable(rows), '');
  for (const text of LEGEND) lines.push(`- ${text}`);
  const notes = rows.flatMap((row) =>
    [...row.notes, ...row.errors].map((note) => `- ${row.lab} ${row.scene} ${row.speed}: ${note}`),
  );
  if (notes.length > 0) lines.push('', 'Notes and errors:', ...notes);

  let bundles: BundleReport | null = null;
  lines.push('', '## Bundle sizes', '');
  try {
    bundles = bundleSizes.measureBundles(DIST_DIR);
    lines.push(bundleSizes.formatBundleTable(bundles));
  } catch (error) {
    lines.push(`Could not measure the bundles: ${errorText(error)}`);
  }
  const markdown = `# Performance (${new Date().toISOString()})\n\n${lines.join('\n')}\n`;
  console.log(`\n${markdown}`);

  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, 'perf.md'), markdown);
  writeFileSync(
    join(ARTIFACTS_DIR, 'perf.json'),
    `${JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        budgets: {
          frameP95Ms: FRAME_P95_BUDGET_MS,
          longTaskMs: LONG_TASK_BUDGET_MS,
          seekMs: SEEK_BUDGET_MS,
        },
        rows,
        bundles,
      },
      null,
      2,
    )}\n`,
  );

  const errors = rows.flatMap((row) =>
    row.errors.map((error) => `${row.lab} ${row.scene} ${row.speed}: ${error}`),
  );
  expect(errors, 'pages errored while being measured').toEqual([]);
});
