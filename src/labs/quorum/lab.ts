import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'quorum',
  order: 5,
  title: 'Quorum replication',
  summary:
    'Replicate a value on N nodes, choose W and R, cut the network, and watch reads go stale, requests fail, and replicas converge again.',
  concepts: [
    'W + R > N',
    'CAP',
    'sloppy quorum',
    'hinted handoff',
    'read repair',
    'anti-entropy',
    'vector clocks',
    'linearizability',
  ],
  preview: 'previews/quorum.jpg',
  related: [
    {
      id: 'hash-ring',
      text: 'Where the N replicas of a key come from in Dynamo-style stores: its preference list, the next N distinct servers clockwise on a hash ring.',
    },
    {
      id: 'leader-election',
      text: 'The other way to replicate: elect one leader to order every write. How a ring elects one, and what happens when it crashes.',
    },
  ],
  perf: {
    largeQuery:
      'replicas=9&clients=8&keys=8&opsPerSecond=200&writeQuorum=5&readQuorum=5&latencyMs=20',
    commandSelector: '[data-testid=client-write]',
  },
  load: () => import('./view/QuorumPage'),
};
