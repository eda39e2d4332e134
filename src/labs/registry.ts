/**
 * The labs that exist: id, title, summary, the concepts they teach (for search), and a lazy
 * import of the page, so each lab is its own chunk.
 */
import type { ComponentType } from 'react';

export interface LabPageProps {
  search: Record<string, unknown>;
}

export interface LabEntry {
  id: string;
  title: string;
  summary: string;
  concepts: string[];
  /** A still taken from the real lab by the end-to-end suite (public/previews). */
  preview: string;
  load: () => Promise<{ default: ComponentType<LabPageProps> }>;
}

export const LABS: readonly LabEntry[] = [
  {
    id: 'hash-ring',
    title: 'Consistent hashing',
    summary:
      'Drag servers onto a hash ring and watch only a sliver of keys move, where hash mod N moves almost all.',
    concepts: [
      'hash ring',
      'virtual nodes',
      'rebalancing',
      'hash mod N',
      'replication',
      'hot keys',
    ],
    preview: 'previews/hash-ring.jpg',
    load: () => import('./hash-ring/view/HashRingPage'),
  },
];

export function findLab(id: string): LabEntry | undefined {
  return LABS.find((lab) => lab.id === id);
}
