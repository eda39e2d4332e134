/** The shape of a lab's lesson: the concept, then guided experiments with predictions. */
import type { LoggedCommand } from '../worker/protocol';

export interface ExperimentChoice {
  id: string;
  label: string;
}

export interface Experiment<Config, Snapshot> {
  id: string;
  title: string;
  /** What the experiment sets up, in a sentence. */
  setup: string;
  question: string;
  choices: ExperimentChoice[];
  /** The run that answers the question: config overrides, commands, and where to land. */
  config: Partial<Config>;
  seed?: number;
  commands: LoggedCommand[];
  atMs: number;
  /** Reads the measured answer off the simulation's snapshot. */
  measure(snapshot: Snapshot): { choiceId: string; text: string };
  /** Why the answer is what it is, shown with it. */
  explanation: string;
}

export interface Lesson<Config, Snapshot> {
  title: string;
  concept: string[];
  experiments: Experiment<Config, Snapshot>[];
}
