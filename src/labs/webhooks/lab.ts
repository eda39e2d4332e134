import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'webhooks',
  order: 7,
  title: 'Webhooks vs polling',
  summary:
    'Wait for a pizza: keep asking, hold the line, or let the shop call you. Compare polling, long polling, webhooks and a persistent connection on one stream of events.',
  concepts: [
    'short polling',
    'long polling',
    'webhooks',
    'WebSocket / SSE',
    'retries with backoff and jitter',
    'idempotency',
    'HMAC signatures',
  ],
  preview: 'previews/webhooks.jpg',
  related: [
    {
      id: 'rate-limiter',
      text: 'Webhook retries meet rate limits: a receiver that answers 429 with Retry-After tells the sender when to come back; clients that retry at once make a retry storm.',
      query: 'retry=honour',
    },
    {
      id: 'load-balancer',
      text: 'Long polling and persistent connections hold a connection per client open: how a load balancer spreads them (least connections, L4 vs L7).',
    },
  ],
  perf: {
    largeQuery:
      'eventsPerMinute=600&pollIntervalMs=500&extraReceivers=100&dropPercent=5&duplicatePercent=5',
    commandSelector: '[data-testid=fire-event]',
  },
  load: () => import('./view/WebhooksPage'),
};
