import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../kernel/prng';
import {
  advanceBullyRun,
  type BullyRun,
  bullySettled,
  crashBullyNode,
  createBullyRun,
  highestLiveId,
  recoverBullyNode,
  startBully,
} from './bully';
import type { Timing } from './constants';
import { checkBullyRun } from './invariants';
import { latencyFor, latencyMaxMs } from './model';
import { silent } from './ring-core';

function makeBully(ids: readonly number[], timing: Timing, seed: number, delayMs = 100): BullyRun {
  const latency = latencyFor(timing, delayMs);
  const run = createBullyRun(ids, latency, latencyMaxMs(latency), createRng(seed, 6));
  startBully(run, 0, silent);
  return run;
}

/** Long enough after the last change for detection, an election and its announcement. */
function settleMs(run: BullyRun): number {
  const t = run.timeouts;
  return 3 * (t.detectMs + t.answerMs + t.coordinatorMs) + 10 * t.heartbeatMs;
}

describe('Bully: worked example', () => {
  it('IDs 10, 20, 30, 40: 40 wins; crash it and 30 takes over; 40 recovers and bullies back', () => {
    const run = makeBully([10, 20, 30, 40], 'sync', 1, 100);
    advanceBullyRun(run, 5_000, silent);
    checkBullyRun(run);
    expect(run.nodes.map((n) => n.state)).toEqual(['follower', 'follower', 'follower', 'leader']);
    expect(run.nodes.map((n) => n.leaderId)).toEqual([40, 40, 40, 40]);
    expect(bullySettled(run)).toBe(true);
    // Only 40 ever claimed to lead: every lower node got an ANSWER and waited.
    expect(run.coordinatorsDeclared).toBe(1);
    expect(run.nodes.map((n) => n.electionsStarted)).toEqual([1, 1, 1, 1]);
    const declared = run.coordinatorsDeclared;

    crashBullyNode(run, 3, 5_000, silent);
    expect(highestLiveId(run)).toBe(30);
    advanceBullyRun(run, 5_000 + settleMs(run), silent);
    checkBullyRun(run);
    expect(run.nodes.map((n) => n.leaderId)).toEqual([30, 30, 30, null]);
    expect(run.nodes[2]!.state).toBe('leader');
    expect(run.coordinatorsDeclared).toBeGreaterThan(declared);

    const at = 5_000 + settleMs(run);
    recoverBullyNode(run, 3, at, silent);
    // 40 has no higher ID to ask, so it declares itself at once.
    expect(run.nodes[3]!.state).toBe('leader');
    advanceBullyRun(run, at + settleMs(run), silent);
    expect(run.nodes.map((n) => n.leaderId)).toEqual([40, 40, 40, 40]);
    expect(bullySettled(run)).toBe(true);
  });

  it('the first election: the lowest ID asks every higher one; the elections climb to the top', () => {
    const run = makeBully([10, 20, 30, 40], 'sync', 1, 100);
    // At time 0 node 0 sends ELECTION to the three higher IDs.
    expect(run.messagesByKind.election).toBe(3);
    advanceBullyRun(run, 100, silent);
    // Round 1: 20, 30 and 40 answer 10; 20 asks 30 and 40; 30 asks 40; 40 has no one to ask.
    expect(run.messagesByKind.answer).toBe(3);
    expect(run.messagesByKind.election).toBe(3 + 2 + 1);
    expect(run.nodes[3]!.state).toBe('leader');
    expect(run.messagesByKind.coordinator).toBe(3);
  });

  it('an ANSWER makes a lower node wait: with 40 down from the start, only 30 ever claims to lead', () => {
    const run = makeBully([10, 20, 30, 40], 'sync', 1, 100);
    crashBullyNode(run, 3, 0, silent);
    advanceBullyRun(run, 5_000, silent);
    checkBullyRun(run);
    // 10's answer timeout (201 ms) comes before 30's claim (301 ms): the ANSWER from 20 and 30
    // is what keeps 10 from declaring itself.
    expect(run.coordinatorsDeclared).toBe(1);
    expect(run.nodes.map((n) => n.leaderId)).toEqual([30, 30, 30, null]);
  });
});

describe('Bully: properties', () => {
  it('elects the highest live ID after any sequence of crashes and recoveries', () => {
    const actionArbitrary = fc.record({
      afterMs: fc.integer({ min: 0, max: 4_000 }),
      node: fc.nat(),
      crash: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { minLength: 3, maxLength: 16 }),
        fc.constantFrom<Timing>('sync', 'async'),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(actionArbitrary, { maxLength: 12 }),
        (ids, timing, seed, actions) => {
          const run = makeBully(ids, timing, seed);
          let atMs = 0;
          for (const action of actions) {
            atMs += action.afterMs;
            advanceBullyRun(run, atMs, silent);
            checkBullyRun(run);
            const index = action.node % ids.length;
            if (action.crash) crashBullyNode(run, index, atMs, silent);
            else recoverBullyNode(run, index, atMs, silent);
          }
          advanceBullyRun(run, atMs + settleMs(run), silent);
          checkBullyRun(run);
          const highest = highestLiveId(run);
          expect(bullySettled(run)).toBe(true);
          for (const node of run.nodes) {
            if (node.state === 'crashed') continue;
            expect(node.leaderId).toBe(highest);
            expect(node.state === 'leader').toBe(node.id === highest);
          }
        },
      ),
    );
  });
});
