/**
 * The caching lesson: the idea in a few sentences, then experiments. Each answer is read off the
 * running simulation's snapshot, never written in here.
 */
import type { Experiment, Lesson } from '../../app/lesson';
import type { CacheConfig } from './sim/model';
import type { CacheSnapshot } from './sim/snapshot';

type CacheExperiment = Experiment<CacheConfig, CacheSnapshot>;

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function bucket(value: number, edges: { id: string; below: number }[]): string {
  for (const edge of edges) if (value < edge.below) return edge.id;
  return edges.at(-1)!.id;
}

function lane(snapshot: CacheSnapshot, policy: string) {
  return snapshot.lanes.find((l) => l.policy === policy);
}

const loop: CacheExperiment = {
  id: 'loop',
  title: 'A loop one key larger than the cache',
  setup:
    'A cache of 16 slots; the app reads keys 0, 1, …, 16, 0, 1, … in a loop, 17 keys in all. LRU, Random and SIEVE run side by side on the same requests (compare lanes).',
  question: 'What hit ratio does LRU reach?',
  choices: [
    { id: 'zero', label: 'about 0%' },
    { id: 'half', label: 'about half' },
    { id: 'most', label: 'about 16/17 (94%)' },
  ],
  config: {
    policy: 'lru',
    workload: 'loop',
    keys: 17,
    capacity: 16,
    writePercent: 0,
    requestsPerSecond: 200,
    compare: 'lru,random,sieve',
  },
  commands: [],
  atMs: 20_000,
  measure(snapshot) {
    // The compare lanes see the pure reference stream: no database latency between miss and fill.
    const ratio = lane(snapshot, 'lru')?.hitRatio ?? 0;
    const random = lane(snapshot, 'random')?.hitRatio ?? 0;
    return {
      choiceId: bucket(ratio, [
        { id: 'zero', below: 0.2 },
        { id: 'half', below: 0.75 },
        { id: 'most', below: 2 },
      ]),
      text: `LRU hit ${percent(ratio)} of ${snapshot.counters.requests.toLocaleString('en-US')} requests; Random, on the same requests, ${percent(random)}.`,
    };
  },
  explanation:
    'Each key comes back exactly when it has become the least recently used one, so LRU evicts the very key needed next, every time. (The main cache does a little better only because its fills land 50 ms after the miss, which reorders recency.) A policy with no memory of order (Random) keeps some of the loop by luck; OPT would keep 15 of the 17 keys for good.',
};

const zipf: CacheExperiment = {
  id: 'zipf-lru-lfu',
  title: 'Skewed popularity: LRU or LFU?',
  setup:
    'A 16-slot cache over 200 keys whose popularity follows Zipf with s = 1 (key 0 is the most popular). LRU and LFU run side by side on the same 15,000 requests.',
  question: 'Which keeps the higher hit ratio?',
  choices: [
    { id: 'lru', label: 'LRU' },
    { id: 'same', label: 'about the same' },
    { id: 'lfu', label: 'LFU' },
  ],
  config: {
    workload: 'zipf',
    zipfS: 1,
    keys: 200,
    capacity: 16,
    writePercent: 0,
    requestsPerSecond: 500,
    compare: 'lru,lfu',
  },
  commands: [],
  atMs: 30_000,
  measure(snapshot) {
    const lru = lane(snapshot, 'lru')?.hitRatio ?? 0;
    const lfu = lane(snapshot, 'lfu')?.hitRatio ?? 0;
    return {
      choiceId: Math.abs(lfu - lru) < 0.02 ? 'same' : lfu > lru ? 'lfu' : 'lru',
      text: `LRU ${percent(lru)}, LFU ${percent(lfu)}.`,
    };
  },
  explanation:
    'When popularity is fixed, counting references finds the truly popular keys, while LRU lets a rare key that was just read push out a popular one. Switch the workload to the shifting hot set and LFU’s old counts hold it back instead.',
};

const tinyLfu: CacheExperiment = {
  id: 'shifting-tinylfu',
  title: 'The popular keys move: LFU or W-TinyLFU?',
  setup:
    'A 50-slot cache over 1,000 keys with Zipf popularity (s = 1), but the popular keys move to a new place every 5,000 requests. LRU, LFU and W-TinyLFU run side by side on the same 60,000 requests; the main cache runs W-TinyLFU, so its slots show each key’s segment and estimated frequency.',
  question: 'Which keeps up with the moving hot set best?',
  choices: [
    { id: 'lfu', label: 'LFU: it counts every reference' },
    { id: 'same', label: 'about the same' },
    { id: 'wtinylfu', label: 'W-TinyLFU' },
  ],
  config: {
    policy: 'wtinylfu',
    workload: 'shifting',
    zipfS: 1,
    keys: 1_000,
    capacity: 50,
    writePercent: 0,
    requestsPerSecond: 2_000,
    compare: 'lru,lfu,wtinylfu',
  },
  commands: [],
  atMs: 30_000,
  measure(snapshot) {
    const lru = lane(snapshot, 'lru')?.hitRatio ?? 0;
    const lfu = lane(snapshot, 'lfu')?.hitRatio ?? 0;
    const tiny = lane(snapshot, 'wtinylfu')?.hitRatio ?? 0;
    return {
      choiceId: Math.abs(tiny - lfu) < 0.02 ? 'same' : tiny > lfu ? 'wtinylfu' : 'lfu',
      text: `W-TinyLFU ${percent(tiny)}, LFU ${percent(lfu)}, LRU ${percent(lru)}.`,
    };
  },
  explanation:
    'LFU’s counts from the old hot set keep those keys in for good, and the newly popular keys arrive with a count of 1 and go first. W-TinyLFU counts in a count-min sketch of 4-bit counters (about 2 bytes a slot) and halves every counter after 10 × capacity references, so old popularity fades in a few thousand requests. A new key enters a small LRU window (1% of the cache) and moves into the main cache only if the sketch says it is used more often than the key it would replace, so one-off keys never push popular ones out, and it still beats LRU.',
};

const stampedeConfig: Partial<CacheConfig> = {
  workload: 'zipf',
  zipfS: 1.4,
  keys: 50,
  capacity: 50,
  writePercent: 0,
  requestsPerSecond: 1_000,
  dbLatencyMs: 100,
  ttlMs: 60_000,
};

const stampede: CacheExperiment = {
  id: 'stampede',
  title: 'The hot key expires under load',
  setup:
    '1,000 requests per second, about a third of them for key 0; the database takes 100 ms. At 2 s key 0 expires. No protection.',
  question: 'How many database queries does that one expiry cause?',
  choices: [
    { id: 'one', label: '1' },
    { id: 'few', label: '2 to 5' },
    { id: 'many', label: 'dozens' },
  ],
  config: { ...stampedeConfig, singleFlight: 'off' },
  commands: [{ atMs: 2_000, command: { type: 'expireKey', key: 0 } }],
  atMs: 3_000,
  measure(snapshot) {
    const burst = snapshot.recentBursts.filter((b) => b.key === 0 && b.startedAtMs >= 2_000).at(0);
    const queries = burst?.queries ?? 0;
    return {
      choiceId: queries <= 1 ? 'one' : queries <= 5 ? 'few' : 'many',
      text: `${queries} database queries for key 0 within ${burst ? burst.endedAtMs - burst.startedAtMs : 0} ms; the database peaked at ${snapshot.dbInFlightPeak} queries in flight.`,
    };
  },
  explanation:
    'Every request that arrives during the 100 ms the first query takes also misses, and each sends its own query: the load on the database jumps by the request rate times its latency, exactly when it was relying on the cache.',
};

const singleFlight: CacheExperiment = {
  id: 'single-flight',
  title: 'The same expiry, with single flight',
  setup:
    'The same load and the same expiry of key 0, now with single flight (request coalescing) on.',
  question: 'How many database queries now?',
  choices: [
    { id: 'one', label: '1' },
    { id: 'few', label: '2 to 5' },
    { id: 'many', label: 'dozens' },
  ],
  config: { ...stampedeConfig, singleFlight: 'on' },
  commands: [{ atMs: 2_000, command: { type: 'expireKey', key: 0 } }],
  atMs: 3_000,
  measure(snapshot) {
    const burst = snapshot.recentBursts.filter((b) => b.key === 0 && b.startedAtMs >= 2_000).at(0);
    const queries = burst?.queries ?? 0;
    return {
      choiceId: queries <= 1 ? 'one' : queries <= 5 ? 'few' : 'many',
      text: `${queries} database quer${queries === 1 ? 'y' : 'ies'}; ${burst?.waiters ?? 0} requests waited for it instead of asking the database.`,
    };
  },
  explanation:
    'The first miss sends the query; later misses for the same key find it in flight and wait for its answer. They still pay the database latency, but the database sees one query. Probabilistic early refresh (β > 0) goes further: one lucky request renews the key before it expires, so nobody waits.',
};

const crash: CacheExperiment = {
  id: 'write-back-crash',
  title: 'Write-back, then the cache crashes',
  setup:
    'Writes are 30% of 200 requests/s and go to the cache only (write-back), flushed to the database every 60 s. At 5 s the cache process crashes.',
  question: 'What is lost?',
  choices: [
    { id: 'nothing', label: 'nothing, the database has it all' },
    { id: 'dirty', label: 'every write not yet flushed' },
  ],
  config: {
    writePolicy: 'write-back',
    flushIntervalMs: 60_000,
    writePercent: 30,
    requestsPerSecond: 200,
    keys: 200,
    capacity: 64,
  },
  commands: [{ atMs: 5_000, command: { type: 'crash' } }],
  atMs: 5_000,
  measure(snapshot) {
    const c = snapshot.counters;
    return {
      choiceId: c.lostWrites > 0 ? 'dirty' : 'nothing',
      text: `${c.lostDirtyEntries} dirty entries gone, holding ${c.lostWrites} writes the database never saw (${c.writeBacksOnEvict} evicted dirty entries had been written out on eviction).`,
    };
  },
  explanation:
    'Write-back makes writes as fast as the cache, but until a flush the cache holds the only copy. Write-through pays the database latency on every write and loses nothing.',
};

const stale: CacheExperiment = {
  id: 'stale-window',
  title: 'How stale can a read be?',
  setup:
    'Writes go to the database only (write-around), 30% of 400 requests/s over 20 keys; every entry has a TTL of 2 s. We run 20 s.',
  question: 'What is the longest a read returns an outdated value after the newer write?',
  choices: [
    { id: 'never', label: 'never stale' },
    { id: 'ttl', label: 'up to about the TTL (2 s)' },
    { id: 'forever', label: 'unbounded' },
  ],
  config: {
    writePolicy: 'write-around',
    ttlMs: 2_000,
    writePercent: 30,
    requestsPerSecond: 400,
    keys: 20,
    capacity: 20,
  },
  commands: [],
  atMs: 20_000,
  measure(snapshot) {
    const c = snapshot.counters;
    const windowMs = c.maxStaleWindowMs;
    return {
      choiceId: c.staleReads === 0 ? 'never' : windowMs <= 2_000 ? 'ttl' : 'forever',
      text: `${c.staleReads.toLocaleString('en-US')} stale reads of ${c.hits.toLocaleString('en-US')} hits; the longest stale window was ${windowMs} ms.`,
    };
  },
  explanation:
    'The cache never hears about the write, so it serves the old value until the entry expires; TTL counts from when the value was read, so no read is staler than the TTL. Set the TTL to 0 and the window grows without bound; invalidate on write shrinks it to the races between a slow read and a write.',
};

export const cacheLesson: Lesson<CacheConfig, CacheSnapshot> = {
  title: 'Caching',
  concept: [
    'A cache keeps copies of data somewhere faster and closer than where the data lives: in the browser, in a CDN near the user, or in memory beside the app (Redis, Memcached). A hit answers in about a millisecond and spares the database; a miss costs the full trip and then fills the cache.',
    'A cache is small, so when it is full something must go. Which key to evict is the policy: the least recently used (LRU), the least frequently used (LFU), the oldest (FIFO), a random one, or cleverer schemes (CLOCK, SIEVE, ARC, 2Q, and W-TinyLFU, which admits a key only when a small frequency sketch says it is used more often than the key it would replace) that resist one-off scans. None beats Belady’s OPT, which evicts the key needed farthest in the future, and which only hindsight can run.',
    'A copy can go stale when the source changes. Expiry (a TTL per key, removed lazily on read or actively in the background) bounds how stale it can get; invalidation or write-through keeps it fresh on writes; write-back is fast but can lose writes in a crash. And when a popular key expires under load, every request misses at once: a stampede, tamed by coalescing requests (single flight) or refreshing early.',
  ],
  experiments: [loop, zipf, tinyLfu, stampede, singleFlight, crash, stale],
};
