import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'hash-ring',
  order: 1,
  title: 'Consistent hashing',
  summary:
    'Drag servers onto a hash ring and watch only a sliver of keys move, where hash mod N moves almost all.',
  concepts: ['hash ring', 'virtual nodes', 'rebalancing', 'hash mod N', 'replication', 'hot keys'],
  preview: 'previews/hash-ring.jpg',
  related: [
    {
      id: 'quorum',
      text: 'A key’s preference list (the next N distinct servers clockwise) is where its replicas live. See what W and R read and write on those N replicas, and what a partition does to them.',
      query: 'replicas=3&writeQuorum=2&readQuorum=2',
    },
    {
      id: 'load-balancer',
      text: 'Consistent-hash affinity in a load balancer: each user sticks to a server, and adding or losing one moves only that server’s share of users.',
      query: 'algorithm=consistent-hash',
    },
    {
      id: 'cache',
      text: 'A cache cluster shards its keys over servers by hashing; the ring decides which cache node holds a key.',
    },
  ],
  perf: {
    largeQuery: 'servers=100&vnodesPerServer=500&keys=10000&requestsPerSecond=1000',
    commandSelector: '[data-testid=add-server]',
  },
  load: () => import('./view/HashRingPage'),
};
