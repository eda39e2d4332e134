/**
 * The simulation contract every lab implements (DESIGN.md §3).
 *
 * State is plain data so the runner can checkpoint it with structuredClone. Time is virtual,
 * in integer milliseconds. Randomness comes only from the seeded kernel PRNG kept in the state.
 */

/** Something the learner should notice. The event log, timeline markers and narration read these. */
export interface SimEvent {
  atMs: number;
  kind: string;
  text: string;
  /** Important events are narrated through the aria-live region. */
  important?: boolean;
}

/** The bounded event log kept inside every lab state. */
export interface EventLog {
  items: SimEvent[];
  /** How many events were ever appended (items keeps only the newest `capacity`). */
  total: number;
  capacity: number;
}

export interface BatchProgress {
  done: number;
  total: number;
  label: string;
}

/**
 * A batch job runs in slices: each `next()` does a bounded amount of work and yields progress.
 * The runner decides how many slices fit into its CPU budget and can stop at any yield (cancel).
 */
export type BatchJob<Result> = Generator<BatchProgress, Result, void>;

export interface LabSim<Config, State, Command, Snapshot, BatchParams = unknown> {
  id: string;
  /** Builds the initial state at virtual time 0. */
  create(config: Config, seed: number): State;
  /** Applies a user action at the state's current virtual time (mutates the state). */
  apply(state: State, command: Command): void;
  /** Runs every scheduled event with time ≤ atMs, then sets the state's time to atMs. */
  advanceTo(state: State, atMs: number): void;
  /** The time of the next scheduled event, or null when nothing is scheduled. */
  nextEventAtMs(state: State): number | null;
  /** Current virtual time of the state. */
  nowMs(state: State): number;
  /** The bounded event log of the state. */
  events(state: State): EventLog;
  /**
   * The serializable snapshot the views draw. `known` holds the versions of heavy parts the UI
   * already has; the sim may omit a part whose version the UI knows.
   */
  view(state: State, known: Readonly<Record<string, string>>): Snapshot;
  /** Named batch jobs (distribution curves and the like), run in slices by the runner. */
  batch?(state: State, name: string, params: BatchParams): BatchJob<unknown>;
  /**
   * Virtual ms between the runner's checkpoints. A lab whose replay is costly per virtual second
   * sets a shorter interval, so a seek replays less (the default is the runner's).
   */
  checkpointIntervalMs?: number;
  /** Invariant checker, run after every step in tests and development builds. */
  checkInvariants?(state: State): void;
}

export function createEventLog(capacity: number): EventLog {
  return { items: [], total: 0, capacity };
}

export function appendEvent(log: EventLog, event: SimEvent): void {
  log.items.push(event);
  log.total += 1;
  if (log.items.length > log.capacity) log.items.splice(0, log.items.length - log.capacity);
}
