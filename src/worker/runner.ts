/**
 * The runner drives one lab simulation on a virtual clock: play, pause, speed, step, seek with
 * checkpoints and replay, a command log that forks when a command lands in the past, frames
 * pulled by the UI, and batch jobs in slices. It is pure apart from the injected CPU clock, so
 * it is unit-tested in Node; `entry.worker.ts` only wires it to postMessage.
 */
import type { BatchJob, LabSim, SimEvent } from '../kernel/sim';
import {
  assertNever,
  type Frame,
  type LoggedCommand,
  type MarkerCause,
  type RunRecord,
  SPEED_MAX,
  SPEED_MIN,
  type TimelineMarker,
  type WorkerCommand,
  type WorkerMessage,
} from './protocol';

export type AnyLabSim = LabSim<unknown, unknown, unknown, unknown, unknown>;
export type LabLoader = (labId: string) => Promise<AnyLabSim>;

export interface RunnerOptions {
  /** A monotonic CPU clock in ms (performance.now in the worker, a fake in tests). */
  clockMs: () => number;
  /** Virtual ms between checkpoints at the start; doubles when checkpoints are thinned. */
  checkpointIntervalMs?: number;
  checkpointsMax?: number;
  /** CPU ms one frame may spend advancing the simulation. */
  frameBudgetMs?: number;
  /** How far "step" moves when no event is scheduled. */
  stepFallbackMs?: number;
  /** Run the lab's invariant checker after every step (tests and development builds). */
  checkInvariants?: boolean;
  /** The most timeline markers a run keeps (denser runs are thinned by time bucket). */
  markersMax?: number;
}

/** No run goes past one virtual hour: every view and series is sized for that. */
export const RUN_LENGTH_MS_MAX = 60 * 60 * 1000;
/** A UI frame never asks for more than this much wall time (a tab that slept is not a jump). */
export const FRAME_WALL_MS_MAX = 250;
/**
 * The timeline is a few hundred pixels wide, so more marks than this would only overlap; and the
 * UI redraws the whole list when it changes. A run keeps at most this many markers.
 */
export const MARKERS_MAX = 256;
/** The finest bucket of marker thinning: events in the same millisecond share one marker. */
export const MARKER_BUCKET_MS_MIN = 1;
/** Events sent on a reset of the UI's event log. */
const EVENTS_RESET_MAX = 500;

interface Checkpoint {
  atMs: number;
  state: unknown;
  /** How many commands of the log the checkpointed state includes. */
  commandCount: number;
}

interface BatchSlot {
  name: string;
  job: BatchJob<unknown>;
}

/**
 * The run's timeline markers, thinned by time bucket. Candidates arrive in sequence order and
 * each bucket keeps its first one; when more than `max` buckets are occupied the bucket width
 * doubles, and a merged bucket keeps the first of its two firsts. So the kept markers depend
 * only on the set of candidates, never on the order of seeks and replays that delivered them.
 * A fork drops the markers of the abandoned future but keeps the bucket width, so the markers
 * of the past stay where the learner saw them.
 */
class MarkerTimeline {
  private kept: TimelineMarker[] = [];
  private bucketMs = MARKER_BUCKET_MS_MIN;
  private occupied = new Set<number>();

  constructor(private readonly max: number) {}

  get markers(): readonly TimelineMarker[] {
    return this.kept;
  }

  /** Offers the next candidate (in sequence order); returns whether the kept markers changed. */
  offer(marker: TimelineMarker): boolean {
    const bucket = this.bucketOf(marker);
    if (this.occupied.has(bucket)) return false;
    this.kept.push(marker);
    this.occupied.add(bucket);
    while (this.kept.length > this.max) {
      this.bucketMs *= 2;
      this.rebucket(this.kept);
    }
    return true;
  }

  /** Drops the markers after sequence number `seq`; returns whether any went. */
  dropAfter(seq: number): boolean {
    const kept = this.kept.filter((marker) => marker.seq <= seq);
    if (kept.length === this.kept.length) return false;
    this.rebucket(kept);
    return true;
  }

  clear(): void {
    this.kept = [];
    this.bucketMs = MARKER_BUCKET_MS_MIN;
    this.occupied.clear();
  }

  private bucketOf(marker: TimelineMarker): number {
    return Math.floor(marker.atMs / this.bucketMs);
  }

  /** Keeps the first marker of each bucket at the current width. */
  private rebucket(markers: readonly TimelineMarker[]): void {
    this.kept = [];
    this.occupied.clear();
    for (const marker of markers) {
      const bucket = this.bucketOf(marker);
      if (this.occupied.has(bucket)) continue;
      this.kept.push(marker);
      this.occupied.add(bucket);
    }
  }
}

export class Runner {
  private sim: AnyLabSim | null = null;
  private run: RunRecord | null = null;
  private state: unknown = null;
  private commands: LoggedCommand[] = [];
  /** Changes whenever the command log does (a command, a fork, a reset, a load). */
  private commandLogVersion = 0;
  private appliedCount = 0;
  private checkpoints: Checkpoint[] = [];
  private checkpointIntervalMs: number;
  /** The furthest virtual time the run has reached (the end of the timeline). */
  private horizonMs = 0;
  /**
   * Markers are keyed by the event's sequence number in the lab's log (its 1-based position among
   * all events ever appended). A deterministic replay regenerates the same sequence numbers, so
   * an event is new to the timeline exactly when its number is above `markedEventTotal`.
   */
  private markedEventTotal = 0;
  private readonly markers: MarkerTimeline;
  private markersDirty = true;
  private playing = false;
  private speed = 1;
  private virtualCarryMs = 0;
  private dirty = true;
  private eventsSentTotal = 0;
  private eventsNeedReset = true;
  private batches = new Map<string, BatchSlot>();
  /** Versions of the snapshot's heavy parts the UI already holds (see LabSim.view). */
  private knownVersions: Record<string, string> = {};
  private readonly options: Required<RunnerOptions>;

  constructor(
    private readonly loadLab: LabLoader,
    options: RunnerOptions,
  ) {
    this.options = {
      checkpointIntervalMs: 5_000,
      checkpointsMax: 240,
      frameBudgetMs: 8,
      stepFallbackMs: 100,
      checkInvariants: false,
      markersMax: MARKERS_MAX,
      ...options,
    };
    this.checkpointIntervalMs = this.options.checkpointIntervalMs;
    this.markers = new MarkerTimeline(this.options.markersMax);
  }

  /** Handles one UI command and returns the messages to send back. */
  async handle(command: WorkerCommand): Promise<WorkerMessage[]> {
    switch (command.type) {
      case 'load':
        await this.load(command.run);
        return [];
      case 'frame':
        return [{ type: 'frame', frame: this.frame(command.wallMs) }];
      case 'play':
        this.playing = true;
        this.dirty = true;
        return [];
      case 'pause':
        this.playing = false;
        this.dirty = true;
        return [];
      case 'setSpeed':
        this.speed = clampSpeed(command.speed);
        this.dirty = true;
        return [];
      case 'step':
        this.step();
        return [];
      case 'stepBack':
        this.stepBack();
        return [];
      case 'seek':
        this.seek(command.atMs);
        return [];
      case 'apply':
        this.applyNow(command.command);
        return [];
      case 'reset':
        this.resetRun();
        return [];
      case 'getRun':
        return [{ type: 'run', run: this.currentRun() }];
      case 'batch':
        return this.startBatch(command.jobId, command.name, command.params);
      case 'cancelBatch':
        return this.cancelBatch(command.jobId);
      default:
        return assertNever(command);
    }
  }

  get nowMs(): number {
    return this.requireSim().nowMs(this.state);
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  get commandLog(): readonly LoggedCommand[] {
    return this.commands;
  }

  get timelineMarkers(): readonly TimelineMarker[] {
    return this.markers.markers;
  }

  /** The current lab state (for tests and debugging; treat as read-only). */
  get currentState(): unknown {
    return this.state;
  }

  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  async load(run: RunRecord): Promise<void> {
    this.sim = await this.loadLab(run.labId);
    this.run = { ...run, commands: [] };
    this.playing = false;
    this.batches.clear();
    this.knownVersions = {};
    this.restart();
    // A shared or imported run replays its commands, then lands where the learner was.
    this.commands = run.commands
      .filter((c) => Number.isInteger(c.atMs) && c.atMs >= 0 && c.atMs <= RUN_LENGTH_MS_MAX)
      .sort((a, b) => a.atMs - b.atMs);
    this.commandLogVersion += 1;
    const lastCommandAtMs = this.commands.at(-1)?.atMs ?? 0;
    this.goForward(Math.max(lastCommandAtMs, 0), null);
    this.extendHorizon();
    this.seek(clampTime(run.atMs));
  }

  private restart(): void {
    const sim = this.requireSim();
    const run = this.requireRun();
    this.state = sim.create(run.config, run.seed);
    this.check();
    this.commands = [];
    this.commandLogVersion += 1;
    this.appliedCount = 0;
    this.checkpointIntervalMs = sim.checkpointIntervalMs ?? this.options.checkpointIntervalMs;
    this.checkpoints = [{ atMs: 0, state: structuredClone(this.state), commandCount: 0 }];
    this.horizonMs = 0;
    this.markers.clear();
    this.markedEventTotal = 0;
    this.collectNewEvents(0, null);
    this.markersDirty = true;
    this.virtualCarryMs = 0;
    this.eventsNeedReset = true;
    this.dirty = true;
  }

  resetRun(): void {
    this.playing = false;
    this.restart();
  }

  /** Applies a lab command now. A command in the past of the run forks it: the future is dropped. */
  applyNow(command: unknown): void {
    const sim = this.requireSim();
    const atMs = sim.nowMs(this.state);
    if (atMs < this.horizonMs || this.appliedCount < this.commands.length) this.forkAt(atMs);
    const before = sim.events(this.state).total;
    sim.apply(this.state, command);
    this.commands.push({ atMs, command });
    this.commandLogVersion += 1;
    this.appliedCount = this.commands.length;
    this.check();
    this.collectNewEvents(before, 'command');
    this.dirty = true;
  }

  private forkAt(atMs: number): void {
    // Commands at exactly atMs were applied before this one, so they stay.
    this.commands = this.commands.slice(0, this.appliedCount);
    this.checkpoints = this.checkpoints.filter((c) => c.atMs <= atMs);
    this.horizonMs = atMs;
    // Events after this point belonged to the dropped future.
    this.markedEventTotal = this.requireSim().events(this.state).total;
    if (this.markers.dropAfter(this.markedEventTotal)) this.markersDirty = true;
  }

  /** Moves to the next scheduled event (or the next command of the log, or a small step). */
  step(): void {
    const sim = this.requireSim();
    const now = sim.nowMs(this.state);
    const nextEvent = sim.nextEventAtMs(this.state);
    const nextCommand = this.commands[this.appliedCount]?.atMs;
    const candidates = [nextEvent, nextCommand].filter(
      (t): t is number => t !== null && t !== undefined && t > now,
    );
    const target =
      candidates.length > 0 ? Math.min(...candidates) : now + this.options.stepFallbackMs;
    this.playing = false;
    this.seek(Math.min(target, RUN_LENGTH_MS_MAX));
  }

  /** Moves back to the previous timeline marker, or a small step back. */
  stepBack(): void {
    const now = this.nowMs;
    let target = Math.max(0, now - this.options.stepFallbackMs);
    for (const marker of this.markers.markers) {
      if (marker.atMs < now && marker.atMs > target) target = marker.atMs;
    }
    this.playing = false;
    this.seek(target);
  }

  /** Puts the run at `atMs`: from the nearest earlier checkpoint, replaying the command log. */
  seek(atMs: number): void {
    const sim = this.requireSim();
    const target = clampTime(atMs);
    const now = sim.nowMs(this.state);
    // Restore the nearest checkpoint at or before the target when going back, and also when going
    // forward past one: replaying from it is shorter than running on from here.
    const checkpoint = this.checkpointAtOrBefore(target);
    if (target < now || checkpoint.atMs > now) {
      this.state = structuredClone(checkpoint.state);
      this.appliedCount = checkpoint.commandCount;
      this.eventsNeedReset = true;
    }
    this.goForward(target, null);
    this.extendHorizon();
    this.eventsNeedReset = true;
    this.dirty = true;
  }

  private checkpointAtOrBefore(atMs: number): Checkpoint {
    let found = this.checkpoints[0];
    for (const checkpoint of this.checkpoints) {
      if (checkpoint.atMs <= atMs) found = checkpoint;
      else break;
    }
    if (!found) throw new Error('runner has no checkpoint (the run was not loaded)');
    return found;
  }

  /**
   * Runs the simulation forward to `targetMs`, applying logged commands at their times and
   * taking checkpoints on the way. With a CPU deadline it may stop early; returns the time reached.
   */
  private goForward(targetMs: number, deadlineMs: number | null): number {
    const sim = this.requireSim();
    let guard = 0;
    for (;;) {
      const now = sim.nowMs(this.state);
      const nextCommand = this.commands[this.appliedCount];
      const lastCheckpoint = this.checkpoints.at(-1);
      const nextCheckpointAtMs = (lastCheckpoint?.atMs ?? 0) + this.checkpointIntervalMs;
      const commandDue = nextCommand !== undefined && nextCommand.atMs <= targetMs;
      const stopAtMs = Math.min(
        commandDue ? nextCommand.atMs : Number.POSITIVE_INFINITY,
        nextCheckpointAtMs,
        targetMs,
      );
      if (stopAtMs > now) this.advanceState(stopAtMs);
      if (commandDue && nextCommand.atMs <= stopAtMs) {
        const before = sim.events(this.state).total;
        sim.apply(this.state, nextCommand.command);
        this.appliedCount += 1;
        this.check();
        this.collectNewEvents(before, 'command');
        continue;
      }
      if (stopAtMs === nextCheckpointAtMs && nextCheckpointAtMs > (lastCheckpoint?.atMs ?? -1)) {
        this.takeCheckpoint(nextCheckpointAtMs);
      }
      if (stopAtMs >= targetMs) return targetMs;
      if (deadlineMs !== null && this.options.clockMs() >= deadlineMs) return stopAtMs;
      guard += 1;
      if (guard > 10_000_000) throw new Error('runner made no progress while advancing');
    }
  }

  private advanceState(toMs: number): void {
    const sim = this.requireSim();
    const before = sim.events(this.state).total;
    sim.advanceTo(this.state, toMs);
    this.check();
    this.collectNewEvents(before, null);
  }

  private takeCheckpoint(atMs: number): void {
    this.checkpoints.push({
      atMs,
      state: structuredClone(this.state),
      commandCount: this.appliedCount,
    });
    if (this.checkpoints.length > this.options.checkpointsMax) this.thinCheckpoints();
  }

  /** Keeps memory bounded on long runs: every other checkpoint goes and the spacing doubles. */
  private thinCheckpoints(): void {
    this.checkpointIntervalMs *= 2;
    this.checkpoints = this.checkpoints.filter(
      (c, index) => index === 0 || c.atMs % this.checkpointIntervalMs === 0,
    );
  }

  private extendHorizon(): void {
    this.horizonMs = Math.max(this.horizonMs, this.nowMs);
  }

  /**
   * Events appended since `totalBefore` that are new to the run become timeline markers when the
   * lab flagged them important or the learner's command (`cause`) logged them; routine events
   * stay in the event log only.
   */
  private collectNewEvents(totalBefore: number, cause: 'command' | null): void {
    const log = this.requireSim().events(this.state);
    const added = log.total - totalBefore;
    if (added > 0) {
      this.dirty = true;
      const firstKept = log.total - log.items.length + 1;
      for (let seq = Math.max(totalBefore + 1, firstKept); seq <= log.total; seq += 1) {
        if (seq <= this.markedEventTotal) continue;
        this.markedEventTotal = seq;
        const event = log.items[seq - firstKept];
        const markerCause: MarkerCause | null = cause ?? (event?.important ? 'important' : null);
        if (!event || markerCause === null) continue;
        const { atMs, kind, text } = event;
        if (this.markers.offer({ seq, atMs, kind, text, cause: markerCause })) {
          this.markersDirty = true;
        }
      }
    }
    this.extendHorizon();
  }

  /** Produces one frame: advances by wall time × speed when playing, within the CPU budget. */
  frame(wallMs: number): Frame {
    const sim = this.requireSim();
    const startedMs = this.options.clockMs();
    const wall = Number.isFinite(wallMs) ? Math.min(Math.max(wallMs, 0), FRAME_WALL_MS_MAX) : 0;
    let actualSpeed = 0;
    let behind = false;
    if (this.playing) {
      const before = sim.nowMs(this.state);
      const wantedMs = wall * this.speed + this.virtualCarryMs;
      const stepMs = Math.floor(wantedMs);
      this.virtualCarryMs = wantedMs - stepMs;
      const target = Math.min(before + stepMs, RUN_LENGTH_MS_MAX);
      const reached = this.goForward(target, startedMs + this.options.frameBudgetMs);
      this.extendHorizon();
      behind = reached < target;
      if (behind) this.virtualCarryMs = 0;
      actualSpeed = wall > 0 ? (reached - before) / wall : this.speed;
      if (reached >= RUN_LENGTH_MS_MAX) this.playing = false;
      if (reached !== before) this.dirty = true;
    }
    const changed = this.dirty;
    this.dirty = false;
    const log = sim.events(this.state);
    let events: SimEvent[] = [];
    const eventsReset = this.eventsNeedReset;
    if (eventsReset) {
      events = log.items.slice(-EVENTS_RESET_MAX);
      this.eventsNeedReset = false;
    } else if (log.total > this.eventsSentTotal) {
      events = log.items.slice(Math.max(0, log.items.length - (log.total - this.eventsSentTotal)));
    }
    this.eventsSentTotal = log.total;
    const markers = this.markersDirty ? this.markers.markers.slice() : null;
    this.markersDirty = false;
    return {
      labId: this.requireRun().labId,
      atMs: sim.nowMs(this.state),
      horizonMs: this.horizonMs,
      playing: this.playing,
      speed: this.speed,
      actualSpeed: this.playing ? actualSpeed : 0,
      behind,
      changed,
      snapshot: changed ? this.snapshot() : null,
      events,
      eventsReset,
      markers,
      commandCount: this.commands.length,
      commandLogVersion: this.commandLogVersion,
      computeMs: this.options.clockMs() - startedMs,
    };
  }

  private snapshot(): unknown {
    const snapshot = this.requireSim().view(this.state, this.knownVersions);
    const versions = (snapshot as { versions?: unknown } | null)?.versions;
    if (versions && typeof versions === 'object') {
      this.knownVersions = { ...(versions as Record<string, string>) };
    }
    return snapshot;
  }

  currentRun(): RunRecord {
    const run = this.requireRun();
    return { ...run, commands: this.commands.slice(), atMs: this.nowMs };
  }

  private startBatch(jobId: string, name: string, params: unknown): WorkerMessage[] {
    const sim = this.requireSim();
    if (!sim.batch)
      return [{ type: 'error', message: `This lab has no batch jobs.`, during: name }];
    // A batch job works on a copy, so the live run can go on while it computes.
    const job = sim.batch(structuredClone(this.state), name, params);
    this.batches.set(jobId, { name, job });
    return [];
  }

  private cancelBatch(jobId: string): WorkerMessage[] {
    const slot = this.batches.get(jobId);
    if (!slot) return [];
    slot.job.return(undefined);
    this.batches.delete(jobId);
    return [{ type: 'batchCancelled', jobId }];
  }

  get hasBatchWork(): boolean {
    return this.batches.size > 0;
  }

  /** Runs batch slices until the CPU budget is spent; returns progress and finished results. */
  runBatchSlices(budgetMs: number): WorkerMessage[] {
    const messages: WorkerMessage[] = [];
    const deadline = this.options.clockMs() + budgetMs;
    for (const [jobId, slot] of this.batches) {
      let last: WorkerMessage | null = null;
      for (;;) {
        const result = slot.job.next();
        if (result.done) {
          this.batches.delete(jobId);
          messages.push({ type: 'batchResult', jobId, name: slot.name, result: result.value });
          last = null;
          break;
        }
        last = { type: 'progress', jobId, ...result.value };
        if (this.options.clockMs() >= deadline) break;
      }
      if (last) messages.push(last);
      if (this.options.clockMs() >= deadline) break;
    }
    return messages;
  }

  private check(): void {
    if (this.options.checkInvariants) this.requireSim().checkInvariants?.(this.state);
  }

  private requireSim(): AnyLabSim {
    if (!this.sim) throw new Error('No lab is loaded in the worker yet.');
    return this.sim;
  }

  private requireRun(): RunRecord {
    if (!this.run) throw new Error('No lab is loaded in the worker yet.');
    return this.run;
  }
}

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1;
  return Math.min(SPEED_MAX, Math.max(SPEED_MIN, speed));
}

function clampTime(atMs: number): number {
  if (!Number.isFinite(atMs)) return 0;
  return Math.min(RUN_LENGTH_MS_MAX, Math.max(0, Math.round(atMs)));
}
