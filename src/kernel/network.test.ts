import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimAssertionError } from './assert';
import type { LatencyDistribution } from './distributions';
import { MESSAGES_IN_FLIGHT_MAX, NODES_MAX } from './limits';
import {
  addNode,
  canReach,
  createNetwork,
  deliverDue,
  flightProgress,
  healPartition,
  isDropped,
  type LinkSpec,
  linkBetween,
  messageEndAtMs,
  messagesInFlight,
  type NetMessage,
  type Network,
  nextMessageAtMs,
  pendingMessageCount,
  sendMessage,
  setLink,
  setNodeDown,
  setPartition,
} from './network';
import { createRng, type RngState } from './prng';

const NODES = ['a', 'b', 'c', 'd'];
const TEN_MS: LinkSpec = { latency: { kind: 'constant', ms: 10 }, lossProbability: 0 };

function fates(messages: readonly NetMessage<string>[]) {
  return messages.map((message) =>
    isDropped(message)
      ? `${message.from}->${message.to} dropped:${message.dropReason}@${message.droppedAtMs}`
      : `${message.from}->${message.to} delivered@${message.deliverAtMs}`,
  );
}

type Step =
  | { kind: 'send'; from: number; to: number; waitMs: number }
  | { kind: 'deliver'; waitMs: number }
  | { kind: 'partition'; sides: number[] }
  | { kind: 'heal' }
  | { kind: 'toggle-down'; node: number };

const arbitraryStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      from: fc.nat(3),
      to: fc.nat(3),
      waitMs: fc.nat(20),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('deliver' as const), waitMs: fc.nat(60) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('partition' as const),
      sides: fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'heal' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('toggle-down' as const), node: fc.nat(3) }),
  },
);

const JITTERY_LINK: LinkSpec = {
  latency: { kind: 'normal', meanMs: 20, stdDevMs: 15 },
  lossProbability: 0.2,
  duplicateProbability: 0.1,
};

interface Run {
  net: Network<string>;
  rng: RngState;
  nowMs: number;
}

function startRun(seed: number): Run {
  return { net: createNetwork<string>(NODES, JITTERY_LINK), rng: createRng(seed), nowMs: 0 };
}

/** Plays steps against a run, returning everything sent and every deliverDue batch. */
function play(run: Run, steps: readonly Step[]) {
  const sent: NetMessage<string>[] = [];
  const batches: { upToMs: number; settled: NetMessage<string>[] }[] = [];
  for (const step of steps) {
    if (step.kind === 'send' || step.kind === 'deliver') run.nowMs += step.waitMs;
    if (step.kind === 'send') {
      const [from, to] = [NODES[step.from]!, NODES[step.to]!];
      sent.push(sendMessage(run.net, run.rng, from, to, `m${sent.length}`, run.nowMs));
    }
    if (step.kind === 'deliver') {
      batches.push({ upToMs: run.nowMs, settled: deliverDue(run.net, run.nowMs) });
    }
    if (step.kind === 'partition') {
      const groups = [0, 1, 2].map((side) =>
        NODES.filter((_, index) => step.sides[index] === side),
      );
      setPartition(run.net, groups);
    }
    if (step.kind === 'heal') healPartition(run.net);
    if (step.kind === 'toggle-down') {
      const nodeId = NODES[step.node]!;
      setNodeDown(run.net, nodeId, !run.net.nodeIsDown[nodeId]);
    }
  }
  return { sent, batches };
}

describe('partitions', () => {
  it('block messages across groups in both directions and allow them within a group', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(1);
    setPartition(net, [
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect([canReach(net, 'a', 'c'), canReach(net, 'c', 'a')]).toEqual([false, false]);
    expect([canReach(net, 'a', 'b'), canReach(net, 'd', 'c')]).toEqual([true, true]);
    for (const [from, to] of [
      ['a', 'c'],
      ['c', 'a'],
      ['a', 'b'],
      ['d', 'c'],
    ] as const) {
      sendMessage(net, rng, from, to, 'hello', 0);
    }
    expect(fates(deliverDue(net, 100))).toEqual([
      'a->c dropped:partition@5',
      'c->a dropped:partition@5',
      'a->b delivered@10',
      'd->c delivered@10',
    ]);
  });

  it('are restored by healing', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(2);
    setPartition(net, [['a'], ['b']]);
    healPartition(net);
    expect(canReach(net, 'a', 'b')).toBe(true);
    sendMessage(net, rng, 'a', 'b', 'x', 0);
    sendMessage(net, rng, 'b', 'a', 'y', 0);
    expect(fates(deliverDue(net, 10))).toEqual(['a->b delivered@10', 'b->a delivered@10']);
  });

  it('put every unlisted node into one implicit group', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    setPartition(net, [['a']]);
    expect(['b', 'c', 'd'].map((nodeId) => canReach(net, 'a', nodeId))).toEqual([
      false,
      false,
      false,
    ]);
    expect([canReach(net, 'b', 'c'), canReach(net, 'c', 'd'), canReach(net, 'd', 'b')]).toEqual([
      true,
      true,
      true,
    ]);
    addNode(net, 'e');
    expect([canReach(net, 'e', 'b'), canReach(net, 'e', 'a')]).toEqual([true, false]);
  });

  it('decide on arrival for messages already in flight: a cut drops them, a heal in time saves them', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(3);
    sendMessage(net, rng, 'a', 'b', 'cut', 0);
    setPartition(net, [['a'], ['b']]);
    expect(fates(deliverDue(net, 10))).toEqual(['a->b dropped:partition@10']);
    healPartition(net);
    sendMessage(net, rng, 'a', 'b', 'healed', 20);
    setPartition(net, [['a'], ['b']]);
    healPartition(net);
    expect(fates(deliverDue(net, 30))).toEqual(['a->b delivered@30']);
  });

  it('refuse unknown nodes and nodes listed twice', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    expect(() => setPartition(net, [['a'], ['a', 'b']])).toThrow(
      'node "a" is in two partition groups',
    );
    expect(() => setPartition(net, [['z']])).toThrow('unknown node "z"');
  });
});

describe('loss and duplication', () => {
  it('delivers everything at loss 0 and nothing at loss 1', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(50), (seed, meanMs) => {
        const latency: LatencyDistribution = { kind: 'exponential', meanMs };
        const lossless = createNetwork<string>(NODES, { latency, lossProbability: 0 });
        const lossy = createNetwork<string>(NODES, { latency, lossProbability: 1 });
        const rng = createRng(seed);
        for (let index = 0; index < 50; index += 1) {
          sendMessage(lossless, rng, 'a', 'b', 'x', index);
          sendMessage(lossy, rng, 'a', 'b', 'x', index);
        }
        const delivered = deliverDue(lossless, Number.POSITIVE_INFINITY);
        const lost = deliverDue(lossy, Number.POSITIVE_INFINITY);
        expect(delivered.length).toBe(50);
        expect(delivered.some(isDropped)).toBe(false);
        expect(lost.length).toBe(50);
        expect(lost.every((message) => isDropped(message) && message.dropReason === 'loss')).toBe(
          true,
        );
      }),
    );
  });

  it('loses about a quarter of messages at loss 0.25', () => {
    const net = createNetwork<string>(NODES, { ...TEN_MS, lossProbability: 0.25 });
    const rng = createRng(4);
    let lostCount = 0;
    for (let sentAtMs = 0; sentAtMs < 8_000; sentAtMs += 1) {
      if (isDropped(sendMessage(net, rng, 'a', 'b', 'x', sentAtMs))) lostCount += 1;
      deliverDue(net, sentAtMs);
    }
    // The standard error over 8,000 sends is about 0.0048; allow five of them.
    expect(Math.abs(lostCount / 8_000 - 0.25)).toBeLessThan(0.024);
  });

  it('sends a second copy with its own id when duplication is certain', () => {
    const net = createNetwork<string>(NODES, { ...TEN_MS, duplicateProbability: 1 });
    const original = sendMessage(net, createRng(5), 'a', 'b', 'twice', 0);
    const settled = deliverDue(net, 10);
    expect(settled.map((message) => [message.id, message.duplicateOfId, message.payload])).toEqual([
      [original.id, null, 'twice'],
      [original.id + 1, original.id, 'twice'],
    ]);
  });
});

describe('node failures', () => {
  it('drops at once what a down node sends, and on arrival what reaches a down node', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(6);
    setNodeDown(net, 'a', true);
    expect(canReach(net, 'a', 'b')).toBe(false);
    expect(canReach(net, 'b', 'a')).toBe(false);
    expect(fates([sendMessage(net, rng, 'a', 'b', 'x', 0)])).toEqual(['a->b dropped:node-down@0']);
    sendMessage(net, rng, 'b', 'a', 'y', 0);
    expect(fates(deliverDue(net, 10))).toEqual([
      'a->b dropped:node-down@0',
      'b->a dropped:node-down@10',
    ]);
  });

  it('delivers to a node that recovers before the message arrives', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(7);
    setNodeDown(net, 'b', true);
    sendMessage(net, rng, 'a', 'b', 'x', 0);
    setNodeDown(net, 'b', false);
    expect(fates(deliverDue(net, 10))).toEqual(['a->b delivered@10']);
  });
});

describe('links', () => {
  it('applies an override in one direction only, and null restores the default', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(8);
    setLink(net, 'a', 'b', { latency: { kind: 'constant', ms: 100 }, lossProbability: 0 });
    expect(linkBetween(net, 'b', 'a')).toBe(TEN_MS);
    sendMessage(net, rng, 'a', 'b', 'slow', 0);
    sendMessage(net, rng, 'b', 'a', 'fast', 0);
    expect(fates(deliverDue(net, 1_000))).toEqual(['b->a delivered@10', 'a->b delivered@100']);
    setLink(net, 'a', 'b', null);
    expect(linkBetween(net, 'a', 'b')).toBe(TEN_MS);
  });

  it('refuses bad link specs and unknown nodes', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    expect(() => setLink(net, 'a', 'b', { ...TEN_MS, lossProbability: 2 })).toThrow(
      'lossProbability must be a probability in [0, 1] (got 2)',
    );
    expect(() => setLink(net, 'a', 'z', TEN_MS)).toThrow(SimAssertionError);
    expect(() => sendMessage(net, createRng(1), 'a', 'z', 'x', 0)).toThrow('unknown node "z"');
    expect(() => sendMessage(net, createRng(1), 'a', 'b', 'x', 1.5)).toThrow(SimAssertionError);
  });
});

describe('message timing', () => {
  it('hands out every sent message exactly once, in (end time, id) order, never early', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(arbitraryStep, { maxLength: 120 }), (seed, steps) => {
        const run = startRun(seed);
        const { batches } = play(run, [...steps, { kind: 'deliver', waitMs: 10_000 }]);
        const all = batches.flatMap((batch) => batch.settled);
        for (const batch of batches) {
          expect(batch.settled.every((message) => messageEndAtMs(message) <= batch.upToMs)).toBe(
            true,
          );
        }
        const keys = all.map((message) => [messageEndAtMs(message), message.id] as const);
        const sortedKeys = [...keys].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(keys).toEqual(sortedKeys);
        expect(all.map((message) => message.id).sort((x, y) => x - y)).toEqual(
          Array.from({ length: run.net.nextMessageId }, (_, id) => id),
        );
        expect(pendingMessageCount(run.net)).toBe(0);
      }),
    );
  });

  it('never gives a negative or fractional latency, even from a zero-mean normal', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(100), (seed, stdDevMs) => {
        const net = createNetwork<string>(NODES, {
          latency: { kind: 'normal', meanMs: 0, stdDevMs },
          lossProbability: 0,
        });
        const rng = createRng(seed);
        for (let sentAtMs = 0; sentAtMs < 40; sentAtMs += 1) {
          const message = sendMessage(net, rng, 'a', 'b', 'x', sentAtMs);
          const latencyMs = messageEndAtMs(message) - sentAtMs;
          expect(Number.isInteger(latencyMs) && latencyMs >= 0).toBe(true);
        }
      }),
    );
  });

  it('is deterministic: the same seed and steps give identical messages', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(arbitraryStep, { maxLength: 80 }), (seed, steps) => {
        expect(play(startRun(seed), steps)).toEqual(play(startRun(seed), steps));
      }),
    );
    const steps: Step[] = Array.from({ length: 20 }, () => ({
      kind: 'send',
      from: 0,
      to: 1,
      waitMs: 1,
    }));
    expect(play(startRun(1), steps).sent).not.toEqual(play(startRun(2), steps).sent);
  });

  it('continues identically from a structuredClone of network and generator', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(arbitraryStep, { maxLength: 60 }),
        fc.array(arbitraryStep, { maxLength: 60 }),
        (seed, before, after) => {
          const run = startRun(seed);
          play(run, before);
          const copy = structuredClone(run);
          expect(play(copy, after)).toEqual(play(run, after));
        },
      ),
    );
  });

  it('lists the messages travelling at a moment, with their progress along the link', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(9);
    const first = sendMessage(net, rng, 'a', 'b', 'first', 0);
    const second = sendMessage(net, rng, 'b', 'c', 'second', 4);
    setLink(net, 'c', 'd', { ...TEN_MS, lossProbability: 1 });
    const lost = sendMessage(net, rng, 'c', 'd', 'lost', 4);
    expect(nextMessageAtMs(net)).toBe(9);
    expect(messagesInFlight(net, 2)).toEqual([first]);
    expect(messagesInFlight(net, 8).map((message) => message.payload)).toEqual([
      'first',
      'second',
      'lost',
    ]);
    expect(messagesInFlight(net, 9).map((message) => message.payload)).toEqual(['first', 'second']);
    expect(flightProgress(first, 5)).toBe(0.5);
    expect(flightProgress(second, 0)).toBe(0);
    expect(flightProgress(lost, 9)).toBe(1);
  });

  it('stops at MESSAGES_IN_FLIGHT_MAX with a clear message', () => {
    const net = createNetwork<string>(NODES, TEN_MS);
    const rng = createRng(10);
    for (let index = 0; index < MESSAGES_IN_FLIGHT_MAX; index += 1)
      sendMessage(net, rng, 'a', 'b', 'x', 0);
    expect(() => sendMessage(net, rng, 'a', 'b', 'x', 0)).toThrow(
      'limit reached: messages in flight (10000)',
    );
    deliverDue(net, 10);
    expect(fates([sendMessage(net, rng, 'a', 'b', 'x', 10)])).toEqual(['a->b delivered@20']);
  });
});

describe('nodes', () => {
  it('refuses duplicate, empty and prototype-reaching ids, and more than NODES_MAX nodes', () => {
    expect(() => createNetwork(['a', 'a'], TEN_MS)).toThrow('duplicate node id "a"');
    expect(() => createNetwork([''], TEN_MS)).toThrow(SimAssertionError);
    expect(() => createNetwork(['__proto__'], TEN_MS)).toThrow(SimAssertionError);
    const ids = Array.from({ length: NODES_MAX }, (_, index) => `n${index}`);
    const net = createNetwork(ids, TEN_MS);
    expect(() => addNode(net, 'one-more')).toThrow('limit reached: nodes (1024)');
  });

  it('treats inherited property names as ordinary node ids', () => {
    const net = createNetwork<string>(['constructor', 'toString'], TEN_MS);
    expect(canReach(net, 'constructor', 'toString')).toBe(true);
    expect(() => canReach(net, 'constructor', 'hasOwnProperty')).toThrow(
      'unknown node "hasOwnProperty"',
    );
  });
});
