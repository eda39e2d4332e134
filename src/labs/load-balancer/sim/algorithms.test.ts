import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, nextInt } from '../../../kernel/prng';
import {
  createPicker,
  observePeakEwma,
  type Peer,
  peakEwmaCost,
  pickConsistentHash,
  pickIpHash,
  pickLeastConnections,
  pickPeakEwma,
  pickPeer,
  pickPowerOfTwo,
  pickRandom,
  pickRoundRobin,
  pickSmoothWeighted,
  pickWeightedLeastConnections,
} from './algorithms';
import { ALGORITHMS } from './constants';
import { buildAffinityRing, ringOwner } from './ring';

function peer(id: string, extra: Partial<Peer> = {}): Peer {
  return { id, weight: 1, load: 0, ewmaMs: 0, eligible: true, ...extra };
}

function sequence(count: number, peers: Peer[], pick: (peers: Peer[]) => number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const index = pick(peers);
    out.push(index < 0 ? '-' : peers[index]!.id);
  }
  return out.join(' ');
}

const peersArb = fc
  .array(
    fc.record({
      weight: fc.integer({ min: 1, max: 10 }),
      load: fc.integer({ min: 0, max: 20 }),
      ewmaMs: fc.integer({ min: 0, max: 500 }),
      eligible: fc.boolean(),
    }),
    { minLength: 1, maxLength: 20 },
  )
  .map((list) => list.map((p, i) => ({ id: `S${i + 1}`, ...p })));

describe('round robin', () => {
  it('visits servers in list order, again and again', () => {
    const picker = createPicker();
    const peers = [peer('a'), peer('b'), peer('c')];
    expect(sequence(7, peers, (p) => pickRoundRobin(picker, p))).toBe('a b c a b c a');
  });

  it('skips a server that may not take traffic, and resumes after it', () => {
    const picker = createPicker();
    const peers = [peer('a'), peer('b', { eligible: false }), peer('c')];
    expect(sequence(5, peers, (p) => pickRoundRobin(picker, p))).toBe('a c a c a');
    peers[1]!.eligible = true;
    expect(sequence(3, peers, (p) => pickRoundRobin(picker, p))).toBe('b c a');
  });

  it('returns -1 when no server is eligible', () => {
    expect(pickRoundRobin(createPicker(), [peer('a', { eligible: false })])).toBe(-1);
  });

  it('gives every eligible server the same share over whole cycles', () => {
    fc.assert(
      fc.property(peersArb, fc.integer({ min: 1, max: 5 }), (peers, cycles) => {
        const eligible = peers.filter((p) => p.eligible).length;
        fc.pre(eligible > 0);
        const picker = createPicker();
        const counts: Record<string, number> = {};
        for (let i = 0; i < eligible * cycles; i += 1) {
          const id = peers[pickRoundRobin(picker, peers)]!.id;
          counts[id] = (counts[id] ?? 0) + 1;
        }
        for (const p of peers) expect(counts[p.id] ?? 0).toBe(p.eligible ? cycles : 0);
      }),
    );
  });
});

describe('smooth weighted round robin (nginx)', () => {
  it('weights {a:5, b:1, c:1} give a a b a c a a in every cycle', () => {
    const picker = createPicker();
    const peers = [peer('a', { weight: 5 }), peer('b'), peer('c')];
    const picks = sequence(21, peers, (p) => pickSmoothWeighted(picker, p));
    expect(picks).toBe('a a b a c a a a a b a c a a a a b a c a a');
  });

  it('matches the reference: current += weight, pick the largest, pay back the total', () => {
    // An independent transcription of ngx_http_upstream_get_peer over plain arrays.
    function reference(weights: number[], eligible: boolean[], count: number): number[] {
      const current = weights.map(() => 0);
      const out: number[] = [];
      for (let n = 0; n < count; n += 1) {
        let total = 0;
        let best = -1;
        for (let i = 0; i < weights.length; i += 1) {
          if (!eligible[i]) continue;
          current[i]! += weights[i]!;
          total += weights[i]!;
          if (best === -1 || current[i]! > current[best]!) best = i;
        }
        if (best >= 0) current[best]! -= total;
        out.push(best);
      }
      return out;
    }
    fc.assert(
      fc.property(peersArb, fc.integer({ min: 1, max: 60 }), (peers, count) => {
        const picker = createPicker();
        const ours = Array.from({ length: count }, () => pickSmoothWeighted(picker, peers));
        const theirs = reference(
          peers.map((p) => p.weight),
          peers.map((p) => p.eligible),
          count,
        );
        expect(ours).toEqual(theirs);
      }),
    );
  });

  it('over one cycle of Σweight picks, each server is picked exactly weight times', () => {
    fc.assert(
      fc.property(peersArb, (peers) => {
        const live = peers.filter((p) => p.eligible);
        fc.pre(live.length > 0);
        const total = live.reduce((s, p) => s + p.weight, 0);
        const picker = createPicker();
        const counts: Record<string, number> = {};
        for (let i = 0; i < total; i += 1) {
          const id = peers[pickSmoothWeighted(picker, peers)]!.id;
          counts[id] = (counts[id] ?? 0) + 1;
        }
        for (const p of live) expect(counts[p.id]).toBe(p.weight);
      }),
    );
  });
});

describe('least connections', () => {
  it('picks the server with the fewest outstanding requests', () => {
    const peers = [peer('a', { load: 3 }), peer('b', { load: 1 }), peer('c', { load: 2 })];
    expect(pickLeastConnections(createPicker(), peers)).toBe(1);
  });

  it('breaks ties round robin, starting after the last pick', () => {
    const picker = createPicker();
    const peers = [peer('a'), peer('b'), peer('c', { load: 5 })];
    expect(sequence(4, peers, (p) => pickLeastConnections(picker, p))).toBe('a b a b');
  });

  it('never picks an ineligible server, even an idle one', () => {
    const peers = [peer('a', { load: 0, eligible: false }), peer('b', { load: 9 })];
    expect(pickLeastConnections(createPicker(), peers)).toBe(1);
  });

  it('always picks a server whose load is the eligible minimum (oracle: a scan)', () => {
    fc.assert(
      fc.property(peersArb, fc.integer({ min: -1, max: 19 }), (peers, cursor) => {
        const picker = { ...createPicker(), cursor };
        const chosen = pickLeastConnections(picker, peers);
        const live = peers.filter((p) => p.eligible);
        if (live.length === 0) {
          expect(chosen).toBe(-1);
          return;
        }
        expect(peers[chosen]!.eligible).toBe(true);
        expect(peers[chosen]!.load).toBe(Math.min(...live.map((p) => p.load)));
      }),
    );
  });

  it('weighted: picks the least load per unit of weight (oracle: a scan)', () => {
    expect(
      pickWeightedLeastConnections(createPicker(), [
        peer('a', { load: 4, weight: 4 }),
        peer('b', { load: 2, weight: 1 }),
        peer('c', { load: 3, weight: 2 }),
      ]),
    ).toBe(0);
    fc.assert(
      fc.property(peersArb, (peers) => {
        const chosen = pickWeightedLeastConnections(createPicker(), peers);
        const live = peers.filter((p) => p.eligible);
        if (live.length === 0) {
          expect(chosen).toBe(-1);
          return;
        }
        const best = Math.min(...live.map((p) => p.load / p.weight));
        expect(peers[chosen]!.load / peers[chosen]!.weight).toBeCloseTo(best, 12);
      }),
    );
  });
});

describe('power of two choices', () => {
  it('draws two distinct eligible servers and takes the less loaded one', () => {
    fc.assert(
      fc.property(peersArb, fc.integer({ min: 0, max: 2 ** 31 }), (peers, seed) => {
        const rng = createRng(seed);
        const replay = structuredClone(rng);
        const chosen = pickPowerOfTwo(rng, peers);
        const eligible = peers.flatMap((p, i) => (p.eligible ? [i] : []));
        if (eligible.length === 0) {
          expect(chosen).toBe(-1);
          return;
        }
        if (eligible.length === 1) {
          expect(chosen).toBe(eligible[0]);
          return;
        }
        // Replaying the same two draws names the two candidates.
        const first = nextInt(replay, 0, eligible.length);
        let second = nextInt(replay, 0, eligible.length - 1);
        if (second >= first) second += 1;
        const a = eligible[first]!;
        const b = eligible[second]!;
        expect(a).not.toBe(b);
        expect(chosen).toBe(peers[b]!.load < peers[a]!.load ? b : a);
        expect(rng).toEqual(replay);
      }),
    );
  });

  it('never picks the single most loaded server when there are two or more', () => {
    const rng = createRng(9);
    const peers = [peer('a', { load: 1 }), peer('b', { load: 2 }), peer('hot', { load: 50 })];
    for (let i = 0; i < 500; i += 1) expect(pickPowerOfTwo(rng, peers)).not.toBe(2);
  });
});

describe('random', () => {
  it('picks only eligible servers, each about equally often', () => {
    const rng = createRng(3);
    const peers = [peer('a'), peer('b', { eligible: false }), peer('c'), peer('d')];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 30_000; i += 1) counts[pickRandom(rng, peers)]! += 1;
    expect(counts[1]).toBe(0);
    for (const i of [0, 2, 3]) expect(Math.abs(counts[i]! - 10_000)).toBeLessThan(400);
  });
});

describe('least response time (peak EWMA)', () => {
  it('a sample above the estimate replaces it at once (the peak)', () => {
    expect(observePeakEwma(20, 0, 90, 100, 10_000)).toBe(90);
  });

  it('a sample below pulls it down with weight e^(−Δt/τ) on the old value', () => {
    const keep = Math.exp(-1);
    expect(observePeakEwma(100, 0, 20, 10_000, 10_000)).toBeCloseTo(
      100 * keep + 20 * (1 - keep),
      10,
    );
    // No time passed: the old value is kept entirely.
    expect(observePeakEwma(100, 5, 20, 5, 10_000)).toBe(100);
  });

  it('picks the least latency × (outstanding + 1)', () => {
    const peers = [
      peer('slow', { ewmaMs: 200, load: 0 }),
      peer('busy', { ewmaMs: 20, load: 9 }),
      peer('best', { ewmaMs: 40, load: 2 }),
    ];
    expect(peers.map(peakEwmaCost)).toEqual([200, 200, 120]);
    expect(pickPeakEwma(createPicker(), peers)).toBe(2);
  });
});

describe('affinity: IP hash and consistent hash', () => {
  it('maps a client to the same server while the pool is unchanged', () => {
    const peers = ['S1', 'S2', 'S3', 'S4', 'S5'].map((id) => peer(id));
    for (let client = 0; client < 200; client += 1) {
      expect(pickIpHash(peers, client)).toBe(pickIpHash(peers, client));
      expect(pickConsistentHash(peers, client)).toBe(pickConsistentHash(peers, client));
    }
  });

  it('consistent hash: when a server leaves, only its clients move', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.nat(), (count, gone) => {
        const peers = Array.from({ length: count }, (_, i) => peer(`S${i + 1}`));
        const before = Array.from({ length: 300 }, (_, c) => pickConsistentHash(peers, c));
        const down = gone % count;
        peers[down]!.eligible = false;
        for (let c = 0; c < 300; c += 1) {
          const after = pickConsistentHash(peers, c);
          expect(after).not.toBe(down);
          if (before[c] !== down) expect(after).toBe(before[c]);
        }
      }),
    );
  });

  it('IP hash: an ineligible server hands its clients to the next one, others stay', () => {
    const peers = ['S1', 'S2', 'S3', 'S4'].map((id) => peer(id));
    const before = Array.from({ length: 200 }, (_, c) => pickIpHash(peers, c));
    peers[2]!.eligible = false;
    for (let c = 0; c < 200; c += 1) {
      const after = pickIpHash(peers, c);
      expect(after).toBe(before[c] === 2 ? 3 : before[c]);
    }
  });

  it('the ring lookup agrees with a brute-force scan for the first point clockwise', () => {
    const ring = buildAffinityRing(['S1', 'S2', 'S3'], 16);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (hash) => {
        let best = -1;
        for (let i = 0; i < ring.points.length; i += 1) {
          if (ring.points[i]! >= hash && (best < 0 || ring.points[i]! < ring.points[best]!))
            best = i;
        }
        if (best < 0) best = 0;
        expect(ringOwner(ring, hash, () => true)).toBe(ring.owners[best]);
      }),
    );
  });
});

describe('every algorithm', () => {
  it('picks an eligible server whenever one exists, and -1 otherwise', () => {
    fc.assert(
      fc.property(peersArb, fc.constantFrom(...ALGORITHMS), fc.nat(1000), (peers, name, client) => {
        const chosen = pickPeer(name, createPicker(), createRng(5), peers, client);
        if (peers.some((p) => p.eligible)) expect(peers[chosen]!.eligible).toBe(true);
        else expect(chosen).toBe(-1);
      }),
    );
  });
});
