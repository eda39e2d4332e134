import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'load-balancer',
  order: 3,
  title: 'Load balancing',
  summary:
    'Send traffic through a balancer to up to 20 servers, switch algorithms, crash and drain servers, and watch p99, errors and sessions.',
  concepts: [
    'round robin',
    'least connections',
    'power of two choices',
    'health checks',
    'failover',
    'sticky sessions',
    'L4 vs L7',
  ],
  preview: 'previews/load-balancer.jpg',
  related: [
    {
      id: 'hash-ring',
      text: 'Sticky sessions by consistent hashing: why a new server takes only about 1/N of the users, where hash mod N reshuffles almost everyone.',
    },
    {
      id: 'rate-limiter',
      text: 'A load balancer or gateway is also where rate limits are enforced: over the limit, a request gets 429 Too Many Requests.',
    },
  ],
  perf: {
    largeQuery: 'servers=20&requestsPerSecond=2000',
    commandSelector: '[data-testid=burst]',
  },
  load: () => import('./view/LoadBalancerPage'),
};
