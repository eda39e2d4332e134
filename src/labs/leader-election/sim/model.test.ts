import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessagesVsNResult } from './batch';
import { lcrBestMessages, lcrWorstMessages, parseUidList } from './constants';
import leaderElectionSim from './index';
import { checkLeaderElectionInvariants } from './invariants';
import {
  advanceLeaderElection,
  applyLeaderElectionCommand,
  createLeaderElectionState,
  type LeaderElectionCommand,
  type LeaderElectionConfig,
  type LeaderElectionState,
} from './model';
import { viewLeaderElection } from './snapshot';

/** One user action at a virtual time, as the runner logs it. */
interface LoggedCommand {
  atMs: number;
  command: LeaderElectionCommand;
}

const BASE: LeaderElectionConfig = {
  mode: 'lcr',
  nodes: 8,
  arrangement: 'random',
  uids: '',
  timing: 'sync',
  delayMs: 600,
};

function runStraight(
  config: LeaderElectionConfig,
  seed: number,
  commands: readonly LoggedCommand[],
  atMs: number,
): LeaderElectionState {
  const state = createLeaderElectionState(config, seed);
  for (const logged of commands) {
    if (logged.atMs > atMs) break;
    if (logged.atMs > state.nowMs) advanceLeaderElection(state, logged.atMs);
    applyLeaderElectionCommand(state, logged.command);
    checkLeaderElectionInvariants(state);
  }
  advanceLeaderElection(state, atMs);
  checkLeaderElectionInvariants(state);
  return state;
}

const configArbitrary: fc.Arbitrary<LeaderElectionConfig> = fc.record({
  mode: fc.constantFrom('lcr', 'compare', 'bully'),
  nodes: fc.integer({ min: 3, max: 24 }),
  arrangement: fc.constantFrom('random', 'ascending', 'descending'),
  uids: fc.constant(''),
  timing: fc.constantFrom('sync', 'async'),
  delayMs: fc.integer({ min: 50, max: 800 }),
}) as fc.Arbitrary<LeaderElectionConfig>;

const commandArbitrary: fc.Arbitrary<LeaderElectionCommand> = fc.oneof(
  fc.record({ type: fc.constant('crash' as const), node: fc.nat({ max: 30 }) }),
  fc.record({ type: fc.constant('recover' as const), node: fc.nat({ max: 30 }) }),
  fc.constant({ type: 'crashLeader' as const }),
  fc.constant({ type: 'restart' as const }),
);

const commandLogArbitrary = fc
  .array(fc.record({ atMs: fc.integer({ min: 0, max: 20_000 }), command: commandArbitrary }), {
    maxLength: 6,
  })
  .map((log) => log.sort((a, b) => a.atMs - b.atMs));

describe('leader-election model', () => {
  it('worst arrangement of 8 nodes: 36 election messages, 8 announcements, leader is node 0', () => {
    const state = createLeaderElectionState({ ...BASE, nodes: 8, arrangement: 'descending' }, 42);
    advanceLeaderElection(state, 60_000);
    const snapshot = viewLeaderElection(state);
    expect(snapshot.uids).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(snapshot.lcr?.electionMessages).toBe(36);
    expect(snapshot.lcr?.electionMessages).toBe(lcrWorstMessages(8));
    expect(snapshot.lcr?.terminationMessages).toBe(8);
    expect(snapshot.lcr?.status).toBe('finished');
    expect(snapshot.leaderIndex).toBe(0);
    expect(snapshot.formulas).toMatchObject({ n: 8, best: 15, worst: 36 });
    // 8 rounds of 600 ms for node 0's UID to come home, 8 more for the announcement.
    expect(snapshot.lcr?.finishedAtMs).toBe(16 * 600);
    expect(state.events.items.some((e) => e.kind === 'finished' && e.important)).toBe(true);
  });

  it('messages in flight carry send and arrival times, and the round counter follows the clock', () => {
    const state = createLeaderElectionState({ ...BASE, nodes: 5, arrangement: 'ascending' }, 1);
    advanceLeaderElection(state, 900);
    const snapshot = viewLeaderElection(state);
    expect(snapshot.round).toBe(2);
    // Round 2: only the maximum's UID (5, from node 4) is still travelling: node 0 → node 1.
    expect(snapshot.lcr?.flights).toEqual([
      {
        id: expect.any(Number),
        from: 0,
        to: 1,
        kind: 'uid',
        uid: 5,
        sentAtMs: 600,
        endAtMs: 1_200,
        dropped: false,
      },
    ]);
    expect(snapshot.lcr?.electionMessages).toBe(5 + 1);
  });

  it('crashing a node mid-election stalls LCR (and HS beside it); recovering is refused for them', () => {
    const state = createLeaderElectionState({ ...BASE, mode: 'compare', nodes: 8 }, 3);
    advanceLeaderElection(state, 700);
    applyLeaderElectionCommand(state, { type: 'crash', node: 2 });
    applyLeaderElectionCommand(state, { type: 'recover', node: 2 });
    expect(state.events.items.at(-1)?.kind).toBe('refused');
    advanceLeaderElection(state, 30 * 60 * 1000);
    const snapshot = viewLeaderElection(state);
    expect(snapshot.lcr?.status).toBe('stalled');
    expect(snapshot.hs?.status).toBe('stalled');
    expect(snapshot.lcr?.finishedAtMs).toBeNull();
    expect(state.events.items.filter((e) => e.kind === 'stalled')).toHaveLength(2);
    // Restart: a fresh election with every node up finishes.
    applyLeaderElectionCommand(state, { type: 'restart' });
    advanceLeaderElection(state, 60 * 60 * 1000);
    expect(viewLeaderElection(state).lcr?.status).toBe('finished');
  });

  it('Bully: crash the leader and the next highest ID takes over', () => {
    const state = createLeaderElectionState(
      { ...BASE, mode: 'bully', nodes: 6, arrangement: 'ascending' },
      5,
    );
    advanceLeaderElection(state, 20_000);
    expect(viewLeaderElection(state).bully?.leaderIndex).toBe(5);
    applyLeaderElectionCommand(state, { type: 'crashLeader' });
    advanceLeaderElection(state, 60_000);
    const bully = viewLeaderElection(state).bully!;
    expect(bully.leaderIndex).toBe(4);
    expect(bully.settled).toBe(true);
    expect(bully.nodes[5]!.state).toBe('crashed');
  });

  it('refuses duplicate typed UIDs with a message, and unknown nodes', () => {
    expect(parseUidList('5, 3, 5')).toEqual({
      ok: false,
      message: 'Duplicate UID 5 refused: every node needs its own UID.',
    });
    expect(parseUidList('4 9,2;7')).toEqual({ ok: true, uids: [4, 9, 2, 7] });
    expect(parseUidList('1, 2').ok).toBe(false);
    expect(parseUidList('1, 2, x').ok).toBe(false);
    const state = createLeaderElectionState({ ...BASE, arrangement: 'typed', uids: '5, 3, 5' }, 1);
    expect(state.events.items[0]?.kind).toBe('refused');
    expect(state.events.items[0]?.text).toContain('Duplicate UID 5 refused');
    expect(state.uids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const typed = createLeaderElectionState(
      { ...BASE, arrangement: 'typed', uids: '17 4 99 23' },
      1,
    );
    expect(typed.uids).toEqual([17, 4, 99, 23]);
    applyLeaderElectionCommand(typed, { type: 'crash', node: 9 });
    expect(typed.events.items.at(-1)?.text).toBe('There is no node 9: nodes are numbered 0 to 3.');
  });

  it('determinism: the same seed and commands give identical snapshots', () => {
    fc.assert(
      fc.property(configArbitrary, fc.nat(), commandLogArbitrary, (config, seed, commands) => {
        const a = runStraight(config, seed, commands, 30_000);
        const b = runStraight(config, seed, commands, 30_000);
        expect(viewLeaderElection(a)).toEqual(viewLeaderElection(b));
        expect(a.events).toEqual(b.events);
        expect(structuredClone(a)).toEqual(a);
      }),
      { numRuns: 60 },
    );
  });

  it('the batch job measures best 2n − 1 and worst n(n + 1)/2 up to 1,024 nodes, random near n·Hₙ', () => {
    const state = createLeaderElectionState(BASE, 42);
    const job = leaderElectionSim.batch!(state, 'messagesVsN', { nMax: 1024, trials: 20 });
    let last = { done: 0, total: 0 };
    let step = job.next();
    let slices = 0;
    while (!step.done) {
      const progress = step.value;
      expect(progress.done).toBeGreaterThanOrEqual(last.done);
      expect(progress.done).toBeLessThanOrEqual(progress.total);
      last = progress;
      slices += 1;
      step = job.next();
    }
    const result = step.value as MessagesVsNResult;
    expect(slices).toBeGreaterThan(100);
    expect(result.points.at(-1)?.n).toBe(1024);
    for (const point of result.points) {
      expect(point.best).toBe(lcrBestMessages(point.n));
      expect(point.worst).toBe(lcrWorstMessages(point.n));
      expect(point.terminationPerRun).toBe(point.n);
      expect(point.randomMin).toBeGreaterThanOrEqual(point.best);
      expect(point.randomMax).toBeLessThanOrEqual(point.worst);
      expect(point.hsMax).toBeLessThanOrEqual(point.hsBound);
      if (point.n >= 64) {
        expect(Math.abs(point.randomMean / (point.n * harmonicOf(point.n)) - 1)).toBeLessThan(0.1);
      }
    }
    expect(result.elections).toBe(result.points.length * (2 + 20 + 10));
  });
});

function harmonicOf(n: number): number {
  let h = 0;
  for (let k = 1; k <= n; k += 1) h += 1 / k;
  return h;
}
