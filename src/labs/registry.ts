/**
 * The labs that exist. Each lab folder describes itself in `lab.ts` (id, title, summary, the
 * concepts it teaches, its still, its perf scenes, and a lazy import of its page), and this module
 * collects them, so adding a lab touches no shared file. Each page is its own chunk.
 */
import type { ComponentType } from 'react';

export interface LabPageProps {
  search: Record<string, unknown>;
}

export interface RelatedLab {
  /** The other lab's id. */
  id: string;
  /** Why to go there, in one or two sentences. */
  text: string;
  /** A query string for the other lab's setup that shows it (optional). */
  query?: string;
}

export interface LabEntry {
  id: string;
  /** Position on the home page. */
  order: number;
  title: string;
  summary: string;
  concepts: string[];
  /** A still taken from the real lab by scripts/capture-stills.mjs (public/previews). */
  preview: string;
  /** Where this lab's concepts meet another lab's: a sentence and a link to a setup there. */
  related?: RelatedLab[];
  /** Scenes the perf harness plays: the query string of the lab's large preset. */
  perf: { largeQuery: string; commandSelector: string };
  load: () => Promise<{ default: ComponentType<LabPageProps> }>;
}

const modules = import.meta.glob<{ lab: LabEntry }>('./*/lab.ts', { eager: true });

export const LABS: readonly LabEntry[] = Object.values(modules)
  .map((module) => module.lab)
  .sort((a, b) => a.order - b.order);

export function findLab(id: string): LabEntry | undefined {
  return LABS.find((lab) => lab.id === id);
}
