import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../kernel/prng';
import { runElectionToEnd } from './batch';
import { hsMessageBound, NODES_STAGE_MAX, type Timing } from './constants';
import { checkRingRun } from './invariants';
import { arrangeUids, latencyFor } from './model';
import { advanceRingRun, startRingElection } from './ring';
import { createRingRun, type RingRun, silent } from './ring-core';

function runHs(uids: readonly number[], timing: Timing, seed: number, delayMs = 100): RingRun {
  const run = createRingRun('hs', uids, latencyFor(timing, delayMs), createRng(seed, 4));
  startRingElection(run, 0);
  let atMs = 0;
  while (run.finishedAtMs === null && run.stalledAtMs === null) {
    atMs += delayMs;
    advanceRingRun(run, atMs, silent);
    checkRingRun(run);
    if (atMs > 10_000_000) throw new Error('HS did not end');
  }
  return run;
}

describe('Hirschberg–Sinclair: worked example', () => {
  it('UIDs 1, 2, 3 clockwise: 9 messages in phase 0, 8 in phase 1, 6 in phase 2 = 23', () => {
    // Phase 0: six probes; 2 and 3 survive one hop on the side of node 0 (UID 1), and 3 also on
    // the side of node 1, so three replies. Only node 2 (UID 3) has both replies. Phase 1: each
    // probe goes 2 hops and its reply 2 hops back: 8. Phase 2: each probe comes home in 3 hops.
    const run = runHs([1, 2, 3], 'sync', 1, 100);
    expect(run.electionMessages).toBe(23);
    expect(run.terminationMessages).toBe(3);
    expect(run.leaderIndex).toBe(2);
    expect(run.phaseMax).toBe(2);
    // Phase 0 takes 2 rounds, phase 1 takes 4, then 3 hops home: elected in round 9.
    expect(run.electedAtMs).toBe(900);
    expect(run.finishedAtMs).toBe(1_200);
  });
});

describe('Hirschberg–Sinclair: properties', () => {
  it('elects the maximum UID with at most 8n(1 + ⌈log₂ n⌉) election messages, every seed and mode', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 999_999 }), {
          minLength: 3,
          maxLength: NODES_STAGE_MAX,
        }),
        fc.constantFrom<Timing>('sync', 'async'),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (uids, timing, seed) => {
          const run = runHs(uids, timing, seed);
          const n = uids.length;
          const maxUid = Math.max(...uids);
          expect(run.finishedAtMs).not.toBeNull();
          expect(
            run.nodes.filter((node) => node.state === 'leader').map((node) => node.uid),
          ).toEqual([maxUid]);
          expect(run.electionMessages).toBeLessThanOrEqual(8 * n * (1 + Math.ceil(Math.log2(n))));
          expect(run.terminationMessages).toBe(n);
        },
      ),
    );
  });

  it('stays within the bound on the worst LCR arrangement up to 1,024 nodes, where LCR needs n(n + 1)/2', () => {
    for (const n of [64, 256, 1024]) {
      for (const arrangement of ['ascending', 'descending', 'random'] as const) {
        const uids = arrangeUids(arrangement, n, createRng(n, 2), n);
        const job = runElectionToEnd('hs', uids, createRng(1), { messages: 0 });
        let step = job.next();
        while (!step.done) step = job.next();
        expect(step.value.leaderUid).toBe(n);
        expect(step.value.electionMessages).toBeLessThanOrEqual(hsMessageBound(n));
        if (n >= 256) expect(step.value.electionMessages).toBeLessThan((n * (n + 1)) / 2 / 4);
      }
    }
  });
});
