import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../kernel/prng';
import { runElectionToEnd } from './batch';
import {
  harmonic,
  lcrBestMessages,
  lcrRandomMessages,
  lcrWorstMessages,
  NODES_STAGE_MAX,
  type Timing,
} from './constants';
import { checkRingRun } from './invariants';
import { arrangeUids, latencyFor } from './model';
import { advanceRingRun, crashRingNode, ringStatus, startRingElection } from './ring';
import { createRingRun, type RingRun, silent } from './ring-core';

/** The oracle: each UID travels clockwise until the first larger UID (the maximum goes round). */
function lcrMessagesByScan(uids: readonly number[]): number {
  const n = uids.length;
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    let hops = 1;
    while (hops < n && uids[(i + hops) % n]! < uids[i]!) hops += 1;
    total += hops;
  }
  return total;
}

/** Runs LCR on the stage transport (the kernel network) until nothing is left to deliver. */
function runLcr(uids: readonly number[], timing: Timing, seed: number, delayMs = 100): RingRun {
  const run = createRingRun('lcr', uids, latencyFor(timing, delayMs), createRng(seed, 3));
  startRingElection(run, 0);
  let atMs = 0;
  while (run.finishedAtMs === null && run.stalledAtMs === null) {
    atMs += delayMs;
    advanceRingRun(run, atMs, silent);
    checkRingRun(run);
    if (atMs > 10_000_000) throw new Error('LCR did not end');
  }
  return run;
}

function runLcrInRounds(uids: readonly number[]) {
  const job = runElectionToEnd('lcr', uids, createRng(1, 1), { messages: 0 });
  for (;;) {
    const step = job.next();
    if (step.done) return step.value;
  }
}

const uidsArbitrary = fc.uniqueArray(fc.integer({ min: 0, max: 999_999 }), {
  minLength: 3,
  maxLength: NODES_STAGE_MAX,
});

describe('LCR: worked example', () => {
  it('UIDs 3, 1, 4, 2 clockwise: 2 + 1 + 4 + 1 = 8 election messages, 4 announcements, 8 rounds', () => {
    const run = runLcr([3, 1, 4, 2], 'sync', 1, 100);
    expect(run.electionMessages).toBe(8);
    expect(run.terminationMessages).toBe(4);
    expect(run.leaderIndex).toBe(2);
    // Node 2's UID is back after 4 rounds; the announcement takes 4 more.
    expect(run.electedAtMs).toBe(400);
    expect(run.finishedAtMs).toBe(800);
    expect(run.nodes.map((n) => n.state)).toEqual(['follower', 'follower', 'leader', 'follower']);
    // What each node has seen: the largest UID that reached it.
    expect(run.nodes.map((n) => n.maxSeen)).toEqual([4, 4, 4, 4]);
    // Node 1 (UID 1) passed on 3 and 4; node 3 (UID 2) passed on 4; node 0 (UID 3) passed on 4.
    expect(run.nodes.map((n) => n.forwarded)).toEqual([1, 2, 0, 1]);
  });

  it('node states change as the UIDs arrive', () => {
    const run = createRingRun('lcr', [3, 1, 4, 2], latencyFor('sync', 100), createRng(1, 3));
    startRingElection(run, 0);
    expect(run.nodes.map((n) => n.state)).toEqual([
      'candidate',
      'candidate',
      'candidate',
      'candidate',
    ]);
    advanceRingRun(run, 100, silent);
    // Round 1: node 1 got 3, node 0 got 2 (dropped), node 2 got 1, node 3 got 4.
    expect(run.nodes.map((n) => n.state)).toEqual(['candidate', 'relay', 'candidate', 'relay']);
    expect(ringStatus(run)).toBe('electing');
  });
});

describe('LCR: exact message counts', () => {
  it('ascending clockwise (best): 2n − 1 election messages and n announcements, n = 3…64, both timings', () => {
    for (let n = 3; n <= NODES_STAGE_MAX; n += 1) {
      for (const timing of ['sync', 'async'] as const) {
        const run = runLcr(arrangeUids('ascending', n, createRng(n)), timing, n);
        expect(run.electionMessages).toBe(lcrBestMessages(n));
        expect(run.electionMessages).toBe(2 * n - 1);
        expect(run.terminationMessages).toBe(n);
      }
    }
  });

  it('descending clockwise (worst): n(n + 1)/2 election messages and n announcements, n = 3…64', () => {
    for (let n = 3; n <= NODES_STAGE_MAX; n += 1) {
      for (const timing of ['sync', 'async'] as const) {
        const run = runLcr(arrangeUids('descending', n, createRng(n)), timing, n);
        expect(run.electionMessages).toBe(lcrWorstMessages(n));
        expect(run.electionMessages).toBe((n * (n + 1)) / 2);
        expect(run.terminationMessages).toBe(n);
      }
    }
    expect(lcrWorstMessages(8)).toBe(36);
  });

  it('in lockstep rounds up to 1,024 nodes: best 2n − 1, worst n(n + 1)/2', () => {
    for (const n of [100, 257, 512, 1024]) {
      expect(runLcrInRounds(arrangeUids('ascending', n, createRng(n))).electionMessages).toBe(
        2 * n - 1,
      );
      const worst = runLcrInRounds(arrangeUids('descending', n, createRng(n)));
      expect(worst.electionMessages).toBe((n * (n + 1)) / 2);
      expect(worst.terminationMessages).toBe(n);
      // n rounds for the maximum's UID to come home, n for the announcement.
      expect(worst.finishedAtMs).toBe(2 * n);
    }
  });

  it('random arrangements average n·Hₙ: within 3% over 400 seeds (n = 16) and 200 seeds (n = 64)', () => {
    for (const [n, seeds] of [
      [16, 400],
      [64, 200],
    ] as const) {
      let total = 0;
      for (let seed = 1; seed <= seeds; seed += 1) {
        const uids = arrangeUids('random', n, createRng(seed, 9));
        total += runLcr(uids, seed % 2 === 0 ? 'sync' : 'async', seed).electionMessages;
      }
      const mean = total / seeds;
      expect(lcrRandomMessages(n)).toBeCloseTo(n * harmonic(n), 9);
      expect(Math.abs(mean / lcrRandomMessages(n) - 1)).toBeLessThan(0.03);
    }
  });

  it('oracle: the count equals the sum of each UID’s distance to the next larger one (network and rounds)', () => {
    fc.assert(
      fc.property(uidsArbitrary, fc.integer({ min: 0, max: 2 ** 31 }), (uids, seed) => {
        const expected = lcrMessagesByScan(uids);
        expect(runLcr(uids, 'async', seed).electionMessages).toBe(expected);
        expect(runLcrInRounds(uids).electionMessages).toBe(expected);
      }),
    );
  });
});

describe('LCR: properties', () => {
  it('elects exactly one leader, the maximum UID, in every seed and mode', () => {
    fc.assert(
      fc.property(
        uidsArbitrary,
        fc.constantFrom<Timing>('sync', 'async'),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 50, max: 2_000 }),
        (uids, timing, seed, delayMs) => {
          const run = runLcr(uids, timing, seed, delayMs);
          const maxUid = Math.max(...uids);
          expect(run.finishedAtMs).not.toBeNull();
          const leaders = run.nodes.filter((n) => n.state === 'leader');
          expect(leaders).toHaveLength(1);
          expect(leaders[0]!.uid).toBe(maxUid);
          expect(run.nodes.every((n) => n.knownLeaderUid === maxUid)).toBe(true);
          expect(run.terminationMessages).toBe(uids.length);
        },
      ),
    );
  });

  it('a crash of the leader, or of a node the announcement has not reached, means LCR never finishes', () => {
    fc.assert(
      fc.property(
        uidsArbitrary,
        fc.constantFrom<Timing>('sync', 'async'),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.nat(),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (uids, timing, seed, crashPick, crashFraction) => {
          const clean = runLcr(uids, timing, seed);
          const crashAtMs = Math.floor((clean.finishedAtMs! - 1) * crashFraction);
          const run = createRingRun('lcr', uids, latencyFor(timing, 100), createRng(seed, 3));
          startRingElection(run, 0);
          advanceRingRun(run, crashAtMs, silent);
          const crashed = crashPick % uids.length;
          const node = run.nodes[crashed]!;
          // A node that already passed the announcement on is no longer needed.
          const needed = node.state === 'leader' || node.knownLeaderUid === null;
          crashRingNode(run, crashed, crashAtMs, silent);
          advanceRingRun(run, 60 * 60 * 1000, silent);
          checkRingRun(run);
          if (needed) {
            expect(run.finishedAtMs).toBeNull();
            expect(run.stalledAtMs).not.toBeNull();
            expect(ringStatus(run)).toBe('stalled');
          } else {
            expect(run.finishedAtMs).not.toBeNull();
          }
          // Nobody but the leader (if it was elected) holds the leader state.
          expect(run.nodes.filter((n) => n.state === 'leader').length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});
