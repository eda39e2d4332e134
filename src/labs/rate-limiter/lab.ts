import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'rate-limiter',
  order: 2,
  title: 'Rate limiting',
  summary:
    'Fire bursts at token and leaky buckets, fixed and sliding windows and GCRA; watch who gets 429 and why, alone or across gateways.',
  concepts: [
    'token bucket',
    'leaky bucket',
    'fixed window',
    'sliding window',
    'GCRA',
    '429 and Retry-After',
    'distributed counters',
  ],
  preview: 'previews/rate-limiter.jpg',
  related: [
    {
      id: 'webhooks',
      text: 'The other side of Retry-After: a webhook sender retrying with exponential backoff and jitter, and why identical retries stampede.',
    },
    {
      id: 'load-balancer',
      text: 'Where a limit is enforced: the gateway or load balancer in front of the servers, which also spreads the requests that pass.',
    },
  ],
  perf: {
    largeQuery:
      'lanes=token-bucket,leaky-queue,fixed-window,sliding-log,sliding-counter,gcra&ratePerSecond=1000&clients=8&pattern=poisson',
    commandSelector: '[data-testid=fire-burst]',
  },
  load: () => import('./view/RateLimiterPage'),
};
