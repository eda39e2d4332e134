import type { LabEntry } from '../registry';

export const lab: LabEntry = {
  id: 'leader-election',
  order: 4,
  title: 'Leader election',
  summary:
    'Watch a ring elect its largest UID with LCR, count the messages (2n − 1 to n(n + 1)/2), race it against Hirschberg–Sinclair, and crash nodes under Bully.',
  concepts: [
    'LCR',
    'message complexity',
    'Hirschberg–Sinclair',
    'Bully',
    'failure detection',
    'timeouts',
  ],
  preview: 'previews/leader-election.jpg',
  related: [
    {
      id: 'quorum',
      text: 'Replication without a leader: any replica takes writes, and quorums of W and R keep reads fresh while W + R > N.',
    },
  ],
  perf: {
    largeQuery: 'mode=compare&nodes=64&arrangement=descending&timing=async&delayMs=400',
    commandSelector: '[data-testid=restart]',
  },
  load: () => import('./view/LeaderElectionPage'),
};
