/**
 * Messages between the UI and the simulation worker (DESIGN.md §4).
 * Both directions are discriminated unions, switched exhaustively on `type`.
 */
import type { SimEvent } from '../kernel/sim';

export const LAB_IDS = [
  'hash-ring',
  'rate-limiter',
  'load-balancer',
  'leader-election',
  'quorum',
  'cache',
  'webhooks',
] as const;
export type LabId = (typeof LAB_IDS)[number];

/** One user action in the run's command log, at the virtual time it was applied. */
export interface LoggedCommand {
  atMs: number;
  command: unknown;
}

/** Everything needed to replay a run exactly: what "Copy link" and "Export run" carry. */
export interface RunRecord {
  labId: string;
  seed: number;
  config: unknown;
  commands: LoggedCommand[];
  /** Where the learner was in the run. */
  atMs: number;
}

export const SPEED_MIN = 0.1;
export const SPEED_MAX = 100;

/** UI → worker. */
export type WorkerCommand =
  | { type: 'load'; run: RunRecord }
  | { type: 'frame'; wallMs: number }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'setSpeed'; speed: number }
  | { type: 'step' }
  | { type: 'stepBack' }
  | { type: 'seek'; atMs: number }
  | { type: 'apply'; command: unknown }
  | { type: 'reset' }
  | { type: 'getRun' }
  | { type: 'batch'; jobId: string; name: string; params: unknown }
  | { type: 'cancelBatch'; jobId: string };

/**
 * Why an event is on the timeline: the learner's own action logged it, or the lab flagged it
 * important (the same flag the narration reads).
 */
export type MarkerCause = 'command' | 'important';

/** One mark on the playback timeline: an event worth finding again. */
export interface TimelineMarker {
  /**
   * The event's sequence number in the run (its 1-based position among all events the lab ever
   * appended). A deterministic replay regenerates the same numbers, so it is a stable id.
   */
  seq: number;
  atMs: number;
  kind: string;
  text: string;
  cause: MarkerCause;
}

export interface Frame {
  labId: string;
  atMs: number;
  /** The furthest virtual time this run has reached (the end of the timeline). */
  horizonMs: number;
  playing: boolean;
  speed: number;
  /** The speed actually achieved over the last frame; below `speed` when the sim is behind. */
  actualSpeed: number;
  behind: boolean;
  /** False when nothing changed since the previous frame (the UI keeps its snapshot). */
  changed: boolean;
  snapshot: unknown;
  /** New events since the last frame, or every retained event when `eventsReset`. */
  events: SimEvent[];
  eventsReset: boolean;
  /**
   * Timeline markers in sequence order, at most MARKERS_MAX of them (thinned by time bucket),
   * sent only when they changed (null otherwise).
   */
  markers: TimelineMarker[] | null;
  commandCount: number;
  /** Changes whenever the command log changes, so the UI can keep the URL in step. */
  commandLogVersion: number;
  /** Worker CPU time spent producing this frame, in ms. */
  computeMs: number;
}

/** Worker → UI. */
export type WorkerMessage =
  | { type: 'frame'; frame: Frame }
  | { type: 'progress'; jobId: string; done: number; total: number; label: string }
  | { type: 'batchResult'; jobId: string; name: string; result: unknown }
  | { type: 'batchCancelled'; jobId: string }
  | { type: 'run'; run: RunRecord }
  | { type: 'notice'; text: string }
  | { type: 'error'; message: string; during: string };

export function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}
