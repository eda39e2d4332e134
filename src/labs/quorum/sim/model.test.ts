import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quorumDefaults } from '../config';
import { toCheckOps } from './batch';
import { checkLinearizable } from './checker';
import {
  HINT_RETRY_MS,
  HISTORY_MAX,
  ROUTINE_EVENTS_PER_WINDOW,
  ROUTINE_WINDOW_MS,
} from './constants';
import quorumSim from './index';
import { checkQuorumInvariants } from './invariants';
import {
  advanceQuorum,
  applyQuorumCommand,
  createQuorumState,
  type QuorumCommand,
  type QuorumConfig,
  type QuorumState,
} from './model';
import { viewQuorum } from './snapshot';

const QUIET: QuorumConfig = { ...quorumDefaults, opsPerSecond: 0, spares: 1 };

type Script = { atMs: number; command: QuorumCommand }[];

/** Runs a config and a command script, checking the invariants every 25 virtual ms. */
function run(config: Partial<QuorumConfig>, seed: number, script: Script, untilMs: number) {
  const state = createQuorumState({ ...QUIET, ...config }, seed);
  const sorted = [...script].sort((a, b) => a.atMs - b.atMs);
  let t = 0;
  const advance = (to: number) => {
    while (t < to) {
      t = Math.min(to, t + 25);
      advanceQuorum(state, t);
      checkQuorumInvariants(state);
    }
  };
  for (const step of sorted) {
    if (step.atMs > untilMs) break;
    advance(step.atMs);
    applyQuorumCommand(state, step.command);
    checkQuorumInvariants(state);
  }
  advance(untilMs);
  return state;
}

function opsOf(state: QuorumState, kind?: 'read' | 'write') {
  return state.history.filter((op) => kind === undefined || op.kind === kind);
}

function linearizability(state: QuorumState) {
  return checkLinearizable(toCheckOps(state.history));
}

describe('the worked example: N = 3, W = 1, R = 1, R3 cut off', () => {
  const script: Script = [
    { atMs: 0, command: { type: 'isolate', nodeId: 'R3' } },
    { atMs: 10, command: { type: 'clientWrite', client: 0, key: 0, text: 'Hiking and tea' } },
    { atMs: 500, command: { type: 'clientRead', client: 2, key: 0 } },
  ];

  it('C3 reads through the cut-off R3 and gets the old bio: a stale read, flagged', () => {
    const state = run({ writeQuorum: 1, readQuorum: 1 }, 1, script, 2_000);
    const [write, read] = opsOf(state);
    expect(write).toMatchObject({ kind: 'write', status: 'ok', value: 1, coordinator: 0 });
    // W = 1: the coordinator's own copy is enough, so the write returns in two client hops.
    expect(write?.completeMs).toBe(14);
    expect(read).toMatchObject({
      kind: 'read',
      status: 'ok',
      values: [0],
      stale: true,
      missed: [1],
    });
    expect(read?.completeMs).toBe(504);
    expect(state.counters.staleReads).toBe(1);
    expect(state.valueTexts['1']).toBe('Hiking and tea');
    const verdict = linearizability(state);
    expect(verdict.status).toBe('violation');
    const key = verdict.keys[0];
    expect(key?.status === 'violation' && key.blockedOpId).toBe(read?.id);
    expect(state.events.items.some((e) => e.kind === 'stale' && e.important)).toBe(true);
  });

  it('with W = 2, R = 2 in CP mode the same read fails instead of lying', () => {
    const state = run({ writeQuorum: 2, readQuorum: 2 }, 1, script, 2_000);
    const [write, read] = opsOf(state);
    expect(write).toMatchObject({ status: 'ok', quorumNodes: ['R1', 'R2'] });
    expect(read).toMatchObject({ status: 'fail', stale: false });
    expect(read?.reason).toMatch(/unavailable: 1 of 3 replicas reachable, R = 2/);
    expect(state.counters).toMatchObject({ staleReads: 0, unavailable: 1 });
    expect(linearizability(state).status).toBe('ok');
  });

  it('in AP mode the read is answered (sloppy) and is stale; a spare keeps a hint until the heal', () => {
    const state = run(
      { writeQuorum: 2, readQuorum: 2, mode: 'ap', antiEntropy: 'off', readRepair: 'off' },
      1,
      [...script, { atMs: 1_000, command: { type: 'heal' } }],
      3_000,
    );
    const [write, read] = opsOf(state);
    expect(write).toMatchObject({ status: 'ok' });
    expect(read).toMatchObject({ status: 'ok', sloppy: true, stale: true });
    expect(state.counters.hintsStored).toBe(1);
    expect(state.counters.hintsDelivered).toBe(1);
    expect(state.hints[0]).toEqual([]);
    // The hint brought R3 up to date: it now stores the bio.
    expect(state.stores[2]?.[0]?.[0]?.value).toBe(1);
    expect(state.lastConvergence).not.toBeNull();
  });
});

const quorumConfig = fc
  .record({
    replicas: fc.integer({ min: 3, max: 9 }),
    w: fc.double({ min: 0, max: 1, noNaN: true }),
    r: fc.double({ min: 0, max: 1, noNaN: true }),
    clients: fc.integer({ min: 1, max: 6 }),
    keys: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ replicas, w, r, clients, keys, seed }) => {
    const writeQuorum = 1 + Math.floor(w * replicas);
    // The smallest R with W + R > N, plus a random extra.
    const rMin = replicas - writeQuorum + 1;
    const readQuorum = Math.min(replicas, rMin + Math.floor(r * (replicas - rMin + 1)));
    return { replicas, writeQuorum, readQuorum, clients, keys, seed };
  });

describe('strict quorums without faults', () => {
  it('W + R > N and no faults: no stale read, and the history is linearizable', () => {
    fc.assert(
      fc.property(quorumConfig, ({ seed, ...config }) => {
        expect(config.writeQuorum + config.readQuorum).toBeGreaterThan(config.replicas);
        const state = run({ ...config, opsPerSecond: 60, writePercent: 50 }, seed, [], 3_000);
        expect(state.counters.opsInvoked).toBeGreaterThan(20);
        expect(state.counters.staleReads).toBe(0);
        expect(state.counters.unavailable + state.counters.timedOut).toBe(0);
        expect(linearizability(state).status).toBe('ok');
      }),
      { numRuns: 40 },
    );
  });

  it('with lost messages, a partial write lets reads invert unless read repair blocks', () => {
    // 20% loss leaves some writes on fewer than W replicas (they time out, indeterminate). A read
    // that sees such a write and returns it without writing it back lets a later read miss it.
    const config = {
      replicas: 5,
      writeQuorum: 3,
      readQuorum: 3,
      clients: 6,
      opsPerSecond: 120,
      lossPercent: 20,
    };
    let inversions = 0;
    for (let seed = 1; seed <= 20; seed += 1) {
      const loose = run({ ...config, readRepair: 'off' }, seed, [], 4_000);
      if (linearizability(loose).status === 'violation') inversions += 1;
      const blocking = run({ ...config, readRepair: 'blocking' }, seed, [], 4_000);
      expect(blocking.counters.staleReads).toBe(0);
      expect(linearizability(blocking).status).toBe('ok');
    }
    expect(inversions).toBeGreaterThan(0);
  });
});

describe('W + R ≤ N with a partition', () => {
  it('some seed yields a stale read, and the checker reports it', () => {
    let found: QuorumState | null = null;
    for (let seed = 1; seed <= 40 && found === null; seed += 1) {
      const state = run(
        { replicas: 5, writeQuorum: 2, readQuorum: 2, clients: 5, opsPerSecond: 40 },
        seed,
        [
          {
            atMs: 300,
            command: {
              type: 'setPartition',
              groups: [
                ['R1', 'R2'],
                ['R3', 'R4', 'R5'],
              ],
            },
          },
        ],
        3_000,
      );
      if (state.counters.staleReads > 0) found = state;
    }
    expect(found).not.toBeNull();
    const state = found as QuorumState;
    const stale = state.history.filter((op) => op.stale);
    expect(stale.length).toBe(state.counters.staleReads);
    expect(linearizability(state).status).toBe('violation');
  });
});

/** A random schedule of partitions, isolations and heals. */
const faultScript = (replicas: number) =>
  fc.array(
    fc.record({
      atMs: fc.integer({ min: 0, max: 2_500 }),
      kind: fc.constantFrom('split', 'isolate', 'heal'),
      node: fc.integer({ min: 0, max: replicas - 1 }),
      cut: fc.integer({ min: 1, max: replicas - 1 }),
    }),
    { minLength: 1, maxLength: 5 },
  );

function toCommands(
  replicas: number,
  faults: { atMs: number; kind: string; node: number; cut: number }[],
): Script {
  return faults.map((f) => {
    const ids = Array.from({ length: replicas }, (_, i) => `R${i + 1}`);
    if (f.kind === 'isolate')
      return { atMs: f.atMs, command: { type: 'isolate', nodeId: ids[f.node] as string } };
    if (f.kind === 'heal') return { atMs: f.atMs, command: { type: 'heal' } };
    return {
      atMs: f.atMs,
      command: { type: 'setPartition', groups: [ids.slice(0, f.cut), [...ids.slice(f.cut), 'H1']] },
    };
  });
}

describe('CP and AP under partitions', () => {
  it('CP mode with W + R > N never returns a stale read, and stays linearizable', () => {
    fc.assert(
      fc.property(
        quorumConfig.chain((c) => fc.tuple(fc.constant(c), faultScript(c.replicas))),
        ([{ seed, ...config }, faults]) => {
          const state = run(
            { ...config, mode: 'cp', opsPerSecond: 50 },
            seed,
            toCommands(config.replicas, faults),
            3_500,
          );
          expect(state.counters.staleReads).toBe(0);
          expect(linearizability(state).status).toBe('ok');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('AP mode never refuses a request while its coordinator (a replica) is reachable', () => {
    fc.assert(
      fc.property(
        quorumConfig.chain((c) => fc.tuple(fc.constant(c), faultScript(c.replicas))),
        ([{ seed, ...config }, faults]) => {
          const state = run(
            { ...config, mode: 'ap', opsPerSecond: 50, spares: 2 },
            seed,
            toCommands(config.replicas, faults),
            3_500,
          );
          expect(state.counters.unavailable + state.counters.timedOut).toBe(0);
          expect(state.history.filter((op) => op.status === 'fail')).toEqual([]);
          const done = state.history.filter((op) => op.status === 'ok').length;
          expect(done).toBeGreaterThan(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('in CP mode a partition makes some requests fail and counts them', () => {
    const state = run(
      { replicas: 5, writeQuorum: 3, readQuorum: 3, clients: 5, opsPerSecond: 50 },
      3,
      [
        {
          atMs: 200,
          command: {
            type: 'setPartition',
            groups: [
              ['R1', 'R2'],
              ['R3', 'R4', 'R5'],
            ],
          },
        },
      ],
      3_000,
    );
    expect(state.counters.unavailable).toBeGreaterThan(0);
    // Clients of R1 and R2 are on the minority side; R3–R5's clients still succeed.
    const fails = state.history.filter((op) => op.status === 'fail' && op.invokeMs > 300);
    expect(new Set(fails.map((op) => op.coordinator))).toEqual(new Set([0, 1]));
  });
});

describe('convergence after healing', () => {
  /**
   * Stated bound: anti-entropy pairs every replica with every other within N − 1 periods; allow
   * one more period for the phase, and for each exchange 2 × (tree depth + 2) one-way trips at
   * the slowest latency (1.5 × the mean).
   */
  function boundMs(config: QuorumConfig): number {
    const depth = Math.ceil(Math.log2(config.keys));
    return (
      config.replicas * config.antiEntropyPeriodMs +
      2 * (depth + 2) * Math.ceil(config.latencyMs * 1.5) +
      HINT_RETRY_MS
    );
  }

  it('anti-entropy alone converges every replica within the bound, for both summaries', () => {
    fc.assert(
      fc.property(
        quorumConfig,
        fc.constantFrom<'merkle' | 'full'>('merkle', 'full'),
        fc.constantFrom<'lww' | 'vclock'>('lww', 'vclock'),
        ({ seed, replicas, clients, keys }, antiEntropy, conflict) => {
          const config: QuorumConfig = {
            ...QUIET,
            replicas,
            clients,
            keys: keys + 3,
            writeQuorum: 1,
            readQuorum: 1,
            mode: 'ap',
            conflict,
            readRepair: 'off',
            antiEntropy,
            antiEntropyPeriodMs: 500,
            opsPerSecond: 80,
          };
          const healAt = 2_000;
          const state = run(
            config,
            seed,
            [
              { atMs: 100, command: { type: 'isolate', nodeId: 'R1' } },
              { atMs: healAt, command: { type: 'setWorkload', opsPerSecond: 0, writePercent: 50 } },
              { atMs: healAt, command: { type: 'heal' } },
            ],
            healAt + boundMs(config) + 1_000,
          );
          expect(state.lastConvergence).not.toBeNull();
          const tookMs = (state.lastConvergence?.convergedAtMs ?? 0) - healAt;
          expect(tookMs).toBeLessThanOrEqual(boundMs(config));
          // With the workload stopped, converged means identical replicas.
          expect(viewQuorum(state, {}).divergentKeys).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('without anti-entropy, read repair or hints, replicas stay apart', () => {
    const state = run(
      {
        writeQuorum: 1,
        readQuorum: 1,
        mode: 'ap',
        readRepair: 'off',
        antiEntropy: 'off',
        spares: 0,
      },
      2,
      [
        { atMs: 0, command: { type: 'isolate', nodeId: 'R3' } },
        { atMs: 10, command: { type: 'clientWrite', client: 0, key: 0 } },
        { atMs: 200, command: { type: 'heal' } },
      ],
      10_000,
    );
    expect(state.lastConvergence).toBeNull();
    expect(viewQuorum(state, {}).divergentKeys).toEqual([0]);
  });

  it('a Merkle summary sends far fewer entries than a full exchange when replicas agree', () => {
    const entries = (antiEntropy: 'merkle' | 'full') =>
      run({ keys: 16, antiEntropy, antiEntropyPeriodMs: 500 }, 4, [], 4_900).counters.aeEntriesSent;
    // 9 rounds × 3 replicas: a full exchange sends all 16 keys each way; in-sync Merkle roots
    // match at once, so each exchange costs one hash.
    expect(entries('full')).toBe(9 * 3 * 2 * 16);
    expect(entries('merkle')).toBe(9 * 3);
  });
});

describe('vector clocks', () => {
  it('keeps two clients’ concurrent writes as siblings for the client to merge', () => {
    const state = run(
      { conflict: 'vclock', writeQuorum: 2, readQuorum: 2 },
      1,
      [
        { atMs: 0, command: { type: 'clientWrite', client: 0, key: 0, text: 'Alice' } },
        { atMs: 0, command: { type: 'clientWrite', client: 1, key: 0, text: 'Bob' } },
        { atMs: 500, command: { type: 'clientRead', client: 2, key: 0 } },
        // C3 writes after reading both: its context has seen them, so it replaces them.
        { atMs: 1_000, command: { type: 'clientWrite', client: 2, key: 0, text: 'Alice & Bob' } },
        { atMs: 1_500, command: { type: 'clientRead', client: 0, key: 0 } },
      ],
      2_500,
    );
    const reads = opsOf(state, 'read');
    expect(reads[0]?.values).toEqual([1, 2]);
    expect(reads[1]?.values).toEqual([3]);
    expect(state.counters.readsWithSiblings).toBe(1);
    for (const store of state.stores) expect(store[0]?.map((v) => v.value)).toEqual([3]);
  });

  it('does not keep causally ordered writes as siblings', () => {
    const state = run(
      { conflict: 'vclock', writeQuorum: 2, readQuorum: 2 },
      1,
      [
        { atMs: 0, command: { type: 'clientWrite', client: 0, key: 0 } },
        { atMs: 300, command: { type: 'clientRead', client: 1, key: 0 } },
        { atMs: 600, command: { type: 'clientWrite', client: 1, key: 0 } },
        { atMs: 900, command: { type: 'clientRead', client: 2, key: 0 } },
      ],
      2_000,
    );
    expect(opsOf(state, 'read').map((op) => op.values)).toEqual([[1], [2]]);
    expect(state.counters.readsWithSiblings).toBe(0);
  });

  it('last write wins loses one of the two concurrent writes', () => {
    const state = run(
      { conflict: 'lww', writeQuorum: 2, readQuorum: 2 },
      1,
      [
        { atMs: 0, command: { type: 'clientWrite', client: 0, key: 0 } },
        { atMs: 0, command: { type: 'clientWrite', client: 1, key: 0 } },
        { atMs: 500, command: { type: 'clientRead', client: 2, key: 0 } },
      ],
      1_500,
    );
    // Same timestamp: the higher coordinator (R2) wins the tie.
    expect(opsOf(state, 'read')[0]?.values).toEqual([2]);
  });
});

describe('commands, limits and refusals', () => {
  it('refuses W or R above N, unknown nodes and a busy client, with a message', () => {
    const state = run({}, 1, [], 0);
    applyQuorumCommand(state, { type: 'setQuorum', writeQuorum: 4, readQuorum: 1 });
    applyQuorumCommand(state, { type: 'isolate', nodeId: 'R7' });
    applyQuorumCommand(state, { type: 'clientRead', client: 0, key: 0 });
    applyQuorumCommand(state, { type: 'clientRead', client: 0, key: 0 });
    applyQuorumCommand(state, { type: 'clientRead', client: 0, key: 5 });
    const refused = state.events.items.filter((e) => e.kind === 'refused').map((e) => e.text);
    expect(refused).toEqual([
      'W and R are whole numbers from 1 to N = 3.',
      'There is no server R7.',
      'C1 is still waiting for its last operation.',
      'There is no key 5.',
    ]);
    expect(state.config.writeQuorum).toBe(2);
  });

  it('records at most HISTORY_MAX operations and counts the rest', () => {
    const state = run({ opsPerSecond: 400, clients: 8, latencyMs: 5 }, 1, [], 5_000);
    expect(state.history.length).toBe(HISTORY_MAX);
    expect(state.counters.historyDropped).toBeGreaterThan(0);
    expect(state.counters.opsInvoked).toBe(HISTORY_MAX + state.counters.historyDropped);
  });

  it('routine events are logged a few per kind and window, and the rest summarised with their count', () => {
    const state = run(
      {
        replicas: 9,
        clients: 8,
        keys: 2,
        opsPerSecond: 200,
        writeQuorum: 5,
        readQuorum: 1,
        lossPercent: 20,
        mode: 'cp',
        readRepair: 'async',
      },
      6,
      [{ atMs: 1_000, command: { type: 'isolate', nodeId: 'R1' } }],
      12_000,
    );
    const summary = /^…and (\d+) more .* between (\d+) s and \d+ s/;
    for (const kind of ['repair', 'unavailable'] as const) {
      const events = state.events.items.filter((e) => e.kind === kind);
      const single = events.filter((e) => !summary.test(e.text));
      const summed = events.reduce((n, e) => n + Number(summary.exec(e.text)?.[1] ?? 0), 0);
      const perWindow = new Map<number, number>();
      for (const e of single) {
        const window = Math.floor(e.atMs / ROUTINE_WINDOW_MS);
        perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
      }
      expect(Math.max(...perWindow.values())).toBe(ROUTINE_EVENTS_PER_WINDOW);
      // Each summary covers the window before the one it is logged in.
      for (const e of events) {
        const from = summary.exec(e.text)?.[2];
        if (from !== undefined)
          expect(Number(from) * 1000).toBe(
            (Math.floor(e.atMs / ROUTINE_WINDOW_MS) - 1) * ROUTINE_WINDOW_MS,
          );
      }
      expect(summed).toBeGreaterThan(0);
      const held = state.routineLog.held[kind] ?? 0;
      const { readRepairWrites, unavailable, timedOut } = state.counters;
      const counted = kind === 'repair' ? readRepairWrites : unavailable + timedOut;
      // Every one is either logged, summarised, or held for the window still running.
      expect(single.length + summed + held).toBe(counted);
    }
    expect(state.events.total).toBeLessThan(100);
  });

  it('a slow link delays only the messages on it', () => {
    const state = run(
      { latencyMs: 10, writeQuorum: 3 },
      1,
      [
        { atMs: 0, command: { type: 'setSlowLink', a: 'R1', b: 'R3', factor: 20, lossPercent: 0 } },
        { atMs: 10, command: { type: 'clientWrite', client: 0, key: 0 } },
      ],
      2_000,
    );
    const write = opsOf(state, 'write')[0];
    // W = 3 waits for R3 over the slow link: 100 to 300 ms instead of 5 to 15 ms.
    expect((write?.completeMs ?? 0) - (write?.invokeMs ?? 0)).toBeGreaterThanOrEqual(100 + 4);
  });
});

describe('determinism', () => {
  const config: QuorumConfig = {
    ...quorumDefaults,
    replicas: 5,
    opsPerSecond: 80,
    clients: 4,
    lossPercent: 5,
  };
  const script: Script = [
    { atMs: 400, command: { type: 'isolate', nodeId: 'R2' } },
    { atMs: 1_500, command: { type: 'setQuorum', writeQuorum: 1, readQuorum: 1 } },
    { atMs: 2_200, command: { type: 'heal' } },
  ];

  it('same seed and commands give identical snapshots; another seed differs', () => {
    const a = run(config, 9, script, 4_000);
    const b = run(config, 9, script, 4_000);
    const c = run(config, 10, script, 4_000);
    expect(JSON.stringify(viewQuorum(a, {}))).toBe(JSON.stringify(viewQuorum(b, {})));
    expect(JSON.stringify(viewQuorum(a, {}))).not.toBe(JSON.stringify(viewQuorum(c, {})));
  });

  it('the history check batch job gives the same verdict as the checker', () => {
    const state = run(
      { writeQuorum: 1, readQuorum: 1, opsPerSecond: 40 },
      5,
      script.slice(0, 1),
      3_000,
    );
    const job = quorumSim.batch?.(structuredClone(state), 'check', {});
    let step = job?.next();
    while (step && !step.done) step = job?.next();
    const result = step?.value as { linearizability: { status: string }; staleReads: unknown[] };
    expect(result.linearizability.status).toBe(linearizability(state).status);
    expect(result.staleReads.length).toBe(state.counters.staleReads);
  });
});
