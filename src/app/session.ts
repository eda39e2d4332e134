/**
 * A lab session: one worker, the frame-pull loop, and a zustand store mirroring the latest frame.
 * The UI never runs a simulation step; it asks the worker for one frame per animation frame,
 * with at most one request in flight, so nothing queues up when the simulation is slow.
 */
import { useEffect, useMemo, useState } from 'react';
import { createStore, type StoreApi, useStore } from 'zustand';
import type { SimEvent } from '../kernel/sim';
import type {
  Frame,
  RunRecord,
  TimelineMarker,
  WorkerCommand,
  WorkerMessage,
} from '../worker/protocol';

export interface BatchState {
  jobId: string;
  name: string;
  done: number;
  total: number;
  label: string;
  result: unknown;
  running: boolean;
}

export interface LoggedEvent extends SimEvent {
  id: number;
}

export interface SessionState {
  ready: boolean;
  frame: Frame | null;
  /** The latest full snapshot (frames that did not change keep the previous one). */
  snapshot: unknown;
  /** Events up to now, each with a client-side id for list keys. */
  events: LoggedEvent[];
  markers: TimelineMarker[];
  batches: Record<string, BatchState>;
  error: { message: string; during: string } | null;
  notices: string[];
  /** The newest important events, for the aria-live narration. */
  narration: { id: number; texts: string[] };
}

export interface Session {
  store: StoreApi<SessionState>;
  send(command: WorkerCommand): void;
  requestRun(): Promise<RunRecord>;
  startBatch(name: string, params: unknown): string;
  cancelBatch(jobId: string): void;
  destroy(): void;
}

const EVENTS_KEPT_MAX = 2_000;
let sessionCounter = 0;

export function createSession(run: RunRecord, createWorker: () => Worker = defaultWorker): Session {
  sessionCounter += 1;
  const store = createStore<SessionState>(() => ({
    ready: false,
    frame: null,
    snapshot: null,
    events: [],
    markers: [],
    batches: {},
    error: null,
    notices: [],
    narration: { id: 0, texts: [] },
  }));
  const worker = createWorker();
  let inFlight = false;
  let lastRequestAt = performance.now();
  let rafId = 0;
  let destroyed = false;
  let jobCounter = 0;
  const runWaiters: ((run: RunRecord) => void)[] = [];

  const send = (command: WorkerCommand) => {
    if (!destroyed) worker.postMessage(command);
  };

  let eventId = 0;
  const withIds = (events: SimEvent[]): LoggedEvent[] =>
    events.map((event) => {
      eventId += 1;
      return { ...event, id: eventId };
    });

  const onFrame = (frame: Frame) => {
    const prev = store.getState();
    // A paused run answers every frame with "nothing changed"; leave the store alone then, so
    // nothing re-renders while the learner reads.
    if (
      !frame.changed &&
      prev.frame !== null &&
      frame.events.length === 0 &&
      frame.markers === null &&
      !frame.eventsReset &&
      frame.playing === prev.frame.playing &&
      frame.atMs === prev.frame.atMs &&
      frame.speed === prev.frame.speed &&
      frame.commandLogVersion === prev.frame.commandLogVersion
    ) {
      return;
    }
    const events = frame.eventsReset
      ? withIds(frame.events)
      : frame.events.length > 0
        ? [...prev.events, ...withIds(frame.events)].slice(-EVENTS_KEPT_MAX)
        : prev.events;
    const important = frame.eventsReset ? [] : frame.events.filter((e) => e.important);
    const narration =
      important.length > 0
        ? { id: prev.narration.id + 1, texts: important.map((e) => e.text) }
        : prev.narration;
    store.setState({
      ready: true,
      frame,
      snapshot: frame.changed && frame.snapshot !== null ? frame.snapshot : prev.snapshot,
      events,
      markers: frame.markers ?? prev.markers,
      narration,
    });
  };

  worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
    const message = event.data;
    switch (message.type) {
      case 'frame':
        inFlight = false;
        onFrame(message.frame);
        return;
      case 'progress':
        updateBatch(message.jobId, {
          done: message.done,
          total: message.total,
          label: message.label,
        });
        return;
      case 'batchResult':
        updateBatch(message.jobId, { result: message.result, running: false, done: 1, total: 1 });
        return;
      case 'batchCancelled':
        updateBatch(message.jobId, { running: false });
        return;
      case 'run':
        for (const resolve of runWaiters.splice(0)) resolve(message.run);
        return;
      case 'notice':
        store.setState((s) => ({ notices: [...s.notices, message.text] }));
        return;
      case 'error':
        inFlight = false;
        // The first error is the cause; later ones (frames asked for a lab that never loaded) are not.
        if (!store.getState().error)
          store.setState({ error: { message: message.message, during: message.during } });
        return;
      default: {
        const unknown: never = message;
        throw new Error(`Unknown worker message ${JSON.stringify(unknown)}`);
      }
    }
  };
  worker.onerror = (event) => {
    inFlight = false;
    store.setState({
      error: {
        message: event.message || 'The simulation worker failed to start.',
        during: 'worker',
      },
    });
  };

  function updateBatch(jobId: string, patch: Partial<BatchState>) {
    store.setState((s) => {
      const current = s.batches[jobId];
      if (!current) return s;
      return { batches: { ...s.batches, [jobId]: { ...current, ...patch } } };
    });
  }

  const tick = (now: number) => {
    if (destroyed) return;
    if (!inFlight && !store.getState().error) {
      const wallMs = now - lastRequestAt;
      lastRequestAt = now;
      inFlight = true;
      send({ type: 'frame', wallMs });
    }
    rafId = requestAnimationFrame(tick);
  };

  send({ type: 'load', run });
  rafId = requestAnimationFrame(tick);

  return {
    store,
    send,
    requestRun() {
      return new Promise<RunRecord>((resolve) => {
        runWaiters.push(resolve);
        send({ type: 'getRun' });
      });
    },
    startBatch(name, params) {
      jobCounter += 1;
      const jobId = `${sessionCounter}-${name}-${jobCounter}`;
      store.setState((s) => {
        // A new job of the same name replaces the old one, which is cancelled.
        const batches = { ...s.batches };
        for (const [id, batch] of Object.entries(batches)) {
          if (batch.name === name && batch.running) send({ type: 'cancelBatch', jobId: id });
          if (batch.name === name) delete batches[id];
        }
        batches[jobId] = {
          jobId,
          name,
          done: 0,
          total: 1,
          label: 'Starting…',
          result: null,
          running: true,
        };
        return { batches };
      });
      send({ type: 'batch', jobId, name, params });
      return jobId;
    },
    cancelBatch(jobId) {
      send({ type: 'cancelBatch', jobId });
    },
    destroy() {
      destroyed = true;
      cancelAnimationFrame(rafId);
      worker.terminate();
    },
  };
}

function defaultWorker(): Worker {
  return new Worker(new URL('../worker/entry.worker.ts', import.meta.url), { type: 'module' });
}

/** Creates a session for the run key, and ends it when the key changes or the page unmounts. */
export function useLabSession(run: RunRecord, runKey: string): Session | null {
  const [session, setSession] = useState<Session | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the run key identifies the run.
  useEffect(() => {
    const created = createSession(run);
    setSession(created);
    return () => created.destroy();
  }, [runKey]);
  return session;
}

export function useSession<T>(session: Session, selector: (state: SessionState) => T): T {
  return useStore(session.store, selector);
}

export function latestBatch(state: SessionState, name: string): BatchState | null {
  const all = Object.values(state.batches).filter((b) => b.name === name);
  return all.at(-1) ?? null;
}

/**
 * Re-renders only when `keyOf` gives a new key, and returns the latest snapshot at that moment.
 * Snapshots change every frame while playing; most panels need far fewer renders than that.
 */
export function useSnapshotWhen<Snapshot>(
  session: Session,
  keyOf: (snapshot: Snapshot | null, frame: Frame | null) => string,
): Snapshot | null {
  const key = useStore(session.store, (s) => keyOf(s.snapshot as Snapshot | null, s.frame));
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key says when to read again.
  return useMemo(() => session.store.getState().snapshot as Snapshot | null, [key, session]);
}

/**
 * A render key for panels that need a steady readout, not every frame: while playing it changes
 * at most four times a second; when paused it is the exact moment, so what is shown is exact.
 */
export function steadyTick(frame: Frame | null): string {
  if (!frame) return '';
  // A command applied while paused changes the run without moving the clock.
  if (!frame.playing) return `at ${frame.atMs} log ${frame.commandLogVersion}`;
  return `tick ${Math.floor((performance.now() * 4) / 1000)}`;
}
