import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'cache',
  order: 6,
  title: 'Caching',
  summary:
    'Put a cache in front of a slow database and watch hit ratios, evictions, expiry, stale reads and stampedes, policy by policy.',
  concepts: [
    'hit ratio',
    'LRU / LFU / ARC / W-TinyLFU',
    'TTL',
    'write-back',
    'stale reads',
    'stampede',
  ],
  preview: 'previews/cache.jpg',
  related: [
    {
      id: 'hash-ring',
      text: 'A cache cluster shards its keys over cache servers by consistent hashing, so adding a server moves only a sliver of keys and their hit ratio survives.',
    },
    {
      id: 'rate-limiter',
      text: 'Another shield for a slow backend: cap how many requests reach it, and answer the rest with 429 and Retry-After.',
    },
  ],
  perf: {
    largeQuery:
      'capacity=1000&keys=10000&requestsPerSecond=5000&compare=lru,lfu,arc&ttlMs=5000&writePercent=10',
    commandSelector: '[data-testid=read-burst]',
  },
  load: () => import('./view/CachePage'),
};
