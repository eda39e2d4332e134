import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assert } from '../kernel/assert';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  scheduleEvent,
} from '../kernel/event-queue';
import { createRng, nextInt, type RngState } from '../kernel/prng';
import {
  appendEvent,
  type BatchJob,
  createEventLog,
  type EventLog,
  type LabSim,
  type SimEvent,
} from '../kernel/sim';
import { hashRingDefaults } from '../labs/hash-ring/config';
import hashRingSim from '../labs/hash-ring/sim/index';
import type { HashRingCommand, HashRingConfig, HashRingState } from '../labs/hash-ring/sim/model';
import type { HashRingSnapshot } from '../labs/hash-ring/sim/snapshot';
import type {
  Frame,
  LoggedCommand,
  RunRecord,
  TimelineMarker,
  WorkerCommand,
  WorkerMessage,
} from './protocol';
import {
  type AnyLabSim,
  clampSpeed,
  FRAME_WALL_MS_MAX,
  MARKERS_MAX,
  RUN_LENGTH_MS_MAX,
  Runner,
  type RunnerOptions,
} from './runner';

// ---------------------------------------------------------------------------------------------
// A tiny lab for the runner: a counter ticked by scheduled events whose gaps come from the seeded
// kernel PRNG. Every tick and every command appends an event. The start, every
// IMPORTANT_TICK_EVERY-th tick and every burst tick are flagged important, so the timeline
// (important events and commands only) is a strict subset of the event log.

interface CounterConfig {
  gapMinMs: number;
  gapMaxMs: number;
}

type CounterCommand =
  | { type: 'add'; amount: number }
  | { type: 'setGap'; gapMinMs: number; gapMaxMs: number }
  /** Schedules `count` one-off ticks at now + delayMs (delayMs 0 means "this very millisecond"). */
  | { type: 'burst'; count: number; delayMs: number }
  | { type: 'boom' };

type Pending = { kind: 'tick' } | { kind: 'burst'; index: number };

interface CounterState {
  nowMs: number;
  count: number;
  ticks: number;
  gapMinMs: number;
  gapMaxMs: number;
  rng: RngState;
  queue: EventQueue<Pending>;
  events: EventLog;
}

interface CounterView {
  atMs: number;
  count: number;
  ticks: number;
  pending: number;
}

interface SumParams {
  n: number;
}

/** How many batch generators reached their `finally` (cancelled or finished). */
let batchCleanups = 0;

const IMPORTANT_TICK_EVERY = 4;

function counterLog(state: CounterState, kind: string, text: string, important = false): void {
  appendEvent(state.events, { atMs: state.nowMs, kind, text, important });
}

function scheduleTick(state: CounterState, fromMs: number): void {
  const gap = nextInt(state.rng, state.gapMinMs, state.gapMaxMs + 1);
  scheduleEvent(state.queue, fromMs + gap, { kind: 'tick' });
}

function* sumJob(start: number, n: number): BatchJob<{ sum: number }> {
  try {
    let sum = start;
    for (let i = 1; i <= n; i += 1) {
      sum += i;
      yield { done: i, total: n, label: 'summing' };
    }
    return { sum };
  } finally {
    batchCleanups += 1;
  }
}

function* explodingJob(): BatchJob<never> {
  yield { done: 0, total: 1, label: 'about to fail' };
  throw new Error('batch exploded');
}

const counterSim: LabSim<CounterConfig, CounterState, CounterCommand, CounterView, SumParams> = {
  id: 'counter',
  create(config, seed) {
    const state: CounterState = {
      nowMs: 0,
      count: 0,
      ticks: 0,
      gapMinMs: config.gapMinMs,
      gapMaxMs: config.gapMaxMs,
      rng: createRng(seed, 7),
      queue: createEventQueue<Pending>(),
      events: createEventLog(100_000),
    };
    scheduleTick(state, 0);
    counterLog(state, 'start', `Counter with seed ${seed}`, true);
    return state;
  },
  apply(state, command) {
    switch (command.type) {
      case 'add':
        state.count += command.amount;
        counterLog(state, 'add', `Added ${command.amount}, count ${state.count}`);
        return;
      case 'setGap':
        state.gapMinMs = command.gapMinMs;
        state.gapMaxMs = command.gapMaxMs;
        counterLog(state, 'gap', `Gap ${command.gapMinMs}–${command.gapMaxMs} ms`);
        return;
      case 'burst':
        for (let i = 0; i < command.count; i += 1) {
          scheduleEvent(state.queue, state.nowMs + command.delayMs, { kind: 'burst', index: i });
        }
        counterLog(state, 'burst', `Burst of ${command.count} in ${command.delayMs} ms`);
        return;
      case 'boom':
        throw new Error('boom: the counter exploded');
    }
  },
  advanceTo(state, atMs) {
    for (;;) {
      const due = popNextDue(state.queue, atMs);
      if (!due) break;
      state.nowMs = due.atMs;
      state.count += 1;
      if (due.event.kind === 'tick') {
        state.ticks += 1;
        const important = state.ticks % IMPORTANT_TICK_EVERY === 0;
        counterLog(state, 'tick', `Tick ${state.ticks}, count ${state.count}`, important);
        scheduleTick(state, due.atMs);
      } else {
        const text = `Burst tick ${due.event.index}, count ${state.count}`;
        counterLog(state, 'burst-tick', text, true);
      }
    }
    state.nowMs = atMs;
  },
  nextEventAtMs: (state) => peekNextAtMs(state.queue),
  nowMs: (state) => state.nowMs,
  events: (state) => state.events,
  view: (state) => ({
    atMs: state.nowMs,
    count: state.count,
    ticks: state.ticks,
    pending: state.queue.items.length,
  }),
  batch(state, name, params) {
    if (name === 'sum') return sumJob(state.count, params.n);
    if (name === 'explode') return explodingJob();
    throw new Error(`Unknown batch job "${name}".`);
  },
  checkInvariants(state) {
    assert(state.count >= 0, `count is never negative (got ${state.count})`);
  },
};

const COUNTER_CONFIG: CounterConfig = { gapMinMs: 200, gapMaxMs: 800 };

// ---------------------------------------------------------------------------------------------
// Helpers.

const SIMS: Record<string, AnyLabSim> = {
  counter: counterSim as unknown as AnyLabSim,
  'hash-ring': hashRingSim as unknown as AnyLabSim,
};

/** A CPU clock under the test's control: each read advances it by `stepMs`. */
class FakeClock {
  nowMs = 0;
  constructor(public stepMs = 0) {}
  read = (): number => {
    this.nowMs += this.stepMs;
    return this.nowMs;
  };
}

function makeRunner(
  options: Partial<RunnerOptions> = {},
  clock = new FakeClock(0),
  sims: Record<string, AnyLabSim> = SIMS,
): Runner {
  return new Runner(
    async (labId) => {
      const sim = sims[labId];
      if (!sim) throw new Error(`Unknown lab "${labId}".`);
      return sim;
    },
    { clockMs: clock.read, checkInvariants: true, ...options },
  );
}

function counterRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return { labId: 'counter', seed: 7, config: COUNTER_CONFIG, commands: [], atMs: 0, ...overrides };
}

const HASH_RING_SMALL: HashRingConfig = { ...hashRingDefaults, keys: 400, vnodesPerServer: 20 };

function hashRingRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    labId: 'hash-ring',
    seed: 11,
    config: HASH_RING_SMALL,
    commands: [],
    atMs: 0,
    ...overrides,
  };
}

async function send(runner: Runner, command: WorkerCommand): Promise<WorkerMessage[]> {
  return runner.handle(command);
}

async function frameOf(runner: Runner, wallMs: number): Promise<Frame> {
  const [message] = await runner.handle({ type: 'frame', wallMs });
  if (message?.type !== 'frame') throw new Error(`expected a frame, got ${message?.type}`);
  return message.frame;
}

/**
 * The reference: the sim driven directly, each logged command applied at its time, then straight
 * on to `atMs`. No runner, no checkpoints, no seeks.
 */
function straightRun<C, S, Cmd, V, B>(
  sim: LabSim<C, S, Cmd, V, B>,
  config: C,
  seed: number,
  commands: readonly LoggedCommand[],
  atMs: number,
): S {
  const state = sim.create(config, seed);
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    if (logged.atMs > sim.nowMs(state)) sim.advanceTo(state, logged.atMs);
    sim.apply(state, logged.command as Cmd);
  }
  if (atMs > sim.nowMs(state)) sim.advanceTo(state, atMs);
  return state;
}

/**
 * The timeline's candidates in a straight run: every event a logged command appended (cause
 * "command") and every other event the lab flagged important, with its 1-based sequence number.
 */
function markerCandidates<C, S, Cmd, V, B>(
  sim: LabSim<C, S, Cmd, V, B>,
  config: C,
  seed: number,
  commands: readonly LoggedCommand[],
  atMs: number,
): TimelineMarker[] {
  const state = sim.create(config, seed);
  const byCommand = new Set<number>();
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    if (logged.atMs > sim.nowMs(state)) sim.advanceTo(state, logged.atMs);
    const before = sim.events(state).total;
    sim.apply(state, logged.command as Cmd);
    for (let seq = before + 1; seq <= sim.events(state).total; seq += 1) byCommand.add(seq);
  }
  if (atMs > sim.nowMs(state)) sim.advanceTo(state, atMs);
  const log = sim.events(state);
  expect(log.items.length).toBe(log.total);
  const candidates: TimelineMarker[] = [];
  log.items.forEach((event: SimEvent, index) => {
    const seq = index + 1;
    const cause = byCommand.has(seq) ? 'command' : event.important ? 'important' : null;
    if (cause)
      candidates.push({ seq, atMs: event.atMs, kind: event.kind, text: event.text, cause });
  });
  return candidates;
}

/**
 * The markers the timeline should hold, worked out in one pass: the first candidate of each time
 * bucket, at the narrowest power-of-two bucket width (from 1 ms) that keeps at most `max`.
 */
function thinnedMarkers(candidates: readonly TimelineMarker[], max: number): TimelineMarker[] {
  for (let bucketMs = 1; ; bucketMs *= 2) {
    const firsts = new Map<number, TimelineMarker>();
    for (const marker of candidates) {
      const bucket = Math.floor(marker.atMs / bucketMs);
      if (!firsts.has(bucket)) firsts.set(bucket, marker);
    }
    if (firsts.size <= max) return [...firsts.values()];
  }
}

/** The counter's expected timeline after a straight run of `commands` to `atMs`. */
function expectedCounterMarkers(
  seed: number,
  commands: readonly LoggedCommand[],
  atMs: number,
  options: { config?: CounterConfig; max?: number } = {},
): TimelineMarker[] {
  const config = options.config ?? COUNTER_CONFIG;
  const candidates = markerCandidates(counterSim, config, seed, commands, atMs);
  return thinnedMarkers(candidates, options.max ?? MARKERS_MAX);
}

const START_MARKER: TimelineMarker = {
  seq: 1,
  atMs: 0,
  kind: 'start',
  text: 'Counter with seed 7',
  cause: 'important',
};

function counterStateOf(runner: Runner): CounterState {
  return runner.currentState as CounterState;
}

function hashRingStateOf(runner: Runner): HashRingState {
  return runner.currentState as HashRingState;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const counterCommandArb: fc.Arbitrary<CounterCommand> = fc.oneof(
  fc.record({ type: fc.constant('add' as const), amount: fc.integer({ min: 0, max: 5 }) }),
  fc
    .record({ min: fc.integer({ min: 1, max: 500 }), extra: fc.integer({ min: 0, max: 1000 }) })
    .map(({ min, extra }) => ({
      type: 'setGap' as const,
      gapMinMs: min,
      gapMaxMs: min + extra,
    })),
  fc.record({
    type: fc.constant('burst' as const),
    count: fc.integer({ min: 1, max: 3 }),
    delayMs: fc.integer({ min: 1, max: 2_000 }),
  }),
);

const serverIdArb = fc.integer({ min: 1, max: 8 }).map((n) => `S${n}`);

/** Hash-ring commands drawn from the whole union, sized so a property run stays quick. */
const hashRingCommandArb: fc.Arbitrary<HashRingCommand> = fc.oneof(
  fc.record({ type: fc.constant('addServer' as const), weight: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('removeServer' as const), serverId: serverIdArb }),
  fc.record({
    type: fc.constant('setFailed' as const),
    serverId: serverIdArb,
    failed: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('setWeight' as const),
    serverId: serverIdArb,
    weight: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    type: fc.constant('setVnodes' as const),
    vnodesPerServer: fc.integer({ min: 1, max: 60 }),
  }),
  fc.record({
    type: fc.constant('setHash' as const),
    hash: fc.constantFrom('murmur3' as const, 'fnv1a' as const, 'xxhash32' as const),
  }),
  fc.record({
    type: fc.constant('setReplicationFactor' as const),
    replicationFactor: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    type: fc.constant('addKey' as const),
    key: fc.string({ minLength: 0, maxLength: 6 }),
  }),
  fc.record({
    type: fc.constant('setBulkKeys' as const),
    count: fc.integer({ min: 0, max: 1_500 }),
  }),
  fc.constant({ type: 'clearKeys' as const }),
  fc.record({
    type: fc.constant('lookup' as const),
    key: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
  }),
  fc.record({
    type: fc.constant('setWorkload' as const),
    popularity: fc.constantFrom('uniform' as const, 'zipf' as const),
    zipfExponent: fc.double({ min: 0, max: 3, noNaN: true }),
    requestsPerSecond: fc.integer({ min: 0, max: 200 }),
  }),
);

function timedArb<T>(command: fc.Arbitrary<T>, maxMs: number) {
  return fc.record({ atMs: fc.integer({ min: 0, max: maxMs }), command });
}

/** Applies commands through the runner at their times (sorted, so no fork happens). */
async function driveInOrder(
  runner: Runner,
  timed: readonly { atMs: number; command: unknown }[],
): Promise<LoggedCommand[]> {
  const sorted = [...timed].sort((a, b) => a.atMs - b.atMs);
  for (const { atMs, command } of sorted) {
    await send(runner, { type: 'seek', atMs });
    await send(runner, { type: 'apply', command });
  }
  return sorted;
}

// ---------------------------------------------------------------------------------------------

describe('Runner: load', () => {
  it('replays a loaded command log and lands at run.atMs, as a straight run does', async () => {
    const commands: LoggedCommand[] = [
      { atMs: 0, command: { type: 'add', amount: 3 } },
      { atMs: 1_500, command: { type: 'burst', count: 2, delayMs: 400 } },
      { atMs: 4_000, command: { type: 'setGap', gapMinMs: 50, gapMaxMs: 60 } },
      { atMs: 9_000, command: { type: 'add', amount: 1 } },
    ];
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun({ commands, atMs: 6_000 }) });
    expect(runner.nowMs).toBe(6_000);
    expect(runner.currentState).toEqual(
      straightRun(counterSim, COUNTER_CONFIG, 7, commands, 6_000),
    );
    // The log keeps the command after atMs: the run is loaded as a whole, positioned at 6 s.
    const [run] = await send(runner, { type: 'getRun' });
    expect(run).toEqual({ type: 'run', run: counterRun({ commands, atMs: 6_000 }) });
    // Going on to the end applies the later command too.
    await send(runner, { type: 'seek', atMs: 12_000 });
    expect(runner.currentState).toEqual(
      straightRun(counterSim, COUNTER_CONFIG, 7, commands, 12_000),
    );
  });

  it('sorts a loaded log by time and drops entries whose time is not a valid ms', async () => {
    const runner = makeRunner();
    const add = (amount: number) => ({ type: 'add', amount });
    await send(runner, {
      type: 'load',
      run: counterRun({
        commands: [
          { atMs: 3_000, command: add(3) },
          { atMs: 1_000, command: add(1) },
          { atMs: -5, command: add(100) },
          { atMs: 2.5, command: add(200) },
          { atMs: RUN_LENGTH_MS_MAX + 1, command: add(300) },
        ],
        atMs: 5_000,
      }),
    });
    expect(runner.commandLog).toEqual([
      { atMs: 1_000, command: add(1) },
      { atMs: 3_000, command: add(3) },
    ]);
    expect(runner.currentState).toEqual(
      straightRun(counterSim, COUNTER_CONFIG, 7, runner.commandLog, 5_000),
    );
  });

  it('loads the real hash-ring sim with a log and lands on the same state as a straight run', async () => {
    const commands: LoggedCommand[] = [
      { atMs: 0, command: { type: 'addServer', weight: 2 } },
      { atMs: 2_000, command: { type: 'setFailed', serverId: 'S2', failed: true } },
      { atMs: 2_000, command: { type: 'addKey', key: 'user:42' } },
      {
        atMs: 7_500,
        command: {
          type: 'setWorkload',
          popularity: 'zipf',
          zipfExponent: 1.2,
          requestsPerSecond: 80,
        },
      },
      { atMs: 12_000, command: { type: 'removeServer', serverId: 'S1' } },
    ];
    const runner = makeRunner();
    await send(runner, { type: 'load', run: hashRingRun({ commands, atMs: 15_000 }) });
    const reference = straightRun(hashRingSim, HASH_RING_SMALL, 11, commands, 15_000);
    expect(runner.nowMs).toBe(15_000);
    expect(runner.currentState).toEqual(reference);
    expect(hashRingSim.view(hashRingStateOf(runner), {})).toEqual(hashRingSim.view(reference, {}));
    expect(hashRingStateOf(runner).requestsTotal).toBeGreaterThan(0);
    const [message] = await send(runner, { type: 'getRun' });
    expect(message).toEqual({ type: 'run', run: hashRingRun({ commands, atMs: 15_000 }) });
  });

  it('getRun returns the commands applied live, with their virtual times', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'apply', command: { type: 'add', amount: 2 } });
    await send(runner, { type: 'seek', atMs: 2_345 });
    await send(runner, { type: 'apply', command: { type: 'add', amount: 5 } });
    const [message] = await send(runner, { type: 'getRun' });
    expect(message).toEqual({
      type: 'run',
      run: counterRun({
        commands: [
          { atMs: 0, command: { type: 'add', amount: 2 } },
          { atMs: 2_345, command: { type: 'add', amount: 5 } },
        ],
        atMs: 2_345,
      }),
    });
  });
});

describe('Runner: frames, speed and pause', () => {
  it('advances wallMs × speed per frame, carrying the fraction to the next frame', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'setSpeed', speed: 0.25 });
    await send(runner, { type: 'play' });
    // 10 ms × 0.25 = 2.5 ms per frame: 2, then 2 + 0.5 + 0.5 = 3, and so on.
    const times: number[] = [];
    for (let i = 0; i < 4; i += 1) times.push((await frameOf(runner, 10)).atMs);
    expect(times).toEqual([2, 5, 7, 10]);
  });

  it('property: n frames advance n × wallMs × speed within one millisecond', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.array(fc.double({ min: 0, max: FRAME_WALL_MS_MAX, noNaN: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (speed, walls) => {
          const runner = makeRunner({ checkInvariants: false });
          await send(runner, {
            type: 'load',
            run: counterRun({ config: { gapMinMs: 500, gapMaxMs: 5_000 } }),
          });
          await send(runner, { type: 'setSpeed', speed });
          await send(runner, { type: 'play' });
          let wanted = 0;
          for (const wall of walls) {
            const frame = await frameOf(runner, wall);
            expect(frame.behind).toBe(false);
            expect(Number.isInteger(frame.atMs)).toBe(true);
            wanted += wall * speed;
          }
          expect(runner.nowMs).toBeLessThanOrEqual(wanted + 1e-6);
          expect(runner.nowMs).toBeGreaterThan(wanted - 1 - 1e-6);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never advances more than FRAME_WALL_MS_MAX × speed in one frame (a tab that slept)', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'setSpeed', speed: 2 });
    await send(runner, { type: 'play' });
    const frame = await frameOf(runner, 60_000);
    expect(frame.atMs).toBe(FRAME_WALL_MS_MAX * 2);
    expect((await frameOf(runner, Number.NaN)).atMs).toBe(FRAME_WALL_MS_MAX * 2);
    expect((await frameOf(runner, -50)).atMs).toBe(FRAME_WALL_MS_MAX * 2);
  });

  it.each([
    [1_000, 100],
    [100, 100],
    [0.001, 0.1],
    [0, 0.1],
    [-3, 0.1],
    [0.5, 0.5],
    [Number.NaN, 1],
    [Number.POSITIVE_INFINITY, 1],
  ])('setSpeed(%s) gives speed %s', async (asked, expected) => {
    expect(clampSpeed(asked)).toBe(expected);
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'setSpeed', speed: asked });
    const frame = await frameOf(runner, 0);
    expect(frame.speed).toBe(expected);
  });

  it('a clamped speed of 100 advances 100 × wall time', async () => {
    const runner = makeRunner();
    await send(runner, {
      type: 'load',
      run: counterRun({ config: { gapMinMs: 3_000, gapMaxMs: 4_000 } }),
    });
    await send(runner, { type: 'setSpeed', speed: 1e6 });
    await send(runner, { type: 'play' });
    const frame = await frameOf(runner, 20);
    expect(frame.atMs).toBe(2_000);
    expect(frame.actualSpeed).toBe(100);
  });

  it('pause stops virtual time; play resumes it', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'play' });
    expect((await frameOf(runner, 100)).atMs).toBe(100);
    await send(runner, { type: 'pause' });
    const paused = await frameOf(runner, 100);
    expect(paused.atMs).toBe(100);
    expect(paused.playing).toBe(false);
    expect(paused.actualSpeed).toBe(0);
    expect((await frameOf(runner, 250)).atMs).toBe(100);
    expect(runner.isPlaying).toBe(false);
    await send(runner, { type: 'play' });
    expect((await frameOf(runner, 50)).atMs).toBe(150);
  });

  it('a frame that runs out of its CPU budget says it is behind and reports the real speed', async () => {
    // Every clock read costs 100 ms of CPU, far past the 8 ms budget after the first slice.
    const slow = new FakeClock(100);
    const runner = makeRunner({ checkpointIntervalMs: 1_000 }, slow);
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'setSpeed', speed: 100 });
    await send(runner, { type: 'play' });
    const frame = await frameOf(runner, 200);
    expect(frame.behind).toBe(true);
    expect(frame.atMs).toBeLessThan(20_000);
    expect(frame.atMs).toBeGreaterThan(0);
    expect(frame.actualSpeed).toBeLessThan(frame.speed);
    expect(frame.actualSpeed).toBeCloseTo(frame.atMs / 200, 10);
    expect(frame.computeMs).toBeGreaterThan(8);
    // Whatever the frame reached, the state there is the exact state of a straight run.
    expect(runner.currentState).toEqual(straightRun(counterSim, COUNTER_CONFIG, 7, [], frame.atMs));

    // The same frame on a fast clock reaches the full 20 s and is not behind.
    const fast = makeRunner({ checkpointIntervalMs: 1_000 });
    await send(fast, { type: 'load', run: counterRun() });
    await send(fast, { type: 'setSpeed', speed: 100 });
    await send(fast, { type: 'play' });
    const fastFrame = await frameOf(fast, 200);
    expect(fastFrame.behind).toBe(false);
    expect(fastFrame.atMs).toBe(20_000);
    expect(fastFrame.actualSpeed).toBe(100);
  });

  it('reports changed=false and no snapshot when nothing happened since the last frame', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    const first = await frameOf(runner, 16);
    expect(first.changed).toBe(true);
    expect(first.snapshot).toEqual({ atMs: 0, count: 0, ticks: 0, pending: 1 });
    expect(first.eventsReset).toBe(true);
    expect(first.events.map((e) => e.kind)).toEqual(['start']);
    expect(first.markers).toEqual([START_MARKER]);
    const idle = await frameOf(runner, 16);
    expect(idle.changed).toBe(false);
    expect(idle.snapshot).toBeNull();
    expect(idle.events).toEqual([]);
    expect(idle.markers).toBeNull();
    await send(runner, { type: 'apply', command: { type: 'add', amount: 4 } });
    const after = await frameOf(runner, 16);
    expect(after.changed).toBe(true);
    expect(after.eventsReset).toBe(false);
    expect(after.events.map((e) => e.text)).toEqual(['Added 4, count 4']);
    expect(after.commandCount).toBe(1);
  });

  it('sends the hash ring only when its version changed (known versions)', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: hashRingRun() });
    const first = (await frameOf(runner, 0)).snapshot as HashRingSnapshot;
    expect(first.ring).not.toBeNull();
    expect(first.keys).not.toBeNull();
    await send(runner, { type: 'pause' });
    const second = (await frameOf(runner, 0)).snapshot as HashRingSnapshot;
    expect(second.ring).toBeNull();
    expect(second.keys).toBeNull();
    await send(runner, { type: 'apply', command: { type: 'addServer' } });
    const third = (await frameOf(runner, 0)).snapshot as HashRingSnapshot;
    expect(third.ring?.positions.length).toBe(5 * 20);
    expect(third.keys).not.toBeNull();
    // A new load starts from nothing known.
    await send(runner, { type: 'load', run: hashRingRun() });
    expect(((await frameOf(runner, 0)).snapshot as HashRingSnapshot).ring).not.toBeNull();
  });
});

describe('Runner: step and stepBack', () => {
  it('step goes exactly to the next scheduled event and pauses', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'play' });
    for (let i = 1; i <= 5; i += 1) {
      const next = counterSim.nextEventAtMs(counterStateOf(runner));
      expect(next).not.toBeNull();
      await send(runner, { type: 'step' });
      expect(runner.nowMs).toBe(next);
      expect(counterStateOf(runner).ticks).toBe(i);
      expect(runner.isPlaying).toBe(false);
    }
  });

  it('step stops at a logged command that comes before the next event', async () => {
    const runner = makeRunner();
    const commands = [{ atMs: 1, command: { type: 'add', amount: 9 } }];
    await send(runner, { type: 'load', run: counterRun({ commands, atMs: 0 }) });
    expect(counterSim.nextEventAtMs(counterStateOf(runner))).toBeGreaterThan(1);
    await send(runner, { type: 'step' });
    expect(runner.nowMs).toBe(1);
    expect(counterStateOf(runner).count).toBe(9);
  });

  it('step moves a small fixed step when nothing is scheduled', async () => {
    const runner = makeRunner({ stepFallbackMs: 250 });
    await send(runner, {
      type: 'load',
      run: hashRingRun({
        commands: [
          {
            atMs: 0,
            command: {
              type: 'setWorkload',
              popularity: 'uniform',
              zipfExponent: 1,
              requestsPerSecond: 0,
            },
          },
        ],
      }),
    });
    expect(hashRingSim.nextEventAtMs(hashRingStateOf(runner))).toBeNull();
    await send(runner, { type: 'step' });
    expect(runner.nowMs).toBe(250);
  });

  it('step on the hash ring serves exactly the next request', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: hashRingRun() });
    for (let i = 1; i <= 3; i += 1) {
      const next = hashRingSim.nextEventAtMs(hashRingStateOf(runner));
      expect(next).not.toBeNull();
      await send(runner, { type: 'step' });
      expect(runner.nowMs).toBe(next);
      expect(hashRingStateOf(runner).requestsTotal).toBeGreaterThanOrEqual(i);
      expect(hashRingSim.nextEventAtMs(hashRingStateOf(runner))).toBeGreaterThan(runner.nowMs);
    }
  });

  it('stepBack goes to a marker just behind, else a small step, never below 0', async () => {
    const runner = makeRunner({ stepFallbackMs: 100 });
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'seek', atMs: 3_000 });
    await send(runner, { type: 'apply', command: { type: 'add', amount: 1 } });
    await send(runner, { type: 'seek', atMs: 3_040 });
    await send(runner, { type: 'stepBack' });
    expect(runner.nowMs).toBe(3_000);
    expect(counterStateOf(runner).count).toBe(
      (straightRun(counterSim, COUNTER_CONFIG, 7, runner.commandLog, 3_000) as CounterState).count,
    );
    await send(runner, { type: 'seek', atMs: 60 });
    await send(runner, { type: 'stepBack' });
    expect(runner.nowMs).toBe(0);
  });
});

describe('Runner: seek', () => {
  it('property (counter): seek back then forward lands on the state of a straight run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000 }),
        fc.array(timedArb(counterCommandArb, 30_000), { maxLength: 12 }),
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 0, max: 40_000 }),
        async (seed, timed, backMs, forwardMs) => {
          const runner = makeRunner({ checkpointIntervalMs: 2_000, checkpointsMax: 6 });
          await send(runner, { type: 'load', run: counterRun({ seed }) });
          const log = await driveInOrder(runner, timed);
          await send(runner, { type: 'seek', atMs: 40_000 });
          await send(runner, { type: 'seek', atMs: backMs });
          expect(runner.currentState).toEqual(
            straightRun(counterSim, COUNTER_CONFIG, seed, log, backMs),
          );
          await send(runner, { type: 'seek', atMs: forwardMs });
          expect(runner.nowMs).toBe(forwardMs);
          expect(runner.currentState).toEqual(
            straightRun(counterSim, COUNTER_CONFIG, seed, log, forwardMs),
          );
          expect(runner.commandLog).toEqual(log);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('property (hash ring): seek back then forward lands on the state of a straight run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(timedArb(hashRingCommandArb, 20_000), { maxLength: 8 }),
        fc.integer({ min: 0, max: 25_000 }),
        fc.integer({ min: 0, max: 25_000 }),
        async (seed, timed, backMs, forwardMs) => {
          const runner = makeRunner({ checkpointIntervalMs: 3_000 });
          await send(runner, { type: 'load', run: hashRingRun({ seed }) });
          const log = await driveInOrder(runner, timed);
          await send(runner, { type: 'seek', atMs: 25_000 });
          await send(runner, { type: 'seek', atMs: backMs });
          await send(runner, { type: 'seek', atMs: forwardMs });
          const reference = straightRun(hashRingSim, HASH_RING_SMALL, seed, log, forwardMs);
          expect(structuredClone(runner.currentState)).toEqual(structuredClone(reference));
          expect(hashRingSim.view(hashRingStateOf(runner), {})).toEqual(
            hashRingSim.view(reference, {}),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('seek clamps to [0, one hour] and rounds to whole ms', async () => {
    const runner = makeRunner({ checkInvariants: false });
    await send(runner, {
      type: 'load',
      run: counterRun({ config: { gapMinMs: 60_000, gapMaxMs: 60_000 } }),
    });
    await send(runner, { type: 'seek', atMs: 1234.6 });
    expect(runner.nowMs).toBe(1_235);
    await send(runner, { type: 'seek', atMs: -10 });
    expect(runner.nowMs).toBe(0);
    await send(runner, { type: 'seek', atMs: RUN_LENGTH_MS_MAX * 3 });
    expect(runner.nowMs).toBe(RUN_LENGTH_MS_MAX);
    // One tick a minute for an hour.
    expect(counterStateOf(runner).ticks).toBe(60);
  });

  it('a seek resets the UI event list on the next frame', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'seek', atMs: 5_000 });
    await frameOf(runner, 0);
    await send(runner, { type: 'seek', atMs: 2_000 });
    const frame = await frameOf(runner, 0);
    expect(frame.eventsReset).toBe(true);
    const reference = straightRun(counterSim, COUNTER_CONFIG, 7, [], 2_000);
    expect(frame.events).toEqual(reference.events.items);
    expect(frame.horizonMs).toBe(5_000);
  });
});

describe('Runner: fork', () => {
  const add = (amount: number) => ({ type: 'add', amount });

  async function runWithThreeCommands(): Promise<Runner> {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await driveInOrder(runner, [
      { atMs: 1_000, command: add(1) },
      { atMs: 3_000, command: add(2) },
      { atMs: 6_000, command: add(3) },
    ]);
    await send(runner, { type: 'seek', atMs: 8_000 });
    return runner;
  }

  it('a command applied in the past drops the later commands, markers and horizon', async () => {
    const runner = await runWithThreeCommands();
    expect((await frameOf(runner, 0)).horizonMs).toBe(8_000);
    await send(runner, { type: 'seek', atMs: 2_000 });
    await send(runner, { type: 'apply', command: add(10) });
    expect(runner.commandLog).toEqual([
      { atMs: 1_000, command: add(1) },
      { atMs: 2_000, command: add(10) },
    ]);
    const frame = await frameOf(runner, 0);
    expect(frame.horizonMs).toBe(2_000);
    expect(frame.commandCount).toBe(2);
    expect(frame.markers).not.toBeNull();
    expect(Math.max(...(frame.markers ?? []).map((m) => m.atMs))).toBe(2_000);
    // The markers are exactly those of the new branch so far.
    expect(frame.markers).toEqual(expectedCounterMarkers(7, runner.commandLog, 2_000));
    // Going forward again follows the new branch: no +2 at 3 s, no +3 at 6 s.
    await send(runner, { type: 'seek', atMs: 8_000 });
    expect(runner.currentState).toEqual(
      straightRun(counterSim, COUNTER_CONFIG, 7, runner.commandLog, 8_000),
    );
    expect(runner.timelineMarkers).toEqual(expectedCounterMarkers(7, runner.commandLog, 8_000));
  });

  it('commands at exactly the fork time stay; only later ones go', async () => {
    const runner = await runWithThreeCommands();
    await send(runner, { type: 'seek', atMs: 3_000 });
    await send(runner, { type: 'apply', command: add(20) });
    expect(runner.commandLog).toEqual([
      { atMs: 1_000, command: add(1) },
      { atMs: 3_000, command: add(2) },
      { atMs: 3_000, command: add(20) },
    ]);
  });

  it('a command at the end of the run does not fork', async () => {
    const runner = await runWithThreeCommands();
    await send(runner, { type: 'apply', command: add(4) });
    expect(runner.commandLog.map((c) => c.atMs)).toEqual([1_000, 3_000, 6_000, 8_000]);
  });

  it('after a load positioned before later commands, applying forks them away', async () => {
    const runner = makeRunner();
    await send(runner, {
      type: 'load',
      run: counterRun({
        commands: [
          { atMs: 1_000, command: add(1) },
          { atMs: 5_000, command: add(5) },
        ],
        atMs: 2_000,
      }),
    });
    await send(runner, { type: 'apply', command: add(7) });
    expect(runner.commandLog).toEqual([
      { atMs: 1_000, command: add(1) },
      { atMs: 2_000, command: add(7) },
    ]);
  });

  it('property: random seeks and applies follow fork semantics; state and markers match a straight run', async () => {
    type Action = { kind: 'seek'; atMs: number } | { kind: 'apply'; command: CounterCommand };
    const actionArb: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ kind: fc.constant('seek' as const), atMs: fc.integer({ min: 0, max: 20_000 }) }),
      fc.record({ kind: fc.constant('apply' as const), command: counterCommandArb }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000 }),
        fc.array(actionArb, { maxLength: 25 }),
        async (seed, actions) => {
          const runner = makeRunner({ checkpointIntervalMs: 1_500, checkpointsMax: 5 });
          await send(runner, { type: 'load', run: counterRun({ seed }) });
          // The model: applying at time t keeps every command at or before t, drops the rest.
          let model: LoggedCommand[] = [];
          let nowMs = 0;
          let horizonMs = 0;
          for (const action of actions) {
            if (action.kind === 'seek') {
              await send(runner, { type: 'seek', atMs: action.atMs });
              nowMs = action.atMs;
              horizonMs = Math.max(horizonMs, nowMs);
            } else {
              await send(runner, { type: 'apply', command: action.command });
              const forked = nowMs < horizonMs || model.some((c) => c.atMs > nowMs);
              model = [
                ...model.filter((c) => c.atMs <= nowMs),
                { atMs: nowMs, command: action.command },
              ];
              if (forked) horizonMs = nowMs;
            }
          }
          expect(runner.commandLog).toEqual(model);
          expect(runner.nowMs).toBe(nowMs);
          expect(runner.currentState).toEqual(
            straightRun(counterSim, COUNTER_CONFIG, seed, model, nowMs),
          );
          expect(runner.checkpointCount).toBeLessThanOrEqual(5);
          const frame = await frameOf(runner, 0);
          expect(frame.horizonMs).toBe(horizonMs);
          // Every marker-worthy event of the branch up to the horizon is a marker, once.
          expect(runner.timelineMarkers).toEqual(expectedCounterMarkers(seed, model, horizonMs));
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('Runner: timeline markers', () => {
  const add = (amount: number): CounterCommand => ({ type: 'add', amount });

  it('markers are not duplicated by seeking back and replaying', async () => {
    const runner = makeRunner({ checkpointIntervalMs: 2_000 });
    await send(runner, { type: 'load', run: counterRun() });
    await driveInOrder(runner, [
      { atMs: 0, command: { type: 'add', amount: 1 } },
      { atMs: 4_000, command: { type: 'burst', count: 2, delayMs: 300 } },
    ]);
    await send(runner, { type: 'seek', atMs: 10_000 });
    const before = runner.timelineMarkers.slice();
    expect(before).toEqual(expectedCounterMarkers(7, runner.commandLog, 10_000));
    expect(before.length).toBeGreaterThan(5);
    for (const atMs of [0, 10_000, 3_999, 4_000, 7_777, 10_000, 5, 10_000]) {
      await send(runner, { type: 'seek', atMs });
    }
    expect(runner.timelineMarkers).toEqual(before);
    // Unchanged markers are not re-sent.
    await frameOf(runner, 0);
    await send(runner, { type: 'seek', atMs: 2_000 });
    expect((await frameOf(runner, 0)).markers).toBeNull();
  });

  it('playing past the horizon adds markers for the new events only', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'seek', atMs: 5_000 });
    await send(runner, { type: 'seek', atMs: 1_000 });
    await send(runner, { type: 'play' });
    for (let i = 0; i < 40; i += 1) await frameOf(runner, 250);
    expect(runner.nowMs).toBe(11_000);
    expect(runner.timelineMarkers).toEqual(expectedCounterMarkers(7, [], 11_000));
  });

  // Regression (fixed): an event that a command schedules for the current millisecond is never marked. After the
  // command, the horizon is (t, n commands); the event runs on the next advance with atMs = t, and
  // collectNewEvents only marks events with atMs > horizonMs or (atMs = horizonMs and more
  // commands applied), so it is dropped (runner.ts, collectNewEvents).
  it('an event scheduled by a command for the same millisecond becomes a marker', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'seek', atMs: 5_000 });
    await send(runner, { type: 'apply', command: { type: 'burst', count: 1, delayMs: 0 } });
    await send(runner, { type: 'seek', atMs: 5_100 });
    const reference = straightRun(counterSim, COUNTER_CONFIG, 7, runner.commandLog, 5_100);
    expect(reference.events.items.some((e) => e.kind === 'burst-tick' && e.atMs === 5_000)).toBe(
      true,
    );
    expect(runner.timelineMarkers).toEqual(expectedCounterMarkers(7, runner.commandLog, 5_100));
  });

  it('only important events and events a command logged become markers', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await driveInOrder(runner, [
      { atMs: 1_500, command: add(2) },
      { atMs: 4_000, command: { type: 'setGap', gapMinMs: 100, gapMaxMs: 300 } },
    ]);
    await send(runner, { type: 'seek', atMs: 12_000 });
    const log = counterStateOf(runner).events;
    const markers = runner.timelineMarkers;
    // Routine ticks stay in the event log only: three in four ticks are not marked.
    const routine = log.items.filter((e) => e.kind === 'tick' && !e.important);
    expect(routine.length).toBeGreaterThan(10);
    expect(markers.length).toBeLessThan(log.total - routine.length + 1);
    for (const marker of markers) {
      const event = log.items[marker.seq - 1];
      expect(event && { atMs: event.atMs, kind: event.kind, text: event.text }).toEqual({
        atMs: marker.atMs,
        kind: marker.kind,
        text: marker.text,
      });
      expect(marker.cause).toBe(
        marker.kind === 'add' || marker.kind === 'gap' ? 'command' : 'important',
      );
      expect(event?.important || marker.cause === 'command').toBe(true);
    }
    expect(markers.filter((m) => m.cause === 'command').map((m) => [m.atMs, m.kind])).toEqual([
      [1_500, 'add'],
      [4_000, 'gap'],
    ]);
    expect(markers.filter((m) => m.kind === 'tick').length).toBe(
      log.items.filter((e) => e.kind === 'tick' && e.important).length,
    );
  });

  it('the hash ring marks a command and its rebalance, not the requests it serves', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: hashRingRun() });
    await send(runner, { type: 'seek', atMs: 3_000 });
    // The default scene serves requests all along, and none of them is a marker.
    expect(hashRingStateOf(runner).requestsTotal).toBeGreaterThan(0);
    expect(runner.timelineMarkers).toEqual([]);
    await send(runner, { type: 'apply', command: { type: 'addServer' } });
    const markers = (await frameOf(runner, 0)).markers ?? [];
    expect(markers.length).toBe(1);
    expect(markers[0]).toMatchObject({ atMs: 3_000, kind: 'rebalance', cause: 'command' });
    await send(runner, { type: 'seek', atMs: 6_000 });
    expect(runner.timelineMarkers).toEqual(markers);
  });

  it('a long run keeps at most MARKERS_MAX markers, thinned by time bucket', async () => {
    const config: CounterConfig = { gapMinMs: 400, gapMaxMs: 1_200 };
    const runner = makeRunner({ checkInvariants: false });
    await send(runner, { type: 'load', run: counterRun({ config }) });
    await send(runner, { type: 'setSpeed', speed: 100 });
    await send(runner, { type: 'play' });
    let largest = 0;
    for (let i = 0; i < 600 && runner.isPlaying; i += 1) {
      const frame = await frameOf(runner, 250);
      largest = Math.max(largest, frame.markers?.length ?? 0);
      expect(runner.timelineMarkers.length).toBeLessThanOrEqual(MARKERS_MAX);
    }
    expect(runner.nowMs).toBe(RUN_LENGTH_MS_MAX);
    const candidates = markerCandidates(counterSim, config, 7, [], RUN_LENGTH_MS_MAX);
    // The hour holds several times more important events than the timeline keeps.
    expect(candidates.length).toBeGreaterThan(3 * MARKERS_MAX);
    expect(largest).toBeLessThanOrEqual(MARKERS_MAX);
    expect(runner.timelineMarkers.length).toBeGreaterThan(MARKERS_MAX / 2);
    expect(runner.timelineMarkers).toEqual(thinnedMarkers(candidates, MARKERS_MAX));
    // The kept markers still span the whole hour.
    expect(runner.timelineMarkers[0]?.atMs).toBe(0);
    expect(runner.timelineMarkers.at(-1)?.atMs).toBeGreaterThan(RUN_LENGTH_MS_MAX * 0.95);
  });

  it('property: thinning is deterministic: any order of plays, seeks and steps gives the markers of a straight run', async () => {
    const dense: CounterConfig = { gapMinMs: 5, gapMaxMs: 60 };
    type Move =
      | { kind: 'seek'; atMs: number }
      | { kind: 'play'; frames: number; wallMs: number; speed: number }
      | { kind: 'step' }
      | { kind: 'stepBack' };
    const moveArb: fc.Arbitrary<Move> = fc.oneof(
      fc.record({ kind: fc.constant('seek' as const), atMs: fc.integer({ min: 0, max: 30_000 }) }),
      fc.record({
        kind: fc.constant('play' as const),
        frames: fc.integer({ min: 1, max: 10 }),
        wallMs: fc.integer({ min: 1, max: 250 }),
        speed: fc.constantFrom(0.5, 1, 10),
      }),
      fc.constant({ kind: 'step' as const }),
      fc.constant({ kind: 'stepBack' as const }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(timedArb(counterCommandArb, 20_000), { maxLength: 5 }),
        fc.array(moveArb, { minLength: 1, maxLength: 12 }),
        async (seed, markersMax, timed, moves) => {
          const runner = makeRunner({ checkpointIntervalMs: 1_500, checkpointsMax: 6, markersMax });
          await send(runner, { type: 'load', run: counterRun({ seed, config: dense }) });
          const log = await driveInOrder(runner, timed);
          for (const move of moves) {
            if (move.kind === 'seek') await send(runner, { type: 'seek', atMs: move.atMs });
            else if (move.kind === 'play') {
              await send(runner, { type: 'setSpeed', speed: move.speed });
              await send(runner, { type: 'play' });
              for (let i = 0; i < move.frames; i += 1) await frameOf(runner, move.wallMs);
              await send(runner, { type: 'pause' });
            } else await send(runner, { type: move.kind });
            expect(runner.timelineMarkers.length).toBeLessThanOrEqual(markersMax);
          }
          const { horizonMs } = await frameOf(runner, 0);
          const expected = expectedCounterMarkers(seed, log, horizonMs, {
            config: dense,
            max: markersMax,
          });
          expect(runner.timelineMarkers).toEqual(expected);
          // A shared link of the run, loaded fresh at the horizon, shows the same timeline.
          const fresh = makeRunner({ markersMax });
          await send(fresh, { type: 'load', run: { ...runner.currentRun(), atMs: horizonMs } });
          expect(fresh.timelineMarkers).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('seeking and stepping back keep the same markers and do not re-send them', async () => {
    const runner = makeRunner({ markersMax: 10 });
    await send(runner, {
      type: 'load',
      run: counterRun({ config: { gapMinMs: 20, gapMaxMs: 90 } }),
    });
    await driveInOrder(runner, [{ atMs: 2_000, command: add(3) }]);
    await send(runner, { type: 'seek', atMs: 9_000 });
    await frameOf(runner, 0);
    const before = runner.timelineMarkers.slice();
    expect(before).toEqual(
      expectedCounterMarkers(7, runner.commandLog, 9_000, {
        config: { gapMinMs: 20, gapMaxMs: 90 },
        max: 10,
      }),
    );
    expect(before.length).toBeGreaterThan(5);
    for (const move of [
      { type: 'stepBack' },
      { type: 'stepBack' },
      { type: 'seek', atMs: 1_234 },
      { type: 'step' },
      { type: 'stepBack' },
      { type: 'seek', atMs: 0 },
      { type: 'seek', atMs: 9_000 },
    ] as WorkerCommand[]) {
      await send(runner, move);
      expect((await frameOf(runner, 0)).markers).toBeNull();
      expect(runner.timelineMarkers).toEqual(before);
    }
  });

  it('stepBack goes to the previous marker, passing routine events by', async () => {
    // Ticks every 10 ms; every fourth (each 40 ms) is important.
    const runner = makeRunner({ stepFallbackMs: 100 });
    await send(runner, {
      type: 'load',
      run: counterRun({ config: { gapMinMs: 10, gapMaxMs: 10 } }),
    });
    await send(runner, { type: 'seek', atMs: 1_035 });
    expect(counterStateOf(runner).events.items.at(-1)).toMatchObject({ atMs: 1_030 });
    await send(runner, { type: 'stepBack' });
    expect(runner.nowMs).toBe(1_000);
    await send(runner, { type: 'stepBack' });
    expect(runner.nowMs).toBe(960);
  });

  it('a fork drops the future markers and keeps the past ones where they were', async () => {
    const dense: CounterConfig = { gapMinMs: 5, gapMaxMs: 40 };
    const runner = makeRunner({ markersMax: 8 });
    await send(runner, { type: 'load', run: counterRun({ config: dense }) });
    await send(runner, { type: 'seek', atMs: 20_000 });
    const before = runner.timelineMarkers.slice();
    expect(before).toEqual(expectedCounterMarkers(7, [], 20_000, { config: dense, max: 8 }));
    await send(runner, { type: 'seek', atMs: 7_000 });
    const totalAtFork = counterStateOf(runner).events.total;
    await send(runner, { type: 'apply', command: add(5) });
    const past = before.filter((m) => m.seq <= totalAtFork);
    expect(past.length).toBeGreaterThan(0);
    expect(past.length).toBeLessThan(before.length);
    // The command lands in the bucket of the last past marker or after it; either way the past
    // markers are unchanged and nothing after the fork is left.
    const after = (await frameOf(runner, 0)).markers ?? [];
    expect(after.slice(0, past.length)).toEqual(past);
    expect(after.every((m) => m.atMs <= 7_000)).toBe(true);
    expect(after.length - past.length).toBeLessThanOrEqual(1);
  });
});

describe('Runner: checkpoints', () => {
  it('thins checkpoints on a long run, stays exact, and never holds more than checkpointsMax', async () => {
    const runner = makeRunner({
      checkpointIntervalMs: 1_000,
      checkpointsMax: 8,
      checkInvariants: false,
    });
    const config: CounterConfig = { gapMinMs: 20_000, gapMaxMs: 40_000 };
    await send(runner, { type: 'load', run: counterRun({ config }) });
    await send(runner, { type: 'setSpeed', speed: 100 });
    await send(runner, { type: 'play' });
    let maxSeen = 0;
    // 600 frames × 250 ms × 100 = 4 hours asked; the run stops at one hour.
    for (let i = 0; i < 600 && runner.isPlaying; i += 1) {
      await frameOf(runner, 250);
      maxSeen = Math.max(maxSeen, runner.checkpointCount);
    }
    expect(runner.nowMs).toBe(RUN_LENGTH_MS_MAX);
    expect(runner.isPlaying).toBe(false);
    expect(maxSeen).toBeLessThanOrEqual(8);
    expect(runner.checkpointCount).toBeGreaterThanOrEqual(2);
    for (const atMs of [1_234_567, 17, 3_599_999, 2_000_000]) {
      await send(runner, { type: 'seek', atMs });
      expect(runner.currentState).toEqual(straightRun(counterSim, config, 7, [], atMs));
    }
    expect(runner.checkpointCount).toBeLessThanOrEqual(8);
  });
});

describe('Runner: batch jobs', () => {
  async function drain(runner: Runner, budgetMs: number): Promise<WorkerMessage[]> {
    const messages: WorkerMessage[] = [];
    for (let i = 0; i < 1_000 && runner.hasBatchWork; i += 1) {
      messages.push(...runner.runBatchSlices(budgetMs));
    }
    return messages;
  }

  it('sends progress messages in slices, then one batchResult; the live run is untouched', async () => {
    const clock = new FakeClock(1);
    const runner = makeRunner({}, clock);
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'apply', command: { type: 'add', amount: 100 } });
    const stateBefore = structuredClone(runner.currentState);
    expect(
      await send(runner, { type: 'batch', jobId: 'j1', name: 'sum', params: { n: 30 } }),
    ).toEqual([]);
    expect(runner.hasBatchWork).toBe(true);
    const messages = await drain(runner, 4);
    const progress = messages.filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const done = progress.map((m) => (m.type === 'progress' ? m.done : -1));
    for (let i = 1; i < done.length; i += 1) expect(done[i]).toBeGreaterThan(done[i - 1]!);
    for (const m of progress) expect(m).toMatchObject({ jobId: 'j1', total: 30, label: 'summing' });
    expect(messages.at(-1)).toEqual({
      type: 'batchResult',
      jobId: 'j1',
      name: 'sum',
      result: { sum: 100 + (30 * 31) / 2 },
    });
    expect(messages.filter((m) => m.type === 'batchResult')).toHaveLength(1);
    expect(runner.hasBatchWork).toBe(false);
    expect(runner.currentState).toEqual(stateBefore);
  });

  it('cancelBatch stops a job: no more messages, and the job is closed', async () => {
    const runner = makeRunner({}, new FakeClock(1));
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'batch', jobId: 'long', name: 'sum', params: { n: 1_000 } });
    const first = runner.runBatchSlices(3);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((m) => m.type === 'progress')).toBe(true);
    const cleanupsBefore = batchCleanups;
    expect(await send(runner, { type: 'cancelBatch', jobId: 'long' })).toEqual([
      { type: 'batchCancelled', jobId: 'long' },
    ]);
    expect(batchCleanups).toBe(cleanupsBefore + 1);
    expect(runner.hasBatchWork).toBe(false);
    expect(runner.runBatchSlices(3)).toEqual([]);
    // Cancelling again, or an unknown job, says nothing.
    expect(await send(runner, { type: 'cancelBatch', jobId: 'long' })).toEqual([]);
  });

  it('runs the hash ring vnodeCurve job to a result through the runner', async () => {
    const runner = makeRunner({}, new FakeClock(5));
    await send(runner, { type: 'load', run: hashRingRun() });
    await send(runner, {
      type: 'batch',
      jobId: 'curve',
      name: 'vnodeCurve',
      params: { vnodeCounts: [1, 100], hashes: ['murmur3', 'fnv1a'] },
    });
    const messages = await drain(runner, 12);
    const progress = messages.filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const last = messages.at(-1);
    expect(last?.type).toBe('batchResult');
    if (last?.type !== 'batchResult') return;
    const result = last.result as { points: { hash: string; vnodesPerServer: number }[] };
    expect(result.points.map((p) => `${p.hash}@${p.vnodesPerServer}`)).toEqual([
      'murmur3@1',
      'murmur3@100',
      'fnv1a@1',
      'fnv1a@100',
    ]);
  });

  it('a sim without batch jobs answers with an error message', async () => {
    const { batch: _unused, ...withoutBatch } = counterSim;
    const runner = makeRunner({}, new FakeClock(0), {
      plain: { ...withoutBatch, id: 'plain' } as unknown as AnyLabSim,
    });
    await send(runner, { type: 'load', run: counterRun({ labId: 'plain' }) });
    const messages = await send(runner, { type: 'batch', jobId: 'x', name: 'sum', params: {} });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ type: 'error', during: 'sum' });
  });
});

describe('Runner: errors propagate from handle()', () => {
  it('an exception in apply rejects handle, and the command is not logged', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await expect(send(runner, { type: 'apply', command: { type: 'boom' } })).rejects.toThrow(
      'boom: the counter exploded',
    );
    expect(runner.commandLog).toEqual([]);
  });

  it('a broken invariant rejects handle when invariants are checked', async () => {
    const runner = makeRunner({ checkInvariants: true });
    await send(runner, { type: 'load', run: counterRun() });
    await expect(
      send(runner, { type: 'apply', command: { type: 'add', amount: -5 } }),
    ).rejects.toThrow('count is never negative (got -5)');
    const lenient = makeRunner({ checkInvariants: false });
    await send(lenient, { type: 'load', run: counterRun() });
    await expect(
      send(lenient, { type: 'apply', command: { type: 'add', amount: -5 } }),
    ).resolves.toEqual([]);
  });

  it('a load of a log with a failing command rejects', async () => {
    const runner = makeRunner();
    await expect(
      send(runner, {
        type: 'load',
        run: counterRun({ commands: [{ atMs: 100, command: { type: 'boom' } }] }),
      }),
    ).rejects.toThrow('boom');
  });

  it('an unknown lab, an unknown batch job, and a frame before any load all reject', async () => {
    const runner = makeRunner();
    await expect(frameOf(runner, 16)).rejects.toThrow('No lab is loaded');
    await expect(
      send(runner, { type: 'load', run: counterRun({ labId: 'nope' }) }),
    ).rejects.toThrow('Unknown lab "nope"');
    await send(runner, { type: 'load', run: hashRingRun() });
    await expect(
      send(runner, { type: 'batch', jobId: 'b', name: 'noSuchJob', params: {} }),
    ).rejects.toThrow('Unknown batch job "noSuchJob"');
  });

  it('an exception inside a batch slice is thrown from runBatchSlices', async () => {
    const runner = makeRunner({}, new FakeClock(0));
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'batch', jobId: 'e', name: 'explode', params: {} });
    expect(() => runner.runBatchSlices(10)).toThrow('batch exploded');
  });

  it('reset starts the run over with an empty log', async () => {
    const runner = makeRunner();
    await send(runner, { type: 'load', run: counterRun() });
    await send(runner, { type: 'seek', atMs: 3_000 });
    await send(runner, { type: 'apply', command: { type: 'add', amount: 2 } });
    await send(runner, { type: 'play' });
    await send(runner, { type: 'reset' });
    expect(runner.nowMs).toBe(0);
    expect(runner.isPlaying).toBe(false);
    expect(runner.commandLog).toEqual([]);
    expect(runner.currentState).toEqual(counterSim.create(COUNTER_CONFIG, 7));
    const frame = await frameOf(runner, 0);
    expect(frame.horizonMs).toBe(0);
    expect(frame.markers).toEqual([START_MARKER]);
  });
});
