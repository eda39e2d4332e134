/// <reference lib="webworker" />
/**
 * The worker's thin shell: it passes UI commands to the runner, posts the replies, runs batch
 * slices between messages, and turns every exception into an Error message, never silence.
 */
import { loadLabSim } from './labs';
import type { WorkerCommand, WorkerMessage } from './protocol';
import { Runner } from './runner';

const scope = self as unknown as {
  postMessage(message: WorkerMessage): void;
  onmessage: ((event: MessageEvent<WorkerCommand>) => void) | null;
};

const runner = new Runner(loadLabSim, {
  clockMs: () => performance.now(),
  checkInvariants: import.meta.env.DEV,
});

const BATCH_SLICE_MS = 12;
let batchScheduled = false;
// Commands are handled strictly in order, even though loading a lab is asynchronous.
let queue: Promise<void> = Promise.resolve();

function post(messages: WorkerMessage[]): void {
  for (const message of messages) scope.postMessage(message);
}

// The next batch slice runs as a task posted to a message channel: it comes after the commands
// already waiting (so frames and cancels stay prompt), without the ≥ 4 ms a nested setTimeout costs.
const sliceChannel = new MessageChannel();
sliceChannel.port1.onmessage = () => {
  batchScheduled = false;
  queue = queue.then(() => {
    try {
      post(runner.runBatchSlices(BATCH_SLICE_MS));
    } catch (error) {
      post([{ type: 'error', message: describeError(error), during: 'batch job' }]);
    }
    scheduleBatch();
  });
};

function scheduleBatch(): void {
  if (batchScheduled || !runner.hasBatchWork) return;
  batchScheduled = true;
  sliceChannel.port2.postMessage(null);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

scope.onmessage = (event) => {
  const command = event.data;
  queue = queue.then(async () => {
    try {
      post(await runner.handle(command));
    } catch (error) {
      post([{ type: 'error', message: describeError(error), during: command.type }]);
    }
    scheduleBatch();
  });
};
