import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'cache',
  order: 6,
  title: 'Caching',
  summary:
    'Put a cache in front of a slow database and watch hit ratios, evictions, expiry, stale reads and stampedes, policy by policy.',
  concepts: ['hit ratio', 'LRU / LFU / ARC', 'TTL', 'write-back', 'stale reads', 'stampede'],
  preview: 'previews/cache.jpg',
  perf: {
    largeQuery:
      'capacity=1000&keys=10000&requestsPerSecond=5000&compare=lru,lfu,arc&ttlMs=5000&writePercent=10',
    commandSelector: '[data-testid=read-burst]',
  },
  load: () => import('./view/CachePage'),
};
