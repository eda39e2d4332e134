import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'hash-ring',
  order: 1,
  title: 'Consistent hashing',
  summary:
    'Drag servers onto a hash ring and watch only a sliver of keys move, where hash mod N moves almost all.',
  concepts: ['hash ring', 'virtual nodes', 'rebalancing', 'hash mod N', 'replication', 'hot keys'],
  preview: 'previews/hash-ring.jpg',
  perf: {
    largeQuery: 'servers=100&vnodesPerServer=500&keys=10000&requestsPerSecond=1000',
    commandSelector: '[data-testid=add-server]',
  },
  load: () => import('./view/HashRingPage'),
};
