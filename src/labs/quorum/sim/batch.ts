/**
 * The history check as a batch job: the linearizability search over every key's sub-history, run
 * in slices by the worker so a long search never blocks a frame, and the stale reads beside it.
 */
import type { BatchJob } from '../../../kernel/sim';
import { type CheckOp, checkHistorySteps, type HistoryVerdict } from './checker';
import type { HistoryOp, QuorumState } from './model';

export interface StaleRead {
  opId: number;
  key: number;
  atMs: number;
  values: number[];
  missed: number[];
}

export interface CheckResult {
  historyVersion: number;
  opsChecked: number;
  atMs: number;
  /** null in vector-clock mode, where a read can return several siblings. */
  linearizability: HistoryVerdict | null;
  staleReads: StaleRead[];
}

/** The history as the checker sees it: no-effect failures and unfinished reads left out. */
export function toCheckOps(history: readonly HistoryOp[]): CheckOp[] {
  const ops: CheckOp[] = [];
  for (const op of history) {
    if (op.kind === 'write') {
      if (op.status === 'fail' && op.noEffect) continue;
      ops.push({
        id: op.id,
        key: op.key,
        kind: 'write',
        value: op.value,
        invokeMs: op.invokeMs,
        completeMs: op.status === 'ok' ? op.completeMs : null,
      });
    } else if (op.status === 'ok') {
      ops.push({
        id: op.id,
        key: op.key,
        kind: 'read',
        value: op.values[0] ?? 0,
        invokeMs: op.invokeMs,
        completeMs: op.completeMs,
      });
    }
  }
  return ops;
}

export function staleReadsOf(history: readonly HistoryOp[]): StaleRead[] {
  return history
    .filter((op) => op.stale)
    .map((op) => ({
      opId: op.id,
      key: op.key,
      atMs: op.completeMs ?? op.invokeMs,
      values: op.values,
      missed: op.missed,
    }));
}

export function* runHistoryCheck(state: QuorumState): BatchJob<CheckResult> {
  const history = state.history;
  const label = `Checking ${history.length} operations`;
  let linearizability: HistoryVerdict | null = null;
  if (state.config.conflict === 'lww') {
    const search = checkHistorySteps(toCheckOps(history));
    for (;;) {
      const step = search.next();
      if (step.done) {
        linearizability = step.value;
        break;
      }
      yield { done: step.value.done, total: Math.max(1, step.value.total), label };
    }
  }
  return {
    historyVersion: state.historyVersion,
    opsChecked: history.length,
    atMs: state.nowMs,
    linearizability,
    staleReads: staleReadsOf(history),
  };
}
