/** Progress of a batch job in the worker, with cancel. */
import type { BatchState, Session } from '../session';

export function BatchProgress({ session, batch }: { session: Session; batch: BatchState | null }) {
  if (!batch?.running) return null;
  const fraction = batch.total > 0 ? batch.done / batch.total : 0;
  return (
    <div className="batch-progress" role="status">
      <progress value={batch.done} max={batch.total} aria-label={batch.label} />
      <span>
        {batch.label}: {Math.round(fraction * 100)}%
      </span>
      <button type="button" onClick={() => session.cancelBatch(batch.jobId)}>
        Cancel
      </button>
    </div>
  );
}
